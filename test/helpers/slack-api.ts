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
 * Methods: auth.test, chat.postMessage, chat.postEphemeral, chat.update, views.publish, users.info,
 * conversations.info, conversations.history (messages posted here, with `metadata` when include_all_metadata
 * is set). Any other method answers {ok:false,error:'unknown_method'}. A wrong token answers invalid_auth.
 *
 * Block Kit is checked the way Slack does (blocks of messages, response_url bodies and Home views): too many
 * blocks, empty or too long texts, too long header/button texts, duplicate action_id/block_id, too many elements,
 * … → {ok:false,error:'invalid_blocks'} and nothing stored; about 13k characters of block text →
 * 'msg_blocks_too_long'. The reason is in `response.errors` of the recorded call.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

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
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  responseUrl(id?: string): string;
  script(method: string, step: ScriptStep, times?: number): void;
  messages(channel: string): StoredMessage[];
  /** Users users.info knows (any other id gets a generic profile). */
  users: Map<string, Record<string, unknown>>;
  /** Conversations conversations.info knows (any other id gets a generic public channel). */
  conversations: Map<string, Record<string, unknown>>;
  reset(): void;
  close(): Promise<void>;
}

export interface SlackApiOptions {
  token?: string;
}

const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  id: 255,
  actionsElements: 25,
  contextElements: 10,
  totalText: 13_000,
} as const;

