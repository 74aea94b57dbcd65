// SIGTERM: stop taking requests, finish answers in flight (or tell the asker to try again), release the database,
// exit 0. The first tests run the real entry point (`node --import tsx src/main.ts`) in its own process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RESTARTING_TEXT } from '../../src/slack/middleware/serve.ts';
import { SIGNING_SECRET, sample, startBot } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { handOver, type MainProcess, startMain } from '../helpers/main-process.ts';
import { createSigner, send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

const signer = createSigner(SIGNING_SECRET);

let tdb: TestDb;
let slack: SlackApiStandIn;
beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
});
afterAll(async () => {
  await slack?.close();
  await tdb?.close();
});
afterEach(() => slack.reset());

describe('SIGTERM on the real process (node --import tsx src/main.ts)', () => {
  let proc: MainProcess | undefined;
  afterEach(() => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
  });

  it('an answer in flight is finished, new requests are refused, the process exits 0', async () => {
    proc = await startMain(slack, await handOver(tdb));
    // Slack takes 1.5 s to accept the answer: SIGTERM arrives while it is being delivered.
    slack.script('response_url', { delayMs: 1500 });
    const res = await send(
      proc.url,
      signer.command({ text: 'who deploys models to production?', response_url: slack.responseUrl('sd1') }),
    );
    expect(res.status).toBe(200);
    const [call] = await slack.waitFor('response_url', 1, 10_000);
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    // Stopped taking requests: the port no longer answers (give the signal a moment to land).
    await new Promise((r) => setTimeout(r, 300));
    await expect(
      send(proc.url, signer.command({ text: 'who reviews code?', response_url: slack.responseUrl('sd2') })),
    ).rejects.toThrow();

    const { code, at } = await proc.exited;
    expect(code).toBe(0);
    // It waited for the answer's delivery (1.5 s) before letting go, and no longer than the grace period.
    expect(at - (call?.at ?? 0)).toBeGreaterThanOrEqual(1400);
    expect(at - signalledAt).toBeLessThan(12_000);
    expect(call?.responseUrlId).toBe('sd1');
    expect(JSON.stringify(call?.body)).toMatch(/Deploy|deploy/);
    expect(slack.calls.filter((c) => c.responseUrlId === 'sd2')).toHaveLength(0);
    // Production logs: one JSON object per line, the shutdown told, the Slack requests drained.
    const lines = proc.stderr.filter((l) => l.trim()).map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'shutdown: Slack requests drained', 'stopped']),
    );
  }, 60_000);

  it('a burst acked just before SIGTERM: every asker gets the answer or "try again"; exit 0', async () => {
    proc = await startMain(slack, await handOver(tdb));
    const ids = Array.from({ length: 12 }, (_, i) => `burst${i}`);
    const acks = await Promise.all(
      ids.map((id, i) =>
        send(
          proc?.url as string,
          signer.command({ text: `who monitors models in production ${i}?`, response_url: slack.responseUrl(id) }),
        ),
      ),
    );
    expect(acks.every((a) => a.status === 200)).toBe(true);
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    const got = slack.callsTo('response_url');
    expect(new Set(got.map((c) => c.responseUrlId))).toEqual(new Set(ids));
    for (const c of got) expect(c.status).toBe(200);
  }, 60_000);
});

describe('stop(): answers that outlive the grace period', () => {
  it('the askers still waiting are told to try again (command and mention), counted as interrupted', async () => {
    const t = await openTestDb();
    try {
      const logs = captureLogs('info');
      const ops = await startBot({
        db: t.db,
        slack,
        logger: logs.logger,
        logLevel: 'error',
        // A question that never finishes (a hung database, say).
        answers: (a) => ({ ...a, ask: () => new Promise(() => {}) }),
      });
      await send(ops.url, ops.signer.command({ text: 'who reviews code?', response_url: slack.responseUrl('hang1') }));
      await send(ops.url, ops.signer.command({ text: 'who reviews code?', response_url: slack.responseUrl('hang2') }));
      await send(
        ops.url,
        ops.signer.event({
          type: 'app_mention',
          user: 'U0ASKER1',
          text: '<@UBOT0001> who reviews code?',
          ts: '5.5',
          channel: 'C5',
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await ops.stop(500);
      expect(Date.now() - started).toBeLessThan(3000);
      const told = slack.callsTo('response_url');
      expect(told.map((c) => c.responseUrlId).sort()).toEqual(['hang1', 'hang2']);
      for (const c of told) expect(c.body.text).toBe(RESTARTING_TEXT);
      const posts = slack.callsTo('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body).toMatchObject({ channel: 'C5', thread_ts: '5.5', text: RESTARTING_TEXT });
      const text = await ops.metrics.render();
      expect(sample(text, 'mle_duties_requests_total', { surface: 'command', outcome: 'interrupted' })).toBe(2);
      expect(sample(text, 'mle_duties_requests_total', { surface: 'mention', outcome: 'interrupted' })).toBe(1);
    } finally {
      await t.close();
    }
  });
});
