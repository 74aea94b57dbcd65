// The main scenarios (command, mention, DM, vote, digest tick, summarizer failure) run with every log line captured
// at debug, Bolt's and the Web API client's included; no secret, token or raw Slack user id may appear in them, and
// question text may appear only at debug.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchCatalog } from '../../src/catalog/current.ts';
import { createDigestClient } from '../../src/digest/slack.ts';
import { tick } from '../../src/digest/tick.ts';
import { countingErrors, createLogger, hashId } from '../../src/log.ts';
import { SIGNING_SECRET, startBot, type TestBot } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../helpers/openai-api.ts';
import { blockAction, button } from '../helpers/payloads.ts';
import { send } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

const BOT_TOKEN = 'xoxb-2000000001-3000000001-LogScanBotTokenAbc';
const OPENAI_KEY = 'sk-logscan-0123456789abcdef';
const DB_PASSWORD = 'pw-LogScan-s3cret';
const USERS = ['U0ASKER1', 'U0VOTER22', 'U0DMUSER3', 'U0SUBSCR4'];
const QUESTIONS = [
  'who deploys models to production quietly?',
  'who reviews code in the evenings?',
  'who monitors models after launch?',
];

let tdb: TestDb;
let slack: SlackApiStandIn;
let openai: OpenAiStandIn;
let ops: TestBot;
// No secrets list here: the scan proves nothing writes them in the first place (the list is tested on its own below).
const logs = captureLogs('debug');

beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi({ token: BOT_TOKEN });
  openai = await startOpenAiStandIn({ mode: '500' });
  // The LLM configured as a deployment configures it: compose.ts builds the summarizer from it.
  ops = await startBot({
    db: tdb.db,
    slack,
    logger: logs.logger,
    logLevel: 'debug',
    env: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'm', LLM_TIMEOUT_MS: '1500' },
  });
});
afterAll(async () => {
  await ops?.stop();
  await openai?.close();
  await slack?.close();
  await tdb?.close();
});

