import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';

/** Builds one migrated, synced template per run; each test file then copies it (fast) instead of migrating. */
export default async function setup(project: TestProject) {
  const engine = project.config.env?.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
  const prepare = async (db: Db) => {
    await migrate(db);
    await syncCatalog(db, loadCatalog());
    await db.close();
  };

  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-template-'));
    await prepare(await openPglite(dir));
    project.provide('pgliteTemplate', dir);
    project.provide('postgresTemplate', '');
    return () => rmSync(dir, { recursive: true, force: true });
  }

  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `mle_duties_template_${process.pid}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    try {
      await c.connect();
    } catch (err) {
      throw new Error(
        `The postgres test project needs a Postgres server at ${new URL(adminUrl).host} (set DATABASE_URL): ${(err as Error).message}`,
      );
    }
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`drop database if exists ${name} with (force)`);
  await run(`create database ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  await prepare(await openPostgres({ url: u.toString(), max: 1 }));
  project.provide('postgresTemplate', name);
  project.provide('pgliteTemplate', '');
  return () => run(`drop database if exists ${name} with (force)`);
}
