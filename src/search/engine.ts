import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { englishWord, isEnglishWord } from './english.ts';
import {
  contentWords,
  GENERIC_WORDS,
  MAX_QUESTION_LENGTH,
  normalizeText,
  QUESTION_STOPWORDS,
  type QuestionIntent,
  questionIntent,
  tokenize,
} from './text.ts';
import { type AnalyzedWord, loadVocabulary, type TermStat, type Vocabulary } from './vocabulary.ts';

export interface Match {
  id: string;
  roleId: string;
  section: number;
  sectionTitle: string;
  title: string;
  description: string;
  /** 0–1: how well the question is answered by this duty; comparable across questions. */
  score: number;
  /** Question words, typo repairs, synonyms and aliases that hit this duty, for people to read. */
  why: string[];
}

export interface SearchResult {
  question: string;
  /** Best first; empty when there is no confident match. */
  matches: Match[];
  /** When there is no confident match: up to three near misses worth offering as "did you mean". */
  nearMisses: Match[];
  /** Words of the question the catalog does not know (after typo repair): part of why a question is rejected. */
  unknownWords: string[];
  /**
   * When the question is about a topic the role does not cover (pay, legal, IT support…): that
   * topic and the words that named it. Such a question gets no matches and no "did you mean".
   */
  outsideTopic?: { topic: string; words: string[]; share: number };
  /** Ranking features of the candidates, for calibration (only with `explain`). */
  explain?: {
    id: string;
    raw: number;
    coverage: number;
    matchedUnits: number;
    units: number;
    totalInfo: number;
    intent: QuestionIntent;
  }[];
}

export interface SearchOptions {
  limit?: number;
  /** Per-duty multipliers from feedback on this very question (👍 > 1, 👎 < 1). */
  adjustments?: ReadonlyMap<string, number>;
  explain?: boolean;
  /** The workspace asking: phrases its catalog keepers taught count as aliases of their duties, for it alone. */
  teamId?: string;
}

/** Tunables, calibrated on the dev set (see test/eval); exported so the evaluation can sweep them. */
const TUNING = {
  k1: 1.2,
  b: 0.75,
  /** Weight of a repaired typo relative to a word typed right. */
  repairWeight: 0.85,
  /** Weight of a synonym expansion relative to the word it came from. */
  synonymWeight: 0.6,
  /** A synonym meaning n words gives each of them weight / n^synonymSplit. */
  synonymSplit: 1,
  /**
   * Confidence: a question is answered when its best duty is hit by two or more of the
   * question's words with at least `minScore` (raw BM25) and `minCoverage` of its information;
   * by a single word only with `singleWordScore` and `singleWordCoverage`. A question after a
   * fact, time or how-to ("when is…", "what's the URL…") needs `factCoverage`.
   * Calibrated on the dev set (npm run eval); see README "Matching".
   */
  minScore: 4,
  minCoverage: 0.1,
  singleWordScore: 6,
  singleWordCoverage: 0.45,
  factCoverage: 0.9,
  /** Share of `minScore` (`singleWordScore`) forgiven to a question its best duty covers whole. */
  fullCoverageRelief: 0.3,
  singleWordRelief: 0.8,
  /** A single word this specific (its idf over the rarest word's) that carries this share of the question answers it. */
  specificWord: 0.9,
  specificCoverage: 0.7,
  /** Weight of a catalog word that general English places next to a word the catalog lacks (× cosine). */
  nearWeight: 0.4,
  /** A word counts as naming an outside topic when its vectors put it this close to one of the topic's terms. */
  offSim: 0.8,
  /** …and is what the question is about when those words carry this share of its information. */
  offShare: 0,
  offShareStory: 0.3,
  /** A question whose best duty covers this share of its information is about that duty all the same. */
  offOverride: 1.01,
  /**
   * Information of a word the catalog does not know, as a share of the rarest word's: it grows with
   * the word's rarity in English, from `fillerInfo` for the commonest words to 1 past `rareRank`.
   */
  fillerInfo: 0.15,
  /** How much a common English word the catalog has only in added phrasings loses of its weight (0–1). */
  rarityWeight: 0.5,
  commonRank: 300,
  rareRank: 20_000,
  /** How much the share of the question a duty covers weighs in its rank (0: BM25 alone). */
  coverageRank: 0.4,
  /** Bonus for a duty phrase the question holds whole, as a share of the phrase's words' idf. */
  phraseWeight: 0.25,
  /** Field weight of a taught phrase's words in its duty: that of data/'s aliases (catalog/sync.ts FIELD_WEIGHTS). */
  taughtTf: 0.8,
  /** Bonus for a taught phrase the question holds whole, as a share of its words' idf: a keeper said it means that duty. */
  taughtPhraseWeight: 1,
  /** Further results are shown only while they score at least this share of the best one. */
  relativeFloor: 0.35,
  candidates: 25,
  /**
   * In a large catalog a word in thousands of duties adds little to BM25 but costs a scan of
   * its whole posting list: such words are left out of scoring (the two rarest always stay).
   */
  maxPostings: 2000,
} as const;

