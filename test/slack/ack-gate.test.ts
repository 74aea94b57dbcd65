import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAckGate } from '../../src/slack/ack-gate.ts';
import { createWorkQueue } from '../../src/slack/work-queue.ts';

// The gate's clock is injected and the timers faked, so these run in no time and cannot race the machine.

describe('ack gate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const gate = () => createAckGate({ quietMs: 5, maxWaitMs: 1000, now: () => Date.now() });
  const track = (p: Promise<void>) => {
    const state = { done: false };
    void p.then(() => {
      state.done = true;
    });
    return state;
  };

  it('lets work through on the next turn when no request has come in', async () => {
    const g = gate();
    const w = track(g.clear());
    expect(w.done).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.done).toBe(true);
  });

  it('holds work while a request waits for its ack, and until requests have paused for quietMs', async () => {
    const g = gate();
    g.opened();
    const w = track(g.clear());
    await vi.advanceTimersByTimeAsync(100);
    expect(w.done).toBe(false);
    // Acked, and nothing else arrived for longer than the quiet period: work goes.
    g.closed();
    await vi.advanceTimersByTimeAsync(1);
    expect(w.done).toBe(true);

    // A request acked at once: the quiet period runs from its arrival, and another arrival restarts it.
    g.opened();
    g.closed();
    const v = track(g.clear());
    await vi.advanceTimersByTimeAsync(3);
    expect(v.done).toBe(false);
    g.opened();
    g.closed();
    await vi.advanceTimersByTimeAsync(4);
    expect(v.done).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(v.done).toBe(true);
  });

  it('holds work for at most maxWaitMs under a steady stream of requests', async () => {
    const g = gate();
    let w = { done: false };
    const later = { done: false };
    for (let t = 0; t < 1200; t += 2) {
      g.opened();
      if (t === 0) w = track(g.clear());
      if (t === 500) void g.clear().then(() => (later.done = true));
      await vi.advanceTimersByTimeAsync(1);
      g.closed();
      await vi.advanceTimersByTimeAsync(1);
      if (t < 998) expect(w.done).toBe(false);
    }
    expect(w.done).toBe(true);
    // Its own deadline: a second waiter is not released early by the first one's.
    expect(later.done).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(later.done).toBe(true);
  });

  it('a connection closed without a response counts as answered once; extra closes change nothing', async () => {
    const g = gate();
    g.opened();
    g.closed();
    g.closed();
    g.opened();
    const w = track(g.clear());
    await vi.advanceTimersByTimeAsync(50);
    expect(w.done).toBe(false);
    g.closed();
    await vi.advanceTimersByTimeAsync(6);
    expect(w.done).toBe(true);
  });

  it('the work queue starts jobs only through the gate, and never more than its bound at once', async () => {
    const g = gate();
    const work = createWorkQueue(2, g);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const job = (i: number) =>
      work(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running -= 1;
        return i;
      });
    g.opened();
    const all = Promise.all([0, 1, 2, 3, 4].map(job));
    await vi.advanceTimersByTimeAsync(500);
    expect(started).toEqual([]);
    g.closed();
    await vi.advanceTimersByTimeAsync(200);
    expect(await all).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
});
