// ≥ 1,000 hostile inputs through the real signed endpoint (commands, mentions, DMs) and through the CLI (`ask` with
// one question per stdin line): no crash, no SQL error, no unescaped mention in anything Slack received, and the
// schema exactly as before. Figures are printed; `FUZZ_SEED=n` replays another sequence.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db, Queryable } from '../../src/db/db.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { BODY_LIMIT_BYTES } from '../../src/slack/http.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type CapturedLogs, captureLogs } from '../helpers/logs.ts';
import { unescapedMarkup } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import { type RecordedCall, type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const COUNT = 1000;

const PIECES = [
  // quotes and SQL
  "'",
  '"',
  '`',
  "''",
  "'; drop table duties; --",
  '$1',
  '$$',
  '\\',
  '\\x00',
  '%',
  '_',
  '%_%',
  // tsquery operators and syntax
  '&',
  '|',
  '!',
  '<->',
  '<2>',
  ':*',
  ':A',
  '(',
  ')',
  'a & !b',
  'model:* | deploy',
  // control, bidi and invisible characters
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u202e',
  '\u200f',
  '\u2066',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u00ad',
  'e\u0301',
  '\ud800',
  // emoji
  '🙂',
  '👩‍💻',
  '🏳️‍🌈',
  '🇬🇧',
  // Slack markup, raw and pre-escaped
  '<!here>',
  '<!channel>',
  '<!everyone>',
  '<!subteam^S0123|@team>',
  '<@U123ABC>',
  '<@U123|boss>',
  '<#C123|general>',
  '<https://evil.example|click me>',
  '&lt;!here&gt;',
  '&lt;@U123&gt;',
  '&amp;lt;!channel&amp;gt;',
  '*bold*',
  '_it_',
  '~s~',
  '```code```',
  '>quote',
  // words the catalog knows, so searches go deep
  'who',
  'deploys',
  'models',
  'monitoring',
  'monitoirng',
  'production',
  'review',
  'code',
  'pipeline',
  'section',
  'help',
  'random',
  'digest',
  ' ',
  '\n',
  '\t',
];

function generate(count: number, seed: number): string[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = () => PIECES[Math.floor(rand() * PIECES.length)] as string;
  return Array.from({ length: count }, (_, i) => {
    // A few sizes that matter: 100 KB (above the body cap), just below, at and above the 2000-character limit.
    if (i % 200 === 7) return `${pick()}${'x'.repeat(100 * 1024)}`;
    if (i % 200 === 8) return `${pick()} ${'<!here> '.repeat(4000)}`;
    if (i % 100 === 9) return 'who deploys models '.repeat(105).slice(0, 1999 + (i % 3));
    const n = 1 + Math.floor(rand() * 12);
    return Array.from({ length: n }, pick).join(rand() < 0.6 ? ' ' : '');
  });
}

/** Tables, columns, types, indexes and constraints of the public schema: what no input may change. */
async function schemaOf(db: Queryable): Promise<string> {
  const columns = await db.query(
    `select table_name, column_name, data_type, is_nullable from information_schema.columns
     where table_schema = 'public' order by table_name, column_name`,
  );
  const indexes = await db.query(
    `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`,
  );
  const constraints = await db.query(
    `select table_name, constraint_name, constraint_type from information_schema.table_constraints
     where table_schema = 'public' order by table_name, constraint_name`,
  );
  const duties = await db.query('select count(*)::int as n from duties');
  return JSON.stringify({ columns, indexes, constraints, duties });
}

/** Counts every query the database refused (an SQL error), with its message. */
function countingDb(db: Db, failures: string[]): Db {
  const watch = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      failures.push(String((err as Error)?.message ?? err));
      throw err;
    });
  const wrap = (q: Queryable): Queryable => ({
    query: (text, params) => watch(q.query(text, params)),
    exec: (sql) => watch(q.exec(sql)),
  });
  return {
    ...wrap(db),
    engine: db.engine,
    transaction: (fn) => watch(db.transaction((tx) => fn(wrap(tx)))),
    close: () => db.close(),
  };
}

const SQL_ERROR = /syntax error|tsquery|SQLSTATE|invalid input|unterminated|violates|does not exist|relation|operator/i;

/** Log lines that tell of a crash or an SQL error (an error line, or anything carrying a database error). */
function badLines(logs: CapturedLogs): string[] {
  return logs.lines.filter((l) => {
    const line = JSON.parse(l) as { level: string };
    return line.level === 'error' || (line.level === 'warn' && SQL_ERROR.test(l));
  });
}

let tdb: TestDb;
let slack: SlackApiStandIn;
let ops: TestBot;
const logs = captureLogs('info');
const sqlFailures: string[] = [];
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);
const inputs = generate(COUNT, SEED);

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  tdb = await openTestDb();
  slack = await startSlackApi();
  ops = await startBot({ db: countingDb(tdb.db, sqlFailures), slack, logger: logs.logger, logLevel: 'info' });
});
afterAll(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  await ops?.stop();
  await slack?.close();
  await tdb?.close();
});

