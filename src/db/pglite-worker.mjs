// The embedded database in its own thread: PGlite's WASM runs every query synchronously, so on the
// main thread a burst of answers would hold up everything else (Slack acks above all). The main
// thread (src/db/pglite.ts, which also declares the message types) only posts requests here and
// reads the replies.
//
// Plain JavaScript on purpose: a TypeScript worker needs tsx registered inside the worker, which
// costs ~1 s of CPU at every start (a loader thread of its own, every PGlite module through its
// hooks) and does not work from `execArgv: ['--import', 'tsx']` on Node 20 at all.
//
// Requests are handled as they arrive, not one after another: PGlite's own mutexes then order them
// exactly as they do in-thread (FIFO; a query from outside an open transaction waits for it to end;
// statements of the open transaction go ahead), so both modes share one set of semantics.
import { existsSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** The database thread's nice value: a tenth of a contended core's time, never starved outright. */
const DB_THREAD_NICENESS = 10;

/** An error as it crosses to the main thread: name, message and every Postgres field (code, detail, constraint…). */
function toWire(err) {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields = {};
  for (const [k, v] of Object.entries(err)) {
    // Functions (PGlite's queryOptions parsers) cannot be cloned; nothing callers read is one.
    if (typeof v === 'function' || k === 'queryOptions') continue;
    fields[k] = v;
  }
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

async function serve(port, { dataDir, settings = [], seed }) {
  // This thread's work gives way to the main thread's when both want a core: the main thread acks Slack
  // requests (3 s limit); a query finishing a few milliseconds later costs nobody anything. Linux gives
  // threads their own priority; elsewhere, or when refused, the database runs at normal priority.
  try {
    setPriority(0, DB_THREAD_NICENESS);
  } catch {
    // Normal priority, as before.
  }
  let pg;
  try {
    // The same options as src/db/pglite.ts's in-thread open (PGLITE_SETTINGS, seedOption).
    const fresh = dataDir && seed && existsSync(seed) && !existsSync(path.join(dataDir, 'PG_VERSION'));
    pg = await PGlite.create({
      dataDir,
      startParams: [...PGlite.defaultStartParams, ...settings],
      ...(fresh ? { loadDataDir: new Blob([readFileSync(seed)]) } : {}),
    });
  } catch (err) {
    port.postMessage({ id: 0, error: toWire(err) });
    return;
  }

  /** Open transactions by id: { handle, decide(outcome), settled }. At most one, PGlite has one connection. */
  const open = new Map();
  let txSeq = 0;

  const target = (tx) => {
    if (tx === undefined) return pg;
    const t = open.get(tx);
    // The words PGlite uses when a finished transaction's handle is used again.
    if (!t) throw new Error('Transaction is closed');
    return t.handle;
  };

  const begin = async () => {
    let decide;
    const decision = new Promise((resolve) => {
      decide = resolve;
    });
    let opened;
    const handle = new Promise((resolve) => {
      opened = resolve;
    });
    // PGlite's own transaction(), held open until the main thread decides: BEGIN/COMMIT/ROLLBACK, the
    // check that refuses to commit an aborted transaction and the exclusion of other queries stay PGlite's.
    const settled = pg.transaction(async (h) => {
      opened(h);
      if ((await decision) === 'rollback') await h.rollback();
    });
    const h = await Promise.race([
      handle,
      settled.then(() => {
        throw new Error('transaction ended before it began');
      }),
    ]);
    const id = ++txSeq;
    open.set(id, { handle: h, decide, settled });
    return id;
  };

  const end = async (tx, outcome) => {
    const t = open.get(tx);
    if (!t) throw new Error('Transaction is closed');
    open.delete(tx);
    t.decide(outcome);
    // Rejects when COMMIT fails, e.g. 25P02 after a failed statement.
    await t.settled;
  };

  const handle = async (req) => {
    switch (req.op) {
      case 'query':
        return { rows: (await target(req.tx).query(req.sql, req.params)).rows };
      case 'exec':
        await target(req.tx).exec(req.sql);
        return {};
      case 'begin':
        return { tx: await begin() };
      case 'commit':
      case 'rollback':
        await end(req.tx, req.op);
        return {};
      case 'close':
        if (!pg.closed) await pg.close();
        return {};
      default:
        throw new Error(`unknown request ${JSON.stringify(req.op)}`);
    }
  };

  port.on('message', (req) => {
    handle(req).then(
      (reply) => port.postMessage({ id: req.id, ...reply }),
      (err) => {
        const error = toWire(err);
        try {
          port.postMessage({ id: req.id, error });
        } catch {
          // A field that would not clone (a parameter of an exotic type): message and code still matter.
          const { code, severity } = error.fields;
          port.postMessage({ id: req.id, error: { ...error, fields: { code, severity } } });
        }
      },
    );
  });
  port.postMessage({ id: 0, ready: true });
}

if (parentPort) void serve(parentPort, workerData ?? {});