type Tuning = { -readonly [K in keyof typeof TUNING]: number };

interface Term {
  lexeme: string;
  weight: number;
  /** What a person should read as the reason: the word typed, or "typo → fix", or "word ≈ synonym". */
  label: string;
  unit: string;
}

interface CandidateRow {
  id: string;
  role_id: string;
  score: number;
  hits: string[];
  section: number;
  section_title: string;
  title: string;
  description: string;
}

export interface SearchEngine {
  search(question: string, options?: SearchOptions): Promise<SearchResult>;
  /** Drops cached synonyms (and every workspace's taught phrases) after a catalog sync. */
  reload(): void;
}

export function createSearchEngine(db: Queryable, tuning: Partial<Tuning> = {}): SearchEngine {
  const t: Tuning = { ...TUNING, ...tuning };
  let vocabularyCache: Promise<Vocabulary> | undefined;
  const vocabulary = () => {
    vocabularyCache ??= loadVocabulary(db).catch((err) => {
      vocabularyCache = undefined;
      throw err;
    });
    return vocabularyCache;
  };

  // Each workspace's taught phrases, with the version they were read at (undefined: nothing taught).
  const overlays = new Map<string, { version: string; overlay: Promise<TaughtOverlay | undefined> }>();
  const overlayAt = (teamId: string, version: string): Promise<TaughtOverlay | undefined> => {
    const known = overlays.get(teamId);
    if (known?.version === version) return known.overlay;
    if (overlays.size >= OVERLAY_LIMIT) overlays.clear();
    const overlay =
      version === ''
        ? Promise.resolve(undefined)
        : vocabulary()
            .then((vocab) => loadOverlay(db, vocab, teamId, version))
            .then((o) => (o.phrases.length > 0 ? o : undefined));
    const entry = { version, overlay };
    overlays.set(teamId, entry);
    overlay.catch(() => {
      if (overlays.get(teamId) === entry) overlays.delete(teamId);
    });
    return overlay;
  };
  /** Where a search notes the workspace's version it read, in its scoring query or, without one, on its own. */
  const probe = (teamId?: string): VersionProbe => {
    const p: VersionProbe = {
      ...(teamId ? { teamId } : {}),
      async read() {
        if (teamId && p.version === undefined) p.version = await taughtVersion(db, teamId);
      },
    };
    return p;
  };

  /** One question against the catalog and, for a workspace, the phrases it taught (`taught`, as held). */
  const answer = async (
    rawQuestion: string,
    options: SearchOptions,
    taught: TaughtOverlay | undefined,
    seen: VersionProbe,
  ): Promise<SearchResult> => {
    const question = normalizeText(rawQuestion);
    if (question.length > MAX_QUESTION_LENGTH) {
      throw new AppError(
        'question_too_long',
        `The question is ${question.length} characters long; the limit is ${MAX_QUESTION_LENGTH}.`,
      );
    }
    const limit = Math.max(1, Math.min(options.limit ?? 5, 50));
    const empty: SearchResult = { question, matches: [], nearMisses: [], unknownWords: [] };
    const words = unique(contentWords(question));
    if (words.length === 0) return empty;

    const vocab = await vocabulary();
    const syn = vocab.synonyms;
    const tokens = tokenize(question);
    // "MLE" or "role" in a question is phrasing, not a topic: their synonyms are not evidence either.
    const expansions = syn.expand(tokens).filter((e) => !e.units.every((u) => QUESTION_STOPWORDS.has(u)));

    const byWord = await vocab.analyze(unique([...words, ...expansions.flatMap((e) => e.words)]));
    // A unit is one thing the question asks about: a word typed, with its repair and synonyms.
    const terms: Term[] = [];
    const unknown: string[] = [];
    const toRepair: string[] = [];
    // Words whose meaning is a guess (a typo repair): enough to answer with, not to suggest from.
    const guessed = new Set<string>();
    // Words the catalog lacks, with the catalog words general English puts beside them (soft evidence).
    const nearWords = new Map<string, { word: string; sim: number }[]>();
    for (const w of words) {
      const a = byWord.get(w);
      if (!a || a.lexemes.length === 0) continue; // an English stop word
      // A word of a phrase this workspace taught is a word of the catalog, for this workspace.
      if (a.inLexicon || a.lexemes.some((l) => taught?.lexemes.has(l))) {
        for (const lexeme of a.lexemes) terms.push({ lexeme, weight: 1, label: w, unit: w });
      } else if (GENERIC_WORDS.has(w)) {
        // filler the catalog does not use: neither evidence for a duty nor against one
      } else if (w.length >= 4 && /^\p{L}+$/u.test(w) && !isEnglishWord(w)) {
        toRepair.push(w);
      } else {
        unknown.push(w);
        for (const lexeme of a.lexemes) terms.push({ lexeme, weight: 1, label: w, unit: w });
        nearWords.set(w, englishWord(w)?.near ?? []);
      }
    }
    if (toRepair.length > 0) {
      const fixes = new Map(toRepair.map((w) => [w, vocab.repair(w)]));
      const fixed = await vocab.analyze(unique([...fixes.values()].filter((f): f is string => f !== undefined)));
      for (const w of toRepair) {
        const fix = fixes.get(w);
        // A misspelt filler word ("gettng") is still filler, not a catalog word one edit away.
        if (fix && (QUESTION_STOPWORDS.has(fix) || GENERIC_WORDS.has(fix))) continue;
        const lexemes = fix ? (fixed.get(fix)?.lexemes ?? []) : [];
        const r = fix && lexemes.length > 0 ? { fix, lexemes } : undefined;
        if (r) {
          for (const lexeme of r.lexemes) {
            terms.push({ lexeme, weight: t.repairWeight, label: `${w} → ${r.fix}`, unit: w });
          }
          guessed.add(w);
          for (const e of syn.expand([r.fix])) expansions.push({ ...e, units: [w] });
        } else {
          unknown.push(w);
          for (const lexeme of byWord.get(w)?.lexemes ?? []) terms.push({ lexeme, weight: 1, label: w, unit: w });
        }
      }
    }
    const nearTargets = [...nearWords.values()].flat().map((n) => n.word);
    const missing = unique([...expansions.flatMap((e) => e.words), ...nearTargets].filter((w) => !byWord.has(w)));
    for (const [w, a] of await vocab.analyze(missing)) byWord.set(w, a);
    for (const e of expansions) {
      const units = e.units.filter((u) => words.includes(u));
      // One question word stands for the whole phrase it means: "logs" ≈ "trace files error
      // diagnostics" must not weigh as four words, so the phrase shares the synonym's weight.
      const weight = t.synonymWeight / Math.max(1, e.words.length) ** t.synonymSplit;
      for (const w of e.words) {
        for (const lexeme of byWord.get(w)?.lexemes ?? []) {
          const label = `${e.term} ≈ ${e.means}`;
          if (units.length === 0) terms.push({ lexeme, weight, label, unit: e.term });
          for (const unit of units) terms.push({ lexeme, weight, label, unit });
        }
      }
    }
    for (const [w, near] of nearWords) {
      for (const n of near) {
        for (const lexeme of byWord.get(n.word)?.lexemes ?? []) {
          terms.push({ lexeme, weight: t.nearWeight * n.sim, label: `${w} ~ ${n.word}`, unit: w });
        }
      }
    }
    // Taught phrases the question holds whole: their words are in the role's sense, whatever topic they name.
    const held = taught ? heldPhrases(taught, words, byWord) : [];
    const heldLexemes = new Set(held.flatMap((p) => p.lexemes));
    const taughtAt = (i: number) => (byWord.get(tokens[i] ?? '')?.lexemes ?? []).some((l) => heldLexemes.has(l));
    const outsideTopic = outside(vocab, tokens, words, byWord, t, taughtAt);
    if (terms.length === 0) {
      await seen.read();
      return { ...empty, unknownWords: unknown };
    }

    // One weight per lexeme for scoring: the strongest way the question reached it.
    const best = new Map<string, Term>();
    for (const term of terms) {
      const prev = best.get(term.lexeme);
      if (!prev || term.weight > prev.weight) best.set(term.lexeme, term);
    }
    const { rows, idf, maxIdf, taughtVersion } = await score(db, vocab, [...best.values()], t, seen.teamId);
    if (taughtVersion !== undefined) seen.version = taughtVersion;
    else await seen.read();
    if (taught) addTaught(taught, rows, idf, maxIdf, best, vocab.corpus, t);
    // Co-occurrence: a question holding every word of one of a duty's phrases ("plans change",
    // "model registry") says more than the same words scattered over several duties' texts. The
    // bonus is the best such phrase's idf.
    const typed = new Set(terms.filter((x) => x.weight >= t.repairWeight).map((x) => x.lexeme));
    // Plain loops here and in the ranking below: they run for every candidate duty of every question, and the
    // closures and copies of the array methods were a good part of what an answer allocated.
    const idfSum = (lexemes: readonly string[]) => {
      let sum = 0;
      for (const l of lexemes) sum += idf.get(l) ?? 0;
      return sum;
    };
    const taughtIdf = (id: string) => {
      let most = 0;
      for (const p of held) if (p.dutyId === id) most = Math.max(most, idfSum(p.lexemes));
      return most;
    };
    const phraseIdf = (id: string) => {
      let most = 0;
      for (const p of vocab.phrasesOf(id)) if (allIn(p.lexemes, typed)) most = Math.max(most, idfSum(p.lexemes));
      return most;
    };

    // Information in the question: the idf of each unit; a word the catalog has never seen
    // counts as the most informative kind, which is what makes "wifi password" fall out.
    const units = new Map<string, Set<string>>();
    for (const term of terms) {
      const set = units.get(term.unit) ?? new Set<string>();
      set.add(term.lexeme);
      units.set(term.unit, set);
    }
    const unitInfo = new Map<string, number>();
    for (const [unit, lexemes] of units) {
      const known = [...lexemes].map((l) => idf.get(l)).filter((x): x is number => x !== undefined);
      unitInfo.set(unit, known.length > 0 ? Math.max(...known) : maxIdf * rarity(unit, t));
    }
    const totalInfo = [...unitInfo.values()].reduce((s, x) => s + x, 0);
    // The units once, in their order, as arrays, for the loop over candidates.
    const unitList = [...units].map(([unit, lexemes]) => ({
      lexemes: [...lexemes],
      info: unitInfo.get(unit) ?? 0,
      typed: !guessed.has(unit),
    }));

    const ranked = rows
      .map((r) => {
        let covered = 0;
        let matchedUnits = 0;
        let strongest = 0;
        let typedHit = false;
        for (const u of unitList) {
          if (anyIn(u.lexemes, r.hits)) {
            covered += u.info;
            strongest = Math.max(strongest, u.info / maxIdf);
            matchedUnits++;
            if (u.typed) typedHit = true;
          }
        }
        const coverage = totalInfo > 0 ? covered / totalInfo : 0;
        // A duty that answers more of the question ranks above one that answers a part of it loudly.
        const fit = 1 - t.coverageRank + t.coverageRank * coverage;
        const bonus = t.phraseWeight * phraseIdf(r.id) + (held.length > 0 ? t.taughtPhraseWeight * taughtIdf(r.id) : 0);
        const raw = (r.score + bonus) * fit * (options.adjustments?.get(r.id) ?? 1);
        return { row: r, raw, coverage, matchedUnits, strongest, typedHit };
      })
      .sort((a, b) => b.raw - a.raw || a.row.id.localeCompare(b.row.id));

    const top = ranked[0];
    const intent = questionIntent(question);
    const toMatch = (c: (typeof ranked)[number]): Match => ({
      id: c.row.id,
      roleId: c.row.role_id,
      section: c.row.section,
      sectionTitle: c.row.section_title,
      title: c.row.title,
      description: c.row.description,
      // Monotone in the rank: strength of the match, scaled by how much of the question the best duty answers.
      score: round3((c.raw / (c.raw + 2 * t.minScore)) * (0.5 + 0.5 * (top?.coverage ?? 0))),
      // Only for the duties shown: most candidates never are.
      why: unique(c.row.hits.map((l) => best.get(l)?.label ?? l)),
    });
    const explain = options.explain
      ? ranked.slice(0, 25).map((c) => ({
          id: c.row.id,
          raw: c.raw,
          coverage: c.coverage,
          matchedUnits: c.matchedUnits,
          units: units.size,
          totalInfo,
          intent,
        }))
      : undefined;
    // A question about an outside topic is refused unless the rest of it plainly asks for a duty:
    // "who files the patent on the ranking algorithm?" is about the patent.
    // A story with no question in it ("our hotel site's search…") names its business in passing:
    // there the outside words must carry a good part of what is said.
    const minShare = intent === 'neutral' ? t.offShareStory : t.offShare;
    const offTopic =
      outsideTopic !== undefined && outsideTopic.share >= minShare && !(top && top.coverage >= t.offOverride);
    if (offTopic) return { ...empty, unknownWords: unknown, outsideTopic, explain };
    const confident = top !== undefined && isConfident(top, intent, t);
    if (!confident) {
      // "Did you mean" only for duties hit by a word as typed: "wifi" is not a misspelt "wiki".
      const near = ranked.filter((c) => c.typedHit && c.raw >= t.minScore * 0.5).slice(0, 3);
      return { question, matches: [], nearMisses: near.map(toMatch), unknownWords: unknown, outsideTopic, explain };
    }
    const matches = ranked
      .filter((c) => c.raw >= top.raw * t.relativeFloor)
      .slice(0, limit)
      .map(toMatch);
    addPhraseHits(vocab, matches, new Set(best.keys()), held);
    return { question, matches, nearMisses: [], unknownWords: unknown, outsideTopic, explain };
  };

  return {
    reload() {
      vocabularyCache = undefined;
      overlays.clear();
    },
    async search(rawQuestion, options = {}) {
      const teamId = options.teamId;
      if (!teamId) return answer(rawQuestion, options, undefined, probe());
      // The workspace's phrases as this process holds them; the scoring query reads the workspace's version too (no
      // extra round trip), and when it moved the question is answered again with the phrases as they are now.
      const known = overlays.get(teamId);
      const used = known ? await known.overlay : undefined;
      const seen = probe(teamId);
      const first = await answer(rawQuestion, options, used, seen);
      if (seen.version === undefined || seen.version === known?.version) return first;
      const fresh = await overlayAt(teamId, seen.version);
      if (!fresh && !used) return first;
      return answer(rawQuestion, options, fresh, probe());
    },
  };
}

