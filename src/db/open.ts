import path from 'node:path';
import { type Config, PROJECT_ROOT } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite, type PgliteThread } from './pglite.ts';

export interface OpenOptions {
  /** Where the embedded database runs (ignored on Postgres): a worker thread unless 'main' is asked for. */
  pgliteThread?: PgliteThread;
}

/** A freshly initdb'd PGlite data directory, made by `npm run build` (src/bin/pglite-seed.mjs); see openPglite. */
const PGLITE_SEED = path.join(PROJECT_ROOT, 'dist/pglite-seed.tar.gz');

/** Real Postgres when DATABASE_URL is set, otherwise the embedded database kept on disk. */
export async function openDatabase(
  config: Config['database'],
  poolSize?: number,
  options: OpenOptions = {},
): Promise<Db> {
  // pg is loaded only for Postgres: the embedded database's processes never need it.
  if (config.url) {
    return (await import('./postgres.ts')).openPostgres({
      url: config.url,
      max: poolSize,
      queryTimeoutMs: config.queryTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      preparedStatements: config.preparedStatements,
    });
  }
  return openPglite(config.pgliteDir, { thread: options.pgliteThread, seed: PGLITE_SEED });
}