describe('logs of the main scenarios', () => {
  it('hold no secret, token or raw user id; question text only at debug', async () => {
    const [asker, voter, dmUser, subscriber] = USERS as [string, string, string, string];
    // Command (answered, with a summary attempt that fails: the provider answers 500).
    await send(
      ops.url,
      ops.signer.command({ text: QUESTIONS[0], user_id: asker, response_url: slack.responseUrl('l1') }),
    );
    const [answer] = await slack.waitFor('response_url', 1, 10_000);
    // Vote on it.
    if (!answer) throw new Error('no answer');
    const up = button(answer, 'vote_up');
    await send(ops.url, ops.signer.action(blockAction(up, { user: voter, responseUrl: slack.responseUrl('l2') })));
    // Mention and DM.
    await send(
      ops.url,
      ops.signer.event({
        type: 'app_mention',
        user: asker,
        text: `<@UBOT0001> ${QUESTIONS[1]}`,
        ts: '7.1',
        channel: 'C0LOGS',
      }),
    );
    await send(
      ops.url,
      ops.signer.event({
        type: 'message',
        channel_type: 'im',
        user: dmUser,
        text: QUESTIONS[2],
        ts: '7.2',
        channel: 'D0LOGS',
      }),
    );
    // A failing answer post (its error is logged) and a digest subscription, then a digest tick a week later.
    slack.script('chat.postMessage', { error: 'not_in_channel' });
    await send(
      ops.url,
      ops.signer.event({
        type: 'app_mention',
        user: subscriber,
        text: `<@UBOT0001> ${QUESTIONS[1]}`,
        ts: '7.3',
        channel: 'C0LOGS',
      }),
    );
    await send(
      ops.url,
      ops.signer.command({
        text: 'digest subscribe monday 09:00 UTC',
        user_id: subscriber,
        channel_id: 'C0DIGEST',
        response_url: slack.responseUrl('l3'),
      }),
    );
    await slack.waitFor('response_url', 3, 10_000);
    await slack.waitFor('chat.postMessage', 4, 10_000);
    const result = await tick({
      db: tdb.db,
      catalog: watchCatalog(tdb.db),
      client: createDigestClient({ token: BOT_TOKEN, apiUrl: slack.url }),
      logger: logs.logger.child({ component: 'digest' }),
      now: new Date(Date.now() + 8 * 24 * 3600_000),
      paceMs: 0,
    });
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['posted']);
    // Let the handlers (summaries run after the answer) finish writing.
    await new Promise((r) => setTimeout(r, 1500));

    const text = logs.lines.join('\n');
    const parsed = logs.lines.map((l) => JSON.parse(l) as { level: string; msg: string; requestId?: string });
    // The scenarios did log (at every level, Bolt's debug included), and did fail where they should.
    expect(parsed.length).toBeGreaterThan(30);
    expect(parsed.some((l) => l.level === 'debug')).toBe(true);
    expect(text).toContain('LLM summary failed');
    expect(text).toContain('answer failed');
    expect(text).toContain('digest: posted');
    // What a request logged carries its id, down to the summarizer's line about it.
    const perRequest = parsed.filter((l) => /^(answer failed|LLM summary failed)/.test(l.msg));
    expect(new Set(perRequest.map((l) => l.msg.split(';')[0]))).toEqual(
      new Set(['answer failed', 'LLM summary failed']),
    );
    for (const line of perRequest) expect(line.requestId).toMatch(/^[0-9a-f]{12}$/);

    for (const secret of [BOT_TOKEN, SIGNING_SECRET, OPENAI_KEY, 'legacy-verification-token-unused']) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/xox[abposr]-\d/);
    for (const user of USERS) expect(text).not.toContain(user);
    // Hashed ids are there instead, so one user's lines still correlate.
    expect(text).toContain(hashId(asker));
    for (const line of parsed.filter((l) => l.level !== 'debug')) {
      for (const q of QUESTIONS) expect(JSON.stringify(line)).not.toContain(q);
    }
  }, 60_000);

  it('the configured secrets are masked wherever they appear; a database password in a URL too', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      json: true,
      write: (l) => lines.push(l),
      secrets: [SIGNING_SECRET, DB_PASSWORD, OPENAI_KEY, BOT_TOKEN],
    });
    logger.child({ requestId: 'r1' }).error(`failed with ${SIGNING_SECRET}`, {
      err: new Error(`connect postgres://mle:${DB_PASSWORD}@db.internal:5432/x refused`, {
        cause: new Error(`key ${OPENAI_KEY}`),
      }),
      detail: `password is ${DB_PASSWORD}; Bearer ${BOT_TOKEN}`,
      body: '{"token":"legacy-abc","user":"U0ASKER1"}',
      question: 'who deploys models?',
    });
    const out = lines.join('\n');
    for (const s of [SIGNING_SECRET, DB_PASSWORD, OPENAI_KEY, BOT_TOKEN, 'legacy-abc', 'U0ASKER1', 'who deploys']) {
      expect(out).not.toContain(s);
    }
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', requestId: 'r1', question: '[19 chars]' });
    // A logger without the list still masks what has a recognisable shape.
    const plain: string[] = [];
    createLogger({ level: 'info', json: false, write: (l) => plain.push(l) }).info('x', {
      url: `postgres://mle:${DB_PASSWORD}@h/db`,
      err: new Error(`token ${BOT_TOKEN} and ${OPENAI_KEY}`),
    });
    expect(plain.join('\n')).not.toMatch(new RegExp(`${DB_PASSWORD}|${BOT_TOKEN}|${OPENAI_KEY}`));
  });

  it('countingErrors counts the error lines of a logger and of its children, and still writes every line', () => {
    const lines: string[] = [];
    let errors = 0;
    const log = countingErrors(createLogger({ level: 'info', json: true, write: (l) => lines.push(l) }), () => {
      errors += 1;
    });
    log.warn('slow');
    log.error('failed');
    log.child({ requestId: 'r2' }).child({ user: 'x' }).error('failed deeper');
    expect(errors).toBe(2);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['slow', 'failed', 'failed deeper']);
    expect(JSON.parse(lines[2] as string)).toMatchObject({ requestId: 'r2', user: 'x' });
  });
});
