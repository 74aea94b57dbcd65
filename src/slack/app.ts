import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, type WebAPIPlatformError, WebClient, type WebClientOptions } from '@slack/web-api';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createHealth, type Health, type OpsRoutes, opsRoutes, startOpsServer } from '../ops/health.ts';
import { createMetrics, type MetricsRegistry } from '../ops/metrics.ts';
import { type AckGate, createAckGate } from './ack-gate.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';
import type { SlackDeps } from './deps.ts';
import { register as registerActions } from './listeners/actions/index.ts';
import { register as registerCommands } from './listeners/commands/index.ts';
import { register as registerEvents } from './listeners/events/index.ts';
import { type InFlight, SIGNATURE_KEY, serveRequests } from './middleware/serve.ts';
import { createWorkQueue } from './work-queue.ts';

export const EVENTS_PATH = '/slack/events';
/** Slack's payloads are a few KB; nothing legitimate comes near this. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface SlackBotOptions {
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  logLevel?: string;
  deps: SlackDeps;
  /** Override the HTTP body cap (tests). */
  bodyLimit?: number;
  /** Answer-path Web API policy: a person is waiting, so fail fast rather than retry for half an hour. */
  apiTimeoutMs?: number;
  apiRetries?: number;
  /** Where the bot's counters go (served at GET /metrics); a registry of its own when absent. */
  metrics?: MetricsRegistry;
  /**
   * Tracks the requests arriving, so answer work gives way to their acks (see ack-gate.ts). Pass the one the
   * answers' database waits on (yieldBetweenQueries); a gate of its own otherwise, which only delays job starts.
   */
  ackGate?: AckGate;
  /** Readiness (GET /readyz); by default: database reachable, migrations applied, the role's catalog loaded. */
  health?: Health;
}

export interface SlackBot {
  app: App;
  mode: 'http' | 'socket';
  receiver: HTTPReceiver | SocketModeReceiver;
  /** Web API client with the answer-path policy. */
  client: WebClient;
  metrics: MetricsRegistry;
  health: Health;
  /**
   * HTTP mode: listens on `port` (0 = any free port) and returns the port. Socket Mode: connects, and when a port is
   * given serves /healthz, /readyz and /metrics on it (Slack needs no port then, but probes and scrapers do).
   */
  start(port?: number): Promise<{ port?: number }>;
  /**
   * Stops taking requests, then waits up to `graceMs` for answers in progress; whoever is still waiting after that
   * is told to ask again (an answer cut off by the exit would otherwise never come).
   */
  stop(graceMs?: number): Promise<void>;
}

/** Answers in progress at once; the rest wait their turn in the work queue. */
const ANSWER_CONCURRENCY = 8;

const FATAL_AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'token_expired']);

/**
 * Builds the Bolt app: HTTP (one endpoint for commands, events and interactivity) unless an app-level
 * token asks for Socket Mode. Checks the bot token first, so a wrong token fails the start with a
 * clear message rather than every later request.
 */