export async function startSlackApi(options: SlackApiOptions = {}): Promise<SlackApiStandIn> {
  const token = options.token ?? 'xoxb-test-token';
  const botUserId = 'UBOT0001';
  const botId = 'BBOT0001';
  const teamId = 'T0TEST01';
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, { step: ScriptStep; left: number }[]>();
  const stored = new Map<string, StoredMessage[]>();
  const waiters = new Set<() => void>();
  const users = new Map<string, Record<string, unknown>>();
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

  const handleMethod = (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'mle-duties',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage':
      case 'chat.postEphemeral':
      case 'chat.update': {
        const channel = String(body.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const blocks = body.blocks as unknown[] | undefined;
        if (!body.text && !blocks && !body.attachments) return { ok: false, error: 'no_text' };
        if (typeof body.text === 'string' && body.text.length > 40_000) return { ok: false, error: 'msg_too_long' };
        const invalid = blocks ? validateBlocks(blocks, LIMITS.messageBlocks) : undefined;
        if (invalid) return invalid;
        if (method === 'chat.postEphemeral') {
          if (!body.user) return { ok: false, error: 'user_not_in_channel' };
          return { ok: true, message_ts: nextTs() };
        }
        if (method === 'chat.update') {
          const msg = (stored.get(channel) ?? []).find((m) => m.ts === body.ts);
          if (!msg) return { ok: false, error: 'message_not_found' };
          msg.text = body.text as string | undefined;
          msg.blocks = blocks;
          return { ok: true, channel, ts: msg.ts, text: msg.text };
        }
        const msg: StoredMessage = {
          type: 'message',
          ts: nextTs(),
          channel,
          text: body.text as string | undefined,
          blocks,
          thread_ts: body.thread_ts as string | undefined,
          metadata: body.metadata,
          user: botUserId,
          bot_id: botId,
        };
        const list = stored.get(channel) ?? [];
        list.push(msg);
        stored.set(channel, list);
        return { ok: true, channel, ts: msg.ts, message: msg };
      }
      case 'views.publish': {
        const view = body.view as { type?: string; blocks?: unknown[] } | undefined;
        if (!body.user_id) return { ok: false, error: 'invalid_arguments' };
        if (view?.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        const invalid = validateBlocks(view.blocks, LIMITS.homeBlocks, false);
        if (invalid) return invalid;
        return { ok: true, view: { id: 'V0001', ...view } };
      }
      case 'users.info': {
        const id = String(body.user ?? '');
        if (!id) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: users.get(id) ?? { id, name: `user-${id.toLowerCase()}`, tz: 'Europe/London', is_bot: false },
        };
      }
      case 'conversations.info': {
        const id = String(body.channel ?? '');
        if (!id) return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: conversations.get(id) ?? {
            id,
            name: `channel-${id.toLowerCase()}`,
            is_channel: true,
            is_im: id.startsWith('D'),
            is_archived: false,
            is_member: true,
          },
        };
      }
      case 'conversations.history': {
        const channel = String(body.channel ?? '');
        const oldest = body.oldest !== undefined ? Number(body.oldest) : Number.NEGATIVE_INFINITY;
        const latest = body.latest !== undefined ? Number(body.latest) : Number.POSITIVE_INFINITY;
        const limit = body.limit !== undefined ? Number(body.limit) : 100;
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const messages = (stored.get(channel) ?? [])
          .filter((m) => Number(m.ts) > oldest && Number(m.ts) <= latest)
          .reverse()
          .slice(0, limit)
          .map(({ metadata, channel: _c, ...m }) => (withMeta && metadata ? { ...m, metadata } : m));
        return { ok: true, messages, has_more: false };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

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
      response = given === token ? handleMethod(method, body) : { ok: false, error: 'invalid_auth' };
      if (response.ok && step?.extra) response = { ...response, ...step.extra };
    }
    call.status = status;
    call.response = response;
    res.writeHead(status, headers);
    res.end(JSON.stringify(response));
    for (const w of [...waiters]) w();
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/api/`,
    token,
    botUserId,
    botId,
    teamId,
    calls,
    users,
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

type Invalid = { ok: false; error: string; errors: string[] };

/** Slack's Block Kit rules that matter to us; returns the refusal, or undefined when the blocks are fine. */
export function validateBlocks(blocks: unknown, maxBlocks: number, countText = true): Invalid | undefined {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks', errors: ['blocks must be an array'] };
  if (blocks.length > maxBlocks) errors.push(`more than ${maxBlocks} blocks (${blocks.length})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let totalText = 0;

  const text = (t: unknown, where: string, max: number, kind?: 'plain_text' | 'mrkdwn') => {
    const o = t as { type?: string; text?: unknown } | undefined;
    if (!o || typeof o !== 'object' || typeof o.text !== 'string') {
      errors.push(`${where}: missing text object`);
      return;
    }
    if (o.type !== 'plain_text' && o.type !== 'mrkdwn') errors.push(`${where}: bad text type ${o.type}`);
    if (kind && o.type !== kind) errors.push(`${where}: must be ${kind}`);
    if (o.text.length === 0) errors.push(`${where}: empty text`);
    if (o.text.length > max) errors.push(`${where}: text longer than ${max} (${o.text.length})`);
    totalText += o.text.length;
  };
  const id = (value: unknown, set: Set<string>, where: string, name: string) => {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.id) {
      errors.push(`${where}: bad ${name}`);
      return;
    }
    if (set.has(value)) errors.push(`${where}: duplicate ${name} ${value}`);
    set.add(value);
  };
  const element = (e: unknown, where: string) => {
    const el = e as Record<string, unknown>;
    if (!el || typeof el !== 'object') {
      errors.push(`${where}: not an object`);
      return;
    }
    id(el.action_id, actionIds, where, 'action_id');
    if (el.type === 'button') {
      text(el.text, `${where}.text`, LIMITS.buttonText, 'plain_text');
      if (typeof el.value === 'string' && el.value.length > LIMITS.buttonValue) errors.push(`${where}: value too long`);
      if (typeof el.url === 'string' && el.url.length > LIMITS.url) errors.push(`${where}: url too long`);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') errors.push(`${where}: bad style`);
    } else if (el.type === 'static_select') {
      if (el.placeholder !== undefined) text(el.placeholder, `${where}.placeholder`, 150, 'plain_text');
      const opts = el.options as unknown[] | undefined;
      if (!Array.isArray(opts) || opts.length === 0 || opts.length > 100) errors.push(`${where}: 1–100 options`);
      for (const [i, o] of (opts ?? []).entries()) {
        const opt = o as { text?: unknown; value?: unknown };
        text(opt.text, `${where}.options[${i}]`, 75, 'plain_text');
        if (typeof opt.value !== 'string' || opt.value.length === 0 || opt.value.length > 150) {
          errors.push(`${where}.options[${i}]: bad value`);
        }
      }
    } else if (el.type === 'image') {
      if (typeof el.image_url !== 'string' || typeof el.alt_text !== 'string') errors.push(`${where}: bad image`);
    } else if (el.type === 'plain_text' || el.type === 'mrkdwn') {
      text(el, where, LIMITS.sectionText);
    } else if (el.type === 'overflow' || el.type === 'datepicker' || el.type === 'timepicker') {
      // accepted as is
    } else {
      errors.push(`${where}: unsupported element type ${String(el.type)}`);
    }
  };

  blocks.forEach((b, i) => {
    const block = b as Record<string, unknown>;
    const where = `blocks[${i}]`;
    if (!block || typeof block !== 'object') {
      errors.push(`${where}: not an object`);
      return;
    }
    id(block.block_id, blockIds, where, 'block_id');
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) errors.push(`${where}: needs text or fields`);
        if (block.text !== undefined) text(block.text, `${where}.text`, LIMITS.sectionText);
        if (block.fields !== undefined) {
          const fields = block.fields as unknown[];
          if (!Array.isArray(fields) || fields.length > LIMITS.fields) errors.push(`${where}: at most 10 fields`);
          for (const [j, f] of (Array.isArray(fields) ? fields : []).entries()) {
            text(f, `${where}.fields[${j}]`, LIMITS.field);
          }
        }
        if (block.accessory !== undefined) element(block.accessory, `${where}.accessory`);
        break;
      }
      case 'header':
        text(block.text, `${where}.text`, LIMITS.header, 'plain_text');
        break;
      case 'divider':
        break;
      case 'context': {
        const els = block.elements as unknown[];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.contextElements) {
          errors.push(`${where}: context needs 1–10 elements`);
        }
        for (const [j, e] of (Array.isArray(els) ? els : []).entries()) element(e, `${where}.elements[${j}]`);
        break;
      }
      case 'actions': {
        const els = block.elements as unknown[];
        if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.actionsElements) {
          errors.push(`${where}: actions needs 1–25 elements`);
        }
        for (const [j, e] of (Array.isArray(els) ? els : []).entries()) element(e, `${where}.elements[${j}]`);
        break;
      }
      default:
        errors.push(`${where}: unsupported block type ${String(block.type)}`);
    }
  });
  if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors };
  if (countText && totalText > LIMITS.totalText) {
    return { ok: false, error: 'msg_blocks_too_long', errors: [`${totalText} characters of block text`] };
  }
  return undefined;
}
