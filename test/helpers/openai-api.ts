import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Db } from '../../src/db/db.ts';
import { createSummarizer } from '../../src/summarize/summarizer.ts';

/**
 * A local OpenAI-compatible server (real HTTP on 127.0.0.1, POST /v1/chat/completions) that
 * misbehaves on demand. It counts every request that reaches it and keeps their bodies.
 */
export type StandInMode = 'normal' | 'slow' | 'hang' | '500' | '429' | 'quota' | '401' | 'malformed' | 'reset' | 'echo';

export const ALL_MODES: readonly StandInMode[] = [
  'normal',
  'slow',
  'hang',
  '500',
  '429',
  'quota',
  '401',
  'malformed',
  'reset',
  'echo',
];

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  max_tokens?: number;
  tools?: unknown;
  [k: string]: unknown;
}

export interface StandInOptions {
  mode?: StandInMode;
  /** Delay of 'slow' (default 150 ms). */
  slowMs?: number;
  /** `retry-after` seconds sent with '429' (default '1'). */
  retryAfter?: string;
  /** Reply text for 'normal'/'slow'; default: a grounded sentence citing the entries it was given. */
  reply?: (body: ChatRequestBody) => string;
}

export interface OpenAiStandIn {
  /** Base URL to put in OPENAI_BASE_URL (ends in /v1). */
  url: string;
  requests: number;
  bodies: ChatRequestBody[];
  options: StandInOptions;
  setMode(mode: StandInMode): void;
  reset(): void;
  close(): Promise<void>;
}

/** The default answer: cites every entry in the prompt by its number and names its duty. */
export function groundedReply(body: ChatRequestBody): string {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const duties = [...user.matchAll(/<<<ENTRY (\d+)\nSection: .*\nDuty: (.*)\n/g)].map((m) => `${m[2]} [${m[1]}]`);
  if (duties.length === 0) return 'The matched duties do not answer this directly.';
  return `This is part of the role: ${duties.join('; ')}.`;
}

function completion(model: string, content: string) {
  return {
    id: 'chatcmpl-standin',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startOpenAiStandIn(options: StandInOptions = {}): Promise<OpenAiStandIn> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state: OpenAiStandIn = {
    url: '',
    requests: 0,
    bodies: [],
    options: { mode: 'normal', slowMs: 150, retryAfter: '1', ...options },
    setMode(mode) {
      state.options.mode = mode;
    },
    reset() {
      state.requests = 0;
      state.bodies = [];
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
      return;
    }
    state.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: ChatRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
    } catch {
      sendJson(res, 400, { error: { message: 'bad json', type: 'invalid_request_error' } });
      return;
    }
    state.bodies.push(body);
    if (req.headers.authorization !== 'Bearer sk-test-key') {
      sendJson(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      return;
    }
    const reply = () => (state.options.reply ?? groundedReply)(body);
    switch (state.options.mode) {
      case 'normal':
        sendJson(res, 200, completion(body.model, reply()));
        return;
      case 'slow': {
        const t = setTimeout(() => {
          timers.delete(t);
          sendJson(res, 200, completion(body.model, reply()));
        }, state.options.slowMs);
        timers.add(t);
        return;
      }
      case 'hang':
        // Headers never come; the socket stays open until the client gives up or close().
        return;
      case '500':
        sendJson(res, 500, { error: { message: 'The server had an error', type: 'server_error' } });
        return;
      case '429':
        sendJson(
          res,
          429,
          { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
          { 'retry-after': state.options.retryAfter ?? '1' },
        );
        return;
      case 'quota':
        sendJson(res, 429, {
          error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' },
        });
        return;
      case '401':
        sendJson(res, 401, {
          error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
        });
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"chatcmpl-x","choices":[{"message":{"content":"half');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'echo': {
        // Everything it was told, plus a mass mention: what a compromised or confused model might say.
        const prompt = body.messages.map((m) => m.content).join('\n');
        sendJson(res, 200, completion(body.model, `${prompt}\n<!channel> <!here> [1]`));
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** The canary the summarizer planted in this request's system prompt. */
export function canaryOf(body: ChatRequestBody): string | undefined {
  return body.messages.find((m) => m.role === 'system')?.content.match(/cnry-[0-9a-f]+/)?.[0];
}

/**
 * The first summary of a process pays for loading the SDK and warming the database; tests about
 * deadlines and counts are about later ones, so they call this first.
 */
export async function warmUpSummarizer(db: Db): Promise<void> {
  const warm = await startOpenAiStandIn();
  try {
    await createSummarizer({
      db,
      llm: { apiKey: 'sk-test-key', baseUrl: warm.url, model: 'warm-up', timeoutMs: 5000 },
    }).summarize({
      question: 'warm up',
      matches: [{ id: 'w', sectionTitle: 's', title: 't', description: 'd' }],
      userKey: 'w',
    });
  } finally {
    await warm.close();
  }
}
