// The digest's view of Slack: a client with a policy fit for exactly-once posting, error classes, and the history
// check that tells whether a dead process's post went out.
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { SLACK_TOKEN_ERRORS } from '../errors.ts';
import { httpFetch } from '../http-fetch.ts';
import { DIGEST_EVENT_TYPE } from './blocks.ts';

export interface DigestClientOptions {
  token: string;
  apiUrl?: string;
  /** Per request. Must stay well below the claim lease (see tick.ts), so a hung request cannot outlive its claim. */
  timeoutMs?: number;
}

/**
 * A WebClient for digests. The library's default retries for ~30 minutes and waits out 429s itself; a post that
 * keeps retrying after its claim's lease expired could land after another process took over. So: no hidden
 * retries, a short timeout, and 429s surfaced to the tick, which waits `Retry-After` while it still holds the claim.
 */
export function createDigestClient(options: DigestClientOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    fetch: httpFetch,
    logLevel: LogLevel.ERROR,
  });
}

/** The channel cannot take posts: pause its subscription until someone subscribes again. */
export const CHANNEL_ERRORS = new Set(['is_archived', 'channel_not_found', 'not_in_channel']);
// Slack's own documentation says these may come after part of the work was done: the post may exist.
const MAYBE_POSTED_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export type SlackFailure =
  | { kind: 'rate_limited'; error: string; retryAfterMs: number }
  | { kind: 'channel'; error: string }
  | { kind: 'auth'; error: string }
  /** Slack answered and did not post. */
  | { kind: 'rejected'; error: string }
  /** No answer, a timeout or a 5xx: the post may or may not exist. */
  | { kind: 'ambiguous'; error: string };

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as {
    code?: string;
    data?: { error?: string };
    retryAfter?: number;
    statusCode?: number;
    headers?: Record<string, string>;
    message?: string;
  };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'rate_limited', error: 'ratelimited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
    case ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      if (CHANNEL_ERRORS.has(error)) return { kind: 'channel', error };
      // The token is dead: every digest stops and an alert is logged.
      if (SLACK_TOKEN_ERRORS.has(error)) return { kind: 'auth', error };
      if (error === 'ratelimited') return { kind: 'rate_limited', error, retryAfterMs: 1000 };
      if (MAYBE_POSTED_ERRORS.has(error)) return { kind: 'ambiguous', error };
      return { kind: 'rejected', error };
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status === 429) {
        const after = Number(e.headers?.['retry-after'] ?? 1);
        return { kind: 'rate_limited', error: 'http_429', retryAfterMs: (Number.isFinite(after) ? after : 1) * 1000 };
      }
      return status >= 500
        ? { kind: 'ambiguous', error: `http_${status}` }
        : { kind: 'rejected', error: `http_${status}` };
    }
    case ErrorCode.RequestError:
      return { kind: 'ambiguous', error: 'request_failed' };
    default:
      return { kind: 'ambiguous', error: e?.message ? `unexpected: ${e.message.slice(0, 200)}` : 'unexpected' };
  }
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/**
 * Looks through the channel's recent history for our digest of `period` (found by its message metadata).
 * `oldestMs` bounds the search to what was posted since the first attempt. Throws when the history cannot be read
 * (no scope, channel gone, Slack down): the caller must then not post.
 */
export async function findDigestMessage(
  client: WebClient,
  channel: string,
  period: string,
  oldestMs: number | null,
  maxPages = 5,
): Promise<{ ts: string } | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await client.conversations.history({
      channel,
      limit: 200,
      include_all_metadata: true,
      ...(oldestMs !== null ? { oldest: (oldestMs / 1000).toFixed(6) } : {}),
      ...(cursor ? { cursor } : {}),
    });
    for (const m of (res.messages ?? []) as HistoryMessage[]) {
      if (m.metadata?.event_type === DIGEST_EVENT_TYPE && m.metadata.event_payload?.period === period && m.ts) {
        return { ts: m.ts };
      }
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return undefined;
  }
  // More history than we are willing to read: treat as "cannot tell".
  throw new Error(`more than ${maxPages} pages of history since the first attempt`);
}
