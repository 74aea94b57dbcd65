import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Context } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/db.ts';
import type { MetricsRegistry, RequestOutcome, RequestSurface } from '../../../src/ops/metrics.ts';
import { type InFlight, servedRequest, serveRequests } from '../../../src/slack/middleware/serve.ts';
import { openTestDb, type TestDb } from '../../helpers/db.ts';
import { captureLogs } from '../../helpers/logs.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await openTestDb();
});
afterAll(async () => {
  await tdb?.close();
});

/** The middleware as Bolt calls it: `run(listener)` serves one slash command, or the given event body. */
function harness(db: Db = tdb.db) {
  const logs = captureLogs('info');
  const counted: [RequestSurface, RequestOutcome][] = [];
  const metrics = {
    request: (surface: RequestSurface, outcome: RequestOutcome) => counted.push([surface, outcome]),
    answer: () => {},
  } as unknown as MetricsRegistry;
  const inFlight = new Map<Promise<void>, InFlight>();
  const middleware = serveRequests({ db, logger: logs.logger, metrics, inFlight });
  const run = (listener: (context: Context) => Promise<void>, body: object = COMMAND) => {
    const context = {} as Context;
    return middleware({ body, context, next: () => listener(context) } as unknown as Parameters<typeof middleware>[0]);
  };
  return { logs, counted, inFlight, run };
}

const COMMAND = { command: '/mle-duties', text: 'who deploys models?' };
const dm = (eventId: string) => ({
  type: 'event_callback',
  event_id: eventId,
  event: { type: 'message', channel_type: 'im', user: 'U0ASKER1', text: 'who deploys models?', ts: '1.1' },
});

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

  it("Bolt's objects for the request can be collected while its answer still runs", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { inFlight } = harness();
    const middleware = serveRequests({
      db: tdb.db,
      logger: captureLogs('info').logger,
      metrics: { request: () => {}, answer: () => {} } as unknown as MetricsRegistry,
      inFlight,
    });
    let finish: () => void = () => {};
    const pending = () => new Promise<void>((resolve) => (finish = resolve));
    let bolt: WeakRef<object> | undefined;
    await (async () => {
      // Like Bolt's: the args carry the request's objects, and `next` refers back to them.
      const args = {
        body: { command: '/mle-duties', text: 'who deploys models?' },
        context: {} as Context,
        payload: new Array(10_000).fill('held'),
        next: async () => {
          servedRequest(args.context).continueAfterAck(pending);
        },
      };
      bolt = new WeakRef(args);
      await middleware(args as unknown as Parameters<typeof middleware>[0]);
    })();
    expect(inFlight.size).toBe(1);
    for (let i = 0; i < 3 && bolt?.deref(); i++) {
      await settle();
      gc();
    }
    expect(bolt?.deref()).toBeUndefined();
    finish();
    await settle();
    expect(inFlight.size).toBe(0);
  });

  it('an event is served once; a retry of one whose listener failed is served again', async () => {
    const { counted, run } = harness();
    const id = `EvServe${Date.now()}`;
    let served = 0;
    const answer = async () => {
      served += 1;
    };
    await expect(
      run(async () => {
        throw new Error('first try failed');
      }, dm(id)),
    ).rejects.toThrow('first try failed');
    await run(answer, dm(id));
    await run(answer, dm(id));
    await settle();
    expect(served).toBe(1);
    expect(counted).toEqual([
      ['dm', 'error'],
      ['dm', 'ok'],
      ['dm', 'duplicate'],
    ]);
  });

  it('with the database down an event is still answered (Slack will not retry it), and the failure logged', async () => {
    const down = {
      ...tdb.db,
      query: async () => {
        throw new Error('connection refused');
      },
    } as unknown as Db;
    const { logs, counted, run } = harness(down);
    let served = 0;
    await run(
      async () => {
        served += 1;
      },
      dm(`EvDown${Date.now()}`),
    );
    await settle();
    expect(served).toBe(1);
    expect(counted).toEqual([['dm', 'ok']]);
    expect(logs.lines.join('\n')).toContain('event claim failed; answering anyway');
  });
});
