// The Bolt app: its client, its transport (http.ts), the one global middleware, the three listeners, one error
// handler, and a drain on stop. Built by compose.ts; nothing here reads the environment.
import { App } from '@slack/bolt';
import { withDeadline } from '../deadline.ts';
import type { Logger } from '../log.ts';
import { type Health, opsRoutes } from '../ops/health.ts';
import type { MetricsRegistry } from '../ops/metrics.ts';
import type { AckGate } from './ack-gate.ts';
import { boltLogger, toBoltLevel } from './bolt-logger.ts';
import { answerClientOptions, checkToken } from './client.ts';
import type { SlackDeps } from './deps.ts';
import { BODY_LIMIT_BYTES, createTransport, type Transport } from './http.ts';
import { register as registerActions } from './listeners/actions/index.ts';
import { register as registerCommands } from './listeners/commands/index.ts';
import { register as registerEvents } from './listeners/events/index.ts';
import { register as registerViews } from './listeners/views/index.ts';
import { type InFlight, RESTARTING, serveRequests } from './middleware/serve.ts';

export interface SlackBotOptions {
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  /** The bot's port (HTTP: Slack's endpoint; both modes: /healthz, /readyz, /metrics). */
  port: number;
  logLevel: string;
  deps: SlackDeps;
  metrics: MetricsRegistry;
  /** Told of each request as it arrives; answer jobs start through it (see ack-gate.ts). */
  ackGate: AckGate;
  health: Health;
  bodyLimit?: number;
  /** Answer-path Web API policy: a person is waiting, so fail fast rather than retry for half an hour. */
  apiTimeoutMs?: number;
  apiRetries?: number;
}

export interface SlackBot {
  app: App;
  mode: Transport['mode'];
  receiver: Transport['receiver'];
  /** Starts taking requests; in HTTP mode `port` (0 = any free one) overrides the configured one. */
  start(port?: number): Promise<{ port: number }>;
  /**
   * Stops taking requests, then waits up to `graceMs` for answers in progress; whoever is still waiting after that
   * is told to ask again (an answer cut off by the exit would otherwise never come).
   */
  stop(graceMs?: number): Promise<void>;
}

export async function createSlackBot(options: SlackBotOptions): Promise<SlackBot> {
  const { slack, deps, metrics } = options;
  const logger: Logger = deps.logger.child({ component: 'slack' });
  const level = toBoltLevel(options.logLevel);
  const clientOptions = answerClientOptions({
    token: slack.botToken,
    apiUrl: slack.apiUrl,
    timeoutMs: options.apiTimeoutMs ?? 5000,
    retries: options.apiRetries ?? 2,
    metrics,
    logger,
    logLevel: options.logLevel,
  });
  const identity = await checkToken(slack.botToken, clientOptions, logger);
  const transport = createTransport({
    signingSecret: slack.signingSecret,
    appToken: slack.appToken,
    apiUrl: slack.apiUrl,
    port: options.port,
    routes: opsRoutes(options.health, metrics, logger),
    bodyLimit: options.bodyLimit ?? BODY_LIMIT_BYTES,
    logger,
    logLevel: options.logLevel,
    metrics,
    ackGate: options.ackGate,
  });
  const app = new App({
    token: slack.botToken,
    ...identity,
    tokenVerificationEnabled: false,
    receiver: transport.receiver,
    clientOptions,
    logger: boltLogger(logger.child({ from: 'bolt' }), level),
    logLevel: level,
    convoStore: false,
    ignoreSelf: true,
  });

  // Handlers outlive their ack; stop() waits for them so a SIGTERM does not cut an answer in half.
  const inFlight = new Map<Promise<void>, InFlight>();
  app.use(serveRequests({ db: deps.db, logger, metrics, inFlight }));
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  // Handlers' failures are answered where they happen (middleware/listen.ts); what reaches here escaped them.
  app.error(async (error) => {
    logger.error('unhandled Slack listener error', { err: error });
  });

  let stopping = false;
  return {
    app,
    mode: transport.mode,
    receiver: transport.receiver,
    start: (port) => transport.start(app, port),
    async stop(graceMs = 10_000) {
      if (stopping) return;
      stopping = true;
      options.health.stopping();
      const waiting = inFlight.size;
      await transport.stop(app).catch((err) => logger.warn('Slack receiver stop failed', { err }));
      await withDeadline(
        Promise.allSettled([...inFlight.keys()]).then(() => undefined),
        graceMs,
        () => undefined,
      );
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
            return e.tellAsker?.(RESTARTING);
          }),
        );
      }
      logger.info('shutdown: Slack requests drained', { finished: waiting - left.length, interrupted: left.length });
    },
  };
}
