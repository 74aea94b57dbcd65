// The layering of src/ (README "Project layout"), checked on the real import graph: the foundation imports only the
// foundation, features never import slack/ or an entry point (runtime, compose, main, the CLI), slack/ never imports
// an entry point, and no import cycle exists, between files or between folders.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, type ImportGraph, importGraph } from './helpers/imports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Layer = 'foundation' | 'feature' | 'adapter' | 'composition';

/** The folder (or top-level file) a source file belongs to: `src/digest/tick.ts` → `digest`. */
function unitOf(file: string): string {
  const [, first = '', second] = file.split('/');
  return second === undefined ? first.replace(/\.(ts|mjs)$/, '') : first;
}

const LAYERS: Record<string, Layer> = {
  errors: 'foundation',
  config: 'foundation',
  log: 'foundation',
  deadline: 'foundation',
  'http-fetch': 'foundation',
  blocks: 'foundation',
  db: 'foundation',
  catalog: 'feature',
  search: 'feature',
  feedback: 'feature',
  summarize: 'feature',
  digest: 'feature',
  ops: 'feature',
  people: 'feature',
  teach: 'feature',
  owners: 'feature',
  slack: 'adapter',
  // The CLI is an entry point like main.ts: each command builds what it needs from the runtime.
  cli: 'composition',
  runtime: 'composition',
  housekeeping: 'composition',
  compose: 'composition',
  main: 'composition',
  bin: 'composition',
};

/** What each layer may import. */
const ALLOWED: Record<Layer, Layer[]> = {
  foundation: ['foundation'],
  feature: ['foundation', 'feature'],
  adapter: ['foundation', 'feature', 'adapter'],
  composition: ['foundation', 'feature', 'adapter', 'composition'],
};

/** Every rule the graph breaks, as readable lines (empty when the layering holds). */
function violations(graph: ImportGraph): string[] {
  const out: string[] = [];
  const srcFiles = [...graph.keys()].filter((f) => f.startsWith('src/'));
  for (const file of srcFiles) {
    const from = unitOf(file);
    const layer = LAYERS[from];
    if (!layer) {
      out.push(`${file}: ${from} has no layer (add it to LAYERS and to the README's layout)`);
      continue;
    }
    for (const { to } of graph.get(file) ?? []) {
      if (!to.startsWith('src/')) continue;
      const target = unitOf(to);
      const targetLayer = LAYERS[target];
      if (targetLayer && target !== from && !ALLOWED[layer].includes(targetLayer)) {
        out.push(`${file} (${layer}) imports ${to} (${targetLayer})`);
      }
    }
  }
  // The cli entry point is the CLI adapter's own: cli.ts and cli/ are one unit.
  const folderGraph: ImportGraph = new Map();
  const unit = (f: string) => (unitOf(f) === 'cli' ? 'cli' : unitOf(f));
  for (const file of srcFiles) {
    const edges = folderGraph.get(`src/${unit(file)}`) ?? [];
    for (const e of graph.get(file) ?? []) {
      if (e.to.startsWith('src/') && unit(e.to) !== unit(file)) edges.push({ ...e, to: `src/${unit(e.to)}` });
    }
    folderGraph.set(`src/${unit(file)}`, edges);
  }
  for (const c of cycles(graph)) out.push(`import cycle: ${c.join(' → ')}`);
  for (const c of cycles(folderGraph)) out.push(`folder cycle: ${c.join(' → ')}`);
  return out;
}

describe('src/ layering', () => {
  it('holds: no feature imports slack/ or an entry point, no import cycle between files or folders', () => {
    expect(violations(importGraph(root, ['src']))).toEqual([]);
  });

  it('the check catches a feature importing slack/ and a cycle', () => {
    const graph: ImportGraph = new Map([
      ['src/digest/blocks.ts', [{ to: 'src/slack/messages/answer.ts', typeOnly: true }]],
      ['src/slack/messages/answer.ts', [{ to: 'src/digest/blocks.ts', typeOnly: false }]],
      ['src/blocks/kit.ts', [{ to: 'src/catalog/queries.ts', typeOnly: true }]],
      ['src/catalog/queries.ts', []],
    ]);
    const found = violations(graph);
    expect(found).toContain('src/digest/blocks.ts (feature) imports src/slack/messages/answer.ts (adapter)');
    expect(found).toContain('src/blocks/kit.ts (foundation) imports src/catalog/queries.ts (feature)');
    expect(found.some((v) => v.startsWith('import cycle: src/digest/blocks.ts → src/slack/messages/answer.ts'))).toBe(
      true,
    );
    expect(found.some((v) => v.startsWith('folder cycle:'))).toBe(true);
  });
});

