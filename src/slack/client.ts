// The Web API client of the answer path: a person is waiting, so a short timeout and few retries; and the one place
// that sees every Slack error of that path (they come back as HTTP 200 with ok:false) for the metrics.
import { ErrorCode, type WebAPIPlatformError, WebClient, type WebClientOptions } from '@slack/web-api';
import { AppError, SLACK_TOKEN_ERRORS } from '../errors.ts';
import { httpFetch } from '../http-fetch.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';

export interface AnswerClientOptions {
  token: string;
  apiUrl?: string;
  timeoutMs: number;
  retries: number;
  metrics: Metrics;
  logger: Logger;
  logLevel: string;
}

/** Options for Bolt's client (App `clientOptions`): Web API calls and respond()'s response_url posts alike. */
export function answerClientOptions(o: AnswerClientOptions): WebClientOptions {
  // Every Web API call and response_url post of the answer path goes through here.
  const timedFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const isApi = url.includes('/api/');
    let res: Response;
    try {
      res = await httpFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(o.timeoutMs) });
    } catch (err) {
      o.metrics.slackApiError(isApi ? 'request_failed' : 'response_url_request_failed', 'answers');
      throw err;
    }
    if (res.status >= 400)
      o.metrics.slackApiError(isApi ? `http_${res.status}` : `response_url_http_${res.status}`, 'answers');
    else if (isApi && res.headers.get('content-type')?.includes('json')) {
      res
        .clone()
        .json()
        .then(
          (body: unknown) => {
            const b = body as { ok?: boolean; error?: string } | null;
            if (b?.ok === false) o.metrics.slackApiError(String(b.error ?? 'unknown_error'), 'answers');
          },
          () => {},
        );
    }
    return res;
  };
  return {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    timeout: o.timeoutMs,
    retryConfig: { retries: o.retries, factor: 2, minTimeout: 200, maxTimeout: 1000, randomize: false },
    // Bolt's respond() posts to response_url with this fetch: without it, that call has no timeout at all.
    fetch: timedFetch,
    logger: boltLogger(o.logger.child({ from: 'web-api' }), toBoltLevel(o.logLevel)),
  };
}

/**
 * Checks the bot token before anything starts, so a wrong one fails the start with a clear message rather than every
 * later request. Slack unreachable right now: the start goes on (Bolt checks the token on the first request).
 */
export async function checkToken(
  token: string,
  options: WebClientOptions,
  logger: Logger,
): Promise<{ botId?: string; botUserId?: string }> {
  try {
    const auth = await new WebClient(token, options).auth.test();
    return { botId: auth.bot_id, botUserId: auth.user_id };
  } catch (err) {
    const e = err as WebAPIPlatformError;
    const code = e.code === ErrorCode.PlatformError ? e.data.error : undefined;
    if (code && SLACK_TOKEN_ERRORS.has(code)) {
      throw new AppError(
        'config_invalid',
        `Slack refused SLACK_BOT_TOKEN (${code}). See the "Connect to Slack" section of README.md.`,
        { cause: err },
      );
    }
    logger.warn('auth.test failed at start; continuing', { err });
    return {};
  }
}
