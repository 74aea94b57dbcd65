// A new PGlite data directory is loaded from a seed tarball (dist/pglite-seed.tar.gz, made by `npm run build`)
// instead of running initdb in the process; a directory that already holds a database never is, and the embedded
// database runs with its smaller buffer pool in both threads.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPglite, type PgliteThread } from '../../src/db/pglite.ts';
import { ENGINE } from '../helpers/db.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-seed-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.runIf(ENGINE === 'pglite')('a new PGlite data directory', () => {
  let seed: string;
  beforeAll(async () => {
    // A seed made from the migrated template, so a loaded directory is told apart from an initdb'd (empty) one.
    const template = tempDir();
    cpSync(inject('pgliteTemplate'), template, { recursive: true });
    const pg = await PGlite.create({ dataDir: template });
    const tarball = await pg.dumpDataDir('gzip');
    await pg.close();
    seed = path.join(tempDir(), 'seed.tar.gz');
    writeFileSync(seed, Buffer.from(await tarball.arrayBuffer()));
  });

  for (const thread of ['worker', 'main'] as PgliteThread[]) {
    it(`is loaded from the seed, and later opens keep its own data (${thread} thread)`, async () => {
      const dir = path.join(tempDir(), 'db');
      const db = await openPglite(dir, { thread, seed });
      const [duties] = await db.query<{ n: number }>('select count(*)::int as n from duties');
      expect(duties?.n).toBeGreaterThan(100);
      const [buffers] = await db.query<{ sb: string }>("select current_setting('shared_buffers') as sb");
      expect(buffers?.sb).toBe('16MB');
      await db.exec("insert into roles (id, name) values ('seed-test', 'kept')");
      await db.close();

      const again = await openPglite(dir, { thread, seed });
      expect(await again.query("select name from roles where id = 'seed-test'")).toEqual([{ name: 'kept' }]);
      await again.close();
    });
  }
});
