import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchEngine } from '../../src/search/engine.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { DEV_SETS, type EvalRun, evaluate, formatRun, type Metrics } from './eval.ts';

// Floors just under what the engine reaches (see `npm run eval`), so quality cannot silently regress.
type Floors = Partial<Record<'top1' | 'recall3' | 'mrr5' | 'noneRejected', number>>;
const FLOORS: Record<(typeof DEV_SETS)[number]['name'], { overall: Floors; byKind: Record<string, Floors> }> = {
  'dev-questions': {
    overall: { top1: 0.95, recall3: 0.98, mrr5: 0.96, noneRejected: 0.9 },
    byKind: { kw: { top1: 1 }, typo: { top1: 0.96 }, para: { top1: 0.88 }, who: { top1: 0.96 }, long: { top1: 0.96 } },
  },
  'dev-v2': {
    overall: { top1: 0.9, recall3: 0.97, mrr5: 0.93, noneRejected: 0.89 },
    byKind: { chat: { top1: 0.875 }, jargon: { top1: 0.95 }, situation: { top1: 0.825 } },
  },
};
const EMPTY_CEILING = { 'dev-questions': 0.01, 'dev-v2': 0.02 };

let t: TestDb;
const runs = new Map<string, EvalRun>();
beforeAll(async () => {
  t = await openTestDb();
  const search = createSearchEngine(t.db);
  for (const set of DEV_SETS) {
    const run = await evaluate(search, set.questions());
    runs.set(set.name, run);
    console.log(`${set.name}\n${formatRun(run)}`);
  }
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe.each(DEV_SETS.map((s) => s.name))('%s', (name) => {
  const floors = FLOORS[name];
  const run = () => runs.get(name) as EvalRun;
  const checks = [
    ...Object.entries(floors.overall).map(([metric, floor]) => ['overall', metric, floor] as const),
    ...Object.entries(floors.byKind).flatMap(([kind, f]) =>
      Object.entries(f).map(([metric, floor]) => [kind, metric, floor] as const),
    ),
  ];
  it.each(checks)('%s %s stays at or above %d', (scope, metric, floor) => {
    const m = scope === 'overall' ? run().overall : run().byKind[scope];
    expect(m?.[metric as keyof Metrics]).toBeGreaterThanOrEqual(floor as number);
  });

  it('leaves few answerable questions empty', () => {
    expect(run().overall.answerableEmpty).toBeLessThanOrEqual(EMPTY_CEILING[name]);
  });
});
