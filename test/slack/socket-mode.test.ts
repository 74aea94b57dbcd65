import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../../src/compose.ts';
import { loadConfig, requireSlack } from '../../src/config.ts';
import { isAppError } from '../../src/errors.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { testConfig } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { allText, responseFor, uniqueId } from '../helpers/payloads.ts';
import { freePort } from '../helpers/ports.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { type SocketModeStandIn, startSocketMode } from '../helpers/socket-mode.ts';

let tdb: TestDb;
let slack: SlackApiStandIn;
const runtime = (env: Record<string, string>): Promise<Runtime> => openRuntime(testConfig(slack, env), { db: tdb.db });
beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
});
afterAll(async () => {
  await slack?.close();
  await tdb?.close();
});

it('builds in Socket Mode when SLACK_APP_TOKEN is set (no connection is opened)', async () => {
  slack.reset();
  const bot = await createBot(await runtime({ SLACK_APP_TOKEN: 'xapp-1-A0TEST-123-abc' }), { logger: silentLogger });
  expect(bot.slack.mode).toBe('socket');
  expect(bot.slack.receiver).toBeInstanceOf(SocketModeReceiver);
  // The token was checked against the Web API; nothing else was called.
  expect(slack.calls.map((c) => c.method)).toEqual(['auth.test']);
});

it('builds in HTTP mode otherwise', async () => {
  const bot = await createBot(await runtime({}), { logger: silentLogger });
  expect(bot.slack.mode).toBe('http');
  expect(bot.slack.receiver).toBeInstanceOf(HTTPReceiver);
});

it('a bot token Slack refuses stops the start with a pointer to the README', async () => {
  const err = await createBot(await runtime({ SLACK_BOT_TOKEN: 'xoxb-wrong' }), { logger: silentLogger }).catch(
    (e: unknown) => e,
  );
  expect(isAppError(err, 'config_invalid')).toBe(true);
  expect((err as Error).message).toContain('invalid_auth');
  expect((err as Error).message).toContain('Connect to Slack');
  expect((err as Error).message).not.toContain('xoxb-wrong');
});

it('missing Slack settings are listed at once, pointing to "Connect to Slack"', () => {
  const err = (() => {
    try {
      requireSlack(loadConfig({}));
    } catch (e) {
      return e as Error;
    }
  })();
  expect(err?.message).toContain('SLACK_BOT_TOKEN');
  expect(err?.message).toContain('SLACK_SIGNING_SECRET');
  expect(err?.message).toContain('SLACK_APP_TOKEN');
  expect(err?.message).toContain('Connect to Slack');
  expect(() => requireSlack(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).not.toThrow();
  expect(() => requireSlack(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }))).not.toThrow();
});

