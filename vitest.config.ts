import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { importGraph, reachable } from './test/helpers/imports.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

// A test file needs a database when what it imports (at run time) reaches one of these.
const DATABASE_MODULES = ['test/helpers/db.ts', 'src/db/pglite.ts', 'src/db/postgres.ts'];

function testFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? testFiles(`${dir}/${d.name}`) : d.name.endsWith('.test.ts') ? [`${dir}/${d.name}`] : [],
  );
}

const graph = importGraph(root, ['test']);
const needsDatabase = (file: string) => DATABASE_MODULES.some((m) => reachable(graph, file).has(m));
const all = testFiles('test');
const databaseFree = all.filter((f) => !needsDatabase(f));

// Every file that touches a database runs on both engines, the embedded PGlite and a real Postgres; the others run
// once, in the `unit` project.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: databaseFree } },
      {
        extends: true,
        test: {
          name: 'pglite',
          exclude: ['**/node_modules/**', ...databaseFree],
          env: { TEST_ENGINE: 'pglite' },
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          exclude: ['**/node_modules/**', ...databaseFree],
          env: { TEST_ENGINE: 'postgres' },
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
