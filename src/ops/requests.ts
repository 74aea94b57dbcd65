// What every Slack request is known by in logs and metrics: its id and its surface; and the search, timed.
import { randomUUID } from 'node:crypto';
import type { SearchEngine } from '../search/engine.ts';
import type { Metrics, RequestSurface } from './metrics.ts';

/** Short and unique enough to find one request's lines; randomUUID draws from a cached pool, randomBytes does not. */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
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
 * itself stays free of metrics.
 */
export function instrumentSearch(engine: SearchEngine, metrics: Metrics): SearchEngine {
  return {
    ...engine,
    reload: () => engine.reload(),
    async search(question, options) {
      const started = performance.now();
      const result = await engine.search(question, options);
      metrics.match((performance.now() - started) / 1000, result.matches.length > 0);
      return result;
    },
  };
}
