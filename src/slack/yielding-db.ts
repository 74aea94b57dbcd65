import type { Db, Queryable } from '../db/db.ts';
import { nextTurn } from './ack-gate.ts';

/**
 * The embedded database gets a turn of the event loop before each query: its replies come from its worker thread
 * and would otherwise run back to back, each answer's next slice ahead of the requests waiting to be acked (see
 * work-queue.ts). Postgres is returned as is: its replies arrive as socket reads, each on a turn of its own.
 */
export function yieldBetweenQueries(db: Db): Db {
  if (db.engine !== 'pglite') return db;
  const wrap = (q: Queryable): Queryable => ({
    async query(text, params) {
      await nextTurn();
      return q.query(text, params);
    },
    async exec(sql) {
      await nextTurn();
      return q.exec(sql);
    },
  });
  const base = wrap(db);
  return {
    engine: db.engine,
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