/** Aliases the question contains whole, shown in `why`: "watch models in prod" says more than "models". */
function addPhraseHits(
  vocab: Vocabulary,
  matches: Match[],
  lexemes: ReadonlySet<string>,
  taught: readonly TaughtPhrase[],
): void {
  if (matches.length === 0) return;
  for (const m of matches) {
    for (const p of taught) if (p.dutyId === m.id) m.why.push(`“${p.phrase}” (taught here)`);
    const hits = vocab
      .phrasesOf(m.id)
      .filter((p) => p.lexemes.every((l) => lexemes.has(l)))
      .sort((x, y) => y.lexemes.length - x.lexemes.length || x.phrase.localeCompare(y.phrase))
      .slice(0, 2);
    m.why.push(...hits.map((p) => `“${p.phrase}”`));
  }
}

function isConfident(
  c: { raw: number; coverage: number; matchedUnits: number; strongest: number },
  intent: QuestionIntent,
  t: Tuning,
): boolean {
  if (intent === 'fact') return c.matchedUnits >= 2 && c.coverage >= t.factCoverage;
  // A short question the duty answers whole ("modle monitoirng") needs less score than a long one it half answers.
  const fullness = Math.min(1, Math.max(0, (c.coverage - 0.5) / 0.5));
  if (c.matchedUnits >= 2)
    return c.raw >= t.minScore * (1 - t.fullCoverageRelief * fullness) && c.coverage >= t.minCoverage;
  if (c.coverage < t.singleWordCoverage) return false;
  // One word that names a single thing of the field ("Tecton", "lidar") and is most of the question is enough.
  if (c.strongest >= t.specificWord && c.coverage >= t.specificCoverage) return true;
  return c.raw >= t.singleWordScore * (1 - t.singleWordRelief * fullness);
}

