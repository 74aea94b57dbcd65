import { type Catalog, loadCatalog } from './catalog/catalog.ts';
import { type SyncResult, syncCatalog } from './catalog/sync.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { type OpenOptions, openDatabase } from './db/open.ts';
import { createSearchEngine, type SearchEngine } from './search/engine.ts';

/** What every entry point (bot, CLI, jobs) needs: a migrated database holding the current catalog. */
export interface Runtime {
  config: Config;
  db: Db;
  catalog: Catalog;
  search: SearchEngine;
  sync: SyncResult;
  close(): Promise<void>;
}

export async function openRuntime(
  config: Config,
  options: { poolSize?: number; pgliteThread?: OpenOptions['pgliteThread'] } = {},
): Promise<Runtime> {
  const catalog = loadCatalog();
  const db = await openDatabase(config.database, options.poolSize, { pgliteThread: options.pgliteThread });
  try {
    await migrate(db);
    const sync = await syncCatalog(db, catalog);
    const search = createSearchEngine(db);
    return { config, db, catalog, search, sync, close: () => db.close() };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
