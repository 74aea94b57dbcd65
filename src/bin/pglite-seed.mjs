// Writes a gzipped tarball of a freshly initdb'd PGlite data directory (no schema: migrations run at start as
// always), which src/db/open.ts loads into a new data directory instead of running initdb there: initdb is the one
// step of PGlite that peaks near 800 MiB, too much for a 512 MB dyno, while loading the tarball peaks under 300 MiB.
// Run by src/bin/build.mjs (`npm run build`, `prepare`) in a process of its own; `node src/bin/pglite-seed.mjs OUT`.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const out = process.argv[2];
if (!out) throw new Error('usage: node src/bin/pglite-seed.mjs OUT.tar.gz');
const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-seed-'));
try {
  const pg = await PGlite.create({ dataDir: dir });
  const tarball = await pg.dumpDataDir('gzip');
  await pg.close();
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await tarball.arrayBuffer()));
  renameSync(tmp, out);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
