import type { Db, Queryable } from '../db/db.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The embedded database runs every query on the event loop's own thread, so an answer's handful of
 * queries would run back to back and keep incoming requests (and their acks) waiting. Giving the
 * loop a turn before each query bounds that wait to one query. Postgres is returned as is.
 */
export function yieldBetweenQueries(db: Db): Db {
  if (db.engine !== 'pglite') return db;
  const wrap = (q: Queryable): Queryable => ({
    async query(text, params) {
      await turn();
      return q.query(text, params);
    },
    async exec(sql) {
      await turn();
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
