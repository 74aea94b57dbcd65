// How Slack's requests reach the app: HTTP (one signed endpoint) unless an app-level token asks for Socket Mode. In
// both, Bolt's customRoutes serve /healthz, /readyz and /metrics on the bot's port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'node:querystring';
import {
  type App,
  type CustomRoute,
  ErrorCode,
  HTTPReceiver,
  isValidSlackRequest,
  SocketModeReceiver,
} from '@slack/bolt';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { AckGate } from './ack-gate.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';
import { DELIVERY_KEY } from './middleware/serve.ts';

export const EVENTS_PATH = '/slack/events';
/** Slack's payloads are a few KB; nothing legitimate comes near this. */
export const BODY_LIMIT_BYTES = 64 * 1024;
/** Slack's signing window is ±5 minutes; Bolt checks only the past side, so a request dated ahead would pass. */
const MAX_SKEW_SECONDS = 300;

export interface Transport {
  mode: 'http' | 'socket';
  receiver: HTTPReceiver | SocketModeReceiver;
  /** Starts taking requests; `port` (0 = any free one) overrides the configured one in HTTP mode. */
  start(app: App, port?: number): Promise<{ port: number }>;
  /** Stops taking requests. */
  stop(app: App): Promise<void>;
}

export interface TransportOptions {
  signingSecret?: string;
  appToken?: string;
  /** The Web API's base URL (SLACK_API_URL), for Socket Mode's apps.connections.open too. */
  apiUrl?: string;
  /** The bot's port: Slack's endpoint in HTTP mode, the ops routes' in both. */
  port: number;
  routes: CustomRoute[];
  bodyLimit: number;
  logger: Logger;
  logLevel: string;
  metrics: Metrics;
  ackGate: AckGate;
}

