// What the search engine holds per process (the vocabulary: synonyms, topics outside the role, multi-word phrases,
// the typo-repair lexicon, corpus statistics) and the per-word lookups it remembers. All of it is a pure function of
// the synced catalog, read as one JSON document (see readVocabularyRows).
import { createHash } from 'node:crypto';
import { CATALOG_VERSION_SQL } from '../catalog/sync.ts';
import type { Queryable } from '../db/db.ts';
import { GENERIC_WORDS, QUESTION_STOPWORDS, tokenize } from './text.ts';

export interface AnalyzedWord {
  word: string;
  lexemes: string[];
  inLexicon: boolean;
}

async function analyze(db: Queryable, words: string[]): Promise<AnalyzedWord[]> {
  if (words.length === 0) return [];
  const rows = await db.query<{ word: string; lexemes: string[]; in_lexicon: boolean }>(
    `select x.word,
            tsvector_to_array(to_tsvector('english', x.word)) as lexemes,
            exists (select 1 from lexicon l where l.word = x.word)
              or exists (select 1 from term_stats s where s.lexeme = any(tsvector_to_array(to_tsvector('english', x.word))))
              as in_lexicon
     from unnest($1::text[]) as x(word)`,
    [words],
  );
  return rows.map((r) => ({ word: r.word, lexemes: r.lexemes, inLexicon: r.in_lexicon }));
}

/**
 * Typo repair against the catalog's own words: the one with the fewest edits (a transposition
 * counts as one), accepted within a budget that grows with the word's length; ties are broken
 * the same way in every process and on both engines.
 */
function nearestWord(word: string, byLength: ReadonlyMap<number, readonly string[]>): string | undefined {
  const budget = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: { w: string; d: number; prefix: number; sameLength: boolean } | undefined;
  for (let len = word.length - budget; len <= word.length + budget; len++) {
    // An indexed loop: it runs for every catalog word of about the word's length, and for…of allocated a result
    // object per word until the function was optimised.
    const list = byLength.get(len) ?? [];
    for (let k = 0; k < list.length; k++) {
      const w = list[k] as string;
      const d = editDistance(word, w, budget);
      if (d > budget) continue;
      const prefix = commonPrefix(word, w);
      // People rarely mistype a word's first letter: two or more edits that change it make a
      // different word ("fintech" is not a misspelt "biotech").
      if (d >= 2 && prefix === 0) continue;
      // Ties go to the word of the same length (a swap or a wrong key, the commonest slips), then to
      // the longer shared prefix, then to the alphabetically first.
      const sameLength = w.length === word.length;
      const better =
        !best ||
        d < best.d ||
        (d === best.d &&
          (sameLength !== best.sameLength
            ? sameLength
            : prefix > best.prefix || (prefix === best.prefix && w < best.w)));
      if (better) best = { w, d, prefix, sameLength };
    }
  }
  return best?.w;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The rows editDistance works in, shared by every call: nearestWord measures a word against every catalog word of
 * about its length, and three fresh arrays per call were a third of all an answer allocated. Grown, never shrunk.
 */
let distanceRows = [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)] as const;

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (distanceRows[0].length <= b.length) {
    const size = 2 * (b.length + 1);
    distanceRows = [new Uint8Array(size), new Uint8Array(size), new Uint8Array(size)];
  }
  // Three rolling rows (transpositions look two rows back); stop once a whole row exceeds `max`. Only the first
  // b.length + 1 cells are used: each row is written whole before it is read, and `back` is read from the third row on.
  let [back, prev, row] = distanceRows;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (back[j - 2] as number) + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const free = back;
    back = prev;
    prev = row;
    row = free;
  }
  return Math.min(prev[b.length] as number, max + 1);
}

interface Expansion {
  term: string;
  means: string;
  words: string[];
  /** The question words this synonym stands for. */
  units: string[];
  /** Where in the question's tokens they stand. */
  positions: number[];
}

