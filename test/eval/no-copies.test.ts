import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { tokenize } from '../../src/search/text.ts';
import { DEV_SETS } from './eval.ts';

// data/ must widen what the engine understands, never remember the dev questions: no phrase the
// engine is given (aliases, concepts, synonyms, outside topics) may hold four words in a row of a
// dev question. Shorter runs are the field's own terms ("learning to rank", "a/b tests").
const RUN = 4;

describe('data/ holds no dev question', () => {
  it(`shares no run of ${RUN} words with a dev question`, () => {
    const catalog = loadCatalog();
    const phrases = [
      ...catalog.entries.flatMap((e) => e.aliases),
      ...catalog.concepts.flatMap((c) => c.terms),
      ...catalog.synonyms.flatMap((s) => [s.term, s.means]),
      ...catalog.topics.flatMap((t) => t.terms),
    ];
    const runs = new Set<string>();
    for (const set of DEV_SETS) {
      for (const q of set.questions()) {
        const w = tokenize(q.question);
        for (let i = 0; i + RUN <= w.length; i++) runs.add(w.slice(i, i + RUN).join(' '));
      }
    }
    const copied = phrases.filter((p) => {
      const w = tokenize(p);
      for (let i = 0; i + RUN <= w.length; i++) if (runs.has(w.slice(i, i + RUN).join(' '))) return true;
      return false;
    });
    expect(copied).toEqual([]);
  });
});
