import { loadConfig, requireSlack } from './config.ts';
import { createAskedStats } from './digest/asked-stats.ts';
import { startScheduler } from './digest/scheduler.ts';
import { createDigestClient } from './digest/slack.ts';
import { isAppError } from './errors.ts';
import { createAnswerService } from './feedback/answers.ts';
import { createLogger } from './log.ts';
import { openRuntime } from './runtime.ts';
import { createSearchEngine } from './search/engine.ts';
import { createSlackBot } from './slack/app.ts';
import { yieldBetweenQueries } from './slack/yielding-db.ts';
import { createSummarizer } from './summarize/summarizer.ts';

/** Wiring only: config → database (migrated, catalog synced) → Slack app → start; SIGTERM stops it cleanly. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, json: config.env === 'production' });
  const slack = requireSlack(config);
  const runtime = await openRuntime(config);
  const botDb = yieldBetweenQueries(runtime.db);
  const bot = await createSlackBot({
    slack,
    logLevel: config.logLevel,
    deps: {
      db: botDb,
      role: { id: runtime.catalog.role.id, name: runtime.catalog.role.name },
      answers: createAnswerService(botDb, createSearchEngine(botDb)),
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
      })
    : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Stop taking requests first; answers already in flight finish while the database is still open.
    await digests?.stop().catch((err) => logger.warn('scheduler stop failed', { err }));
    await bot.stop().catch((err) => logger.warn('slack stop failed', { err }));
    await runtime.close().catch((err) => logger.warn('database close failed', { err }));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`mle-duties: ${isAppError(err) ? err.message : String(err?.stack ?? err)}\n`);
  process.exit(1);
});