/**
 * Each table and the modules that hold its SQL: the first writes it, the others only read it. Anyone else calls
 * them. A new table gets a line here (and its module in the README).
 */
const TABLE_OWNERS: Record<string, string[]> = {
  schema_migrations: ['src/db/migrate.ts'],
  // The catalog: written by its sync, read by its queries; the search index tables are read by search/ only.
  roles: ['src/catalog/sync.ts'],
  catalog_state: ['src/catalog/sync.ts'],
  sections: ['src/catalog/sync.ts', 'src/catalog/queries.ts', 'src/search/engine.ts'],
  // votes.ts reads a duty's title for the report's labels.
  duties: [
    'src/catalog/sync.ts',
    'src/catalog/queries.ts',
    'src/search/engine.ts',
    'src/search/vocabulary.ts',
    'src/feedback/votes.ts',
    'src/teach/store.ts',
  ],
  synonyms: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  duty_terms: ['src/catalog/sync.ts', 'src/search/engine.ts'],
  duty_phrases: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  term_stats: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  corpus_stats: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  lexicon: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  duty_expansions: ['src/catalog/sync.ts', 'src/search/engine.ts'],
  outside_topics: ['src/catalog/sync.ts', 'src/search/vocabulary.ts'],
  // What search/ holds per process, saved for the next one: written and read by the search alone.
  vocabulary_snapshot: ['src/search/vocabulary.ts'],
  answers: ['src/feedback/answers.ts'],
  answer_votes: ['src/feedback/votes.ts'],
  slack_event_receipts: ['src/slack/event-receipts.ts'],
  summary_cache: ['src/summarize/store.ts'],
  llm_call_windows: ['src/summarize/store.ts'],
  llm_circuit: ['src/summarize/store.ts'],
  digest_subscriptions: ['src/digest/store.ts'],
  digest_runs: ['src/digest/store.ts'],
  digest_halt: ['src/digest/store.ts'],
  slack_profiles: ['src/people/profiles.ts'],
  change_log: ['src/people/changes.ts'],
  // Learning in use: written by teach/, and the search reads each workspace's taught phrases and their version.
  taught_aliases: ['src/teach/store.ts', 'src/search/engine.ts'],
  taught_versions: ['src/teach/store.ts', 'src/search/engine.ts'],
  confirmed_pairs: ['src/teach/store.ts'],
  duty_owners: ['src/owners/store.ts'],
  installation_secrets: ['src/db/secrets.ts'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(`${dir}/${d.name}`) : d.name.endsWith('.ts') ? [`${dir}/${d.name}`] : [],
  );
}

describe('tables', () => {
  const migrations = readdirSync(path.join(root, 'src/db/migrations')).map((f) =>
    readFileSync(path.join(root, 'src/db/migrations', f), 'utf8'),
  );
  const tables = new Set([
    'schema_migrations',
    ...migrations.flatMap((sql) =>
      [...sql.matchAll(/create table (?:if not exists )?([a-z_]+)/gi)].map((m) => m[1] as string),
    ),
  ]);

  it('every table has an owner', () => {
    expect([...tables].filter((t) => !TABLE_OWNERS[t])).toEqual([]);
  });

  it("each table's SQL is only in the modules that own it", () => {
    const strays: string[] = [];
    for (const file of sourceFiles('src')) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(
        /\b(?:from|into|update|join|table|truncate)\s+([a-z_]+)\b|to_regclass\('([a-z_]+)'\)/g,
      )) {
        const table = (m[1] ?? m[2]) as string;
        if (tables.has(table) && !TABLE_OWNERS[table]?.includes(file)) strays.push(`${file} queries ${table}`);
      }
    }
    expect([...new Set(strays)]).toEqual([]);
  });
});