export function createTransport(o: TransportOptions): Transport {
  const level = toBoltLevel(o.logLevel);
  if (o.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: o.appToken,
      logger: boltLogger(o.logger.child({ from: 'socket-mode' }), level),
      logLevel: level,
      // Slack reaches the bot over the socket; probes and scrapers still need a port.
      customRoutes: o.routes,
      // What identifies a command or click here, as its signature does over HTTP: an envelope delivered again (Slack
      // retries one it did not see acked) is answered once.
      customPropertiesExtractor: (args: { envelope_id?: unknown }) => ({
        [DELIVERY_KEY]: typeof args.envelope_id === 'string' ? `envelope:${args.envelope_id}` : undefined,
      }),
      // Without it the socket is asked for at slack.com whatever SLACK_API_URL says (GovSlack: slack-gov.com).
      installerOptions: { port: o.port, clientOptions: { slackApiUrl: o.apiUrl } },
    });
    // Each request that comes over the socket is acked at once: the gate hears of its arrival.
    receiver.client.on('slack_event', () => o.ackGate.arrived());
    return {
      mode: 'socket',
      receiver,
      async start(app) {
        await app.start();
        return { port: o.port };
      },
      async stop(app) {
        await app.stop();
      },
    };
  }
  if (!o.signingSecret) {
    throw new AppError(
      'config_invalid',
      'HTTP mode needs SLACK_SIGNING_SECRET. See the "Connect to Slack" section of README.md.',
    );
  }
  const receiver = new HTTPReceiver({
    signingSecret: o.signingSecret,
    endpoints: EVENTS_PATH,
    bodyLimit: o.bodyLimit,
    processBeforeResponse: false,
    customRoutes: o.routes,
    customPropertiesExtractor: (req) => ({ [DELIVERY_KEY]: req.headers['x-slack-signature'] }),
    logger: boltLogger(o.logger.child({ from: 'receiver' }), level),
  });
  // Our own server in front of Bolt's request listener (the composition Bolt documents for HTTPReceiver), so each
  // request is seen from its arrival: the ack latency Slack's 3 s limit measures, and the ack gate. It also reads
  // the body (Bolt takes a body already read) and refuses what Bolt would choke on (see `admit`).
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    try {
      receiver.requestListener(req, res);
    } catch (err) {
      // Not the events endpoint nor a custom route.
      if ((err as { code?: string }).code !== ErrorCode.HTTPReceiverDeferredRequestError) {
        o.logger.warn('request listener failed', { err });
      }
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' });
      res.end();
    }
  };
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || pathOf(req.url) !== EVENTS_PATH) return dispatch(req, res);
    if (!arrived(req, res, o)) return;
    admit(req, res, o).then(
      (ok) => ok && dispatch(req, res),
      (err) => {
        o.logger.warn('request refused', { err });
        if (!res.headersSent) res.writeHead(400);
        res.end();
      },
    );
  });
  server.on('error', (err) => o.logger.error('HTTP server error', { err }));
  return {
    mode: 'http',
    receiver,
    start: (_app, port = o.port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Whole seconds since the epoch, nothing else (`Infinity`, `NaN`, `1e999`, fractions and signs are not). */
const TIMESTAMP = /^\d{1,12}$/;

/**
 * A POST as it arrives: refused when its timestamp is not whole seconds or is dated too far ahead; otherwise the ack
 * gate hears of it until its response is sent (or its client went away), and its ack latency is counted. False when
 * it was answered here.
 */
function arrived(req: IncomingMessage, res: ServerResponse, o: TransportOptions): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  if (header !== undefined) {
    // Bolt turns the header into a number and checks only that it is not NaN and not too old: `Infinity` passed.
    const ts = typeof header === 'string' && TIMESTAMP.test(header) ? Number(header) : Number.NaN;
    if (!Number.isSafeInteger(ts) || ts - Date.now() / 1000 > MAX_SKEW_SECONDS) {
      o.logger.warn('request timestamp malformed or too far in the future; refused');
      res.writeHead(401).end();
      return false;
    }
  }
  const started = performance.now();
  o.ackGate.opened();
  res.once('finish', () => o.metrics.ack((performance.now() - started) / 1000));
  res.once('close', () => o.ackGate.closed());
  return true;
}

/**
 * Reads the body (at most `bodyLimit` bytes: 413 beyond) and hands it to Bolt already read. A signed body that is not
 * one of Slack's payloads gets 400 here: Bolt would read `null.ssl_check` in a promise nobody awaits (JSON `null`
 * killed the process) or route an array or a stray form to no listener. Anything not correctly signed goes on to
 * Bolt, which answers 401. True when the request may go on to Bolt.
 */
async function admit(req: IncomingMessage, res: ServerResponse, o: TransportOptions): Promise<boolean> {
  const body = await readBody(req, o.bodyLimit);
  if (body === undefined) {
    o.logger.warn('request body over the limit; refused', { limit: o.bodyLimit });
    res.writeHead(413, { connection: 'close' }).end();
    return false;
  }
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  const text = body.toString();
  if (isSlackPayload(parseBody(text, req.headers['content-type']))) return true;
  const signed = isValidSlackRequest({
    signingSecret: o.signingSecret as string,
    body: text,
    headers: {
      'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
      'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
    },
  });
  if (!signed) return true;
  o.logger.warn('malformed request body; refused');
  res.writeHead(400).end();
  return false;
}

/** The body, or undefined once it is over `limit` bytes (by its declared length, or as it streams). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => size <= limit && resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The body as Bolt parses it (same rules, same content-type test), or undefined when it does not parse. */
function parseBody(text: string, contentType: string | undefined): unknown {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseForm(text);
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What Slack sends: an object with a `type` (events, clicks), a `command`, or an ssl_check; an event has its event. */
function isSlackPayload(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (b.ssl_check === '1' || typeof b.command === 'string') return true;
  if (typeof b.type !== 'string') return false;
  if (b.type !== 'event_callback') return true;
  const event = b.event as Record<string, unknown> | null | undefined;
  return Boolean(event) && typeof event === 'object' && typeof event?.type === 'string';
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
