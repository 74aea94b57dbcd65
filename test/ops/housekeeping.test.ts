// Housekeeping as a job: answers past their retention, replay records (event receipts) and expired summaries are
// pruned by the scheduler on its own clock (no request needed) and by `mle-duties housekeep`, with figures in
// /metrics; user ids in logs and stored rows are a keyed hash with this installation's secret.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Queryable } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { installationSecret } from '../../src/db/secrets.ts';
import { housekeep } from '../../src/housekeeping.ts';
import { openRuntime } from '../../src/runtime.ts';
import { type BotEnv, openBotEnv, sample, testConfig } from '../helpers/bot.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { openTestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { responseFor, uniqueId, waitUntil } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-09-01T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

/** Rows of every age around each limit: answers 200, 91, 89 and 1 day old; receipts 30, 8, 6 days; two summaries. */
async function seed(db: Queryable): Promise<void> {
  for (const days of [200, 91, 89, 1]) {
    await db.query(
      `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash, created_at)
       values ($1, 'q', 'q', '[]'::jsonb, '[]'::jsonb, true, 'command', 'h', $2)`,
      [randomUUID(), ago(days).toISOString()],
    );
  }
  for (const days of [30, 8, 6]) {
    await db.query('insert into slack_event_receipts (event_id, claimed_at, done_at) values ($1, $2, $2)', [
      `Ev${days}-${randomUUID()}`,
      ago(days).toISOString(),
    ]);
  }
  for (const [key, expires] of [
    ['expired', ago(1)],
    ['fresh', new Date(NOW.getTime() + DAY)],
  ] as const) {
    await db.query(
      `insert into summary_cache (cache_key, question, entry_ids, model, prompt_version, summary, expires_at)
       values ($1, 'q', '{}', 'm', 1, 's', $2)`,
      [`${key}-${randomUUID()}`, expires.toISOString()],
    );
  }
}

async function counts(db: Queryable) {
  const [row] = await db.query<{ answers: number; receipts: number; summaries: number }>(
    `select (select count(*)::int from answers) as answers,
            (select count(*)::int from slack_event_receipts) as receipts,
            (select count(*)::int from summary_cache) as summaries`,
  );
  return row;
}

async function clear(db: Queryable) {
  await db.exec('delete from answers; delete from slack_event_receipts; delete from summary_cache;');
}

