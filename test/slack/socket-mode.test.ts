import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBot } from '../../src/compose.ts';
import { loadConfig, requireSlack } from '../../src/config.ts';
import { isAppError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { testConfig } from '../helpers/bot.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';

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
