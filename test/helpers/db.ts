import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';

export type Engine = 'pglite' | 'postgres';

export const ENGINE: Engine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/** The server tests use; `.ci/run` and developers point it elsewhere with DATABASE_URL. */
export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDb {
  db: Db;
  /** DATABASE_URL for another process or a second pool on the same database (postgres only). */
  url?: string;
  /** PGlite data directory of this copy (pglite only). */
  dir?: string;
  close(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A private copy of the migrated, catalog-synced template the global setup built: a new
 * database from the template on Postgres, a copied data directory on PGlite. Tests never share state.
 */
export async function openTestDb(options: { empty?: boolean } = {}): Promise<TestDb> {
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
  await admin((c) => c.query(`create database ${name} template ${template}`));
  const url = databaseUrl(name);
  const db = await openPostgres({ url, max: 5 });
  return {
    db,
    url,
    async close() {
      await db.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}
