import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../src/errors.ts';
import { createAckGate, nextTurn } from '../../src/slack/ack-gate.ts';
import { createWorkQueue } from '../../src/slack/work-queue.ts';

// Simulated time (the gate's clock and the timers faked), so these run in no time and cannot race the machine.

describe('answer work under a steady stream of requests', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const gate = () => createAckGate({ quietMs: 2, maxHoldMs: 100, now: () => Date.now() });

  it('answers keep flowing while requests arrive every 2 ms for 3 s: each one done within the hold', async () => {
    const g = gate();
    const work = createWorkQueue({ concurrency: 8, maxWaiting: 512, maxWaitMs: 1000, gate: g });
    const latencies: number[] = [];
    const jobs: Promise<void>[] = [];
    for (let t = 0; t < 3000; t += 2) {
      // A request arrives, is acked 1 ms later; every 10 ms one of them asks a question of five queries.
      g.opened();
      if (t % 10 === 0) {
        const asked = Date.now();
        jobs.push(
          work(async () => {
            for (let q = 0; q < 5; q++) await nextTurn();
          }).then(() => {
            latencies.push(Date.now() - asked);
          }),
        );
      }
      await vi.advanceTimersByTimeAsync(1);
      g.closed();
      await vi.advanceTimersByTimeAsync(1);
    }
    // Answered while the stream still ran: all but the last hold's worth.
    expect(latencies.length).toBeGreaterThanOrEqual(300 - 12);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(jobs);
    expect(latencies).toHaveLength(300);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(110);
  });

  it('acks first: a job waits while a request is pending, and starts once requests pause', async () => {
    const g = gate();
    const work = createWorkQueue({ concurrency: 2, maxWaiting: 10, maxWaitMs: 1000, gate: g });
    g.opened();
    let done = false;
    void work(async () => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(done).toBe(false);
    g.closed();
    await vi.advanceTimersByTimeAsync(3);
    expect(done).toBe(true);
    // Socket Mode: an arrival (acked at once) holds starts for the quiet period, no longer.
    done = false;
    g.arrived();
    void work(async () => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(done).toBe(true);
  });

  it('bounded: never more than `concurrency` at once, FIFO; past maxWaiting or maxWaitMs: busy, at once', async () => {
    const work = createWorkQueue({ concurrency: 2, maxWaiting: 2, maxWaitMs: 500 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number, ms: number) =>
      work(async () => {
        order.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, ms));
        running -= 1;
        return i;
      });
    const outcome = (p: Promise<number>) =>
      p.then(
        (v) => `ok ${v}`,
        (err) => (isAppError(err, 'busy') ? 'busy' : `error ${err}`),
      );
    // Two run for 300 ms, two wait (one gets a turn at 300 ms, the other too), the fifth is refused at once.
    const results = [job(0, 300), job(1, 300), job(2, 100), job(3, 100), job(4, 1)].map(outcome);
    await vi.advanceTimersByTimeAsync(0);
    expect(await results[4]).toBe('busy');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await Promise.all(results.slice(0, 4))).toEqual(['ok 0', 'ok 1', 'ok 2', 'ok 3']);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    // Waiting longer than maxWaitMs: busy (the asker hears so), and the queue goes on.
    const long = [job(5, 2000), job(6, 2000), job(7, 1)].map(outcome);
    await vi.advanceTimersByTimeAsync(600);
    expect(await long[2]).toBe('busy');
    await vi.advanceTimersByTimeAsync(2000);
    expect(await Promise.all(long.slice(0, 2))).toEqual(['ok 5', 'ok 6']);
    const last = outcome(job(8, 1));
    await vi.advanceTimersByTimeAsync(10);
    expect(await last).toBe('ok 8');
  });
});
