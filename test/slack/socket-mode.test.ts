import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, requireSlack } from '../../src/config.ts';
import { isAppError } from '../../src/errors.ts';
import { createAnswerService } from '../../src/feedback/answers.ts';
import { silentLogger } from '../../src/log.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { createSlackBot } from '../../src/slack/app.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api.ts';

let tdb: TestDb;
let slack: SlackApiStandIn;
let deps: SlackDeps;
beforeAll(async () => {
  tdb = await openTestDb();
  slack = await startSlackApi();
  deps = {
    db: tdb.db,
    role: { id: 'mle', name: 'Machine Learning Engineer' },
    answers: createAnswerService(tdb.db, createSearchEngine(tdb.db)),
    logger: silentLogger,
    now: () => new Date(),
  };
});
afterAll(async () => {
  await slack?.close();
  await tdb?.close();
});

it('builds in Socket Mode when SLACK_APP_TOKEN is set (no connection is opened)', async () => {
  const bot = await createSlackBot({
    slack: { botToken: slack.token, appToken: 'xapp-1-A0TEST-123-abc', apiUrl: slack.url },
    logLevel: 'error',
    deps,
  });
  expect(bot.mode).toBe('socket');
  expect(bot.receiver).toBeInstanceOf(SocketModeReceiver);
  // The token was checked against the Web API; nothing else was called.
  expect(slack.calls.map((c) => c.method)).toEqual(['auth.test']);
});

it('builds in HTTP mode otherwise', async () => {
  const bot = await createSlackBot({
    slack: { botToken: slack.token, signingSecret: 's', apiUrl: slack.url },
    logLevel: 'error',
    deps,
  });
  expect(bot.mode).toBe('http');
  expect(bot.receiver).toBeInstanceOf(HTTPReceiver);
});

it('a bot token Slack refuses stops the start with a pointer to the README', async () => {
  const err = await createSlackBot({
    slack: { botToken: 'xoxb-wrong', signingSecret: 's', apiUrl: slack.url },
    logLevel: 'error',
    deps,
  }).catch((e: unknown) => e);
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
