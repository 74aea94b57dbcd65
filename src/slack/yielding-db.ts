import type { Db, Queryable } from '../db/db.ts';
import { type AckGate, nextTurn } from './ack-gate.ts';

/**
 * Each query of an answer first waits for the ack gate (see ack-gate.ts): an answer already under way pauses
 * while a burst of requests is being acked, rather than only the answers not yet started; on either engine, as
 * even sending a query to Postgres costs this thread time an ack could use. Without a gate, the embedded database
 * gets a turn of the event loop before each query (its replies would otherwise run back to back) and Postgres is
 * returned as is. Inside a transaction only a turn: a transaction holds a connection (PGlite's only one), so it
 * must not be held open waiting for a burst to end.
 */
export function yieldBetweenQueries(db: Db, gate?: AckGate): Db {
  if (!gate && db.engine !== 'pglite') return db;
  const wrap = (q: Queryable, wait: () => Promise<void>): Queryable => ({
    async query(text, params) {
      await wait();
      return q.query(text, params);
    },
    async exec(sql) {
      await wait();
      return q.exec(sql);
    },
  });
  const base = wrap(db, gate ? () => gate.clear() : nextTurn);
  return {
    engine: db.engine,
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx, nextTurn))),
    close: () => db.close(),
  };
}