/** Multi-word terms found in a question's tokens, each with what it means. */
interface PhraseIndex {
  expand(tokens: string[]): Expansion[];
}

/**
 * A phrase's leading verb as a person types it in the third person or the past: "keeps an eye on" and "kept an eye
 * on" are "keep an eye on". Only the first word of a multi-word synonym, where English puts the verb.
 */
function verbForms(word: string): string[] {
  const forms = [word];
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) forms.push(word.slice(0, -1));
  if (word.length > 4 && word.endsWith('ing')) forms.push(word.slice(0, -3));
  return forms;
}

function phraseIndex(rows: { term: string; means: string }[], options: { verbFirst?: boolean } = {}): PhraseIndex {
  const byFirst = new Map<string, { seq: string[]; term: string; means: string; words: string[] }[]>();
  for (const r of rows) {
    const seq = tokenize(r.term);
    const first = seq[0];
    if (!first) continue;
    const words = tokenize(r.means).filter((w) => !QUESTION_STOPWORDS.has(w));
    const list = byFirst.get(first) ?? [];
    list.push({ seq, term: r.term, means: r.means, words });
    byFirst.set(first, list);
  }
  return {
    expand(tokens) {
      const out: Expansion[] = [];
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i] ?? '';
        const firsts = options.verbFirst ? verbForms(token) : [token];
        const candidates = firsts.flatMap((f, k) => (byFirst.get(f) ?? []).filter((s) => k === 0 || s.seq.length > 1));
        for (const s of candidates) {
          if (s.seq.every((w, j) => j === 0 || tokens[i + j] === w)) {
            out.push({
              term: s.term,
              means: s.means,
              words: s.words,
              units: tokens.slice(i, i + s.seq.length),
              positions: s.seq.map((_, j) => i + j),
            });
          }
        }
      }
      return out;
    },
  };
}

/**
 * What the engine keeps in memory per process: the synonym table, the catalog's words for typo
 * repair, and each word's analysis (its lexemes, whether the catalog knows it). All of it is a
 * pure function of the synced catalog, so it is dropped by reload() and never goes stale within
 * a deployment; it saves two of the four queries a question used to cost.
 */
export interface Vocabulary {
  synonyms: PhraseIndex;
  /** Terms of the topics outside the role; `means` is the topic. */
  topics: PhraseIndex & { topicOf(term: string): string | undefined };
  /**
   * True when the token at `position` is part of a phrase of the catalog (an alias, a concept's term
   * or a synonym of two or more words) that the question contains, its words at most two apart.
   */
  inRolePhrase(tokens: string[], byWord: ReadonlyMap<string, AnalyzedWord>, position: number): boolean;
  analyze(words: string[]): Promise<Map<string, AnalyzedWord>>;
  repair(word: string): string | undefined;
  /** Corpus statistics BM25 needs, read once. */
  corpus: { docs: number; avgLen: number };
  /** Document frequency and idf of each lexeme the catalog has (absent: the catalog never uses it). */
  termStats(lexemes: string[]): Promise<Map<string, TermStat>>;
  /** A duty's aliases and concept terms of two or more lexemes (none for most duties of a large synthetic catalog). */
  phrasesOf(id: string): readonly AliasPhrase[];
}

export interface TermStat {
  df: number;
  idf: number;
  /** In some duty's title or description, not only in phrasings added around it. */
  core: boolean;
}

interface AliasPhrase {
  phrase: string;
  lexemes: string[];
}

const ANALYSIS_CACHE_LIMIT = 50_000;

/**
 * Everything the vocabulary is built from, as one JSON document read by one statement: all of it, and the catalog
 * version it belongs to, come from one snapshot of the database.
 */
