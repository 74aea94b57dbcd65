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
  /** Longest wait for a connection, new or a pooled one (default 5 s, as before). */
  connectTimeoutMs?: number;
  /** Send each query text as a named prepared statement (default true); see `statementNames`. */
  preparedStatements?: boolean;
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
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
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

  const names = options.preparedStatements === false ? undefined : statementNames();
  const send = (c: pg.Pool | pg.PoolClient, text: string, values: unknown[] | undefined) => {
    const name = names?.of(text);
    return c.query(name ? { name, text, values } : { text, values });
  };
  const wrap = (c: pg.Pool | pg.PoolClient, inTransaction: boolean): Queryable => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const values = params as unknown[] | undefined;
      try {
        return (await send(c, text, values)).rows as T[];
      } catch (err) {
        if (!names || !isStalePlan(err)) throw err;
        // Every statement is prepared afresh under new names; the failed query is sent again once, unless it was
        // part of a transaction, which the error has already ended (its caller hears it failed; the next one works).
        names.renew();
        if (inTransaction) throw err;
        return (await send(c, text, values)).rows as T[];
      }
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  const base = wrap(pool, false);

  return {
    engine: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      const client = await pool.connect();
      let failed = false;
      try {
        await client.query('begin');
        const result = await fn(wrap(client, true));
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

/** Distinct query texts given a name; the bot has a few dozen, so more means SQL built at run time. */
const MAX_NAMED_STATEMENTS = 256;

interface StatementNames {
  of(text: string): string | undefined;
  /** Forgets every name: each text is prepared again, under a new one, on its next use. */
  renew(): void;
}

/**
 * A name for each query text: pg then parses and plans it once per connection and sends only its parameters after.
 * Sent as unnamed statements, the scoring query and its neighbours were parsed and planned by the server on every
 * answer, and their text written to the socket each time: under a sustained 300 questions a second that server work,
 * on the bot's own machine, took the CPU the answers needed (first reply p99 4.1 s → 0.9 s, `npm run bench --
 * sustained`). Past MAX_NAMED_STATEMENTS texts the rest go unnamed, so SQL built at run time cannot fill the server's
 * memory.
 */
function statementNames(): StatementNames {
  const names = new Map<string, string>();
  let generation = 0;
  return {
    of(text) {
      let name = names.get(text);
      if (name || names.size >= MAX_NAMED_STATEMENTS) return name;
      name = `mle_duties_${generation}_${names.size}`;
      names.set(text, name);
      return name;
    },
    renew() {
      generation += 1;
      names.clear();
    },
  };
}

/**
 * The server refuses a prepared statement whose result columns changed type since it was prepared (another process
 * migrated a table it reads), on that connection, for good.
 */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
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
