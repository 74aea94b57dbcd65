import pg from 'pg';
import { AppError } from '../errors.ts';
import type { Db, Queryable } from './db.ts';

// int8 (counts, ids) as JS numbers, the same as PGlite returns them; our counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface PostgresOptions {
  url: string;
  max?: number;
  applicationName?: string;
  /** Longest a statement may run (default 5 s); see `timeouts`. */
  queryTimeoutMs?: number;
  /** Longest wait for a connection, new or a pooled one (default 3 s). */
  connectTimeoutMs?: number;
}

/**
 * Every call is bounded, so a database that hangs (stopped, a lock held, a network path gone quiet) makes a query
 * fail, and its asker hear "try again", instead of waiting for as long as the hang lasts:
 * - statement_timeout: the server cancels a statement (lock waits included) after `queryTimeoutMs`;
 * - query_timeout: the client gives up a little later, for a server that no longer answers at all (SIGSTOP, a dead
 *   host); the connection is then dropped from the pool, not reused;
 * - connectionTimeoutMillis: connecting, and waiting for a free pooled connection;
 * - TCP keepalive: a connection whose peer vanished is noticed by the OS instead of staying open forever;
 * - idle_in_transaction_session_timeout: a transaction left open by a stuck process does not hold its locks forever.
 */
function timeouts(options: PostgresOptions) {
  const query = options.queryTimeoutMs ?? 5000;
  return {
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    statement_timeout: query,
    query_timeout: query + Math.min(1000, Math.ceil(query / 2)),
    idle_in_transaction_session_timeout: Math.max(10_000, 4 * query),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    ...timeouts(options),
    application_name: options.applicationName ?? 'mle-duties',
  });
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new AppError(
      'db_unreachable',
      `Cannot reach the database at ${describeUrl(options.url)}: ${errMessage(err)}`,
      {
        cause: err,
      },
    );
  }

  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const res = await c.query(text, params as unknown[] | undefined);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  const base = wrap(pool);

  return {
    engine: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      const client = await pool.connect();
      let failed = false;
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        return result;
      } catch (err) {
        failed = true;
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        // After a failure (a timeout, say) the connection may still be busy or half-way through a transaction: it is
        // closed rather than handed to the next caller.
        client.release(failed);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** The URL without its password, for messages people read. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function errMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errMessage(err.errors[0]);
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}
