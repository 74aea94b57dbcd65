import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { Db, Queryable } from './db.ts';
import { lockDataDir } from './lock.ts';

/**
 * Where PGlite's WASM runs. 'worker' (the default): a worker thread, so this thread's event loop only
 * passes messages and keeps serving requests while a query runs. It costs nothing measurable at
 * start: the worker loads PGlite without tsx's hooks, which is what this thread would pay for.
 * 'main': in this thread, e.g. to profile queries or where threads are unwelcome; asked for explicitly.
 */
export type PgliteThread = 'worker' | 'main';

export interface PgliteOptions {
  thread?: PgliteThread;
  /**
   * A gzipped tarball of a freshly initdb'd data directory (src/bin/pglite-seed.mjs, made by `npm run build`): a new
   * data directory is loaded from it instead of running initdb in this process, whose WASM heap peaks near 800 MiB.
   * Ignored when the file is missing (initdb then runs as before) or the directory already holds a database.
   */
  seed?: string;
}

/**
 * Postgres settings on top of PGlite's own start parameters (`-c` flags, so the data directory's postgresql.conf is
 * left alone). shared_buffers: PGlite zeroes its buffer pool at start, so all of it is resident at once; 16 MB keeps
 * the whole catalog and its index hot (a few MB) and saves ~115 MiB of RSS and ~100 ms of start against the 128 MB
 * default. wal_buffers follows it (-1: 1/32 of it). Nothing trades durability: a process killed at any point keeps
 * every committed transaction, as before.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/** What PGlite.create takes to load `seed` into `dataDir`, when it should. */
function seedOption(dataDir: string | undefined, seed: string | undefined): { loadDataDir?: Blob } {
  if (!dataDir || !seed || !existsSync(seed) || existsSync(path.join(dataDir, 'PG_VERSION'))) return {};
  return { loadDataDir: new Blob([readFileSync(seed)]) };
}

/**
 * Embedded Postgres. `dataDir` undefined means in memory (tests only: initdb runs at every
 * start). A data directory has one owner: a second opener, in this process or another, gets `db_locked` naming the
 * holder's pid (see lock.ts) until the first one closes it or dies. PGlite has one connection, so queries are serialised by PGlite itself and a
 * transaction holds that connection until it ends: a query from outside it waits (FIFO).
 */