/** What an ML team builds and runs: the head of a phrase whose other words say what it is about. */
const ML_ARTEFACTS = new Set(
  'model models classifier classifiers detector detectors dataset datasets data pipeline pipelines predictions forecast forecasts recommender embeddings features scoring scores ranker'.split(
    ' ',
  ),
);

/**
 * Information in a word the catalog never uses, as a share of the rarest word's: "week" or "friend"
 * tell little about what is asked, "vpn" or "sepsis" a lot. From the word's frequency rank in English.
 */
function rarity(word: string, t: Tuning): number {
  const rank = englishWord(word)?.rank;
  if (rank === undefined) return 1;
  const x = (Math.log(rank) - Math.log(t.commonRank)) / (Math.log(t.rareRank) - Math.log(t.commonRank));
  return t.fillerInfo + (1 - t.fillerInfo) * Math.min(1, Math.max(0, x));
}

/**
 * The topic outside the role that the question is about, if any: a term of data/topics.json in the
 * question ("invoice", "parental leave"), or a word the catalog does not use that word vectors put
 * right beside one ("reimbursement" by "refund"). A word inside a phrase of the catalog is in the
 * role's sense ("data contract" is not a legal contract), and so is a word the catalog defines.
 */
function outside(
  vocab: Vocabulary,
  tokens: string[],
  words: string[],
  byWord: ReadonlyMap<string, AnalyzedWord>,
  t: Tuning,
  taughtAt: (position: number) => boolean,
): SearchResult['outsideTopic'] {
  const inRole = (i: number) => vocab.inRolePhrase(tokens, byWord, i) || taughtAt(i);
  const hits: { topic: string; word: string }[] = [];
  // "the contract-clause classifier", "invoice data": a word naming what a model works on is context.
  const modifier = (i: number) => {
    for (const w of tokens.slice(i + 1, i + 3)) {
      if (ML_ARTEFACTS.has(w)) return true;
      if (GENERIC_WORDS.has(w) || QUESTION_STOPWORDS.has(w)) return false;
    }
    return false;
  };
  const outsideSense = (i: number) => !inRole(i) && !modifier(i);
  for (const e of vocab.topics.expand(tokens)) {
    // A topic's own phrase ("hiring pipeline") says what it is about: its last word is no ML artefact there.
    const sense = e.term.includes(' ') ? (i: number) => !inRole(i) : outsideSense;
    if (e.positions.some(sense)) hits.push({ topic: e.means, word: e.term });
  }
  for (const w of words) {
    if (hits.some((h) => h.word === w) || byWord.get(w)?.inLexicon !== false) continue;
    const found = englishWord(w);
    const off = found?.off;
    if (off && off.sim >= t.offSim && off.sim > found.role && tokens.some((tok, i) => tok === w && outsideSense(i))) {
      const topic = vocab.topics.topicOf(off.term);
      if (topic) hits.push({ topic, word: w });
    }
  }
  const first = hits[0];
  if (!first) return undefined;
  // How much of what the question says names the outside topic: each word weighs its rarity in English.
  const offWords = new Set(hits.flatMap((h) => tokenize(h.word)));
  const weigh = (ws: string[]) => ws.reduce((sum, w) => sum + rarity(w, t), 0);
  const topical = tokens.filter((w) => !QUESTION_STOPWORDS.has(w) && !GENERIC_WORDS.has(w));
  const share = weigh(topical.filter((w) => offWords.has(w))) / Math.max(1e-9, weigh(topical));
  return { topic: first.topic, words: [...offWords], share };
}

