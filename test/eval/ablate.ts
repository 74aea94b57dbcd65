// `npx tsx test/eval/ablate.ts [name]`: the figures on every question set with each part of the engine taken
// away in turn (a fresh embedded database per row). The README's ablation table comes from it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Catalog, loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { DEV_SETS, evaluate, FRESH_SET, FRESH_SET_2, FRESH_SET_3, POSTING_SETS } from './eval.ts';

const full = loadCatalog();
const variants: [string, (c: Catalog) => Catalog, Record<string, number>][] = [
  ['nothing (all parts)', (c) => c, {}],
  ['concepts (the whole vocabulary table)', (c) => ({ ...c, concepts: [] }), {}],
  [
    'situation and symptom families only',
    (c) => ({ ...c, concepts: c.concepts.filter((k) => !k.name.startsWith('symptoms')) }),
    {},
  ],
  ['topic refusal', (c) => ({ ...c, topics: [] }), { offSim: 2 }],
  ['topic refusal by word vectors (exact terms only)', (c) => c, { offSim: 2 }],
  ['nearest catalog words (word vectors)', (c) => c, { nearWeight: 0 }],
  ['rarity in English (word frequency)', (c) => c, { fillerInfo: 1 }],
  ['the whole English table (vectors + frequency)', (c) => c, { nearWeight: 0, fillerInfo: 1, offSim: 2 }],
  ['phrase bonus (second signal)', (c) => c, { phraseWeight: 0 }],
  ['coverage in the rank', (c) => c, { coverageRank: 0, minScore: 5 }],
  [
    'calibration (old thresholds)',
    (c) => c,
    { fullCoverageRelief: 0, singleWordRelief: 0, specificWord: 2, factCoverage: 0.75, coverageRank: 0, minScore: 5 },
  ],
];
const only = process.argv[2];
for (const [name, mutate, tuning] of variants) {
  if (only && !name.includes(only)) continue;
  const dir = mkdtempSync(path.join(tmpdir(), 'ablate-'));
  const db = await openPglite(dir);
  try {
    await migrate(db);
    await syncCatalog(db, { ...mutate(full), contentHash: name });
    const s = createSearchEngine(db, tuning);
    const cells: string[] = [];
    for (const set of [...DEV_SETS, FRESH_SET, FRESH_SET_2, FRESH_SET_3, ...POSTING_SETS]) {
      const run = await evaluate(s, set.questions());
      const o = run.overall;
      const kinds = Object.entries(run.byKind)
        .filter(([k]) => k !== 'none')
        .map(([k, m]) => `${k.slice(0, 4)} ${m.top1.toFixed(2)}`)
        .join(' ');
      cells.push(
        `${o.top1.toFixed(3)} / ${o.recall3.toFixed(3)} / ${o.noneRejected.toFixed(2)} / ${o.answerableEmpty.toFixed(3)} (${kinds})`,
      );
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
