/**
 * A local stand-in for Slack's Web API: a real node:http server on 127.0.0.1 (random port).
 *
 * Usage:
 *   const slack = await startSlackApi();            // or startSlackApi({ token: 'xoxb-…' })
 *   new WebClient(slack.token, { slackApiUrl: slack.url });   // slack.url ends with "/api/"
 *   …
 *   slack.calls                                     // every call, in order: { method, body, headers, status, response }
 *   slack.callsTo('chat.postMessage')               // only those of one method
 *   await slack.waitFor('chat.postMessage', 2)      // resolves once ≥ 2 such calls were recorded (throws on timeout)
 *   slack.responseUrl('abc')                        // a response_url target; calls are recorded as method 'response_url'
 *   slack.script('chat.postMessage', { error: 'channel_not_found' })          // next call answers {ok:false,error}
 *   slack.script('chat.postMessage', { status: 429, retryAfter: 1 }, 2)       // next 2 calls: HTTP 429 + Retry-After
 *   slack.script('views.publish', { delayMs: 500 }, Infinity)                  // every call answered 500 ms late
 *   slack.messages('C123')                          // messages posted to a channel (what conversations.history returns)
 *   slack.reset()                                   // forget calls, scripts and stored messages
 *   await slack.close()
 *
 * Methods: auth.test, chat.postMessage, chat.postEphemeral, chat.update, views.publish, views.open, views.update,
 * users.info, users.lookupByEmail (by profile.email of `users`), usergroups.list (`usergroups`),
 * conversations.info, conversations.history (messages posted here, with `metadata` when include_all_metadata
 * is set). Any other method answers {ok:false,error:'unknown_method'}. A wrong token answers invalid_auth.
 * apps.connections.open takes the app-level token (`appToken`) instead and answers a WebSocket URL of the Socket Mode
 * stand-in (test/helpers/socket-mode.ts) once one is started on this stand-in.
 *
 * Block Kit is checked the way Slack does (blocks of messages, response_url bodies and Home views): too many
 * blocks, empty or too long texts, too long header/button texts, duplicate action_id/block_id, too many elements,
 * … → {ok:false,error:'invalid_blocks'} and nothing stored; about 13k characters of block text →
 * 'msg_blocks_too_long'. The reason is in `response.errors` of the recorded call.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { LIMITS, validateBlocks } from './block-kit.ts';
import { webApiMethods } from './methods.ts';

export interface RecordedCall {
  /** Web API method ('chat.postMessage'…) or 'response_url'. */
  method: string;
  /** The parsed body; JSON-valued form fields (blocks, view, metadata…) are parsed too. */
  body: Record<string, unknown>;
  /** The raw body as received, for assertions on anything that reached Slack. */
  raw: string;
  headers: IncomingHttpHeaders;
  /** For response_url calls: the id in the URL. */
  responseUrlId?: string;
  status: number;
  response: Record<string, unknown>;
  at: number;
}

export interface ScriptStep {
  /** Answer {ok:false, error} (HTTP 200, like Slack). */
  error?: string;
  /** HTTP status to answer with (429 → also {ok:false,error:'ratelimited'}). */
  status?: number;
  /** Seconds, sent as Retry-After with a 429. */
  retryAfter?: number;
  /** Wait this long before answering (combined with the above, or alone for a slow but normal answer). */
  delayMs?: number;
  /** Extra fields merged into a successful answer. */
  extra?: Record<string, unknown>;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  metadata?: unknown;
  user: string;
  bot_id: string;
  type: 'message';
}

export interface SlackApiStandIn {
  /** Base URL for WebClient's slackApiUrl (ends with /api/). */
  readonly url: string;
  /** The bot token the stand-in accepts. */
  readonly token: string;
  /** The app-level token (Socket Mode) apps.connections.open accepts. */
  readonly appToken: string;
  /** A new Socket Mode URL for each apps.connections.open; set by startSocketMode. */
  socketModeUrl?: () => string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  responseUrl(id?: string): string;
  script(method: string, step: ScriptStep, times?: number): void;
  messages(channel: string): StoredMessage[];
  /** Users users.info knows (any other id gets a generic profile); users.lookupByEmail finds them by profile.email. */
  users: Map<string, Record<string, unknown>>;
  /** User groups usergroups.list answers with. */
  usergroups: Map<string, Record<string, unknown>>;
  /** Conversations conversations.info knows (any other id gets a generic public channel). */
  conversations: Map<string, Record<string, unknown>>;
  reset(): void;
  close(): Promise<void>;
}

export interface SlackApiOptions {
  token?: string;
  appToken?: string;
}

