import type { SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/compose.ts';
import type { Db } from '../../src/db/db.ts';
import type { TickResult } from '../../src/digest/tick.ts';
import { createHealth } from '../../src/ops/health.ts';
import { createMetrics, recordTick } from '../../src/ops/metrics.ts';
import { openRuntime } from '../../src/runtime.ts';
import type { SummarizerStats } from '../../src/summarize/summarizer.ts';
import { sample, startBot, type TestBot, testConfig } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { waitUntil } from '../helpers/payloads.ts';
import { freePort } from '../helpers/ports.ts';
import { send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

let tdb: TestDb;
let slack: SlackApiStandIn;
let ops: TestBot;
const logs = captureLogs('info');

beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
  ops = await startBot({ db: tdb.db, slack, logger: logs.logger, logLevel: 'info' });
});
afterAll(async () => {
  await ops?.stop();
  await slack?.close();
  await tdb?.close();
});

const total = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('mle_duties_requests_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

const get = async (base: string, path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
};

/** A catalog whose current role is `id`. */
const role = (id: string) => ({ current: async () => ({ id, name: 'Machine Learning Engineer' }) });

/** A database whose queries fail (or hang) from the moment `broken` is set. */
function faulty(db: Db, fault: { mode?: 'fail' | 'hang'; message?: string }): Db {
  return {
    ...db,
    engine: db.engine,
    query: (text, params) =>
      fault.mode === 'fail'
        ? Promise.reject(new Error(fault.message ?? 'connection refused'))
        : fault.mode === 'hang'
          ? new Promise(() => {})
          : db.query(text, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}

describe('GET /healthz and /readyz on the bot port', () => {
  it('healthz: 200 while the process is up; readyz: 200 with every check ok', async () => {
    expect(await get(ops.base, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    const ready = await get(ops.base, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      ok: true,
      checks: { database: 'ok', migrations: 'ok', catalog: 'ok', process: 'ok' },
    });
  });

  it('readyz: 503 when the database is unreachable, hangs, misses a migration or holds no catalog', async () => {
    const fault: { mode?: 'fail' | 'hang' } = {};
    const db = faulty(tdb.db, fault);
    const checkLogs = captureLogs('warn');
    const health = createHealth({ db, catalog: role('mle'), timeoutMs: 300, logger: checkLogs.logger });
    expect((await health.ready()).ok).toBe(true);

    fault.mode = 'fail';
    expect(await health.ready()).toEqual({
      ok: false,
      checks: { database: 'failed', migrations: 'not checked', catalog: 'not checked', process: 'ok' },
    });
    // The error itself is in the log, not in the report.
    expect(checkLogs.lines.join('\n')).toContain('connection refused');
    fault.mode = 'hang';
    const started = Date.now();
    expect(await health.ready()).toMatchObject({ ok: false, checks: { database: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(2000);
    fault.mode = undefined;

    expect(await createHealth({ db, catalog: role('no-such-role') }).ready()).toMatchObject({
      ok: false,
      checks: { database: 'ok', migrations: 'ok', catalog: 'empty' },
    });

    // A migration this build knows, missing from the database: not ready (the release phase has not run).
    const [last] = await tdb.db.query<{ version: number; name: string }>(
      'select version, name from schema_migrations order by version desc limit 1',
    );
    await tdb.db.query('delete from schema_migrations where version = $1', [last?.version]);
    try {
      const report = await createHealth({ db: tdb.db, catalog: role('mle') }).ready();
      expect(report.ok).toBe(false);
      expect(report.checks.migrations).toBe('behind');
      // Served over HTTP as a 503 with the report.
      const res = await get(ops.base, '/readyz');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body).checks.migrations).toBe('behind');
    } finally {
      await tdb.db.query('insert into schema_migrations (version, name) values ($1, $2)', [last?.version, last?.name]);
    }
    expect((await get(ops.base, '/readyz')).status).toBe(200);
  });

  it('readyz over HTTP names each check and its state only, never the error behind it', async () => {
    const fault: { mode?: 'fail' | 'hang'; message?: string } = {};
    const t = await openTestDb();
    const bot = await startBot({ db: faulty(t.db, fault), slack });
    try {
      fault.mode = 'fail';
      fault.message = 'password authentication failed for user "svc_bot" at db-primary.internal:5432/prod_duties';
      const res = await get(bot.base, '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).not.toMatch(/svc_bot|db-primary|prod_duties|password|5432/);
      const report = JSON.parse(res.body) as { ok: boolean; checks: Record<string, string> };
      expect(Object.keys(report.checks).sort()).toEqual(['catalog', 'database', 'migrations', 'process']);
      const states = ['ok', 'failed', 'timeout', 'behind', 'empty', 'not checked', 'shutting down'];
      for (const state of Object.values(report.checks)) expect(states).toContain(state);
      expect(report.checks.database).toBe('failed');
    } finally {
      fault.mode = undefined;
      await bot.stop();
      await t.close();
    }
  });

  it('Socket Mode: the same routes on the bot port (Bolt customRoutes), no public endpoint', async () => {
    const port = await freePort();
    const config = testConfig(slack, { SLACK_APP_TOKEN: 'xapp-1-A0TEST-123-abc', PORT: String(port) });
    const runtime = await openRuntime(config, { db: tdb.db });
    const bot = await createBot(runtime, { logger: logs.logger });
    // No socket is opened in tests (there is no Slack to connect to); everything else is the real start.
    (bot.slack.receiver as SocketModeReceiver).client.start = async () => ({}) as never;
    expect((await bot.start()).port).toBe(port);
    const base = `http://127.0.0.1:${port}`;
    expect(await get(base, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(base, '/readyz')).status).toBe(200);
    expect((await get(base, '/metrics')).body).toContain('mle_duties_requests_total');
    expect((await get(base, '/slack/events')).status).toBe(404);
    await bot.stop(100);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('readyz says 503 once shutdown began (a load balancer drains the process)', async () => {
    const t = await openTestDb();
    const bot = await startBot({ db: t.db, slack });
    try {
      expect((await get(bot.base, '/readyz')).status).toBe(200);
      const stopping = bot.stop(1000);
      const res = await get(bot.base, '/readyz').catch(() => undefined);
      // Either already refused (the port closed) or answered 503 while draining: never "ready".
      if (res) {
        expect(res.status).toBe(503);
        expect(JSON.parse(res.body).checks.process).toBe('shutting down');
      }
      await stopping;
    } finally {
      await t.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts requests by surface and outcome, ack and answer latency, matches, misses, Slack errors', async () => {
    const before = (await get(ops.base, '/metrics')).body;
    const id1 = `m${Date.now()}a`;
    const id2 = `m${Date.now()}b`;
    await send(
      ops.url,
      ops.signer.command({ text: 'who deploys models to production?', response_url: slack.responseUrl(id1) }),
    );
    const wifi = ops.signer.command({ text: "what's the wifi password?", response_url: slack.responseUrl(id2) });
    await send(ops.url, wifi);
    // The same signed request again (a replay): acked, not answered, counted as a duplicate.
    await send(ops.url, wifi);
    // A mention whose answer Slack refuses: the error code is counted.
    slack.script('chat.postMessage', { error: 'not_in_channel' });
    await send(
      ops.url,
      ops.signer.event({
        type: 'app_mention',
        user: 'U0ASKER1',
        text: '<@UBOT0001> who reviews code?',
        ts: '1.1',
        channel: 'C9',
      }),
    );
    // Its failed answer and the "try again" after it, before anything else posts.
    await slack.waitFor('chat.postMessage', 2);
    // The same event delivered twice (a Slack retry): the second is a duplicate.
    const dup = ops.signer.event(
      { type: 'message', channel_type: 'im', user: 'U0ASKER1', text: 'who reviews code?', ts: '2.1', channel: 'D9' },
      { eventId: `EvDup${Date.now()}` },
    );
    await send(ops.url, dup);
    await slack.waitFor('response_url', 2);
    await slack.waitFor('chat.postMessage', 3);
    await send(ops.url, { ...dup, headers: { ...dup.headers, 'x-slack-retry-num': '1' } });

    let text = '';
    await waitUntil(async () => {
      text = (await get(ops.base, '/metrics')).body;
      // Handlers finish after their ack: wait until all six requests were counted.
      return total(text) - total(before) >= 6;
    });
    const grew = (name: string, labels: Record<string, string> = {}) =>
      sample(text, name, labels) - sample(before, name, labels);
    expect(grew('mle_duties_requests_total', { surface: 'command', outcome: 'answered' })).toBe(1);
    expect(grew('mle_duties_requests_total', { surface: 'command', outcome: 'not_covered' })).toBe(1);
    expect(grew('mle_duties_requests_total', { surface: 'command', outcome: 'duplicate' })).toBe(1);
    expect(grew('mle_duties_requests_total', { surface: 'mention', outcome: 'error' })).toBe(1);
    expect(grew('mle_duties_requests_total', { surface: 'dm', outcome: 'answered' })).toBe(1);
    expect(grew('mle_duties_requests_total', { surface: 'dm', outcome: 'duplicate' })).toBe(1);
    expect(grew('mle_duties_ack_seconds_count')).toBe(6);
    expect(grew('mle_duties_answer_seconds_count', { surface: 'command' })).toBe(3);
    expect(grew('mle_duties_match_seconds_count')).toBe(4);
    expect(grew('mle_duties_no_confident_match_total')).toBe(1);
    expect(grew('mle_duties_slack_api_errors_total', { code: 'not_in_channel', client: 'answers' })).toBe(1);
    // Acks stay far below Slack's 3 s.
    expect(sample(text, 'mle_duties_ack_seconds_bucket', { le: '3' })).toBe(
      sample(text, 'mle_duties_ack_seconds_count'),
    );
    // Every line of the exposition is Prometheus text format.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? [-+0-9.e]+|NaN|[+-]Inf$/i);
    }
    // The request id reached the listener's own log line (the mention's failure).
    const failed = logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'answer failed');
    expect(failed?.requestId).toMatch(/^[0-9a-f]{12}$/);
  });

  it('LLM counters follow the summarizer; digests and their Slack errors are counted by outcome and code', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const stats: SummarizerStats = {
      requests: 3,
      summaries: 2,
      cacheHits: 1,
      cacheMisses: 1,
      skipped: { disabled: 0, rate_limited: 1, circuit_open: 0, no_matches: 4 },
      failed: { timeout: 1 },
    };
    metrics.watchLlm(() => stats);
    let text = await metrics.render();
    expect(sample(text, 'mle_duties_llm_calls_total')).toBe(3);
    expect(sample(text, 'mle_duties_llm_cache_hits_total')).toBe(1);
    expect(sample(text, 'mle_duties_llm_failures_total', { reason: 'timeout' })).toBe(1);
    expect(sample(text, 'mle_duties_llm_skipped_total', { reason: 'rate_limited' })).toBe(1);
    stats.requests = 5;
    stats.failed = { timeout: 1, server_error: 2 } as SummarizerStats['failed'];
    text = await metrics.render();
    expect(sample(text, 'mle_duties_llm_calls_total')).toBe(5);
    expect(sample(text, 'mle_duties_llm_failures_total', { reason: 'server_error' })).toBe(2);

    const tick: TickResult = {
      now: new Date(),
      halted: false,
      due: 4,
      tooLate: 0,
      outcomes: [
        { channelId: 'C1', period: 'p', outcome: 'posted' },
        { channelId: 'C2', period: 'p', outcome: 'posted' },
        { channelId: 'C3', period: 'p', outcome: 'paused', error: 'is_archived' },
        { channelId: 'C4', period: 'p', outcome: 'failed', error: 'http_503' },
      ],
    };
    recordTick(metrics, tick);
    text = await metrics.render();
    expect(sample(text, 'mle_duties_digests_total', { outcome: 'posted' })).toBe(2);
    expect(sample(text, 'mle_duties_digests_total', { outcome: 'paused' })).toBe(1);
    expect(sample(text, 'mle_duties_digests_total', { outcome: 'failed' })).toBe(1);
    expect(sample(text, 'mle_duties_slack_api_errors_total', { code: 'is_archived', client: 'digest' })).toBe(1);
    expect(sample(text, 'mle_duties_slack_api_errors_total', { code: 'http_503', client: 'digest' })).toBe(1);
  });
});