const VOCABULARY_SQL = `select json_build_object(
  'version', ${CATALOG_VERSION_SQL},
  'synonyms', (select coalesce(json_agg(json_build_array(term, means)), '[]') from synonyms),
  'topics', (select coalesce(json_agg(json_build_array(term, topic)), '[]') from outside_topics),
  'dutyPhrases', (select coalesce(json_agg(json_build_array(p.duty_id, p.phrase, p.lexemes)), '[]')
    from duty_phrases p join duties d on d.id = p.duty_id and d.retired_at is null
    where p.kind in ('alias', 'concept') and cardinality(p.lexemes) >= 2),
  'synonymPhrases', (select coalesce(json_agg(l), '[]')
    from (select tsvector_to_array(to_tsvector('english', term)) as l from synonyms) s where cardinality(l) >= 2),
  'lexicon', (select coalesce(json_agg(word), '[]') from lexicon),
  'corpus', (select json_build_array(docs, avg_len) from corpus_stats where id = 1)
)::text as body`;

/** Changes with the query, so a snapshot that another build wrote is never read as this build's. */
const VOCABULARY_FORMAT = createHash('sha256').update(VOCABULARY_SQL).digest('hex').slice(0, 16);

interface VocabularyRows {
  /** The catalog version the rows were read at (null before the first sync). */
  version: string | null;
  synonyms: [term: string, means: string][];
  topics: [term: string, topic: string][];
  /** Aliases and concept terms of active duties, of two or more lexemes: a few thousand short arrays. */
  dutyPhrases: [dutyId: string, phrase: string, lexemes: string[]][];
  /** The lexemes of synonyms of two or more lexemes. */
  synonymPhrases: string[][];
  lexicon: string[];
  corpus: [docs: number, avgLen: number] | null;
}

/**
 * The vocabulary's rows from the snapshot table when it holds them for this catalog version and this build's query
 * (one short read: reading them afresh takes ~250 ms on the embedded database, most of a CLI question's own time),
 * otherwise read afresh and saved there for the next process.
 */
async function readVocabularyRows(db: Queryable): Promise<VocabularyRows> {
  const [saved] = await db.query<{ body: string }>(
    `select body from vocabulary_snapshot where id = 1 and format = $1 and version = ${CATALOG_VERSION_SQL}`,
    [VOCABULARY_FORMAT],
  );
  if (saved) return JSON.parse(saved.body) as VocabularyRows;
  const [fresh] = await db.query<{ body: string }>(VOCABULARY_SQL);
  const body = fresh?.body ?? '{}';
  const rows = JSON.parse(body) as VocabularyRows;
  if (rows.version !== null) {
    // Not written when another process synced a newer catalog meanwhile: its own readers save that one.
    await db
      .query(
        `insert into vocabulary_snapshot (id, format, version, body)
         select 1, $1, $2, $3 where $2 = ${CATALOG_VERSION_SQL}
         on conflict (id) do update
           set format = excluded.format, version = excluded.version, body = excluded.body, made_at = now()`,
        [VOCABULARY_FORMAT, rows.version, body],
      )
      // Only a speed-up: a database that refuses the write (read-only, a conflict) answers as well without it.
      .catch(() => {});
  }
  return rows;
}

