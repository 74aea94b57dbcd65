import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchEngine } from '../../src/search/engine.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEV_SET = path.join(HERE, 'dev-questions.tsv');
/** Copies of ../shared/eval's public dev sets: the original (para, kw, typo, who, long, none) and v2 (chat, jargon, situation, none). */
const DEV_SET_V2 = path.join(HERE, 'dev-v2.tsv');
export const DEV_SETS = [
  { name: 'dev-questions', questions: () => loadQuestions(DEV_SET) },
  { name: 'dev-v2', questions: () => loadQuestions(DEV_SET_V2) },
] as const;
/**
 * Our own questions of dev-v2's kinds, written after the engine's data and never tuned on: a check
 * that the engine understands phrasing nobody wrote into data/ (small, so its figures are coarse).
 */
export const FRESH_SET = {
  name: 'fresh (ours)',
  questions: () => loadQuestions(path.join(HERE, 'fresh-questions.tsv')),
};
/** A second set of our own, written after a change to the engine: its misses guided the next vocabulary. */
export const FRESH_SET_2 = {
  name: 'fresh-2 (ours)',
  questions: () => loadQuestions(path.join(HERE, 'fresh-questions-2.tsv')),
};
/** A third set, written after the vocabulary that fresh-2 guided and never tuned on. */
export const FRESH_SET_3 = {
  name: 'fresh-3 (ours, unseen)',
  questions: () => loadQuestions(path.join(HERE, 'fresh-questions-3.tsv')),
};

/**
 * Responsibility lines in the style of public job postings (ours, written from the field's usual phrasing, none
 * copied from a posting), and posting boilerplate that is no duty (benefits, degrees, hiring): how the engine reads
 * text that nobody wrote as a question. The first set was tuned on (topics.json's posting boilerplate), the second
 * was written afterwards and measured once before one more fix (a topic's own phrase is never an ML artefact).
 */
export const POSTING_SETS = [
  { name: 'postings (ours, tuned on)', questions: () => loadQuestions(path.join(HERE, 'postings.tsv')) },
  { name: 'postings-2 (ours)', questions: () => loadQuestions(path.join(HERE, 'postings-2.tsv')) },
] as const;

export interface EvalQuestion {
  id: string;
  kind: string;
  question: string;
  gold: string[];
}

export function loadQuestions(file = DEV_SET): EvalQuestion[] {
  const [header, ...rows] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  if (header !== 'id\tkind\tquestion\tgold') throw new Error(`${file}: unexpected header`);
  return rows.map((row) => {
    const [id = '', kind = '', question = '', gold = ''] = row.split('\t');
    return { id, kind, question, gold: gold ? gold.split('|') : [] };
  });
}

export interface Metrics {
  n: number;
  top1: number;
  recall3: number;
  mrr5: number;
  noneRejected: number;
  answerableEmpty: number;
}

export interface EvalRun {
  overall: Metrics;
  byKind: Record<string, Metrics>;
  results: { q: EvalQuestion; ranked: string[] }[];
}

/** The metrics exactly as ../shared/eval/README.md defines them. */
function metrics(results: { q: EvalQuestion; ranked: string[] }[]): Metrics {
  const answerable = results.filter((r) => r.q.gold.length > 0);
  const none = results.filter((r) => r.q.gold.length === 0);
  const share = (xs: unknown[], n: number) => (n === 0 ? Number.NaN : xs.length / n);
  const rank = (r: { q: EvalQuestion; ranked: string[] }) =>
    r.ranked.slice(0, 5).findIndex((id) => r.q.gold.includes(id)) + 1;
  return {
    n: results.length,
    top1: share(
      answerable.filter((r) => r.ranked[0] !== undefined && r.q.gold.includes(r.ranked[0])),
      answerable.length,
    ),
    recall3: share(
      answerable.filter((r) => r.ranked.slice(0, 3).some((id) => r.q.gold.includes(id))),
      answerable.length,
    ),
    mrr5:
      answerable.length === 0
        ? Number.NaN
        : answerable.reduce((s, r) => s + (rank(r) > 0 ? 1 / rank(r) : 0), 0) / answerable.length,
    noneRejected: share(
      none.filter((r) => r.ranked.length === 0),
      none.length,
    ),
    answerableEmpty: share(
      answerable.filter((r) => r.ranked.length === 0),
      answerable.length,
    ),
  };
}

export async function evaluate(search: SearchEngine, questions = loadQuestions()): Promise<EvalRun> {
  const results: EvalRun['results'] = [];
  for (const q of questions) {
    const r = await search.search(q.question, { limit: 5 });
    results.push({ q, ranked: r.matches.map((m) => m.id) });
  }
  return summarize(results);
}

function summarize(results: EvalRun['results']): EvalRun {
  const kinds = [...new Set(results.map((r) => r.q.kind))];
  const byKind = Object.fromEntries(kinds.map((k) => [k, metrics(results.filter((r) => r.q.kind === k))]));
  return { overall: metrics(results), byKind, results };
}

/**
 * The run split by the parity of each id's number: tune on one half, check on the other, so a
 * change that only fits the questions it was tuned on shows as a gap between the halves.
 */
export function halves(run: EvalRun): { 'odd ids': EvalRun; 'even ids': EvalRun } {
  const odd = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? 0) % 2 === 1;
  return {
    'odd ids': summarize(run.results.filter((r) => odd(r.q.id))),
    'even ids': summarize(run.results.filter((r) => !odd(r.q.id))),
  };
}

const f = (x: number) => (Number.isNaN(x) ? '   - ' : x.toFixed(3));
const line = (name: string, m: Metrics) =>
  `${name.padEnd(8)} ${String(m.n).padStart(3)}  ${f(m.top1)}   ${f(m.recall3)}   ${f(m.mrr5)}   ${f(m.noneRejected)}    ${f(m.answerableEmpty)}`;

/** A table of the overall figures, then one line per kind (`perKind` false: the overall line alone). */
export function formatRun(run: EvalRun, perKind = true): string {
  const head = 'kind      n    top1   recall@3  MRR@5  none_rej  ans_empty';
  if (!perKind) return line('', run.overall).slice(8);
  return [head, line('overall', run.overall), ...Object.entries(run.byKind).map(([k, m]) => line(k, m))].join('\n');
}

/** A question the run got wrong: an answerable one whose first result is not gold, or a `none` one answered. */
function isMiss(r: EvalRun['results'][number]): boolean {
  return r.q.gold.length === 0 ? r.ranked.length > 0 : !(r.ranked[0] !== undefined && r.q.gold.includes(r.ranked[0]));
}

export function formatMisses(run: EvalRun): string {
  return run.results
    .filter(isMiss)
    .map(
      ({ q, ranked }) =>
        `MISS ${q.id}\t${q.question}\n     gold=${q.gold.join('|') || '-'}\n     got=${ranked.slice(0, 3).join(' | ') || '-'}`,
    )
    .join('\n');
}
