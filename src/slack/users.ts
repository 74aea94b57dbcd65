// users.info for the profile cache (people/profiles.ts): a person may be waiting on it, so a short timeout and no
// waiting out rate limits here — a 429 goes back to the cache, which stops asking until Retry-After has passed.
import { ErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { httpFetch } from '../http-fetch.ts';
import type { Logger } from '../log.ts';
import type { SlackUser, UserLookup } from '../people/profiles.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';

export function slackUserLookup(o: {
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
  logger: Logger;
  logLevel: string;
}): UserLookup {
  const client = new WebClient(o.token, {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    timeout: o.timeoutMs ?? 3000,
    fetch: httpFetch,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 1, factor: 2, minTimeout: 200, maxTimeout: 500, randomize: false },
    logger: boltLogger(o.logger.child({ from: 'users-info' }), toBoltLevel(o.logLevel)),
  });
  // One workspace per bot token: users.info answers for the token's workspace, so the team id is not sent.
  return async (_teamId, userId) => {
    try {
      const res = await client.users.info({ user: userId });
      return res.user ? { kind: 'found', user: res.user as SlackUser } : { kind: 'not_found' };
    } catch (err) {
      const e = err as WebAPIPlatformError | WebAPIRateLimitedError;
      if (e.code === ErrorCode.RateLimitedError) {
        return { kind: 'rate_limited', retryAfterMs: (e as WebAPIRateLimitedError).retryAfter * 1000 };
      }
      if (e.code === ErrorCode.PlatformError && (e as WebAPIPlatformError).data.error === 'user_not_found') {
        return { kind: 'not_found' };
      }
      throw err;
    }
  };
}