export async function startSlackApi(options: SlackApiOptions = {}): Promise<SlackApiStandIn> {
  const token = options.token ?? 'xoxb-test-token';
  const appToken = options.appToken ?? 'xapp-1-A0TEST01-1-test';
  const botUserId = 'UBOT0001';
  const botId = 'BBOT0001';
  const teamId = 'T0TEST01';
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, { step: ScriptStep; left: number }[]>();
  const stored = new Map<string, StoredMessage[]>();
  const waiters = new Set<() => void>();
  const users = new Map<string, Record<string, unknown>>();
  const usergroups = new Map<string, Record<string, unknown>>();
  const conversations = new Map<string, Record<string, unknown>>();
  let tsCounter = 0;

  const nextScript = (method: string): ScriptStep | undefined => {
    const queue = scripts.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.step;
  };

  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
  };

  const handleMethod = webApiMethods({ stored, users, usergroups, conversations, botUserId, botId, teamId, nextTs });

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const responseMatch = /^\/response\/([^/]+)$/.exec(path);
    const method = responseMatch ? 'response_url' : path.replace(/^\/api\//, '');
    const body = parseBody(raw, req.headers['content-type']);
    const call: RecordedCall = {
      method,
      body,
      raw,
      headers: req.headers,
      ...(responseMatch ? { responseUrlId: decodeURIComponent(responseMatch[1] as string) } : {}),
      status: 200,
      response: {},
      at: Date.now(),
    };
    calls.push(call);

    const step = nextScript(method);
    if (step?.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));

    let status = 200;
    let response: Record<string, unknown>;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (step?.status === 429) {
      status = 429;
      headers['retry-after'] = String(step.retryAfter ?? 1);
      response = { ok: false, error: 'ratelimited' };
    } else if (step?.status && step.status !== 200) {
      status = step.status;
      response = { ok: false, error: step.error ?? 'internal_error' };
    } else if (step?.error) {
      response = { ok: false, error: step.error };
    } else if (method === 'response_url') {
      response = answerResponseUrl(body);
      // Slack answers a refused response_url post with a 4xx.
      if (response.ok === false) status = 400;
    } else {
      const auth = req.headers.authorization;
      const given = auth?.startsWith('Bearer ') ? auth.slice(7) : (body.token as string | undefined);
      if (method === 'apps.connections.open') response = connectionsOpen(given);
      else response = given === token ? handleMethod(method, body) : { ok: false, error: 'invalid_auth' };
      if (response.ok && step?.extra) response = { ...response, ...step.extra };
    }
    call.status = status;
    call.response = response;
    res.writeHead(status, headers);
    res.end(JSON.stringify(response));
    for (const w of [...waiters]) w();
  };

  // Slack answers a bot token here with not_allowed_token_type; the URL's ticket is good for one connection.
  const connectionsOpen = (given: string | undefined): Record<string, unknown> => {
    if (given === token) return { ok: false, error: 'not_allowed_token_type' };
    if (given !== appToken) return { ok: false, error: 'invalid_auth' };
    if (!api.socketModeUrl) return { ok: false, error: 'no_socket_mode_stand_in' };
    return { ok: true, url: api.socketModeUrl() };
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  const api: SlackApiStandIn = {
    url: `${base}/api/`,
    token,
    appToken,
    botUserId,
    botId,
    teamId,
    calls,
    users,
    usergroups,
    conversations,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrl: (id = 'r1') => `${base}/response/${encodeURIComponent(id)}`,
    script(method, step, times = 1) {
      const queue = scripts.get(method) ?? [];
      queue.push({ step, left: times });
      scripts.set(method, queue);
    },
    messages: (channel) => [...(stored.get(channel) ?? [])],
    waitFor(method, count = 1, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.filter((c) => c.method === method);
          if (found.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = calls.map((c) => c.method).join(', ') || 'none';
          reject(new Error(`waited ${timeoutMs} ms for ${count} × ${method}; calls seen: ${seen}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    reset() {
      calls.length = 0;
      scripts.clear();
      stored.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

function answerResponseUrl(body: Record<string, unknown>): Record<string, unknown> {
  if (body.delete_original) return { ok: true };
  const blocks = body.blocks as unknown[] | undefined;
  if (!body.text && !blocks) return { ok: false, error: 'no_text' };
  return validateBlocks(blocks ?? [], LIMITS.messageBlocks) ?? { ok: true };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw.length === 0) return {};
  let body: Record<string, unknown>;
  if (contentType?.includes('application/json')) {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { _unparsable: raw };
    }
  } else {
    body = { ...parseQuery(raw) } as Record<string, unknown>;
  }
  for (const f of JSON_FIELDS) {
    if (typeof body[f] === 'string') {
      try {
        body[f] = JSON.parse(body[f] as string);
      } catch {
        // left as sent; validation will refuse it
      }
    }
  }
  return body;
}
