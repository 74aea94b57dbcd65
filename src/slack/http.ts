// How Slack's requests reach the app: HTTP (one signed endpoint) unless an app-level token asks for Socket Mode. In
// both, Bolt's customRoutes serve /healthz, /readyz and /metrics on the bot's port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, type CustomRoute, ErrorCode, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { AckGate } from './ack-gate.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';
import { SIGNATURE_KEY } from './middleware/serve.ts';

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
      installerOptions: { port: o.port },
    });
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
    customPropertiesExtractor: (req) => ({ [SIGNATURE_KEY]: req.headers['x-slack-signature'] }),
    logger: boltLogger(o.logger.child({ from: 'receiver' }), level),
  });
  // Our own server in front of Bolt's request listener (the composition Bolt documents for HTTPReceiver), so each
  // request is seen from its arrival: the ack latency Slack's 3 s limit measures, and the ack gate.
  const server: Server = createServer((req, res) => {
    if (!arrived(req, res, o)) return;
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

/**
 * A POST as it arrives: refused when dated too far ahead; otherwise the ack gate hears of it until its response is
 * sent (or its client went away), and its ack latency is counted. False when it was answered here.
 */
function arrived(req: IncomingMessage, res: ServerResponse, o: TransportOptions): boolean {
  if (req.method !== 'POST') return true;
  const ts = Number(req.headers['x-slack-request-timestamp']);
  if (Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_SKEW_SECONDS) {
    o.logger.warn('request timestamp too far in the future; refused');
    res.writeHead(401).end();
    return false;
  }
  const started = performance.now();
  o.ackGate.opened();
  res.once('finish', () => o.metrics.ack((performance.now() - started) / 1000));
  res.once('close', () => o.ackGate.closed());
  return true;
}
