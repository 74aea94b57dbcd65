import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { DEV_SETS, FRESH_SET } from '../eval/eval.ts';
import { ENGINE, openTestDb } from '../helpers/db.ts';

// Needs both engines at once, so it runs in the postgres project only and builds its own PGlite.
describe.runIf(ENGINE === 'postgres')('PGlite and Postgres', () => {
  it('return the same matches, in the same order, for every dev and fresh question', async () => {
    const pgTest = await openTestDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-parity-'));
    const lite = await openPglite(dir);
    try {
      await migrate(lite);
      await syncCatalog(lite, loadCatalog());
      const a = createSearchEngine(pgTest.db);
      const b = createSearchEngine(lite);
      const diffs: string[] = [];
      for (const q of [...DEV_SETS, FRESH_SET].flatMap((set) => set.questions())) {
        const [x, y] = await Promise.all([a.search(q.question), b.search(q.question)]);
        // Same duties in the same order; scores may differ in the last digits (float sums, stemmer versions).
        const ids = (r: typeof x) => r.matches.map((m) => `${m.id}@${m.score.toFixed(2)}`).join(',');
        const same =
          x.matches.length === y.matches.length &&
          x.matches.every((m, i) => m.id === y.matches[i]?.id && Math.abs(m.score - (y.matches[i]?.score ?? 0)) < 0.02);
        if (!same) diffs.push(`${q.id}: postgres=${ids(x)} pglite=${ids(y)}`);
      }
      expect(diffs).toEqual([]);
    } finally {
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
      await pgTest.close();
    }
  }, 180_000);
});
