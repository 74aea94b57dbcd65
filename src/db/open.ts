import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite, type PgliteThread } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export interface OpenOptions {
  /** Where the embedded database runs (ignored on Postgres): a worker thread unless 'main' is asked for. */
  pgliteThread?: PgliteThread;
}

/** Real Postgres when DATABASE_URL is set, otherwise the embedded database kept on disk. */
export function openDatabase(config: Config['database'], poolSize?: number, options: OpenOptions = {}): Promise<Db> {
  return config.url
    ? openPostgres({
        url: config.url,
        max: poolSize,
        queryTimeoutMs: config.queryTimeoutMs,
        connectTimeoutMs: config.connectTimeoutMs,
      })
    : openPglite(config.pgliteDir, { thread: options.pgliteThread });
}
