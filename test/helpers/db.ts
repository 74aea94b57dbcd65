import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { freshDatabase } from './pg-admin.ts';

export type Engine = 'pglite' | 'postgres';

export const ENGINE: Engine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

export interface TestDb {
  db: Db;
  /** DATABASE_URL for another process or a second pool on the same database (postgres only). */
  url?: string;
  /** PGlite data directory of this copy (pglite only). */
  dir?: string;
  close(): Promise<void>;
}

/**
 * A private copy of the migrated, catalog-synced template the global setup built: a new
 * database from the template on Postgres, a copied data directory on PGlite. Tests never share state.
 */
export async function openTestDb(options: { empty?: boolean } = {}): Promise<TestDb> {
  if (!process.env.TEST_ENGINE) {
    // vitest.config.ts runs a file once, without an engine, only when nothing it imports reaches a database.
    throw new Error('openTestDb outside the pglite/postgres projects: this file was classified database-free');
  }
  if (ENGINE === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-pglite-'));
    if (!options.empty) cpSync(inject('pgliteTemplate'), dir, { recursive: true });
    const db = await openPglite(dir);
    return {
      db,
      dir,
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `mle_duties_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const template = options.empty ? 'template0' : inject('postgresTemplate');
  const { url, drop } = await freshDatabase(name, { template });
  const db = await openPostgres({ url, max: 5 });
  return {
    db,
    url,
    async close() {
      await db.close();
      await drop();
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}