describe('fuzz', () => {
  it('the detectors can fail: a planted mention and a refused query are caught', async () => {
    const planted = {
      method: 'x',
      body: { text: 'hi <!here>' },
      raw: '',
      headers: {},
      status: 200,
      response: {},
      at: 0,
    };
    expect(unescapedMarkup([planted as RecordedCall])).toEqual(['<!here>']);
    const failures: string[] = [];
    await expect(countingDb(tdb.db, failures).query("select to_tsquery('a & | b')")).rejects.toThrow();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(SQL_ERROR);
  });

  it(`${COUNT} inputs through the signed endpoint: commands for all, mentions and DMs for a quarter`, async () => {
    const schemaBefore = await schemaOf(tdb.db);
    slack.reset();
    const expected = new Set<string>();
    let refused = 0;
    let events = 0;
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const i = next++;
        const text = inputs[i] as string;
        const id = `fz${i}`;
        const req = ops.signer.command({ text, user_id: 'U0FUZZ01', response_url: slack.responseUrl(id) });
        const res = await send(ops.url, req);
        if (Buffer.byteLength(req.body) > BODY_LIMIT_BYTES) {
          // Above the body cap: refused before anything reads it.
          expect(res.status).toBe(413);
          refused += 1;
        } else {
          statuses.push(res.status);
          expected.add(id);
        }
        if (i % 4 === 0 && text.length < 20_000) {
          const event =
            i % 8 === 0
              ? {
                  type: 'app_mention',
                  user: 'U0FUZZ01',
                  text: `<@UBOT0001> ${text}`,
                  ts: `${1000 + i}.1`,
                  channel: 'C0FUZZ',
                }
              : { type: 'message', channel_type: 'im', user: 'U0FUZZ01', text, ts: `${1000 + i}.2`, channel: 'D0FUZZ' };
          const r = await send(ops.url, ops.signer.event(event, { eventId: `EvFuzz${SEED}x${i}` }));
          statuses.push(r.status);
          events += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    expect(statuses.every((s) => s === 200)).toBe(true);

    const answers = await slack.waitFor('response_url', expected.size, 45_000);
    await slack.waitFor('chat.postMessage', events, 20_000);
    const calls = slack.calls;
    expect(new Set(answers.map((a) => a.responseUrlId))).toEqual(expected);
    const failedCalls = calls.filter((c) => c.status !== 200);
    const tryAgain = calls.filter((c) => JSON.stringify(c.body).includes('something went wrong'));
    const unescaped = unescapedMarkup(calls);
    const bad = badLines(logs);
    const schemaAfter = await schemaOf(tdb.db);
    console.log(
      `fuzz (endpoint, ${tdb.url ? 'postgres' : 'pglite'}, seed ${SEED}): ${inputs.length} inputs → ${expected.size} commands answered, ` +
        `${refused} refused at the body cap (413), ${events} mentions/DMs; crashes ${crashes.length + tryAgain.length + bad.length}, ` +
        `SQL errors ${sqlFailures.length}, unescaped mentions ${unescaped.length}, Slack refusals ${failedCalls.length}, ` +
        `schema ${schemaAfter === schemaBefore ? 'unchanged' : 'CHANGED'}`,
    );
    expect(crashes).toEqual([]);
    expect(tryAgain.map((c) => c.responseUrlId ?? c.body.channel)).toEqual([]);
    expect(bad).toEqual([]);
    expect(sqlFailures).toEqual([]);
    expect(unescaped).toEqual([]);
    expect(failedCalls.map((c) => c.response)).toEqual([]);
    expect(schemaAfter).toBe(schemaBefore);
  }, 90_000);

  it(`${COUNT} inputs through the CLI (ask --json, one per stdin line)`, async () => {
    const t = await openTestDb();
    try {
      const schemaBefore = await schemaOf(t.db);
      // The CLI opens the database itself: PGlite allows one opener of a data directory at a time.
      if (t.dir) await t.db.close();
      const config = loadConfig(t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir });
      const out: string[] = [];
      const err: string[] = [];
      const stdin = `${inputs.map((s) => s.replace(/[\r\n]+/g, ' ')).join('\n')}\n`;
      const io: Io = {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        stdin: Readable.from([stdin]),
        stdinIsTty: false,
      };
      const code = await runCli(['ask', '--json'], io, config);
      const lines = out.map((l) => JSON.parse(l) as { question?: string; error?: string; matches?: unknown[] });
      // Only the refusals the CLI is meant to give; anything else (an SQL error, "unexpected error") is a failure.
      const unexpected = lines.filter((l) => l.error !== undefined && !/empty question|2000/.test(l.error));
      let schemaAfter: string;
      if (t.dir) {
        const db = await openPglite(t.dir);
        schemaAfter = await schemaOf(db);
        await db.close();
      } else schemaAfter = await schemaOf(t.db);
      console.log(
        `fuzz (CLI, ${t.url ? 'postgres' : 'pglite'}, seed ${SEED}): ${inputs.length} inputs → ${lines.length} answers ` +
          `(${lines.filter((l) => l.matches && l.matches.length > 0).length} with matches, ` +
          `${lines.filter((l) => l.error).length} refused for length or emptiness); exit ${code}, ` +
          `crashes/SQL errors ${unexpected.length + err.length}, schema ${schemaAfter === schemaBefore ? 'unchanged' : 'CHANGED'}`,
      );
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(lines).toHaveLength(inputs.length);
      expect(unexpected).toEqual([]);
      expect(schemaAfter).toBe(schemaBefore);
    } finally {
      await t.close();
    }
  }, 90_000);
});