export async function createSlackBot(options: SlackBotOptions): Promise<SlackBot> {
  const { slack } = options;
  const ackGate = options.ackGate ?? createAckGate();
  const deps: SlackDeps = {
    ...options.deps,
    work: options.deps.work ?? createWorkQueue(ANSWER_CONCURRENCY, ackGate),
  };
  const logger: Logger = deps.logger.child({ component: 'slack' });
  const metrics = options.metrics ?? createMetrics({ processMetrics: false });
  const health = options.health ?? createHealth({ db: deps.db, roleId: deps.role.id });
  if (deps.summarizer) {
    const summarizer = deps.summarizer;
    metrics.watchLlm(() => summarizer.stats());
  }
  const routes = opsRoutes(health, metrics, logger);
  const level = toBoltLevel(options.logLevel ?? 'info');
  const apiTimeoutMs = options.apiTimeoutMs ?? 5000;
  // Every Web API call and response_url post of the answer path goes through here: the one place that sees
  // Slack's error codes (they come back as HTTP 200 with ok:false) for the metrics.
  const timedFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const isApi = url.includes('/api/');
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(apiTimeoutMs) });
    } catch (err) {
      metrics.slackApiError(isApi ? 'request_failed' : 'response_url_request_failed', 'answers');
      throw err;
    }
    if (res.status >= 400)
      metrics.slackApiError(isApi ? `http_${res.status}` : `response_url_http_${res.status}`, 'answers');
    else if (isApi && res.headers.get('content-type')?.includes('json')) {
      res
        .clone()
        .json()
        .then(
          (body: unknown) => {
            const b = body as { ok?: boolean; error?: string } | null;
            if (b?.ok === false) metrics.slackApiError(String(b.error ?? 'unknown_error'), 'answers');
          },
          () => {},
        );
    }
    return res;
  };
  const clientOptions: WebClientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    timeout: apiTimeoutMs,
    retryConfig: { retries: options.apiRetries ?? 2, factor: 2, minTimeout: 200, maxTimeout: 1000, randomize: false },
    // Bolt's respond() posts to response_url with this fetch: without it, that call has no timeout at all.
    fetch: timedFetch,
    logger: boltLogger(logger.child({ from: 'web-api' }), level),
  };

  const client = new WebClient(slack.botToken, clientOptions);
  let identity: { botId?: string; botUserId?: string } = {};
  try {
    const auth = await client.auth.test();
    identity = { botId: auth.bot_id, botUserId: auth.user_id };
  } catch (err) {
    const code =
      (err as WebAPIPlatformError).code === ErrorCode.PlatformError
        ? (err as WebAPIPlatformError).data.error
        : undefined;
    if (code && FATAL_AUTH_ERRORS.has(code)) {
      throw new AppError(
        'config_invalid',
        `Slack refused SLACK_BOT_TOKEN (${code}). See the "Connect to Slack" section of README.md.`,
        { cause: err },
      );
    }
    // Slack unreachable right now: start anyway; Bolt checks the token on the first request.
    logger.warn('auth.test failed at start; continuing', { err });
  }

  const socket = Boolean(slack.appToken);
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (socket) {
    receiver = new SocketModeReceiver({
      appToken: slack.appToken as string,
      logger: boltLogger(logger.child({ from: 'socket-mode' }), level),
      logLevel: level,
    });
  } else {
    if (!slack.signingSecret) {
      throw new AppError(
        'config_invalid',
        'HTTP mode needs SLACK_SIGNING_SECRET. See the "Connect to Slack" section of README.md.',
      );
    }
    receiver = new HTTPReceiver({
      signingSecret: slack.signingSecret,
      endpoints: EVENTS_PATH,
      bodyLimit: options.bodyLimit ?? BODY_LIMIT_BYTES,
      processBeforeResponse: false,
      customPropertiesExtractor: (req) => ({ [SIGNATURE_KEY]: req.headers['x-slack-signature'] }),
      logger: boltLogger(logger.child({ from: 'receiver' }), level),
    });
  }

  if (receiver instanceof HTTPReceiver) wrapRequestListener(receiver, logger, routes, metrics, ackGate);

  const app = new App({
    token: slack.botToken,
    ...identity,
    tokenVerificationEnabled: false,
    receiver,
    clientOptions,
    logger: boltLogger(logger.child({ from: 'bolt' }), level),
    logLevel: level,
    convoStore: false,
    ignoreSelf: true,
  });

  // Handlers outlive their ack; stop() waits for them so a SIGTERM does not cut an answer in half, and tells whoever
  // still waits after the grace period to ask again.
  const inFlight = new Map<Promise<void>, InFlight>();
  let stopping = false;
  app.use(serveRequests({ db: deps.db, logger, metrics, inFlight }));
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);

  // Listeners answer their own errors; what reaches here escaped them, and is logged once.
  app.error(async (error) => {
    logger.error('unhandled Slack listener error', { err: error });
  });

  let opsServer: { port: number; close(): Promise<void> } | undefined;
  return {
    app,
    mode: socket ? 'socket' : 'http',
    receiver,
    client: app.client,
    metrics,
    health,
    async start(port) {
      if (socket) {
        // Probes can reach /healthz while the socket connects; /readyz says whether the database is there.
        if (port !== undefined) opsServer = await startOpsServer(port, routes);
        try {
          await app.start();
        } catch (err) {
          await opsServer?.close();
          throw err;
        }
        return opsServer ? { port: opsServer.port } : {};
      }
      const server = (await app.start(port ?? 3000)) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop(graceMs = 10_000) {
      if (stopping) return;
      stopping = true;
      health.stopping();
      const waiting = inFlight.size;
      await app.stop().catch((err) => logger.warn('Slack receiver stop failed', { err }));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...inFlight.keys()]), deadline]);
      clearTimeout(timer);
      const left = [...inFlight.values()];
      if (left.length > 0) {
        logger.warn('shutdown: answers still running after the grace period; asking those people to try again', {
          count: left.length,
          graceMs,
        });
        await Promise.allSettled(
          left.map((e) => {
            e.interrupted = true;
            metrics.request(e.surface, 'interrupted');
            return e.tryAgain?.();
          }),
        );
      }
      await opsServer?.close();
      logger.info('shutdown: Slack requests drained', { finished: waiting - left.length, interrupted: left.length });
    },
  };
}

/** Slack's signing window is ±5 minutes; Bolt checks only the past side, so a request dated ahead passes. */
const MAX_SKEW_SECONDS = 300;

/**
 * In front of Bolt's listener: the ops routes (/healthz, /readyz, /metrics), requests dated too far ahead, the
 * ack latency of every POST (received → response sent, which is what Slack's 3 s limit measures), and the ack gate,
 * told of each POST from its arrival until its response is sent.
 */
function wrapRequestListener(
  receiver: HTTPReceiver,
  logger: Logger,
  routes: OpsRoutes,
  metrics: MetricsRegistry,
  gate: AckGate,
): void {
  const handle = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (routes(req, res)) return;
    if (req.method === 'POST') {
      const ts = Number(req.headers['x-slack-request-timestamp']);
      if (Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_SKEW_SECONDS) {
        logger.warn('request timestamp too far in the future; refused');
        res.writeHead(401).end();
        return;
      }
      const started = performance.now();
      gate.opened();
      res.once('finish', () => metrics.ack((performance.now() - started) / 1000));
      // Once per response: after it was sent, or when the client went away before it.
      res.once('close', () => gate.closed());
    }
    return handle(req, res);
  };
}
