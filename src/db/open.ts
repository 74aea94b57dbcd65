import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** Real Postgres when DATABASE_URL is set, otherwise the embedded database kept on disk. */
export function openDatabase(config: Config['database'], poolSize?: number): Promise<Db> {
  return config.url ? openPostgres({ url: config.url, max: poolSize }) : openPglite(config.pgliteDir);
}
