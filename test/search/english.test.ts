import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import {
  catalogWords,
  ENGLISH_TABLE,
  englishTableHeader,
  englishWord,
  TABLE_VERSION,
  vocabularyHash,
} from '../../src/search/english.ts';

describe('the English table (data/english.tsv)', () => {
  it('was built from the data/ of this commit (else: npx tsx src/search/english-build.ts)', () => {
    expect(englishTableHeader()).toMatch(new RegExp(`^#english ${TABLE_VERSION} ${vocabularyHash(loadCatalog())} `));
  });

  it('stays small', () => {
    expect(statSync(ENGLISH_TABLE).size).toBeLessThan(6 * 1024 * 1024);
  });

  it('finds every word of the file, first, last and between, and nothing else', () => {
    const lines = readFileSync(ENGLISH_TABLE, 'latin1').split('\n').slice(1).filter(Boolean);
    const words = lines.map((l) => l.split('\t')[0] as string);
    // Every word is found (whichever block of the index it falls in); a spread of them reads as the file says.
    expect(words.filter((w) => englishWord(w) === undefined)).toEqual([]);
    const sample = lines.filter((_, i) => i % 499 === 7 || i >= lines.length - 2);
    for (const line of sample) {
      const [word = '', ...rest] = line.split('\t');
      const found = englishWord(word);
      expect(found?.rank, word).toEqual(rest[0] ? Number(rest[0]) : undefined);
      expect(found?.near.map((n) => n.word).join(','), word).toBe(
        (rest[2] ?? '')
          .split(',')
          .filter(Boolean)
          .map((p) => p.split(':')[0])
          .join(','),
      );
    }
    const known = new Set(words);
    for (const w of ['', '0', 'aaaa0', `${words[0]}0`, `${words.at(-1)}z`, 'éclair', 'zzzzzzzzzz'].filter(
      (x) => !known.has(x),
    )) {
      expect(englishWord(w), w).toBeUndefined();
    }
  });

  it('ranks words by how common they are in English', () => {
    const rank = (w: string) => englishWord(w)?.rank ?? Number.POSITIVE_INFINITY;
    expect(rank('week')).toBeLessThan(rank('refund'));
    expect(rank('refund')).toBeLessThan(rank('sepsis'));
    expect(englishWord('qwzxv')).toBeUndefined();
    // a correctly spelt word rarer than the ranked ones is a word all the same
    expect(englishWord('zymurgy')).toEqual({ rank: undefined, role: 0, near: [], off: undefined });
  });

  it("marks the catalog's own words and leads other words to catalog words of like meaning", () => {
    expect(catalogWords(loadCatalog())).toContain('monitoring');
    expect(englishWord('monitoring')?.role).toBe(1);
    expect(englishWord('physicians')?.near.map((n) => n.word)).toContain('doctors');
    expect(englishWord('glitch')?.near.map((n) => n.word)).toContain('outage');
  });

  it('places words beside the outside topics they belong to', () => {
    expect(englishWord('salary')?.off?.term).toBe('salary');
    expect(englishWord('reimbursements')?.off?.term).toMatch(/reimburse|refund|expense/);
    expect(englishWord('monitoring')?.off).toBeUndefined();
  });
});
