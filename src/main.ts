import { createBot } from './compose.ts';
import { loadConfig, requireSlack } from './config.ts';
import { isAppError } from './errors.ts';
import { redact } from './log.ts';
import { surviveRejections } from './ops/process.ts';
import { createProcessLogger, openRuntime } from './runtime.ts';

/** Wiring only: config → runtime (database migrated, catalog synced) → bot → start; SIGTERM stops it cleanly. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireSlack(config);
  const logger = createProcessLogger(config);
  const runtime = await openRuntime(config, { pgliteThread: 'worker' });
  const bot = await createBot(runtime, { logger });
  surviveRejections(logger, bot.metrics);
  const { port } = await bot.start();
  logger.info(bot.slack.mode === 'http' ? `listening on port ${port}` : 'connected to Slack in Socket Mode', {
    mode: bot.slack.mode,
  });

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
    // Answers already in flight finish (or their askers are told to try again after the grace period) while the
    // database is still open; then the database is released.
    await bot.stop(ANSWER_GRACE_MS);
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

main().catch((err) => {
  process.stderr.write(`mle-duties: ${redact(isAppError(err) ? err.message : String(err?.stack ?? err))}\n`);
  process.exit(1);
});