export async function loadVocabulary(db: Queryable): Promise<Vocabulary> {
  const source = await readVocabularyRows(db);
  const synonyms = phraseIndex(
    source.synonyms.map(([term, means]) => ({ term, means })),
    { verbFirst: true },
  );
  const topicByTerm = new Map(source.topics);
  const topics = {
    ...phraseIndex(source.topics.map(([term, topic]) => ({ term, means: topic }))),
    topicOf: (term: string) => topicByTerm.get(term),
  };
  const phrasesByDuty = new Map<string, AliasPhrase[]>();
  for (const [dutyId, phrase, lexemes] of source.dutyPhrases) {
    const list = phrasesByDuty.get(dutyId) ?? [];
    list.push({ phrase, lexemes });
    phrasesByDuty.set(dutyId, list);
  }
  const phraseLexemes = [...source.dutyPhrases.map(([, , lexemes]) => lexemes), ...source.synonymPhrases];
  const phrasesByLexeme = new Map<string, string[][]>();
  const distinct = new Map(phraseLexemes.map((lexemes) => [sortedKey(lexemes), lexemes]));
  for (const lexemes of distinct.values()) {
    for (const l of lexemes) {
      const list = phrasesByLexeme.get(l) ?? [];
      list.push(lexemes);
      phrasesByLexeme.set(l, list);
    }
  }
  // Filler words are candidates too, so a misspelt one is recognised as filler.
  const words = new Set([...source.lexicon, ...QUESTION_STOPWORDS, ...GENERIC_WORDS]);
  const byLength = new Map<number, string[]>();
  for (const word of words) {
    if (word.length < 3 || !/^[a-z]+$/.test(word)) continue;
    const list = byLength.get(word.length) ?? [];
    list.push(word);
    byLength.set(word.length, list);
  }
  const repairs = new Map<string, string | undefined>();
  const corpus = { docs: Number(source.corpus?.[0] ?? 0), avgLen: Number(source.corpus?.[1] ?? 1) || 1 };
  return {
    synonyms,
    topics,
    inRolePhrase(tokens, byWord, position) {
      const at = (i: number) => byWord.get(tokens[i] ?? '')?.lexemes ?? [];
      for (const lexeme of at(position)) {
        for (const phrase of phrasesByLexeme.get(lexeme) ?? []) {
          const reach = phrase.length + 1;
          const found = phrase.every((l) => {
            for (let i = Math.max(0, position - reach); i <= Math.min(tokens.length - 1, position + reach); i++) {
              if (at(i).includes(l)) return true;
            }
            return false;
          });
          if (found) return true;
        }
      }
      return false;
    },
    corpus,
    termStats: remembered(async (lexemes) => {
      const rows = await db.query<{ lexeme: string; df: number; idf: number; core: boolean }>(
        'select lexeme, df, idf, core from term_stats where lexeme = any($1::text[])',
        [lexemes],
      );
      return rows.map((r) => [r.lexeme, { df: Number(r.df), idf: Number(r.idf), core: r.core }]);
    }),
    phrasesOf: (id) => phrasesByDuty.get(id) ?? [],
    analyze: remembered(async (ws) => (await analyze(db, ws)).map((a) => [a.word, a])),
    repair(word) {
      if (!repairs.has(word)) {
        if (repairs.size >= ANALYSIS_CACHE_LIMIT) repairs.clear();
        repairs.set(word, nearestWord(word, byLength));
      }
      return repairs.get(word);
    },
  };
}

/**
 * A batch lookup remembered per key, keys it found nothing for included, so each key is fetched once; the memory is
 * cleared whole rather than grown past ANALYSIS_CACHE_LIMIT keys. Returns what was found for the keys asked.
 */
function remembered<V>(
  load: (keys: string[]) => Promise<Iterable<readonly [string, V]>>,
): (keys: string[]) => Promise<Map<string, V>> {
  const known = new Map<string, V | undefined>();
  return async (keys) => {
    const missing = [...new Set(keys.filter((k) => !known.has(k)))];
    if (missing.length > 0) {
      if (known.size + missing.length > ANALYSIS_CACHE_LIMIT) known.clear();
      const found = new Map(await load(missing));
      for (const k of missing) known.set(k, found.get(k));
    }
    const out = new Map<string, V>();
    for (const k of keys) {
      const v = known.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  };
}

/**
 * The words in `sort()`'s order, joined by spaces. Phrases are a few words long, and Array#sort's own work arrays,
 * made anew for each of the catalog's thousands of phrases, were most of what loading the vocabulary allocated.
 */
function sortedKey(words: readonly string[]): string {
  const sorted = words.slice();
  for (let i = 1; i < sorted.length; i++) {
    const w = sorted[i] as string;
    let j = i - 1;
    for (; j >= 0 && (sorted[j] as string) > w; j--) sorted[j + 1] = sorted[j] as string;
    sorted[j + 1] = w;
  }
  return sorted.join(' ');
}
