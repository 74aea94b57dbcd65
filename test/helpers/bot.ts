/**
 * The real bot, composed exactly as src/main.ts composes it (src/runtime.ts + src/compose.ts), in HTTP mode on a
 * random port against the Web API stand-in and a private test database.
 *
 *   const slack = await startSlackApi();
 *   const bot = await startBot({ db, slack });
 *   await send(bot.url, bot.signer.command({ text: 'random', response_url: slack.responseUrl('x') }));
 *   await bot.stop();
 */
import { type Bot, type BotOptions, createBot } from '../../src/compose.ts';
import { type Env, loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';
import { createLogger, type Logger, type LogLevel, silentLogger } from '../../src/log.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { EVENTS_PATH } from '../../src/slack/http.ts';
import { openTestDb, type TestDb } from './db.ts';
import { createSigner, type Signer } from './signer.ts';
import { type SlackApiStandIn, startSlackApi } from './slack-api/server.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface TestBot extends Pick<Bot, 'deps' | 'metrics' | 'slack'> {
  runtime: Runtime;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The events endpoint: <base>/slack/events */
  url: string;
  signer: Signer;
  stop(graceMs?: number): Promise<void>;
}

export interface TestBotOptions extends Omit<BotOptions, 'logger'> {
  db: Db;
  slack: SlackApiStandIn;
  /** Where the bot's lines go (silent unless TEST_LOG is set). */
  logger?: Logger;
  /** LOG_LEVEL, which Bolt's own logging follows too (default: error, or debug with TEST_LOG). */
  logLevel?: LogLevel;
  /** More environment, as a deployment would set it. */
  env?: Env;
  catalogCheckMs?: number;
}

export function testConfig(slack: SlackApiStandIn, env: Env = {}) {
  return loadConfig({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    SCHEDULER: 'off',
    ...env,
  });
}

export async function startBot(options: TestBotOptions): Promise<TestBot> {
  const { db, slack, logger, logLevel, env, catalogCheckMs, ...seams } = options;
  const debug = Boolean(process.env.TEST_LOG);
  const config = testConfig(slack, { LOG_LEVEL: logLevel ?? (debug ? 'debug' : 'error'), ...env });
  const runtime = await openRuntime(config, { db, catalogCheckMs });
  const bot = await createBot(runtime, {
    logger: logger ?? (debug ? createLogger({ level: 'debug', json: false }) : silentLogger),
    ...seams,
  });
  const { port } = await bot.start(0);
  const base = `http://127.0.0.1:${port}`;
  return {
    slack: bot.slack,
    deps: bot.deps,
    metrics: bot.metrics,
    runtime,
    base,
    url: `${base}${EVENTS_PATH}`,
    signer: createSigner(SIGNING_SECRET),
    stop: (graceMs = 2000) => bot.stop(graceMs),
  };
}

/** A private database, the Slack stand-in and the bot on them: what most Slack tests start from. */
export interface BotEnv {
  tdb: TestDb;
  slack: SlackApiStandIn;
  bot: TestBot;
  close(): Promise<void>;
}

export async function openBotEnv(options: Omit<TestBotOptions, 'db' | 'slack'> = {}): Promise<BotEnv> {
  const tdb = await openTestDb();
  const slack = await startSlackApi();
  const bot = await startBot({ db: tdb.db, slack, ...options });
  slack.reset();
  return {
    tdb,
    slack,
    bot,
    async close() {
      await bot.stop();
      await slack.close();
      await tdb.close();
    },
  };
}

/** The value of one sample of the bot's /metrics text (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
