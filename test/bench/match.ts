import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { rebuildIndex, syncCatalog } from '../../src/catalog/sync.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createSearchEngine } from '../../src/search/engine.ts';
import { contentWords } from '../../src/search/text.ts';
import { addTaughtAlias } from '../../src/teach/store.ts';
import { loadQuestions } from '../eval/eval.ts';
import { freshDatabase } from '../helpers/pg-admin.ts';
import { percentile, type Row } from './stats.ts';

const SYNTHETIC = 100_000;

/**
 * Match latency over the dev questions: the first pass meets every word for the first time (the
 * engine analyses and caches it), later passes are the steady state of a running bot.
 */
async function latency(
  db: Db,
  rounds: number,
  teamId?: string,
): Promise<{ firstP99: number; p50: number; p99: number }> {
  const search = createSearchEngine(db);
  const questions = loadQuestions().map((q) => q.question);
  const timed = async () => {
    const times: number[] = [];
    for (const q of questions) {
      const t0 = performance.now();
      await search.search(q, teamId ? { teamId } : {});
      times.push(performance.now() - t0);
    }
    return times;
  };
  const first = await timed();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) times.push(...(await timed()));
  return { firstP99: percentile(first, 99), p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** `n` phrases taught in one workspace, each to a duty, from the words of the dev questions. */
async function teachPhrases(db: Db, teamId: string, n: number): Promise<void> {
  const questions = loadQuestions().filter((q) => q.gold.length > 0);
  for (let i = 0; i < n; i++) {
    const q = questions[(i * 7) % questions.length];
    if (!q) break;
    const phrase = contentWords(q.question).slice(0, 4).join(' ');
    await addTaughtAlias(db, { teamId, actor: 'bench', at: new Date() }, q.gold[0] as string, phrase);
  }
}

/**
 * Grows the catalog with a synthetic role: titles and descriptions drawn from the real
 * vocabulary with a skew (a few words common, most rare), as many teams' roles would be.
 */
async function growCatalog(db: Db, n: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("insert into roles (id, name) values ('bench', 'Synthetic roles') on conflict do nothing");
    await tx.query(
      "insert into sections (role_id, number, title) select 'bench', n, 'Section ' || n from generate_series(1, 100) n on conflict do nothing",
    );
    await tx.query(
      `with v as (select array_agg(word order by word) as w, count(*)::int as n from lexicon)
       insert into duties (id, role_id, section, position, title, description, aliases)
       select 'bench:' || i, 'bench', 1 + i % 100, i,
              initcap(v.w[1 + floor(power(random(), 2) * v.n)::int] || ' ' || v.w[1 + floor(random() * v.n)::int]),
              array_to_string(array(select v.w[1 + floor(power(random(), 2) * v.n)::int] from generate_series(1, 12 + 0 * i) g), ' '),
              '{}'
       from generate_series(1, $1::int) i, v
       on conflict (id) do nothing`,
      [n],
    );
    await rebuildIndex(tx, 'bench');
  });
  for (const table of ['duty_terms', 'term_stats', 'duties', 'lexicon']) await db.exec(`vacuum analyze ${table}`);
}

function coldStart(dataDir: string): number {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    // The built command, as `npm run ask` and the installed `mle-duties` run it.
    [path.join(PROJECT_ROOT, 'src/bin/mle-duties.mjs'), 'ask', '--json', 'who keeps an eye on models in production?'],
    { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: '', PGLITE_DIR: dataDir }, encoding: 'utf8' },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0 || !r.stdout.includes('"matches"')) throw new Error(`cold start failed: ${r.stderr}`);
  return ms;
}

export async function benchMatch(engine: 'pglite' | 'postgres', adminUrl: string): Promise<Row[]> {
  const rows: Row[] = [];
  let db: Db;
  let cleanup: () => Promise<void>;
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-bench-'));
    db = await openPglite(dir);
    cleanup = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const created = await freshDatabase(`mle_duties_match_${process.pid}`, { adminUrl });
    // Growing the catalog by 100,000 entries is one long statement: the bot's 5 s limit is for answers, not this.
    db = await openPostgres({ url: created.url, max: 4, queryTimeoutMs: 600_000 });
    cleanup = async () => {
      await db.close();
      await created.drop();
    };
  }
  try {
    await migrate(db);
    await syncCatalog(db, loadCatalog());
    const small = await latency(db, 5);
    rows.push({ name: 'match p99, 111 entries, words first seen', value: small.firstP99, unit: 'ms' });
    rows.push({ name: 'match p50, 111 entries', value: small.p50, unit: 'ms' });
    rows.push({ name: 'match p99, 111 entries', value: small.p99, unit: 'ms' });
    // A workspace that taught phrases: every question reads its version, and the phrases are scored with the rest.
    await teachPhrases(db, 'TBENCH', 20);
    const taught = await latency(db, 5, 'TBENCH');
    rows.push({ name: 'match p50, 111 entries, workspace with 20 taught phrases', value: taught.p50, unit: 'ms' });
    rows.push({ name: 'match p99, 111 entries, workspace with 20 taught phrases', value: taught.p99, unit: 'ms' });
    const t0 = performance.now();
    await growCatalog(db, SYNTHETIC);
    rows.push({ name: `grow catalog by ${SYNTHETIC} entries`, value: (performance.now() - t0) / 1000, unit: 's' });
    const big = await latency(db, 2);
    rows.push({ name: `match p99, ${SYNTHETIC + 111} entries, words first seen`, value: big.firstP99, unit: 'ms' });
    rows.push({ name: `match p50, ${SYNTHETIC + 111} entries`, value: big.p50, unit: 'ms' });
    rows.push({ name: `match p99, ${SYNTHETIC + 111} entries`, value: big.p99, unit: 'ms' });
  } finally {
    await cleanup();
  }
  return rows;
}

/**
 * What the English table (word frequencies, nearest catalog words, outside topics) costs a process,
 * measured in a fresh one. It replaced an English word list that cost 19.6 MiB of heap and 300 ms.
 */
export function benchEnglishTable(): Row[] {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(PROJECT_ROOT, 'test/bench/english-cost.ts')],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`english table bench failed: ${r.stderr}`);
  const c = JSON.parse(r.stdout) as Record<string, number>;
  return [
    { name: 'English table: file (data/english.tsv)', value: c.fileMiB as number, unit: 'MiB' },
    { name: 'English table: load on first use', value: c.loadMs as number, unit: 'ms' },
    { name: 'English table: heap once loaded', value: c.heapMiB as number, unit: 'MiB' },
    { name: 'English table: RSS once loaded', value: c.rssMiB as number, unit: 'MiB' },
    { name: 'English table: one lookup', value: c.lookupUs as number, unit: 'µs' },
  ];
}

/**
 * Embedded mode from a new process: the first run (a new data directory: loaded from dist/pglite-seed.tar.gz, or
 * initdb without it; migrations, sync) and then the usual start.
 */
export function benchColdStart(): Row[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-cold-'));
  try {
    const first = coldStart(dir);
    const again = [coldStart(dir), coldStart(dir), coldStart(dir), coldStart(dir), coldStart(dir)];
    return [
      { name: 'embedded first run to first answer', value: first, unit: 'ms' },
      { name: 'embedded cold start to first answer (median of 5)', value: percentile(again, 50), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
