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
  /** The file as read: one byte a character (the table is ASCII), lines sorted by word. */
  bytes: Buffer;
  /** Where the first line after the header starts. */
  first: number;
  header: string;
}

const NEWLINE = 10;
const TAB = 9;

let table: Table | undefined;

/**
 * The table stays the file's bytes (~4 MB), searched by bisection on byte offsets: no object per word, no line index
 * and no string copy of it, so its cost is its size. Loaded on first use.
 */
function load(): Table {
  if (table) return table;
  const bytes = readFileSync(ENGLISH_TABLE);
  const headerEnd = bytes.indexOf(NEWLINE);
  table = { bytes, first: headerEnd + 1, header: bytes.toString('latin1', 0, headerEnd) };
  return table;
}

export function englishTableHeader(): string {
  return load().header;
}

/** A word's line in the table, or undefined for a word too rare to be in it. */
export function englishWord(word: string): EnglishWord | undefined {
  const { bytes, first } = load();
  // Lines starting in [lo, hi) are left to search; lo is always a line's start.
  let lo = first;
  let hi = bytes.length;
  while (lo < hi) {
    let start = (lo + hi) >>> 1;
    while (start > lo && bytes[start - 1] !== NEWLINE) start--;
    // The line's word against `word`, character by character as `<` compares strings, without slicing it out.
    let i = 0;
    let order = 0;
    for (; ; i++) {
      const c = bytes[start + i] as number;
      const keyEnded = c === TAB || c === NEWLINE || start + i >= bytes.length;
      if (keyEnded || i === word.length) {
        order = keyEnded ? (i === word.length ? 0 : -1) : 1;
        break;
      }
      order = c - word.charCodeAt(i);
      if (order !== 0) break;
    }
    const end = bytes.indexOf(NEWLINE, start + i);
    if (order === 0) return parseLine(bytes.toString('latin1', start + i + 1, end === -1 ? bytes.length : end));
    if (order < 0) lo = end === -1 ? hi : end + 1;
    else hi = start;
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
