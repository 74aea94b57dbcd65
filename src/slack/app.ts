import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, type WebAPIPlatformError, WebClient, type WebClientOptions } from '@slack/web-api';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';
import type { SlackDeps } from './deps.ts';
import { register as registerActions } from './listeners/actions/index.ts';
import { register as registerCommands } from './listeners/commands/index.ts';
import { register as registerEvents } from './listeners/events/index.ts';
import { dedupeRequests, SIGNATURE_KEY } from './middleware/dedupe.ts';
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
}

export interface SlackBot {
  app: App;
  mode: 'http' | 'socket';
  receiver: HTTPReceiver | SocketModeReceiver;
  /** Web API client with the answer-path policy. */
  client: WebClient;
  /** HTTP mode: listens on `port` (0 = any free port) and returns the port; Socket Mode: connects. */
  start(port?: number): Promise<{ port?: number }>;
  /** Stops taking requests, then waits up to `graceMs` for answers in progress. */
  stop(graceMs?: number): Promise<void>;
}

const FATAL_AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'token_expired']);

/**
 * Builds the Bolt app: HTTP (one endpoint for commands, events and interactivity) unless an app-level
 * token asks for Socket Mode. Checks the bot token first, so a wrong token fails the start with a
 * clear message rather than every later request.
 */
export async function createSlackBot(options: SlackBotOptions): Promise<SlackBot> {
  const { slack } = options;
  const deps: SlackDeps = {
    ...options.deps,
    work: options.deps.work ?? createWorkQueue(options.deps.db.engine === 'pglite' ? 1 : 8),
  };
  const logger: Logger = deps.logger.child({ component: 'slack' });
  const level = toBoltLevel(options.logLevel ?? 'info');
  const apiTimeoutMs = options.apiTimeoutMs ?? 5000;
  const timedFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(apiTimeoutMs) });
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
      customRoutes: [
        {
          path: '/healthz',
          method: ['GET'],
          handler: (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end('ok');
          },
        },
      ],
    });
  }

  if (receiver instanceof HTTPReceiver) rejectSkewedTimestamps(receiver, logger);

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

  // Handlers outlive their ack; stop() waits for them so a SIGTERM does not cut an answer in half.
  const inFlight = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const run = next();
    inFlight.add(run);
    try {
      await run;
    } finally {
      inFlight.delete(run);
    }
  });
  app.use(dedupeRequests(deps.db, logger));
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);

  // Listeners answer their own errors; what reaches here escaped them, and is logged once.
  app.error(async (error) => {
    logger.error('unhandled Slack listener error', { err: error });
  });

  return {
    app,
    mode: socket ? 'socket' : 'http',
    receiver,
    client: app.client,
    async start(port) {
      if (socket) {
        await app.start();
        return {};
      }
      const server = (await app.start(port ?? 3000)) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop(graceMs = 10_000) {
      await app.stop();
      const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
    },
  };
}

/** Slack's signing window is ±5 minutes; Bolt checks only the past side, so a request dated ahead passes. */
const MAX_SKEW_SECONDS = 300;

function rejectSkewedTimestamps(receiver: HTTPReceiver, logger: Logger): void {
  const handle = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (req.method === 'POST' && Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_SKEW_SECONDS) {
      logger.warn('request timestamp too far in the future; refused');
      res.writeHead(401).end();
      return;
    }
    return handle(req, res);
  };
}
