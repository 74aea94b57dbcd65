// What every entry point (the bot, the CLI, jobs, tests) starts from: the database, migrated and holding the current
// catalog, the process's logger, its search engine and what digests are made of. Light on purpose: the CLI's `ask`
// imports this and nothing of Slack or the LLM client (compose.ts builds the bot on top of it).
import { type CatalogFiles, readCatalogFiles } from './catalog/catalog.ts';
import { type CatalogWatch, watchCatalog } from './catalog/current.ts';
import { type SyncResult, syncCatalog } from './catalog/sync.ts';
import type { Config } from './config.ts';
import type { Db, Queryable } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import type { PgliteThread } from './db/pglite.ts';
import { installationSecret } from './db/secrets.ts';
import { createAskedStats } from './digest/asked-stats.ts';
import type { DigestSources } from './digest/content.ts';
import { createLogger, type Logger, useUserHashKey } from './log.ts';
import { createSearchEngine, type SearchEngine } from './search/engine.ts';
import type { Summarizer } from './summarize/summarizer.ts';

/** What every entry point (bot, CLI, jobs) needs: a migrated database holding the current catalog. */
export interface Runtime {
  readonly config: Config;
  readonly db: Db;
  /** The catalog as the database holds it now (another process's `import` shows up within a second). */
  readonly catalog: CatalogWatch;
  /** What the start's sync did (the CLI's `import` reports it). */
  readonly sync: SyncResult;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** A database someone else opened and will close (tests); otherwise one is opened from the config. */
  db?: Db;
  poolSize?: number;
  pgliteThread?: PgliteThread;
  /** How often a running process looks for a new catalog version (default once a second). */
  catalogCheckMs?: number;
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  // The database starts opening first (the embedded one in its own thread: most of a start), the data files are read
  // meanwhile; a missing file still fails the start, and the database is let go.
  const opening = options.db
    ? undefined
    : openDatabase(config.database, options.poolSize, { pgliteThread: options.pgliteThread });
  let files: CatalogFiles;
  try {
    files = readCatalogFiles(config.catalogDir);
  } catch (err) {
    opening?.then(
      (db) => db.close(),
      () => {},
    );
    throw err;
  }
  const db = options.db ?? (await (opening as Promise<Db>));
  const close = options.db ? async () => {} : () => db.close();
  try {
    await migrate(db);
    // User ids in logs and stored rows are hashed with this installation's secret from here on.
    useUserHashKey(await installationSecret(db, 'user_hash'));
    // The files are parsed and validated only when the database does not hold them (a CLI command saves ~50 ms); a
    // broken catalog fails the start here.
    const sync = await syncCatalog(db, files);
    const catalog = watchCatalog(db, { checkMs: options.catalogCheckMs });
    await catalog.current();
    return { config, db, catalog, sync, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

/** The process's logger: every configured secret masked wherever it would appear. */
export function createProcessLogger(config: Config): Logger {
  return createLogger({
    level: config.logLevel,
    json: config.env === 'production',
    // Masked beyond the patterns the logger knows (a signing secret has none).
    secrets: [
      config.slack.botToken,
      config.slack.signingSecret,
      config.slack.appToken,
      config.llm?.apiKey,
      databasePassword(config.database.url),
    ],
  });
}

/** A search engine on `db` that drops its caches whenever the catalog changes. */
export function createSearch(rt: Runtime, db: Queryable = rt.db): SearchEngine {
  const engine = createSearchEngine(db);
  rt.catalog.onChange(() => engine.reload());
  return engine;
}

/** What digests are made of, the same for the scheduler, the slash command's preview and the CLI. */
export function digestSources(
  db: Queryable,
  config: Pick<Config, 'digestMinAskers'>,
  summarizer?: Summarizer,
): DigestSources {
  return {
    askedStats: createAskedStats(db, { minAskers: config.digestMinAskers }),
    ...(summarizer?.enabled ? { intro: (section) => summarizer.introduce(section) } : {}),
  };
}

/** The password in DATABASE_URL, so the logger masks it even where it appears outside a URL. */
function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
