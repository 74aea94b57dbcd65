// The one place that builds the bot's parts, on a runtime (runtime.ts). main.ts, every test helper and the bench use
// it, so each runs what production runs; what a test swaps goes through the few seams of `BotOptions`.
import { requireSlack } from './config.ts';
import type { Db } from './db/db.ts';
import { type Scheduler, startScheduler } from './digest/scheduler.ts';
import { createDigestClient } from './digest/slack.ts';
import { type AnswerService, createAnswerService } from './feedback/answers.ts';
import { housekeep } from './housekeeping.ts';
import type { Logger } from './log.ts';
import { createHealth } from './ops/health.ts';
import { createMetrics, type MetricsRegistry, recordTick } from './ops/metrics.ts';
import { instrumentSearch } from './ops/requests.ts';
import { createOwnersService } from './owners/service.ts';
import { createKeepers } from './people/keepers.ts';
import { createProfiles } from './people/profiles.ts';
import { createSearch, digestSources, type Runtime } from './runtime.ts';
import { type AckGate, createAckGate } from './slack/ack-gate.ts';
import { createSlackBot, type SlackBot } from './slack/app.ts';
import type { SlackDeps } from './slack/deps.ts';
import { slackUserLookup } from './slack/users.ts';
import { createWorkQueue, type WorkQueueOptions } from './slack/work-queue.ts';
import { yieldBetweenQueries } from './slack/yielding-db.ts';
import { createSummarizer, type Summarizer } from './summarize/summarizer.ts';

export interface BotOptions {
  logger: Logger;
  /** Seams for tests: another ack gate, the answer queue's limits, a wrapped answer service, a summarizer. */
  ackGate?: AckGate;
  work?: Partial<Omit<WorkQueueOptions, 'gate'>>;
  answers?: (answers: AnswerService) => AnswerService;
  summarizer?: (db: Db) => Summarizer;
  bodyLimit?: number;
  apiTimeoutMs?: number;
  /** How often housekeeping runs (default hourly; the first run comes within this, or within a minute). */
  housekeepingEveryMs?: number;
}

export interface Bot {
  slack: SlackBot;
  deps: SlackDeps;
  metrics: MetricsRegistry;
  /** Takes Slack's requests (HTTP: on `port`, default the configured one) and, unless SCHEDULER=off, digest ticks. */
  start(port?: number): Promise<{ port: number }>;
  /** Stops taking requests and ticks; answers in flight get `graceMs` (see SlackBot.stop). */
  stop(graceMs?: number): Promise<void>;
}

/** How often each process prunes what retention allows (idempotent: replicas need no coordination). */
const HOUSEKEEPING_EVERY_MS = 3_600_000;

/**
 * Answers in progress at once; the rest wait their turn in the work queue, at most 512 of them and for at most 4 s
 * each: past that the asker hears "busy, try again" at once, not an answer that comes too late, or never. An answer
 * spends most of its time waiting on the database, so 8 at once left the CPU idle while askers queued: at a sustained
 * 300/s on Postgres, 8 told 700–2,700 of 9,000 askers "busy", 16 told 0–640 (`npx tsx test/bench/sustained.ts`).
 */
const ANSWER_QUEUE: WorkQueueOptions = { concurrency: 16, maxWaiting: 512, maxWaitMs: 4000 };

export async function createBot(rt: Runtime, options: BotOptions): Promise<Bot> {
  const { config } = rt;
  const slack = requireSlack(config);
  const logger = options.logger;
  const metrics = createMetrics();
  // The transport tells the gate of each request; answer jobs start through it (acks first, for a bounded while).
  const ackGate = options.ackGate ?? createAckGate();
  const db = yieldBetweenQueries(rt.db);
  const answers = createAnswerService(db, instrumentSearch(createSearch(rt, db), metrics), {
    voteThreshold: config.voteThreshold,
  });
  const summarizer = options.summarizer?.(db) ?? createSummarizer({ db, llm: config.llm, logger });
  // The OpenAI SDK is loaded only with summaries on (summarize/provider.ts), and then before the bot takes requests,
  // so the first summary does not wait for it.
  if (summarizer.enabled) await import('./summarize/provider.ts');
  metrics.watchLlm(() => summarizer.stats());
  const profiles = createProfiles({
    db,
    lookup: slackUserLookup({ token: slack.botToken, apiUrl: slack.apiUrl, logger, logLevel: config.logLevel }),
  });
  const keepers = createKeepers({ admins: config.admins, profiles });
  const owners = createOwnersService({ db, profiles, keepers, edit: config.ownersEdit });
  const deps: SlackDeps = {
    db,
    catalog: rt.catalog,
    answers: options.answers ? options.answers(answers) : answers,
    logger,
    now: () => new Date(),
    summarizer,
    digests: { ...digestSources(db, config, summarizer), owners: owners.forDigest },
    work: createWorkQueue({ ...ANSWER_QUEUE, ...options.work, gate: ackGate }),
    profiles,
    keepers,
    owners,
  };
  const bot = await createSlackBot({
    slack,
    port: config.port,
    logLevel: config.logLevel,
    deps,
    metrics,
    ackGate,
    health: createHealth({ db, catalog: rt.catalog, logger: logger.child({ component: 'health' }) }),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.apiTimeoutMs ? { apiTimeoutMs: options.apiTimeoutMs } : {}),
  });

  let scheduler: Scheduler | undefined;
  return {
    slack: bot,
    deps,
    metrics,
    async start(port) {
      const started = await bot.start(port);
      // Every process ticks; the database decides what is due, so replicas never post twice. The digest client is
      // its own (no library retries), so a request never outlives its claim on a post.
      if (config.schedulerEnabled) {
        scheduler = startScheduler({
          db: rt.db,
          catalog: rt.catalog,
          client: createDigestClient({ token: slack.botToken, apiUrl: config.slack.apiUrl }),
          logger: logger.child({ component: 'digest' }),
          ...digestSources(rt.db, config, summarizer),
          owners: owners.forDigest,
          onTick: (result) => recordTick(metrics, result),
          jobs: [
            {
              name: 'housekeeping',
              everyMs: options.housekeepingEveryMs ?? HOUSEKEEPING_EVERY_MS,
              async run(now) {
                const { pruned } = await housekeep(rt.db, { now, answerRetentionDays: config.answerRetentionDays });
                metrics.housekeeping(pruned);
                logger.info('housekeeping done', { pruned });
              },
            },
          ],
        });
      }
      return started;
    },
    async stop(graceMs) {
      // Requests and ticks stop at once; answers already in flight finish while the database is still open.
      await Promise.all([
        scheduler?.stop().catch((err) => logger.warn('scheduler stop failed', { err })),
        bot.stop(graceMs).catch((err) => logger.warn('slack stop failed', { err })),
      ]);
    },
  };
}
