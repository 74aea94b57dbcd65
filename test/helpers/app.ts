/**
 * Starts the real Slack bot (HTTP mode) on a random port against the Web API stand-in.
 *
 *   const slack = await startSlackApi();
 *   const bot = await startTestBot({ db, slack });
 *   await send(bot.url, bot.signer.command({ text: 'random', response_url: slack.responseUrl('x') }));
 *   await bot.stop();
 */
import { loadCatalog } from '../../src/catalog/catalog.ts';
import type { Db } from '../../src/db/db.ts';
import { createAnswerService } from '../../src/feedback/answers.ts';
import { createLogger, type Logger, silentLogger } from '../../src/log.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { type AckGate, createAckGate } from '../../src/slack/ack-gate.ts';
import { createSlackBot, EVENTS_PATH, type SlackBot } from '../../src/slack/app.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import { yieldBetweenQueries } from '../../src/slack/yielding-db.ts';
import type { Summarizer } from '../../src/summarize/summarizer.ts';
import { createSigner, type Signer } from './signer.ts';
import type { SlackApiStandIn } from './slack-api.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface TestBot {
  bot: SlackBot;
  deps: SlackDeps;
  /** The events endpoint: http://127.0.0.1:<port>/slack/events */
  url: string;
  base: string;
  signer: Signer;
  stop(): Promise<void>;
}

let role: { id: string; name: string } | undefined;

export async function startTestBot(options: {
  db: Db;
  slack: SlackApiStandIn;
  logger?: Logger;
  bodyLimit?: number;
  apiTimeoutMs?: number;
  /** Built on the same (yielding) database the bot uses; summaries are off without it. */
  summarizer?: (db: Db) => Summarizer;
  /** The ack gate (a default one, as in production, when absent). */
  ackGate?: AckGate;
}): Promise<TestBot> {
  if (!role) {
    const catalog = loadCatalog();
    role = { id: catalog.role.id, name: catalog.role.name };
  }
  const logger =
    options.logger ?? (process.env.TEST_LOG ? createLogger({ level: 'debug', json: false }) : silentLogger);
  // As src/main.ts wires it: the receiver tells the gate of each request; answers and their queries wait on it.
  const ackGate = options.ackGate ?? createAckGate();
  const db = yieldBetweenQueries(options.db, ackGate);
  const deps: SlackDeps = {
    db,
    role,
    answers: createAnswerService(db, createSearchEngine(db)),
    logger,
    now: () => new Date(),
    ...(options.summarizer ? { summarizer: options.summarizer(db) } : {}),
  };
  const bot = await createSlackBot({
    slack: { botToken: options.slack.token, signingSecret: SIGNING_SECRET, apiUrl: options.slack.url },
    logLevel: process.env.TEST_LOG ? 'debug' : 'error',
    ackGate,
    deps,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
  });
  const { port } = await bot.start(0);
  const base = `http://127.0.0.1:${port}`;
  return {
    bot,
    deps,
    base,
    url: `${base}${EVENTS_PATH}`,
    signer: createSigner(SIGNING_SECRET),
    stop: () => bot.stop(2000),
  };
}
