// `npm run eval`: the dev-set figures of the matching engine, overall and per kind.
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { evaluate, formatRun } from './eval.ts';

const verbose = process.argv.includes('--misses');
const config = loadConfig();
const db = await openDatabase(config.database);
try {
  await migrate(db);
  await syncCatalog(db, loadCatalog());
  const run = await evaluate(createSearchEngine(db));
  console.log(`engine: ${db.engine}\n${formatRun(run)}`);
  if (verbose) {
    for (const { q, ranked } of run.results) {
      const ok = q.gold.length === 0 ? ranked.length === 0 : ranked[0] !== undefined && q.gold.includes(ranked[0]);
      if (!ok)
        console.log(
          `MISS ${q.id}\t${q.question}\n     gold=${q.gold.join('|') || '-'}\n     got=${ranked.slice(0, 3).join(' | ') || '-'}`,
        );
    }
  }
} finally {
  await db.close();
}
