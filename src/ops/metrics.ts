// What the bot counts, and the one place that knows Prometheus. Services and the Slack layer get the small `Metrics`
// interface below (or `noMetrics`), so none of them imports prom-client or cares where the numbers go.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { TickResult } from '../digest/tick.ts';
import type { SummarizerStats } from '../summarize/summarizer.ts';

/** Where a request came from: the slash command, a mention, a DM, a button or picker, the Home tab, other events. */
export type RequestSurface = 'command' | 'mention' | 'dm' | 'action' | 'home' | 'event' | 'other';
/**
 * How it ended: answered / not_covered (a question, with or without a confident match), ok (anything else that
 * went through), duplicate (a retried or replayed delivery, handled elsewhere), error (an error was logged while
 * serving it, or it threw: the asker got "try again"), interrupted (shutdown outran it; the asker was told), busy
 * (the answer queue was full or its wait too long: the asker heard "busy, try again").
 */
export type RequestOutcome = 'answered' | 'not_covered' | 'ok' | 'duplicate' | 'error' | 'interrupted' | 'busy';

export interface Metrics {
  request(surface: RequestSurface, outcome: RequestOutcome): void;
  /** Request received → HTTP response (the ack) sent. */
  ack(seconds: number): void;
  /** Request received → its handler finished (the answer posted). */
  answer(surface: RequestSurface, seconds: number): void;
  /** One search; `confident` false when nothing matched well enough to answer. */
  match(seconds: number, confident: boolean): void;
  /** A digest tick's outcome for one channel (posted, failed, paused, …). */
  digest(outcome: string): void;
  /** A Slack Web API call that failed: Slack's error code, `http_<status>`, or `request_failed`. */
  slackApiError(code: string, client: 'answers' | 'digest'): void;
  /** Reads the summarizer's own counters at each scrape (it keeps them anyway; no hook inside it is needed). */
  watchLlm(read: () => SummarizerStats): void;
  /** A promise rejection nobody handled (logged, not fatal: see ops/process.ts). */
  unhandledRejection(): void;
  /** A housekeeping run: rows deleted, by table. */
  housekeeping(pruned: Record<string, number>): void;
}

export interface MetricsRegistry extends Metrics {
  readonly contentType: string;
  /** The exposition text for GET /metrics. */
  render(): Promise<string>;
}

