import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchEngine } from '../../src/search/engine.ts';

export const DEV_SET = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dev-questions.tsv');

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
export function metrics(results: { q: EvalQuestion; ranked: string[] }[]): Metrics {
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
  const kinds = [...new Set(questions.map((q) => q.kind))];
  const byKind = Object.fromEntries(kinds.map((k) => [k, metrics(results.filter((r) => r.q.kind === k))]));
  return { overall: metrics(results), byKind, results };
}

export function formatRun(run: EvalRun): string {
  const f = (x: number) => (Number.isNaN(x) ? '   - ' : x.toFixed(3));
  const head = 'kind      n    top1   recall@3  MRR@5  none_rej  ans_empty';
  const line = (name: string, m: Metrics) =>
    `${name.padEnd(8)} ${String(m.n).padStart(3)}  ${f(m.top1)}   ${f(m.recall3)}   ${f(m.mrr5)}   ${f(m.noneRejected)}    ${f(m.answerableEmpty)}`;
  return [head, line('overall', run.overall), ...Object.entries(run.byKind).map(([k, m]) => line(k, m))].join('\n');
}
