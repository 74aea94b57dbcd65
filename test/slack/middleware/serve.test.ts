import type { Context } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsRegistry, RequestOutcome, RequestSurface } from '../../../src/ops/metrics.ts';
import { type InFlight, servedRequest, serveRequests } from '../../../src/slack/middleware/serve.ts';
import { openTestDb, type TestDb } from '../../helpers/db.ts';
import { captureLogs } from '../../ops/support.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await openTestDb();
});
afterAll(async () => {
  await tdb?.close();
});

/** The middleware as Bolt calls it, for one slash command whose listener is `listener`. */
function harness() {
  const logs = captureLogs('info');
  const counted: [RequestSurface, RequestOutcome][] = [];
  const metrics = {
    request: (surface: RequestSurface, outcome: RequestOutcome) => counted.push([surface, outcome]),
    answer: () => {},
  } as unknown as MetricsRegistry;
  const inFlight = new Map<Promise<void>, InFlight>();
  const middleware = serveRequests({ db: tdb.db, logger: logs.logger, metrics, inFlight });
  const run = (listener: (context: Context) => Promise<void>) => {
    const context = {} as Context;
    const body = { command: '/mle-duties', text: 'who deploys models?' };
    return middleware({ body, context, next: () => listener(context) } as unknown as Parameters<typeof middleware>[0]);
  };
  return { logs, counted, inFlight, run };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('serveRequests', () => {
  it('lets the listener return while its answer continues; in flight and uncounted until the answer ends', async () => {
    const { counted, inFlight, run } = harness();
    let finish: () => void = () => {};
    await run(async (context) => {
      servedRequest(context).continueAfterAck(() => new Promise<void>((resolve) => (finish = resolve)));
    });
    // Bolt's part of the request is over here; the answer is not.
    expect(inFlight.size).toBe(1);
    expect(counted).toEqual([]);
    finish();
    await settle();
    expect(inFlight.size).toBe(0);
    expect(counted).toEqual([['command', 'ok']]);
  });

  it('an answer that fails after the ack is logged with a request id and counted as an error', async () => {
    const { logs, counted, inFlight, run } = harness();
    await run(async (context) => {
      servedRequest(context).continueAfterAck(async () => {
        throw new Error('database gone');
      });
    });
    await settle();
    expect(inFlight.size).toBe(0);
    expect(counted).toEqual([['command', 'error']]);
    const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'answer failed after its ack');
    expect(line).toMatchObject({ level: 'error', requestId: expect.stringMatching(/^[0-9a-f]{12}$/) });
  });

  it("a listener's own outcome is what gets counted; an error thrown before the ack reaches Bolt", async () => {
    const { counted, run } = harness();
    await run(async (context) => {
      servedRequest(context).continueAfterAck(async () => {
        servedRequest(context).outcome = 'answered';
      });
    });
    await expect(
      run(async () => {
        throw new Error('listener bug');
      }),
    ).rejects.toThrow('listener bug');
    await settle();
    expect(counted).toEqual([
      ['command', 'answered'],
      ['command', 'error'],
    ]);
  });
});