describe('over a real socket (the Socket Mode stand-in)', () => {
  let socket: SocketModeStandIn;
  let bot: Bot;
  let port: number;
  beforeAll(async () => {
    socket = await startSocketMode(slack);
    port = await freePort();
    const rt = await runtime({ SLACK_APP_TOKEN: slack.appToken, PORT: String(port) });
    const debug = Boolean(process.env.TEST_LOG);
    bot = await createBot(rt, { logger: debug ? createLogger({ level: 'debug', json: false }) : silentLogger });
    await bot.start();
    await socket.connected();
  });
  afterAll(async () => {
    await bot?.stop();
    await socket?.close();
  });
  beforeEach(() => {
    slack.reset();
    socket.reset();
  });

  /** The Web API calls the bot made (the socket's own apps.connections.open aside). */
  const posts = () => slack.calls.filter((c) => c.method !== 'apps.connections.open');

  it('connected with the app token, through the configured Web API URL', () => {
    expect(bot.slack.mode).toBe('socket');
    expect(socket.connections).toBe(1);
  });

  it('a slash command is acked over the socket at once and answered through its response_url', async () => {
    const id = uniqueId('sock');
    const envelopeId = socket.command({ text: 'who reviews code?', response_url: slack.responseUrl(id) });
    const ack = await socket.waitForAck(envelopeId);
    // Bolt acks with an empty payload: nothing is posted in place of the answer.
    expect(ack.payload).toEqual({});
    expect(ack.ms).toBeLessThan(2500);
    const answer = await responseFor(slack, id);
    expect(answer.status, JSON.stringify(answer.response)).toBe(200);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(allText(answer)).toContain('Code Review');
    expect(answer.at).toBeGreaterThanOrEqual(ack.at);
    const rows = await tdb.db.query<{ question: string }>(
      "select question from answers where surface = 'command' and question like '%reviews code%'",
    );
    expect(rows).toHaveLength(1);
  });

  it('an app_mention event is acked and answered in a thread under the question', async () => {
    const ts = `${Math.floor(Date.now() / 1000)}.000200`;
    const envelopeId = socket.event({
      type: 'app_mention',
      user: 'U0ASKER1',
      text: '<@UBOT0001> who deploys models to production?',
      ts,
      channel: 'C0GENERAL',
      event_ts: ts,
    });
    await socket.waitForAck(envelopeId);
    const [call] = await slack.waitFor('chat.postMessage');
    expect(call?.body.channel).toBe('C0GENERAL');
    expect(call?.body.thread_ts).toBe(ts);
    expect(call?.status).toBe(200);
    expect(allText(call as never)).toContain('You asked: *who deploys models to production?*');
  });

  it('an envelope delivered twice (a slash command) is acked twice and answered once', async () => {
    const id = uniqueId('replay');
    const fields = { text: 'who monitors models?', response_url: slack.responseUrl(id), trigger_id: `${id}.trigger` };
    const envelopeId = socket.command(fields);
    await socket.waitForAck(envelopeId);
    await responseFor(slack, id);
    socket.command(fields, { envelopeId });
    await waitForAcks(envelopeId, 2);
    await barrier();
    expect(answersTo(id)).toHaveLength(1);
  });

  it('an event delivered again (a new envelope, retry_attempt 1, same event_id) is answered once', async () => {
    const eventId = uniqueId('EvSock');
    const ts = `${Math.floor(Date.now() / 1000)}.000300`;
    const event = { type: 'app_mention', user: 'U0ASKER1', text: '<@UBOT0001> random', ts, channel: 'C0GENERAL' };
    await socket.waitForAck(socket.event(event, { eventId }));
    await slack.waitFor('chat.postMessage');
    const again = socket.event(event, { eventId, retryAttempt: 1, retryReason: 'timeout' });
    await socket.waitForAck(again);
    // …and the very same envelope once more.
    socket.event(event, { eventId, envelopeId: again });
    await waitForAcks(again, 2);
    await barrier();
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === ts)).toHaveLength(1);
  });

  it('after Slack asks for a refresh, the bot reconnects and keeps answering', async () => {
    socket.disconnect('refresh_requested');
    await waitUntil(() => socket.connections === 0, 5000);
    // The client waits its ping timeout (5 s) before it opens a new connection.
    await socket.connected(1, 15_000);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
    const id = uniqueId('after');
    socket.command({ text: 'who reviews code?', response_url: slack.responseUrl(id) });
    expect(allText(await responseFor(slack, id))).toContain('Code Review');
  }, 30_000);

  it('the ops routes are served on PORT', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });

  const answersTo = (id: string) => posts().filter((c) => c.method === 'response_url' && c.responseUrlId === id);

  async function waitForAcks(envelopeId: string, count: number): Promise<void> {
    await waitUntil(() => socket.acks.filter((a) => a.envelopeId === envelopeId).length >= count, 5000);
  }

  /** A question sent after, and answered: whatever the bot would still do with what came before is done by then. */
  async function barrier(): Promise<void> {
    const id = uniqueId('barrier');
    socket.command({ text: 'random', response_url: slack.responseUrl(id) });
    await responseFor(slack, id);
    await new Promise((r) => setTimeout(r, 100));
  }
});

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
