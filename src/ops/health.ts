// Liveness, readiness and the metrics page: served on the bot's HTTP port beside /slack/events, and in Socket Mode
// (which needs no public port) by a small listener of their own on PORT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queryable } from '../db/db.ts';
import { listMigrations } from '../db/migrate.ts';
import type { Logger } from '../log.ts';
import type { MetricsRegistry } from './metrics.ts';

export interface ReadyReport {
  ok: boolean;
  /** Each check: 'ok' or why not. */
  checks: { database: string; migrations: string; catalog: string; process: string };
}

export interface Health {
  ready(): Promise<ReadyReport>;
  /** From now on /readyz answers 503, so a load balancer stops sending requests while in-flight ones finish. */
  stopping(): void;
}

export interface HealthDeps {
  db: Queryable;
  roleId: string;
  /** A check slower than this counts as failed: a hung database must not hang the probe. */
  timeoutMs?: number;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

export function createHealth(deps: HealthDeps): Health {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const versions = listMigrations().map((m) => m.version);
  let isStopping = false;
  return {
    stopping() {
      isStopping = true;
    },
    async ready() {
      const checks: ReadyReport['checks'] = {
        database: 'not checked',
        migrations: 'not checked',
        catalog: 'not checked',
        process: isStopping ? 'shutting down' : 'ok',
      };
      try {
        await withTimeout(deps.db.query('select 1'), timeoutMs);
        checks.database = 'ok';
        const [applied] = await withTimeout(
          deps.db.query<{ n: number }>(
            'select count(*)::int as n from schema_migrations where version = any($1::int[])',
            [versions],
          ),
          timeoutMs,
        );
        checks.migrations =
          applied?.n === versions.length ? 'ok' : `${applied?.n ?? 0} of ${versions.length} migrations applied`;
        const [duties] = await withTimeout(
          deps.db.query<{ n: number }>(
            'select count(*)::int as n from duties where role_id = $1 and retired_at is null',
            [deps.roleId],
          ),
          timeoutMs,
        );
        checks.catalog = (duties?.n ?? 0) > 0 ? 'ok' : `no duties loaded for role ${deps.roleId}`;
      } catch (err) {
        const reason = (err as Error)?.message?.slice(0, 200) ?? String(err);
        if (checks.database !== 'ok') checks.database = reason;
        else if (checks.migrations === 'not checked') checks.migrations = reason;
        else checks.catalog = reason;
      }
      return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
    },
  };
}

/** Answers GET /healthz, /readyz, /metrics and returns true; false for anything else. */
export type OpsRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

export function opsRoutes(health: Health, metrics: MetricsRegistry | undefined, logger: Logger): OpsRoutes {
  const fail = (res: ServerResponse, err: unknown) => {
    logger.warn('ops endpoint failed', { err });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('error');
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/healthz':
        // Up means the event loop answers; nothing else is checked, so a database outage never restarts the process.
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return true;
      case '/readyz':
        health.ready().then(
          (report) => {
            res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(report));
          },
          (err) => fail(res, err),
        );
        return true;
      case '/metrics':
        if (!metrics) return false;
        metrics.render().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.contentType });
            res.end(text);
          },
          (err) => fail(res, err),
        );
        return true;
      default:
        return false;
    }
  };
}

/** Socket Mode's listener for the routes above (Slack itself reaches the bot over the socket, not this port). */
export async function startOpsServer(
  port: number,
  routes: OpsRoutes,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (!routes(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
