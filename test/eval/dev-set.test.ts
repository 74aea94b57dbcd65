import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchEngine } from '../../src/search/engine.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type EvalRun, evaluate, formatRun } from './eval.ts';

// Floors just under what the engine reaches (see `npm run eval`), so quality cannot silently regress.
const FLOORS = { top1: 0.95, recall3: 0.98, mrr5: 0.96, noneRejected: 0.9 };
const CEILING = { answerableEmpty: 0.02 };

let t: TestDb;
let run: EvalRun;
beforeAll(async () => {
  t = await openTestDb();
  run = await evaluate(createSearchEngine(t.db));
  console.log(formatRun(run));
});
afterAll(async () => {
  await t.close();
});

describe('dev set', () => {
  it.each(Object.entries(FLOORS))('%s stays at or above its floor', (name, floor) => {
    expect(run.overall[name as keyof typeof FLOORS]).toBeGreaterThanOrEqual(floor);
  });

  it('leaves few answerable questions empty', () => {
    expect(run.overall.answerableEmpty).toBeLessThanOrEqual(CEILING.answerableEmpty);
  });

  it('answers every keyword question right', () => {
    expect(run.byKind.kw?.top1).toBe(1);
  });
});
