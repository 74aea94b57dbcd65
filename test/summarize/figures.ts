/**
 * Figures for the LLM summaries, against the local OpenAI-compatible stand-in:
 *   - per failure mode: provider requests per call and the worst wait a user sees for the summary
 *     (the plain answer is never delayed: it is posted before the summary is asked for);
 *   - cache hit rate when the dev set (test/eval/dev-questions.tsv, column 3) is asked twice.
 *
 *   npx tsx test/summarize/figures.ts [--timeout-ms 8000] [--calls 3]
 *
 * Uses a throwaway embedded database, never DATABASE_URL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { createSearchEngine, type Match } from '../../src/search/engine.ts';
import { createSummarizer } from '../../src/summarize/summarizer.ts';
import { ALL_MODES, startOpenAiStandIn } from '../helpers/openai-api.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} takes a positive number`);
  return v;
}
const timeoutMs = arg('--timeout-ms', 8000);
const callsPerMode = arg('--calls', 3);

const here = path.dirname(fileURLToPath(import.meta.url));
const questions = readFileSync(path.join(here, '../eval/dev-questions.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((row) => row.split('\t')[2] ?? '')
  .filter(Boolean);

const unhandled: unknown[] = [];
process.on('unhandledRejection', (r) => unhandled.push(r));

const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-figures-'));
const db = await openPglite(dir);
try {
  await migrate(db);
  await syncCatalog(db, loadCatalog());
  const search = createSearchEngine(db);
  const answered: { question: string; matches: Match[] }[] = [];
  for (const q of questions) {
    const r = await search.search(q);
    if (r.matches.length > 0) answered.push({ question: r.question, matches: r.matches });
  }
  const generous = { perUserPerMinute: 1_000_000, globalPerMinute: 1_000_000 };

  console.log(`LLM_TIMEOUT_MS=${timeoutMs}, ${callsPerMode} calls per mode, at most 1 retry (2 requests) per call`);
  console.log('');
  console.log(
    'mode        outcomes                                                         requests/call   worst wait (ms)',
  );
  for (const mode of ALL_MODES) {
    const api = await startOpenAiStandIn({ mode });
    const s = createSummarizer({
      db,
      llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: `figures-${mode}`, timeoutMs },
      limits: generous,
    });
    const outcomes: string[] = [];
    const requests: number[] = [];
    let worst = 0;
    for (let i = 0; i < callsPerMode; i++) {
      const item = answered[i % answered.length] as (typeof answered)[number];
      const before = api.requests;
      const started = performance.now();
      const o = await s.summarize({
        question: `${item.question} (${mode} ${i})`,
        matches: item.matches,
        userKey: 'figures',
      });
      worst = Math.max(worst, performance.now() - started);
      requests.push(api.requests - before);
      outcomes.push(o.kind === 'summary' ? 'summary' : `${o.kind}:${o.reason}`);
    }
    // Late retries would show up here, after the callers have moved on.
    await new Promise((r) => setTimeout(r, 1000));
    const late = api.requests - requests.reduce((a, b) => a + b, 0);
    await api.close();
    console.log(
      `${mode.padEnd(11)} ${outcomes.join(', ').padEnd(64)} ${requests.join(', ').padEnd(15)} ${worst.toFixed(0).padStart(6)}${late ? `  (+${late} late!)` : ''}`,
    );
  }

  const api = await startOpenAiStandIn({ mode: 'normal' });
  const s = createSummarizer({
    db,
    llm: { apiKey: 'sk-test-key', baseUrl: api.url, model: 'figures-cache', timeoutMs },
    limits: generous,
  });
  const runOnce = async () => {
    const before = { ...s.stats(), requests: api.requests };
    for (const item of answered) await s.summarize({ ...item, userKey: 'figures' });
    const after = s.stats();
    const hits = after.cacheHits - before.cacheHits;
    const misses = after.cacheMisses - before.cacheMisses;
    return { hits, misses, requests: api.requests - before.requests };
  };
  const first = await runOnce();
  const second = await runOnce();
  await api.close();
  const rate = (r: { hits: number; misses: number }) =>
    `${((100 * r.hits) / Math.max(1, r.hits + r.misses)).toFixed(1)}%`;
  console.log('');
  console.log(`dev set: ${questions.length} questions, ${answered.length} with matches (only those are summarised)`);
  console.log(
    `run 1: ${first.hits} hits / ${first.misses} misses (${rate(first)}), ${first.requests} provider requests`,
  );
  console.log(
    `run 2: ${second.hits} hits / ${second.misses} misses (${rate(second)}), ${second.requests} provider requests`,
  );
  const both = { hits: first.hits + second.hits, misses: first.misses + second.misses };
  console.log(`both runs: ${rate(both)} cache hit rate`);
  console.log(`unhandled rejections: ${unhandled.length}`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
