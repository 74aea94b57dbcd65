import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, Queryable } from './db.ts';

/**
 * Embedded Postgres. `dataDir` undefined means in memory (tests only: initdb runs at every
 * start). PGlite has one connection, so queries are serialised by PGlite itself and a
 * transaction holds that connection until it ends.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, extensions: { pg_trgm } });

  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
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
