// Where a bot process's memory goes, component by component: each step runs in a fresh `node` and reports its RSS
// after a full GC, so a row is what that component adds to a process that has what the rows above it have (the
// embedded database rows: to a bare node). Median of `RUNS` runs. Standalone: `npx tsx test/bench/components.ts`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, type Row } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = 3;

const REPORT = `globalThis.gc(); globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc();
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }));
process.exit(0);`;

/** RSS in MiB of a fresh node running `code` (ESM, top-level await) with `flags`. */
function rssOf(code: string, flags: string[] = []): number {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(
      process.execPath,
      [...flags, '--expose-gc', '--input-type=module', '-e', `${code}\n${REPORT}`],
      {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    if (r.status !== 0) throw new Error(`component step failed: ${r.stderr}`);
    runs.push((JSON.parse(r.stdout) as { rss: number }).rss / 1024 / 1024);
  }
  return percentile(runs, 50);
}

/** Peak RSS in MiB of a command, by GNU time (NaN without it). */
function peakOf(command: string, args: string[]): number {
  const t = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd: root, encoding: 'utf8' });
  if (t.status !== 0) return Number.NaN;
  return Number(t.stderr.trim().split('\n').pop()) / 1024;
}

const PGLITE = `const { PGlite } = await import('@electric-sql/pglite');`;

export function benchComponents(): Row[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-components-'));
  try {
    // A database to open: the seed (an initdb'd directory) when built, otherwise initdb once here.
    const seeded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `${PGLITE} const pg = await PGlite.create({ dataDir: ${JSON.stringify(`${dir}/db`)} }); await pg.close();`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (seeded.status !== 0) throw new Error(`could not make a database: ${seeded.stderr}`);
    const open = (params: string) => {
      const copy = mkdtempSync(path.join(tmpdir(), 'mle-duties-components-db-'));
      cpSync(`${dir}/db`, copy, { recursive: true });
      try {
        return rssOf(
          `${PGLITE} const pg = await PGlite.create({ dataDir: ${JSON.stringify(copy)}${params} });
           await pg.query('select 1');`,
        );
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    };

    const node = rssOf('');
    const steps: [string, string][] = [
      ['@slack/bolt (App, HTTPReceiver, WebClient)', `await import('@slack/bolt'); await import('@slack/web-api');`],
      ['zod, dotenv', `await import('zod'); await import('dotenv');`],
      ['pg', `await import('pg');`],
      [
        'prom-client with its default metrics',
        `const p = await import('prom-client'); p.collectDefaultMetrics({ register: new p.Registry() });`,
      ],
      ['openai', `await import('openai');`],
    ];
    const rows: Row[] = [{ name: 'node itself (empty script)', value: node, unit: 'MiB' }];
    let code = '';
    let before = node;
    for (const [name, step] of steps) {
      code += `${step}\n`;
      const now = rssOf(code);
      rows.push({ name: `+ ${name}`, value: now - before, unit: 'MiB' });
      before = now;
    }
    rows.push({
      name: '+ the tsx loader (node --import tsx), on node itself',
      value: rssOf('', ['--import', 'tsx']) - node,
      unit: 'MiB',
    });
    const npm = peakOf('npm', ['--version']);
    rows.push({ name: 'npm (the `npm start` process beside the bot), peak', value: npm, unit: 'MiB' });
    const inThread128 = open('');
    const inThread16 = open(`, startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']`);
    rows.push({
      name: '+ PGlite open, shared_buffers=128MB (the default), on node itself',
      value: inThread128 - node,
      unit: 'MiB',
    });
    rows.push({ name: '+ PGlite open, shared_buffers=16MB, on node itself', value: inThread16 - node, unit: 'MiB' });
    const worker = rssOf(
      `const { Worker } = await import('node:worker_threads');
       const w = new Worker('process.exit === undefined', { eval: true }); await new Promise((r) => w.once('online', r));`,
    );
    rows.push({
      name: '+ an idle worker thread (what the PGlite worker costs beyond PGlite)',
      value: worker - node,
      unit: 'MiB',
    });
    return rows.map((r) => ({ ...r, value: Math.round(r.value * 10) / 10 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { formatRows } = await import('./stats.ts');
  console.log(formatRows('memory by component (RSS after GC, median of 3)', benchComponents()));
}