async function score(
  db: Queryable,
  vocab: Vocabulary,
  terms: Term[],
  t: Tuning,
  teamId?: string,
): Promise<{ rows: CandidateRow[]; idf: Map<string, number>; maxIdf: number; taughtVersion?: string }> {
  const { docs, avgLen } = vocab.corpus;
  const maxIdf = Math.log(1 + (docs - 0.5) / 1.5);
  const stats = await vocab.termStats(terms.map((q) => q.lexeme));
  const known = terms.filter((q) => stats.has(q.lexeme));
  // A common English word the catalog has only in added phrasings ("nobody owns it") is weak evidence.
  const idf = new Map(
    known.map((q) => {
      const s = stats.get(q.lexeme) as TermStat;
      return [q.lexeme, s.core || q.label !== q.unit ? s.idf : s.idf * (1 - t.rarityWeight * (1 - rarity(q.unit, t)))];
    }),
  );
  // The two rarest words always count; others only while their posting lists stay short.
  const cap = Math.max(t.maxPostings, docs * 0.02);
  const byRarity = [...known].sort(
    (x, y) => (stats.get(x.lexeme)?.df ?? 0) - (stats.get(y.lexeme)?.df ?? 0) || x.lexeme.localeCompare(y.lexeme),
  );
  const scored = byRarity.filter((q, i) => i < 2 || (stats.get(q.lexeme)?.df ?? 0) <= cap);
  if (scored.length === 0) return { rows: [], idf, maxIdf };
  // For a workspace, its taught phrases' version rides along (see search()).
  const version = teamId ? ', (select version::text from taught_versions where team_id = $7) as taught_version' : '';
  const rows = await db.query<CandidateRow & { taught_version?: string | null }>(
    `with scored as (
       select t.duty_id,
              sum(x.wi * t.tf * ($3::float8 + 1)
                  / (t.tf + $3::float8 * (1 - $4::float8 + $4::float8 * t.doc_len / $5::float8))) as score,
              array_agg(x.lexeme) as hits
       from unnest($1::text[], $2::float8[]) as x(lexeme, wi)
       join duty_terms t on t.lexeme = x.lexeme
       group by t.duty_id
       order by score desc, t.duty_id
       limit $6
     )
     select s.duty_id as id, d.role_id, s.score, s.hits, d.section, sec.title as section_title, d.title, d.description${version}
     from scored s
     join duties d on d.id = s.duty_id and d.retired_at is null
     join sections sec on sec.role_id = d.role_id and sec.number = d.section
     order by s.score desc, s.duty_id`,
    [
      scored.map((q) => q.lexeme),
      scored.map((q) => q.weight * (idf.get(q.lexeme) as number)),
      t.k1,
      t.b,
      avgLen,
      t.candidates,
      ...(teamId ? [teamId] : []),
    ],
  );
  const first = rows[0];
  // In place rather than copied: the rows are this query's own. Their taught_version stays on them, unread.
  for (const r of rows) r.score = Number(r.score);
  return {
    rows,
    idf,
    maxIdf,
    ...(teamId && first ? { taughtVersion: first.taught_version ?? '' } : {}),
  };
}

