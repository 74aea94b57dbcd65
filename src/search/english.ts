import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { DATA_DIR } from '../catalog/catalog.ts';
import { GENERIC_WORDS, QUESTION_STOPWORDS, tokenize } from './text.ts';

/** Built by src/search/english-build.ts from word vectors; see there for the columns. */
export const ENGLISH_TABLE = path.join(DATA_DIR, 'english.tsv');
export const TABLE_VERSION = 1;

export interface EnglishWord {
  /** Frequency rank in English, 1 = most frequent; absent for a word rarer than the ranked ones. */
  rank?: number;
  /** 0–1: closeness to the role's vocabulary (1: a catalog word). */
  role: number;
  /** Catalog words of nearly the same meaning, closest first (only for words the catalog does not use). */
  near: { word: string; sim: number }[];
  /** The term of a topic outside the role this word sits right beside, if any. */
  off?: { term: string; sim: number };
}

/** Words of the catalog that carry meaning: what the table's `role` and `near` columns measure against. */
export function catalogWords(catalog: Pick<Catalog, 'entries' | 'synonyms' | 'concepts'>): string[] {
  const text = [
    ...catalog.entries.flatMap((e) => [e.title, e.description, ...e.aliases]),
    ...catalog.synonyms.flatMap((s) => [s.term, s.means]),
    ...catalog.concepts.flatMap((c) => c.terms),
  ];
  const filler = (w: string) => QUESTION_STOPWORDS.has(w) || GENERIC_WORDS.has(w) || w.length < 3;
  return [...new Set(text.flatMap((t) => tokenize(t)))].filter((w) => !filler(w)).sort();
}

/** What the table was built from: the catalog's words and the outside topics' terms. */
export function vocabularyHash(catalog: Pick<Catalog, 'entries' | 'synonyms' | 'concepts' | 'topics'>): string {
  const terms = [...new Set(catalog.topics.flatMap((t) => t.terms))].sort();
  return createHash('sha256')
    .update(catalogWords(catalog).join(' '))
    .update('\0')
    .update(terms.join('|'))
    .digest('hex')
    .slice(0, 16);
}

interface Table {
  text: string;
  /** Start of each line after the header; lines are sorted by word. */
  starts: Int32Array;
  header: string;
}

let table: Table | undefined;

/**
 * The table stays one string (~5 MB, one byte a character) with an index of line starts, searched by
 * bisection: no object per word, so its cost is its size. Loaded on first use (~30 ms).
 */
function load(): Table {
  if (table) return table;
  const text = readFileSync(ENGLISH_TABLE, 'latin1');
  const headerEnd = text.indexOf('\n');
  let n = 0;
  for (let i = headerEnd; i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  const starts = new Int32Array(n);
  let k = 0;
  for (let i = headerEnd; i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  table = { text, starts, header: text.slice(0, headerEnd) };
  return table;
}

export function englishTableHeader(): string {
  return load().header;
}

/** A word's line in the table, or undefined for a word too rare to be in it. */
export function englishWord(word: string): EnglishWord | undefined {
  const { text, starts } = load();
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = starts[mid] as number;
    const tab = text.indexOf('\t', start);
    const key = text.slice(start, tab);
    if (key === word) return parseLine(text.slice(tab + 1, text.indexOf('\n', tab)));
    if (key < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * True for a correctly spelt English word (~300k forms, names of the news included). Typo repair
 * leaves those alone: "dock" is not a misspelt "doc", nor "delayed" a misspelt "deployed".
 */
export function isEnglishWord(word: string): boolean {
  return englishWord(word) !== undefined;
}

function parseLine(rest: string): EnglishWord {
  const [rank = '', role = '0', near = '', off = ''] = rest.split('\t');
  const [offSim, offTerm] = off.split(':');
  return {
    rank: rank ? Number(rank) : undefined,
    role: Number(role) / 100,
    near: near
      ? near.split(',').map((pair) => {
          const [w = '', s = '0'] = pair.split(':');
          return { word: w, sim: Number(s) / 100 };
        })
      : [],
    off: offTerm ? { term: offTerm, sim: Number(offSim) / 100 } : undefined,
  };
}