describe('housekeep(now)', () => {
  it('prunes answers past the retention, receipts over a week old, expired summaries; again: nothing', async () => {
    const t = await openTestDb();
    try {
      await clear(t.db);
      await seed(t.db);
      const first = await housekeep(t.db, { now: NOW, answerRetentionDays: 90 });
      expect(first.pruned).toEqual({ answers: 2, slack_event_receipts: 2, summary_cache: 1 });
      expect(await counts(t.db)).toEqual({ answers: 2, receipts: 1, summaries: 1 });
      const again = await housekeep(t.db, { now: NOW, answerRetentionDays: 90 });
      expect(again.pruned).toEqual({ answers: 0, slack_event_receipts: 0, summary_cache: 0 });
      // A shorter retention takes more.
      const { pruned } = await housekeep(t.db, { now: NOW, answerRetentionDays: 1 });
      expect(pruned.answers).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('the scheduler', () => {
  let env: BotEnv;
  beforeAll(async () => {
    env = await openBotEnv({ env: { SCHEDULER: 'on' }, housekeepingEveryMs: 300 });
  });
  afterAll(() => env?.close());
  beforeEach(() => clear(env.tdb.db));

  it('the running bot prunes on its own clock, with no request arriving, and counts it in /metrics', async () => {
    // Rows as old as that at the real time now: the scheduler uses its own clock.
    const real = Date.now();
    await env.tdb.db.query(
      `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash, created_at)
       values ($1, 'q', 'q', '[]'::jsonb, '[]'::jsonb, true, 'command', 'h', $2)`,
      [randomUUID(), new Date(real - 120 * DAY).toISOString()],
    );
    await env.tdb.db.query('insert into slack_event_receipts (event_id, claimed_at) values ($1, $2)', [
      `EvOld-${randomUUID()}`,
      new Date(real - 9 * DAY).toISOString(),
    ]);
    const metric = async (table: string) =>
      sample(await (await fetch(`${env.bot.base}/metrics`)).text(), 'mle_duties_housekeeping_pruned_total', { table });
    await waitUntil(async () => (await metric('answers')) >= 1 && (await metric('slack_event_receipts')) >= 1, 5000);
    expect(await counts(env.tdb.db)).toMatchObject({ answers: 0, receipts: 0 });
    const text = await (await fetch(`${env.bot.base}/metrics`)).text();
    expect(sample(text, 'mle_duties_housekeeping_runs_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'mle_duties_housekeeping_last_run_timestamp_seconds')).toBeGreaterThan(real / 1000 - 60);
  });
});

describe('mle-duties housekeep', () => {
  it('prunes once and prints the figures; ANSWER_RETENTION_DAYS sets the retention', async () => {
    const t = await openTestDb();
    try {
      await clear(t.db);
      await seed(t.db);
      // PGlite has one owner: this process lets go of the directory while the CLI runs.
      if (t.dir) await t.db.close();
      const config = testConfig(
        { token: 'xoxb-unused', url: 'http://127.0.0.1:9' } as never,
        t.url
          ? { DATABASE_URL: t.url, ANSWER_RETENTION_DAYS: '30' }
          : { PGLITE_DIR: t.dir, ANSWER_RETENTION_DAYS: '30' },
      );
      const r = await runCliCaptured(['housekeep', '--now', NOW.toISOString()], config);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out[0] ?? '{}')).toEqual({
        now: NOW.toISOString(),
        answers: 3,
        slack_event_receipts: 2,
        summary_cache: 1,
      });
      const db = t.dir ? await openPglite(t.dir) : t.db;
      expect(await counts(db)).toEqual({ answers: 1, receipts: 1, summaries: 1 });
      if (t.dir) await db.close();
      expect((await runCliCaptured(['housekeep', '--now', 'yesterday'], config)).code).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('user ids: a keyed hash with the installation secret', () => {
  const oldSaltHash = (id: string) => createHash('sha256').update(`mle-duties:${id}`).digest('hex').slice(0, 12);

  it('stored rows and log lines carry HMAC-SHA256(installation secret, id), not the fixed-salt hash', async () => {
    const logs = captureLogs('info');
    const env = await openBotEnv({ logger: logs.logger, logLevel: 'info' });
    try {
      const user = 'U0HASHME77';
      const id = uniqueId('hash');
      const res = await send(
        env.bot.url,
        env.bot.signer.command({ text: 'who deploys models?', user_id: user, response_url: env.slack.responseUrl(id) }),
      );
      expect(res.status).toBe(200);
      await responseFor(env.slack, id);
      const secret = await installationSecret(env.tdb.db, 'user_hash');
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      const keyed = createHmac('sha256', secret).update(user).digest('hex').slice(0, 12);
      const rows = await env.tdb.db.query<{ user_hash: string }>('select user_hash from answers');
      expect(rows.map((r) => r.user_hash)).toEqual([keyed]);
      expect(keyed).not.toBe(oldSaltHash(user));
      // A log line naming the user (free text, as a library would write it) shows the keyed hash only.
      env.bot.deps.logger.warn(`lookup failed for ${user}`);
      const text = logs.lines.join('\n');
      expect(text).toContain(`user:${keyed}`);
      expect(text).not.toContain(user);
      expect(text).not.toContain(oldSaltHash(user));
    } finally {
      await env.close();
    }
  });

  it('each installation gets its own secret, once: migrating again or reopening keeps it', async () => {
    const a = await openTestDb({ empty: true });
    const b = await openTestDb({ empty: true });
    try {
      await migrate(a.db);
      await migrate(b.db);
      const sa = await installationSecret(a.db, 'user_hash');
      const sb = await installationSecret(b.db, 'user_hash');
      expect(sa).not.toBe(sb);
      await migrate(a.db);
      expect(await installationSecret(a.db, 'user_hash')).toBe(sa);
      const rt = await openRuntime(loadConfig({}), { db: a.db });
      expect(await installationSecret(rt.db, 'user_hash')).toBe(sa);
      await rt.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
