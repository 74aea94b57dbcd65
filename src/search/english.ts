import { createHash } from 'node:crypto';
import { fstatSync, openSync, readSync } from 'node:fs';
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
  /** The file, open for the process's life: a lookup reads the ~1 KB it needs, the page cache keeps the rest. */
  fd: number;
  size: number;
  header: string;
  /** The word of the first line after every STEP-th byte and where that line starts, for bisection (~4,000). */
  keys: string[];
  offsets: number[];
}

const NEWLINE = 10;
const TAB = 9;
/** Bytes between two entries of the index: one lookup reads about this many. */
const STEP = 1024;
const CHUNK = 64 * 1024;

let table: Table | undefined;

/**
 * The table (~4 MB, ~300k words) stays on disk: a sparse index in memory (~150 KB) and one positioned read of ~1 KB
 * per lookup, so a process keeps no copy of it (kept whole, it was 4 MiB of every process's resident memory). Read
 * once, in chunks, on first use.
 */
function load(): Table {
  if (table) return table;
  const fd = openSync(ENGLISH_TABLE, 'r');
  const size = fstatSync(fd).size;
  const keys: string[] = [];
  const offsets: number[] = [];
  const chunk = Buffer.alloc(CHUNK);
  let header = '';
  for (let pos = 0; pos < size; pos += CHUNK) {
    const bytes = chunk.subarray(0, readSync(fd, chunk, 0, Math.min(CHUNK, size - pos), pos));
    if (pos === 0) header = bytes.toString('latin1', 0, bytes.indexOf(NEWLINE));
    // The first line starting after each STEP-th byte (after the header's newline, at the chunk's start).
    for (let at = 0; at < bytes.length; at += STEP) {
      const newline = bytes.indexOf(NEWLINE, at);
      // A line running into the next chunk is that chunk's first entry.
      if (newline === -1) break;
      const start = pos + newline + 1;
      if (start >= size || start === offsets.at(-1)) continue;
      keys.push(keyAt(bytes, newline + 1) ?? readKey(fd, start, Buffer.alloc(128)));
      offsets.push(start);
    }
  }
  table = { fd, size, header, keys, offsets };
  return table;
}

/** The word of the line starting at `from`, or undefined when the chunk ends before the word does. */
function keyAt(bytes: Buffer, from: number): string | undefined {
  for (let end = from; end < bytes.length; end++) {
    if (bytes[end] === TAB || bytes[end] === NEWLINE) return bytes.toString('latin1', from, end);
  }
  return undefined;
}

/** The word of the line starting at `offset` (words are short: one small read). */
function readKey(fd: number, offset: number, buffer: Buffer): string {
  const bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, offset));
  return keyAt(bytes, 0) ?? bytes.toString('latin1');
}

export function englishTableHeader(): string {
  return load().header;
}

/** A word's line in the table, or undefined for a word too rare to be in it. */
export function englishWord(word: string): EnglishWord | undefined {
  const { fd, size, keys, offsets } = load();
  // The last indexed line whose word is not after `word`: the word, if anywhere, is in the block it starts.
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= word) lo = mid + 1;
    else hi = mid;
  }
  const at = lo - 1;
  if (at < 0) return undefined;
  const start = offsets[at] as number;
  const end = offsets[at + 1] ?? size;
  const block = Buffer.allocUnsafe(end - start);
  readSync(fd, block, 0, block.length, start);
  for (let from = 0; from < block.length; ) {
    const eol = block.indexOf(NEWLINE, from);
    const lineEnd = eol === -1 ? block.length : eol;
    const tab = block.indexOf(TAB, from);
    const keyEnd = tab === -1 || tab > lineEnd ? lineEnd : tab;
    if (keyEnd - from === word.length && block.toString('latin1', from, keyEnd) === word) {
      return parseLine(block.toString('latin1', Math.min(keyEnd + 1, lineEnd), lineEnd));
    }
    from = lineEnd + 1;
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