const PREFIX = 'mle_duties_';
// Acks must stay far below Slack's 3 s; answers and matches spread wider (embedded database, LLM).
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3];
const ANSWER_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const MATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** A registry of its own (not prom-client's global one), so several bots or tests in one process never collide. */
export function createMetrics(options: { processMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const requests = new Counter({
    name: `${PREFIX}requests_total`,
    help: 'Slack requests handled, by surface and outcome',
    labelNames: ['surface', 'outcome'] as const,
    registers,
  });
  const ack = new Histogram({
    name: `${PREFIX}ack_seconds`,
    help: 'Slack request received to HTTP response sent (HTTP mode); Slack gives up at 3 s',
    buckets: ACK_BUCKETS,
    registers,
  });
  const answer = new Histogram({
    name: `${PREFIX}answer_seconds`,
    help: 'Slack request received to its handler finished (answer posted), by surface',
    labelNames: ['surface'] as const,
    buckets: ANSWER_BUCKETS,
    registers,
  });
  const match = new Histogram({
    name: `${PREFIX}match_seconds`,
    help: 'Time to match one question against the catalog',
    buckets: MATCH_BUCKETS,
    registers,
  });
  const noMatch = new Counter({
    name: `${PREFIX}no_confident_match_total`,
    help: 'Questions with no confident match (answered "not in the role")',
    registers,
  });
  const digests = new Counter({
    name: `${PREFIX}digests_total`,
    help: 'Digest deliveries by outcome: posted, recovered, unknown, failed, paused, halted, lost',
    labelNames: ['outcome'] as const,
    registers,
  });
  const slackErrors = new Counter({
    name: `${PREFIX}slack_api_errors_total`,
    help: 'Slack Web API calls that failed, by error code and client',
    labelNames: ['code', 'client'] as const,
    registers,
  });

  const unhandled = new Counter({
    name: `${PREFIX}unhandled_rejections_total`,
    help: 'Promise rejections nobody handled (logged; the process lives on)',
    registers,
  });

  const pruned = new Counter({
    name: `${PREFIX}housekeeping_pruned_total`,
    help: 'Rows deleted by housekeeping (retention), by table',
    labelNames: ['table'] as const,
    registers,
  });
  const housekeepingRuns = new Counter({
    name: `${PREFIX}housekeeping_runs_total`,
    help: 'Housekeeping runs finished',
    registers,
  });
  const housekeepingLast = new Gauge({
    name: `${PREFIX}housekeeping_last_run_timestamp_seconds`,
    help: 'When housekeeping last finished (Unix time)',
    registers,
  });

  // The summarizer counts for itself; these follow its counters at scrape time.
  const llmReaders: (() => SummarizerStats)[] = [];
  const llmTotals = (pick: (s: SummarizerStats) => Record<string, number>) => {
    const sum: Record<string, number> = {};
    for (const read of llmReaders) {
      for (const [k, v] of Object.entries(pick(read()))) sum[k] = (sum[k] ?? 0) + v;
    }
    return sum;
  };
  const followed = (
    name: string,
    help: string,
    pick: (s: SummarizerStats) => Record<string, number>,
    label?: 'reason',
  ) => {
    const seen: Record<string, number> = {};
    return new Counter({
      name: `${PREFIX}${name}`,
      help,
      labelNames: label ? [label] : [],
      registers,
      collect() {
        for (const [k, v] of Object.entries(llmTotals(pick))) {
          const delta = v - (seen[k] ?? 0);
          if (delta <= 0) continue;
          seen[k] = v;
          if (label) this.inc({ [label]: k }, delta);
          else this.inc(delta);
        }
      },
    });
  };
  followed('llm_calls_total', 'Requests sent to the LLM provider, retries included', (s) => ({ all: s.requests }));
  followed('llm_summaries_total', 'Summaries shown (from the provider or the cache)', (s) => ({ all: s.summaries }));
  followed('llm_cache_hits_total', 'Summaries served from the shared cache', (s) => ({ all: s.cacheHits }));
  followed(
    'llm_failures_total',
    'Summaries that failed (the plain answer stood alone), by reason',
    (s) => s.failed as Record<string, number>,
    'reason',
  );
  followed('llm_skipped_total', 'Summaries not attempted, by reason', (s) => s.skipped, 'reason');

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    request: (surface, outcome) => requests.inc({ surface, outcome }),
    ack: (seconds) => ack.observe(seconds),
    answer: (surface, seconds) => answer.observe({ surface }, seconds),
    match(seconds, confident) {
      match.observe(seconds);
      if (!confident) noMatch.inc();
    },
    digest: (outcome) => digests.inc({ outcome }),
    slackApiError: (code, client) => slackErrors.inc({ code: code.slice(0, 64), client }),
    watchLlm: (read) => void llmReaders.push(read),
    unhandledRejection: () => unhandled.inc(),
    housekeeping(rows) {
      // Every table, zero included, so the series exist from the first run.
      for (const [table, n] of Object.entries(rows)) pruned.inc({ table }, n);
      housekeepingRuns.inc();
      housekeepingLast.set(Date.now() / 1000);
    },
  };
}

/** Counts a digest tick's outcomes, and the Slack errors behind them (the digest client has no hook of its own). */
export function recordTick(metrics: Metrics, result: TickResult): void {
  for (const o of result.outcomes) {
    metrics.digest(o.outcome);
    if (o.error && (o.outcome === 'failed' || o.outcome === 'paused' || o.outcome === 'halted')) {
      metrics.slackApiError(o.error.startsWith('unexpected') ? 'unexpected' : o.error, 'digest');
    }
  }
}
