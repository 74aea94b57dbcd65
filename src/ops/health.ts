// Liveness, readiness and the metrics page: extra routes on the bot's port (Bolt's customRoutes, in HTTP and Socket
// Mode alike).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogWatch } from '../catalog/current.ts';
import { countActiveDuties } from '../catalog/queries.ts';
import type { Queryable } from '../db/db.ts';
import { appliedMigrations } from '../db/migrate.ts';
import { withDeadline } from '../deadline.ts';
import type { Logger } from '../log.ts';
import type { MetricsRegistry } from './metrics.ts';

/**
 * A check's state, and nothing more: /readyz is on the public port, so the error behind a failure (which can name
 * hosts, users, databases) goes to the log, never into the report. `behind`: migrations this build knows are not
 * applied; `empty`: no duties loaded for the current role.
 */
export type CheckState = 'ok' | 'failed' | 'timeout' | 'behind' | 'empty' | 'not checked' | 'shutting down';

export interface ReadyReport {
  ok: boolean;
  checks: { database: CheckState; migrations: CheckState; catalog: CheckState; process: CheckState };
}

export interface Health {
  ready(): Promise<ReadyReport>;
  /** From now on /readyz answers 503, so a load balancer stops sending requests while in-flight ones finish. */
  stopping(): void;
}

export interface HealthDeps {
  db: Queryable;
  catalog: Pick<CatalogWatch, 'current'>;
  /** Where a failed check's error goes (the report only names the check). */
  logger?: Logger;
  /** A check slower than this counts as failed: a hung database must not hang the probe. */
  timeoutMs?: number;
}

class CheckTimeout extends Error {}

export function createHealth(deps: HealthDeps): Health {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const timed = <T>(p: Promise<T>) =>
    withDeadline(p, timeoutMs, () => {
      throw new CheckTimeout(`no answer within ${timeoutMs} ms`);
    });
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
      let current: keyof ReadyReport['checks'] = 'database';
      try {
        await timed(deps.db.query('select 1'));
        checks.database = 'ok';
        current = 'migrations';
        const { applied, total } = await timed(appliedMigrations(deps.db));
        checks.migrations = applied === total ? 'ok' : 'behind';
        current = 'catalog';
        const role = await timed(deps.catalog.current());
        const duties = await timed(countActiveDuties(deps.db, role.id));
        checks.catalog = duties > 0 ? 'ok' : 'empty';
      } catch (err) {
        checks[current] = err instanceof CheckTimeout ? 'timeout' : 'failed';
        deps.logger?.warn('readiness check failed', { check: current, err });
      }
      return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
    },
  };
}

/** One extra HTTP route (Bolt's `CustomRoute` shape, without depending on Bolt). */
export interface Route {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** GET (and HEAD) /healthz, /readyz, /metrics. */
export function opsRoutes(health: Health, metrics: MetricsRegistry, logger: Logger): Route[] {
  const method = ['GET', 'HEAD'];
  const fail = (res: ServerResponse, err: unknown) => {
    logger.warn('ops endpoint failed', { err });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('error');
  };
  return [
    {
      path: '/healthz',
      method,
      // Up means the event loop answers; nothing else is checked, so a database outage never restarts the process.
      handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
    },
    {
      path: '/readyz',
      method,
      handler: (_req, res) =>
        void health.ready().then(
          (report) => {
            res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(report));
          },
          (err) => fail(res, err),
        ),
    },
    {
      path: '/metrics',
      method,
      handler: (_req, res) =>
        void metrics.render().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.contentType });
            res.end(text);
          },
          (err) => fail(res, err),
        ),
    },
  ];
}
