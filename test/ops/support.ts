// The real bot wired the way src/main.ts wires it (metrics, instrumented search, a logger with the secrets to mask),
// with every log line captured, against the Slack stand-in and a private test database.
import { loadCatalog } from '../../src/catalog/catalog.ts';
import type { Db } from '../../src/db/db.ts';
import { createAnswerService } from '../../src/feedback/answers.ts';
import { createLogger, type Logger, type LogLevel } from '../../src/log.ts';
import { createMetrics, type MetricsRegistry } from '../../src/ops/metrics.ts';
import { instrumentSearch } from '../../src/ops/requests.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { createAckGate } from '../../src/slack/ack-gate.ts';
import { createSlackBot, EVENTS_PATH, type SlackBot } from '../../src/slack/app.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import { yieldBetweenQueries } from '../../src/slack/yielding-db.ts';
import type { Summarizer } from '../../src/summarize/summarizer.ts';
import { SIGNING_SECRET } from '../helpers/app.ts';
import { createSigner, type Signer } from '../helpers/signer.ts';
import type { SlackApiStandIn } from '../helpers/slack-api.ts';

export interface CapturedLogs {
  logger: Logger;
  /** Every line as written (JSON text). */
  lines: string[];
}

export function captureLogs(level: LogLevel = 'debug', secrets: string[] = []): CapturedLogs {
  const lines: string[] = [];
  return { logger: createLogger({ level, json: true, write: (l) => lines.push(l), secrets }), lines };
}

export interface OpsBot {
  bot: SlackBot;
  deps: SlackDeps;
  metrics: MetricsRegistry;
  base: string;
  url: string;
  signer: Signer;
  stop(graceMs?: number): Promise<void>;
}

export async function startOpsBot(options: {
  db: Db;
  slack: SlackApiStandIn;
  logger: Logger;
  logLevel?: LogLevel;
  summarizer?: Summarizer;
  /** Replaces the answer service (a slow one, for shutdown tests). */
  wrapAnswers?: (a: SlackDeps['answers']) => SlackDeps['answers'];
}): Promise<OpsBot> {
  const catalog = loadCatalog();
  const metrics = createMetrics();
  // As src/main.ts wires it: the receiver tells the gate of each request; answers and their queries wait on it.
  const ackGate = createAckGate();
  const db = yieldBetweenQueries(options.db, ackGate);
  const answers = createAnswerService(db, instrumentSearch(createSearchEngine(db), metrics));
  const deps: SlackDeps = {
    db,
    role: { id: catalog.role.id, name: catalog.role.name },
    answers: options.wrapAnswers ? options.wrapAnswers(answers) : answers,
    logger: options.logger,
    now: () => new Date(),
    ...(options.summarizer ? { summarizer: options.summarizer } : {}),
  };
  const bot = await createSlackBot({
    slack: { botToken: options.slack.token, signingSecret: SIGNING_SECRET, apiUrl: options.slack.url },
    logLevel: options.logLevel ?? 'debug',
    metrics,
    ackGate,
    deps,
  });
  const { port } = await bot.start(0);
  const base = `http://127.0.0.1:${port}`;
  return {
    bot,
    deps,
    metrics,
    base,
    url: `${base}${EVENTS_PATH}`,
    signer: createSigner(SIGNING_SECRET),
    stop: (graceMs = 2000) => bot.stop(graceMs),
  };
}

/** The value of one sample of the exposition text (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
