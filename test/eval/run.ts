// `npm run eval [-- --misses] [-- --half odd|even]`: the figures of the matching engine on both
// dev sets, overall and per kind; `--misses` lists each wrong or missing answer.
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import {
  DEV_SETS,
  evaluate,
  FRESH_SET,
  FRESH_SET_2,
  FRESH_SET_3,
  formatMisses,
  formatRun,
  halves,
  POSTING_SETS,
} from './eval.ts';

const args = process.argv.slice(2);
const showMisses = args.includes('--misses');
const config = loadConfig();
const db = await openDatabase(config.database);
try {
  await migrate(db);
  await syncCatalog(db, loadCatalog());
  const search = createSearchEngine(db);
  console.log(`engine: ${db.engine}`);
  for (const set of [...DEV_SETS, FRESH_SET, FRESH_SET_2, FRESH_SET_3, ...POSTING_SETS]) {
    const run = await evaluate(search, set.questions());
    console.log(`\n== ${set.name} (${run.results.length} questions)\n${formatRun(run)}`);
    for (const [name, half] of Object.entries(halves(run))) console.log(`${name.padEnd(17)}${formatRun(half, false)}`);
    if (showMisses) console.log(formatMisses(run));
  }
} finally {
  await db.close();
}