export async function openPglite(dataDir?: string, options: PgliteOptions = {}): Promise<Db> {
  const open = (dir: string | undefined) =>
    (options.thread ?? 'worker') === 'worker' ? openInWorker(dir, options.seed) : openInThread(dir, options.seed);
  if (!dataDir) return open(undefined);
  mkdirSync(dataDir, { recursive: true });
  // PGlite itself lets a second process open the directory, and the two then lose each other's writes.
  const lock = lockDataDir(dataDir);
  let db: Db;
  try {
    db = await open(dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openInThread(dataDir: string | undefined, seed: string | undefined): Promise<Db> {
  // Loaded here, not at the top, so a process that uses the worker never loads PGlite itself.
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create({
    dataDir,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    ...seedOption(dataDir, seed),
  });

  const wrap = (c: Pick<InstanceType<typeof PGlite>, 'query' | 'exec'>): Queryable => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const res = await c.query<T>(text, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });
  const base = wrap(pg);

  return {
    engine: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}

// The messages exchanged with src/db/pglite-worker.mjs (plain JavaScript: see why there).
interface WorkerOptions {
  /** Undefined means in memory. */
  dataDir?: string;
  /** PGLITE_SETTINGS. */
  settings: string[];
  seed?: string;
}

type Request =
  | { id: number; op: 'query'; sql: string; params?: readonly unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'close' };

/** An error as it crosses the thread boundary: Postgres fields (code, detail, constraint, …) kept. */
interface WireError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

type Reply =
  | { id: number; rows?: unknown[]; tx?: number }
  | { id: number; error: WireError }
  /** Sent once, id 0 (no request asked for it): PGlite opened, or `{ id: 0, error }` when it did not. */
  | { id: 0; ready: true };

let liveWorkers = 0;

/** Worker threads started and not yet exited: close() must bring this back down (tests check it). */
export function pgliteWorkerCount(): number {
  return liveWorkers;
}

type Pending = { resolve: (reply: Reply) => void; reject: (err: Error) => void };
/** A request before it gets its id (Omit spread over the union). */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type Call = WithoutId<Request>;

async function openInWorker(dataDir: string | undefined, seed: string | undefined): Promise<Db> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData: { dataDir, settings: PGLITE_SETTINGS, seed } satisfies WorkerOptions,
    // None of the parent's flags (vitest's, --inspect): the worker needs none.
    execArgv: [],
  });
  liveWorkers++;
  const where = dataDir ?? 'memory';
  const pending = new Map<number, Pending>();
  let seq = 0;
  /** Set once the worker can take no more requests; every later call fails with it. */
  let gone: AppError | undefined;

  // An idle database must not keep the process alive (in-thread PGlite does not either); one with a
  // request in flight must, as a socket would.
  const refresh = () => (pending.size > 0 ? worker.ref() : worker.unref());

  const fail = (err: AppError) => {
    gone ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    refresh();
  };

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if (reply.id === 0) {
        if ('ready' in reply) resolve();
        else if ('error' in reply)
          reject(
            new AppError('db_unreachable', `Cannot open the embedded database (${where}): ${reply.error.message}`, {
              cause: revive(reply.error),
            }),
          );
        return;
      }
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      refresh();
      p.resolve(reply);
    });
    worker.on('error', (err) => {
      const e = new AppError('db_query_failed', `The embedded database worker failed: ${err.message}`, { cause: err });
      reject(e);
      fail(e);
    });
    worker.on('exit', (code) => {
      liveWorkers--;
      const e = new AppError('db_query_failed', `The embedded database worker exited (code ${code})`);
      reject(e);
      fail(e);
    });
  });
  worker.ref();
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  worker.unref();

  const call = (req: Call): Promise<Reply> => {
    // Captured here so a failed query's stack shows the caller, not the message port.
    const site = new Error();
    if (gone) return Promise.reject(gone);
    const id = ++seq;
    return new Promise<Reply>((resolve, reject) => {
      try {
        worker.postMessage({ id, ...req } as Request);
      } catch (err) {
        // Parameters structured clone cannot copy (a function, say): in-thread PGlite would have sent their toString().
        reject(
          new AppError('db_query_failed', `Cannot pass the query to the database worker: ${(err as Error).message}`, {
            cause: err,
          }),
        );
        return;
      }
      pending.set(id, { resolve, reject });
      refresh();
    }).then((reply) => {
      if ('error' in reply) throw revive(reply.error, site);
      return reply;
    });
  };

  const wrap = (tx?: number): Queryable => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const reply = await call({ op: 'query', sql: text, params, tx });
      return ('rows' in reply ? reply.rows : []) as T[];
    },
    async exec(sql: string) {
      await call({ op: 'exec', sql, tx });
    },
  });
  const base = wrap();
  let closing: Promise<void> | undefined;

  return {
    engine: 'pglite',
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      const begun = await call({ op: 'begin' });
      const tx = (begun as { tx: number }).tx;
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(wrap(tx));
      } catch (err) {
        // The callback's error is the one that matters; a failed ROLLBACK ends the transaction anyway.
        await call({ op: 'rollback', tx }).catch(() => {});
        throw err;
      }
      await call({ op: 'commit', tx });
      return result;
    },
    close() {
      closing ??= (async () => {
        try {
          if (!gone) await call({ op: 'close' });
        } finally {
          gone ??= new AppError('db_query_failed', 'The embedded database is closed');
          await worker.terminate();
        }
      })();
      return closing;
    },
  };
}

/** The error as PGlite threw it in the worker (same message, name, code and other Postgres fields). */
function revive(wire: WireError, site?: Error): Error {
  const err = new Error(wire.message);
  Object.assign(err, wire.fields);
  if (!('name' in wire.fields)) err.name = wire.name;
  const frames = site?.stack?.split('\n').slice(1).join('\n');
  err.stack = `${wire.name}: ${wire.message}${frames ? `\n${frames}` : ''}`;
  return err;
}
