import { loadConfig, requireSlack } from './config.ts';
import { createAskedStats } from './digest/asked-stats.ts';
import { startScheduler } from './digest/scheduler.ts';
import { createDigestClient } from './digest/slack.ts';
import { isAppError } from './errors.ts';
import { createAnswerService } from './feedback/answers.ts';
import { createLogger, redact } from './log.ts';
import { createMetrics, recordTick } from './ops/metrics.ts';
import { instrumentSearch } from './ops/requests.ts';
import { openRuntime } from './runtime.ts';
import { createSearchEngine } from './search/engine.ts';
import { createAckGate } from './slack/ack-gate.ts';
import { createSlackBot } from './slack/app.ts';
import { yieldBetweenQueries } from './slack/yielding-db.ts';
import { createSummarizer } from './summarize/summarizer.ts';

/** Wiring only: config → database (migrated, catalog synced) → Slack app → start; SIGTERM stops it cleanly. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({
    level: config.logLevel,
    json: config.env === 'production',
    // Masked wherever they would appear, beyond the patterns the logger knows (a signing secret has none).
    secrets: [
      config.slack.botToken,
      config.slack.signingSecret,
      config.slack.appToken,
      config.llm?.apiKey,
      databasePassword(config.database.url),
    ],
  });
  const metrics = createMetrics();
  const slack = requireSlack(config);
  const runtime = await openRuntime(config, { pgliteThread: 'worker' });
  // One gate for the bot: the HTTP receiver tells it of each request; answer jobs and their queries wait on it.
  const ackGate = createAckGate();
  const botDb = yieldBetweenQueries(runtime.db, ackGate);
  const bot = await createSlackBot({
    slack,
    logLevel: config.logLevel,
    metrics,
    ackGate,
    deps: {
      db: botDb,
      role: { id: runtime.catalog.role.id, name: runtime.catalog.role.name },
      answers: createAnswerService(botDb, instrumentSearch(createSearchEngine(botDb), metrics)),
      logger,
      now: () => new Date(),
      // Off (no hint, nothing changes) unless OPENAI_API_KEY is set; botDb yields between queries like the answers'.
      summarizer: createSummarizer({ db: botDb, llm: config.llm, logger }),
    },
  });
  const { port } = await bot.start(config.port);
  logger.info(bot.mode === 'http' ? `listening on port ${port}` : 'connected to Slack in Socket Mode', {
    mode: bot.mode,
  });

  // Every process ticks; the database decides what is due, so replicas never post twice. The digest
  // client is its own (no library retries) so a request never outlives its claim on a post.
  const digests = config.schedulerEnabled
    ? startScheduler({
        db: runtime.db,
        client: createDigestClient({ token: slack.botToken, apiUrl: config.slack.apiUrl }),
        logger: logger.child({ component: 'digest' }),
        askedStats: createAskedStats(runtime.db),
        onTick: (result) => recordTick(metrics, result),
      })
    : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Platforms kill a process some seconds after SIGTERM (Heroku: 30 s): if anything below hangs, exit before that,
    // non-zero so the hang is noticed.
    setTimeout(() => {
      logger.error('shutdown took too long; exiting anyway', { afterMs: SHUTDOWN_LIMIT_MS });
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    // Stop taking requests and ticks at once; answers already in flight finish (or their askers are told to try
    // again after the grace period) while the database is still open; then the database is released.
    await Promise.all([
      digests?.stop().catch((err) => logger.warn('scheduler stop failed', { err })),
      bot.stop(ANSWER_GRACE_MS).catch((err) => logger.warn('slack stop failed', { err })),
    ]);
    await runtime.close().catch((err) => logger.warn('database close failed', { err }));
    logger.info('stopped', { signal });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** How long answers in flight at SIGTERM may take before their askers are told to try again. */
const ANSWER_GRACE_MS = 10_000;
const SHUTDOWN_LIMIT_MS = 25_000;

/** The password in DATABASE_URL, so the logger masks it even where it appears outside a URL. */
function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

main().catch((err) => {
  process.stderr.write(`mle-duties: ${redact(isAppError(err) ? err.message : String(err?.stack ?? err))}\n`);
  process.exit(1);
});
