// The fetch of every Slack call (Web API clients, Bolt's respond() to response_url): node:http(s) with keep-alive
// agents instead of Node 20's built-in fetch. The built-in one (undici) compiles its HTTP parser to WebAssembly on
// first use, in a background thread: +35 MiB resident for a moment and +10 MiB for good, which was the whole of the
// bot's peak above a bare Bolt app (`npm run bench -- memory`); and it spends more CPU per call on web streams than a
// plain request does, which an answer pays twice (the answer, then its summary or follow-up).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * fetch() for what Slack's clients send: a string, bytes or URLSearchParams body, headers, a signal, redirect 'error'
 * or 'manual' (Slack's API does not redirect; nothing is followed). Anything else (a FormData upload, a Request
 * object, a stream) goes to the built-in fetch unchanged.
 */
export const httpFetch: typeof fetch = (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const body = init.body ?? undefined;
  const plainBody =
    body === undefined || typeof body === 'string' || body instanceof Uint8Array || body instanceof URLSearchParams;
  if (!url || !plainBody || !(url.protocol in agents)) return fetch(input, init);
  const bytes = body === undefined ? undefined : body instanceof Uint8Array ? body : Buffer.from(String(body));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  if (body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
  if (bytes) headers['content-length'] = String(bytes.byteLength);
  const signal = init.signal ?? undefined;

  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const protocol = url.protocol as keyof typeof agents;
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method ?? 'GET', headers, agent: agents[protocol] });
    const onAbort = () => req.destroy(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (err) => {
      settle();
      // As fetch reports it: a TypeError for a network failure, the signal's reason (AbortError, TimeoutError) when
      // it was the signal.
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && init.redirect === 'error') {
        res.resume();
        settle();
        reject(new TypeError('fetch failed', { cause: new Error(`unexpected redirect (${status})`) }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => {
        settle();
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
      });
      res.on('end', () => {
        settle();
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        }
        resolve(
          new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      });
    });
    req.end(bytes);
  });
};
