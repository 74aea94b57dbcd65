import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Logger } from '../log.ts';
import { type LlmConfig, LlmError, type Provider } from './llm-error.ts';
import { MAX_OUTPUT_TOKENS } from './prompt.ts';

export const MAX_RETRIES = 1;
/**
 * One attempt may use this share of the whole budget, so a connection that hangs is given up
 * early enough for the single retry to have a chance; a slow but working answer still fits.
 */
const ATTEMPT_SHARE = 0.6;

function parseRetryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && !Number.isNaN(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const ra = headers?.get('retry-after');
  if (!ra) return undefined;
  const seconds = Number.parseFloat(ra);
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Wraps fetch to decide retries the SDK cannot: it retries every 429, but a spent quota never
 * recovers within a request, and a `retry-after` longer than the time left only delays the
 * fallback (the SDK's sleep does not listen to the abort signal). Such answers are marked
 * `x-should-retry: false`, which the SDK obeys.
 */
function retryPolicyFetch(
  base: typeof fetch,
  deadlineAt: number,
  onRequest: () => void,
): (url: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    onRequest();
    const res = await base(url, init);
    if (res.status !== 429) return res;
    const body = await res.text();
    const retryAfter = parseRetryAfterMs(res.headers);
    const quota = /insufficient_quota/.test(body);
    const tooLate = retryAfter !== undefined && Date.now() + retryAfter >= deadlineAt - 50;
    const headers = new Headers(res.headers);
    if (quota || tooLate) headers.set('x-should-retry', 'false');
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}

export function classify(err: unknown): LlmError {
  if (err instanceof LlmError) return err;
  if (err instanceof APIUserAbortError) return new LlmError('timeout', 'LLM call cut at the deadline', { cause: err });
  if (err instanceof APIConnectionTimeoutError) return new LlmError('timeout', 'LLM attempt timed out', { cause: err });
  if (err instanceof APIConnectionError) return new LlmError('connection', 'LLM connection failed', { cause: err });
  if (err instanceof APIError) {
    const status = err.status;
    const code = `${err.code ?? ''} ${err.type ?? ''}`;
    if (status === 401 || status === 403)
      return new LlmError('auth', `LLM refused the key (${status})`, { cause: err, status });
    if (status === 429 && /insufficient_quota/.test(code)) {
      return new LlmError('quota', 'LLM quota exhausted', { cause: err, status });
    }
    if (status === 429) {
      return new LlmError('rate_limited', 'LLM rate limited', {
        cause: err,
        status,
        retryAfterMs: parseRetryAfterMs(err.headers),
      });
    }
    if (status !== undefined && status >= 500)
      return new LlmError('server_error', `LLM server error ${status}`, { cause: err, status });
    return new LlmError('bad_request', `LLM refused the request (${status})`, { cause: err, status });
  }
  // A 200 whose body is not JSON surfaces as a SyntaxError from the SDK's parser.
  if (err instanceof SyntaxError) return new LlmError('bad_response', 'LLM answer was not JSON', { cause: err });
  return new LlmError('internal', `LLM call failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

export interface ProviderOptions {
  logger: Logger;
  /** Called once per HTTP request that leaves for the provider (retries included). */
  onRequest?: () => void;
  fetch?: typeof fetch;
}

/** Any OpenAI-compatible chat completions endpoint (OpenAI, Azure-style gateways, Ollama, vLLM, LM Studio). */
export function createOpenAiProvider(llm: LlmConfig, options: ProviderOptions): Provider {
  const log = options.logger.child({ component: 'openai' });
  const client = new OpenAI({
    apiKey: llm.apiKey,
    // Explicit values everywhere: the SDK would otherwise read OPENAI_* variables itself.
    baseURL: llm.baseUrl ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: Math.max(50, Math.floor(llm.timeoutMs * ATTEMPT_SHARE)),
    maxRetries: MAX_RETRIES,
    logLevel: 'warn',
    logger: {
      error: (m) => log.warn(m),
      warn: (m) => log.warn(m),
      info: (m) => log.debug(m),
      debug: (m) => log.debug(m),
    },
  });
  const baseFetch = options.fetch ?? globalThis.fetch;
  const onRequest = options.onRequest ?? (() => {});

  return {
    model: llm.model,
    id: llm.baseUrl ?? 'openai',
    async complete(messages, { signal, deadlineAt }) {
      // A per-call view of the client: the retry policy needs this call's deadline.
      const call = client.withOptions({ fetch: retryPolicyFetch(baseFetch, deadlineAt, onRequest) });
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await call.chat.completions.create(
          { model: llm.model, messages, max_tokens: MAX_OUTPUT_TOKENS, temperature: 0.2, n: 1 },
          { signal, maxRetries: MAX_RETRIES },
        );
      } catch (err) {
        throw classify(err);
      }
      const content = completion?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new LlmError('bad_response', 'LLM answer had no message content');
      return content;
    },
  };
}