/** Whether every one of `xs` is in `set`. */
function allIn(xs: readonly string[], set: ReadonlySet<string>): boolean {
  for (const x of xs) if (!set.has(x)) return false;
  return true;
}

/** Whether any of `xs` is among `ys` (both a handful of lexemes: a scan beats building a set). */
function anyIn(xs: readonly string[], ys: readonly string[]): boolean {
  for (const x of xs) if (ys.includes(x)) return true;
  return false;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A phrase one workspace's keepers taught a duty, as lexemes of its content words. */
interface TaughtPhrase {
  dutyId: string;
  phrase: string;
  lexemes: string[];
}

/**
 * One workspace's taught phrases, held per process and read again whenever the workspace's version moves (every teach
 * and untaught bumps it): indexed like an alias of their duty for that workspace's questions only, the global index
 * and its statistics untouched.
 */
interface TaughtOverlay {
  version: string;
  phrases: TaughtPhrase[];
  lexemes: Set<string>;
  /** Each taught duty as a candidate row, for a question no global word brings it in for. */
  duties: Map<string, Omit<CandidateRow, 'score' | 'hits'> & { docLen: number }>;
}

/** Workspaces whose taught phrases a process holds at once (the memory is cleared whole past it). */
const OVERLAY_LIMIT = 1000;

async function loadOverlay(db: Queryable, vocab: Vocabulary, teamId: string, version: string): Promise<TaughtOverlay> {
  const rows = await db.query<{
    duty_id: string;
    phrase: string;
    role_id: string;
    section: number;
    section_title: string;
    title: string;
    description: string;
    doc_len: number | null;
  }>(
    `select a.duty_id, a.phrase, d.role_id, d.section, sec.title as section_title, d.title, d.description,
            (select max(t.doc_len) from duty_terms t where t.duty_id = a.duty_id) as doc_len
     from taught_aliases a
     join duties d on d.id = a.duty_id and d.retired_at is null
     join sections sec on sec.role_id = d.role_id and sec.number = d.section
     where a.team_id = $1
     order by a.duty_id, a.phrase_norm`,
    [teamId],
  );
  const words = rows.map((r) => unique(contentWords(r.phrase)));
  const analyzed = await vocab.analyze(unique(words.flat()));
  const phrases: TaughtPhrase[] = [];
  const duties: TaughtOverlay['duties'] = new Map();
  rows.forEach((r, i) => {
    const lexemes = unique((words[i] ?? []).flatMap((w) => analyzed.get(w)?.lexemes ?? []));
    if (lexemes.length === 0) return;
    phrases.push({ dutyId: r.duty_id, phrase: r.phrase, lexemes });
    duties.set(r.duty_id, {
      id: r.duty_id,
      role_id: r.role_id,
      section: r.section,
      section_title: r.section_title,
      title: r.title,
      description: r.description,
      docLen: Number(r.doc_len ?? 0),
    });
  });
  return { version, phrases, lexemes: new Set(phrases.flatMap((p) => p.lexemes)), duties };
}

/** Taught phrases every word of which the question holds (in any order). */
function heldPhrases(
  taught: TaughtOverlay,
  words: string[],
  byWord: ReadonlyMap<string, AnalyzedWord>,
): TaughtPhrase[] {
  const lexemes = new Set(words.flatMap((w) => byWord.get(w)?.lexemes ?? []));
  return taught.phrases.filter((p) => p.lexemes.every((l) => lexemes.has(l)));
}

/**
 * BM25 of the taught phrases' words, added to their duties' scores as an alias field would add it (each word once per
 * duty): the duty joins the candidates when no word of the catalog brought it in. A word only taught phrases use
 * counts as the rarest kind.
 */
function addTaught(
  taught: TaughtOverlay,
  rows: CandidateRow[],
  idf: Map<string, number>,
  maxIdf: number,
  best: ReadonlyMap<string, Term>,
  corpus: { avgLen: number },
  t: Tuning,
): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const done = new Set<string>();
  for (const p of taught.phrases) {
    for (const lexeme of p.lexemes) {
      const term = best.get(lexeme);
      const key = `${p.dutyId}\u0000${lexeme}`;
      if (!term || done.has(key)) continue;
      done.add(key);
      const duty = taught.duties.get(p.dutyId);
      if (!duty) continue;
      let row = byId.get(p.dutyId);
      if (!row) {
        const { docLen: _, ...fields } = duty;
        row = { ...fields, score: 0, hits: [] };
        rows.push(row);
        byId.set(p.dutyId, row);
      }
      if (!idf.has(lexeme)) idf.set(lexeme, maxIdf);
      const len = duty.docLen > 0 ? duty.docLen : corpus.avgLen;
      const tf = t.taughtTf;
      row.score +=
        (term.weight * (idf.get(lexeme) as number) * tf * (t.k1 + 1)) /
        (tf + t.k1 * (1 - t.b + (t.b * len) / corpus.avgLen));
      if (!row.hits.includes(lexeme)) row.hits.push(lexeme);
    }
  }
}

/** A search's view of its workspace's taught-phrase version: read by the scoring query, or on its own without one. */
interface VersionProbe {
  teamId?: string;
  /** '' when the workspace never taught anything; undefined until read. */
  version?: string;
  read(): Promise<void>;
}

async function taughtVersion(db: Queryable, teamId: string): Promise<string> {
  const rows = await db.query<{ version: string }>(
    'select version::text as version from taught_versions where team_id = $1',
    [teamId],
  );
  return rows[0]?.version ?? '';
}
