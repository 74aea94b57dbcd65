import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { freshDatabase } from './pg-admin.ts';

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

  const template = await freshDatabase(`mle_duties_template_${process.pid}`);
  await prepare(await openPostgres({ url: template.url, max: 1 }));
  project.provide('postgresTemplate', `mle_duties_template_${process.pid}`);
  project.provide('pgliteTemplate', '');
  return () => template.drop();
}
