// The record of one Slack request while it is served: its id (in every log line written for it), its surface, and
// what became of it (for the requests metric). Kept in async context, so the services it passes through can note
// an outcome without being handed anything.
import { randomUUID } from 'node:crypto';
import { logScope, withLogContext } from '../log.ts';
import type { SearchEngine } from '../search/engine.ts';
import type { Metrics, RequestOutcome, RequestSurface } from './metrics.ts';

export interface RequestRecord {
  readonly id: string;
  surface: RequestSurface;
  /** Set by what served it (a search notes answered / not_covered); `ok` when nothing did. */
  outcome?: RequestOutcome;
  /** Error lines logged while serving it. */
  errors: number;
}

/** Short and unique enough to find one request's lines; randomUUID draws from a cached pool, randomBytes does not. */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

/**
 * Runs `fn` as the serving of `record`: every log line inside it carries the request id, an error line counts
 * against it, and `currentRequest()` finds it. One async context for all three: Node 20's AsyncLocalStorage
 * costs every promise created inside each one, and a request makes hundreds.
 */
export function runInRequest<T>(record: RequestRecord, fn: () => T): T {
  return withLogContext(
    { requestId: record.id },
    fn,
    () => {
      record.errors += 1;
    },
    record,
  );
}

export function currentRequest(): RequestRecord | undefined {
  return logScope() as RequestRecord | undefined;
}

/** Notes how the current request ended; an error noted once stays the outcome. */
export function noteOutcome(outcome: RequestOutcome): void {
  const r = currentRequest();
  if (r && r.outcome !== 'error') r.outcome = outcome;
}

/** The request's surface, read from Bolt's parsed body (commands, events, interactivity). */
export function surfaceOf(body: unknown): RequestSurface {
  const b = (body ?? {}) as { command?: unknown; type?: unknown; event?: { type?: unknown; channel_type?: unknown } };
  if (typeof b.command === 'string') return 'command';
  if (b.type === 'event_callback') {
    switch (b.event?.type) {
      case 'app_mention':
        return 'mention';
      case 'message':
        return b.event.channel_type === 'im' ? 'dm' : 'event';
      case 'app_home_opened':
        return 'home';
      default:
        return 'event';
    }
  }
  if (b.type === 'block_actions' || b.type === 'view_submission' || b.type === 'shortcut') return 'action';
  return 'other';
}

/**
 * The search engine, timed: match latency and the no-confident-match count, measured around the call so the engine
 * itself stays free of metrics. Inside a Slack request it also notes whether the question was answered.
 */
export function instrumentSearch(engine: SearchEngine, metrics: Metrics): SearchEngine {
  return {
    ...engine,
    reload: () => engine.reload(),
    async search(question, options) {
      const started = performance.now();
      const result = await engine.search(question, options);
      const confident = result.matches.length > 0;
      metrics.match((performance.now() - started) / 1000, confident);
      noteOutcome(confident ? 'answered' : 'not_covered');
      return result;
    },
  };
}
