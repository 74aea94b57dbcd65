// Memory as a deployment sees it: the bot started exactly as the Procfile's `web:` line starts it (and the database
// prepared by its `release:` line), beside a bare Bolt app (test/bench/bare-bolt.mjs, plain `node`) started the same
// way, in the same run, each through `sh -c` as a platform would. The figure is the peak RSS of each one's whole
// process tree (the shell, npm or a loader if the command has them, node, its worker threads' memory), sampled every
// 20 ms, under
//   - 200 signed /mle-duties questions one at a time (ours: each answered before the next),
//   - the bursts of `npm run bench -- slack` (rounds of 200 requests 50 at a time, then 400 at 200 at a time),
// plus, on PGlite, the very first start on a new data directory (initdb in the bot, no release step) and the
// `release:` step itself on a new directory; and the CLI's cold start (`npm run ask -- "who reviews code?"` on the
// existing database, median and range of 5).
// `--root DIR` measures another checkout (a worktree of main: the "before" figures) with this file's load.
// Standalone: `npx tsx test/bench/memory.ts [--root DIR] [pglite|postgres]`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '../helpers/pg-admin.ts';
import { freePort } from '../helpers/ports.ts';
import { createSigner } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { botEnv, httpGet, post, procfile } from './bot-process.ts';
import { QUESTIONS, SECRET } from './slack.ts';
import { percentile, type Row } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ownRoot = path.resolve(here, '../..');
const SEQUENTIAL = 200;
const BURST_ROUNDS = 10;
const BURST_SIZE = 200;
const HIGH_ROUNDS = 3;
const HIGH_SIZE = 400;

/** RSS in KiB of `pid` and all its descendants, now. */
function treeRssKib(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** A process tree whose peak RSS is sampled until it exits. `mark()` reads the peak so far and starts a new one. */
class Tree {
  private peak = 0;
  private overall = 0;
  private timer: NodeJS.Timeout;
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    const tick = () => {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      const kib = treeRssKib(child.pid);
      this.peak = Math.max(this.peak, kib);
      this.overall = Math.max(this.overall, kib);
    };
    tick();
    this.timer = setInterval(tick, 20);
    void this.exited.then(() => clearInterval(this.timer));
  }
  /** Peak since the previous mark, MiB. */
  mark(): number {
    const p = this.peak / 1024;
    this.peak = 0;
    return p;
  }
  /** Peak over the whole life, MiB. */
  get max(): number {
    return this.overall / 1024;
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // The shell's process group: npm and anything under it stop too.
    process.kill(-(this.child.pid as number), 'SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(r, 15_000))]);
    if (!done) process.kill(-(this.child.pid as number), 'SIGKILL');
    clearInterval(this.timer);
  }
}

function launch(command: string, cwd: string, env: Record<string, string>): Tree {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  return new Tree(child);
}

/** Waits until `path` answers 200 (the bot: /readyz) or anything (the bare app: its port is open). */
async function ready(tree: Tree, base: string, readyPath: string | undefined, timeoutMs = 180_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (tree.child.exitCode !== null) throw new Error(`exited with ${tree.child.exitCode} before it was ready`);
    const status = await httpGet(`${base}${readyPath ?? '/'}`);
    if (readyPath ? status === 200 : status > 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface App {
  name: 'ours' | 'bare';
  tree: Tree;
  base: string;
}

/** `total` signed commands, `concurrency` at a time; ours: and every answer received (response_url) before it returns. */
async function load(app: App, slack: SlackApiStandIn, tag: string, total: number, concurrency: number) {
  const signer = createSigner(SECRET);
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const id = `${tag}-${i}`;
      const { body, headers } = signer.command({
        text: QUESTIONS[i % QUESTIONS.length] as string,
        user_id: `U0BENCH${i % 20}`,
        response_url: slack.responseUrl(id),
      });
      const status = await post(`${app.base}/slack/events`, body, headers);
      if (status !== 200) throw new Error(`${tag}: HTTP ${status}`);
      ids.push(id);
      if (concurrency === 1 && app.name === 'ours') await answered(slack, [id]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (app.name === 'ours') await answered(slack, ids);
}

async function answered(slack: SlackApiStandIn, ids: string[], timeoutMs = 120_000): Promise<void> {
  const want = new Set(ids);
  const started = Date.now();
  for (;;) {
    const got = slack.calls.filter((c) => c.method === 'response_url' && want.has(c.responseUrlId ?? '')).length;
    if (got >= want.size) return;
    if (Date.now() - started > timeoutMs) throw new Error(`only ${got}/${want.size} answers arrived`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs the release command to its end; its tree's peak RSS in MiB. */
async function release(command: string, root: string, env: Record<string, string>): Promise<number> {
  const tree = launch(command, root, env);
  const code = await tree.exited;
  if (code !== 0) throw new Error(`release step \`${command}\` exited with ${code}`);
  return tree.max;
}

/** `npm run ask -- "who reviews code?"` 5 times after one warm-up (file cache): wall times in ms. */
function cliColdStarts(root: string, env: Record<string, string>, runs = 5): number[] {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const r = spawnSync('npm', ['run', '--silent', 'ask', '--', 'who reviews code?'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      encoding: 'utf8',
    });
    const ms = performance.now() - t0;
    if (r.status !== 0 || !r.stdout.includes('Code Review')) throw new Error(`ask failed: ${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  return times;
}

const mib = (name: string, value: number): Row => ({ name, value: Math.round(value), unit: 'MiB' });

export async function benchMemory(engine: 'pglite' | 'postgres', root = ownRoot): Promise<Row[]> {
  const { web, release: releaseCommand } = procfile(root);
  const slack = await startSlackApi();
  const rows: Row[] = [];
  const dirs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const apps: App[] = [];
  const start = async (name: App['name'], dbEnv: Record<string, string>): Promise<App> => {
    const port = await freePort();
    const env = { ...botEnv(slack, port, SECRET), ...dbEnv };
    const command = name === 'ours' ? web : `node ${path.join(ownRoot, 'test/bench/bare-bolt.mjs')}`;
    const app: App = { name, tree: launch(command, root, env), base: `http://127.0.0.1:${port}` };
    apps.push(app);
    await ready(app.tree, app.base, name === 'ours' ? '/readyz' : undefined);
    return app;
  };
  try {
    let dbEnv: Record<string, string>;
    if (engine === 'pglite') {
      // The very first start on a new directory, no release step: initdb, migrations and the sync in the bot.
      const fresh = mkdtempSync(path.join(tmpdir(), 'mle-duties-mem-'));
      dirs.push(fresh);
      const first = await start('ours', { PGLITE_DIR: fresh });
      await load(first, slack, 'first', 20, 1);
      await first.tree.stop();
      rows.push(mib('PGlite: first start on a new directory (initdb in the bot) + 20 questions, peak', first.tree.max));
      const dir = mkdtempSync(path.join(tmpdir(), 'mle-duties-mem-'));
      dirs.push(dir);
      dbEnv = { PGLITE_DIR: dir };
    } else {
      const created = await freshDatabase(`mle_duties_mem_${process.pid}`);
      cleanups.push(created.drop);
      dbEnv = { DATABASE_URL: created.url };
    }
    if (releaseCommand) {
      rows.push(
        mib(`release step on a new database (\`${releaseCommand}\`), peak`, await release(releaseCommand, root, dbEnv)),
      );
    }

    const ours = await start('ours', dbEnv);
    const bare = await start('bare', dbEnv);
    const started = { ours: ours.tree.mark(), bare: bare.tree.mark() };
    rows.push(mib('started, ready, mle-duties', started.ours), mib('started, ready, bare Bolt', started.bare));
    for (const app of [bare, ours]) await load(app, slack, `seq-${app.name}`, SEQUENTIAL, 1);
    const seq = { ours: Math.max(started.ours, ours.tree.mark()), bare: Math.max(started.bare, bare.tree.mark()) };
    rows.push(mib(`${SEQUENTIAL} questions one at a time, mle-duties`, seq.ours));
    rows.push(mib(`${SEQUENTIAL} questions one at a time, bare Bolt`, seq.bare));
    rows.push({
      name: 'ratio mle-duties / bare, one at a time',
      value: Math.round((seq.ours / seq.bare) * 100) / 100,
      unit: '×',
    });
    slack.reset();
    for (let round = 0; round < BURST_ROUNDS; round++) {
      for (const app of [bare, ours]) await load(app, slack, `b${round}-${app.name}`, BURST_SIZE, 50);
      slack.reset();
    }
    for (let round = 0; round < HIGH_ROUNDS; round++) {
      for (const app of [bare, ours]) await load(app, slack, `h${round}-${app.name}`, HIGH_SIZE, 200);
      slack.reset();
    }
    const burst = { ours: Math.max(seq.ours, ours.tree.mark()), bare: Math.max(seq.bare, bare.tree.mark()) };
    rows.push(mib('bursts (50 and 200 at a time), mle-duties', burst.ours));
    rows.push(mib('bursts (50 and 200 at a time), bare Bolt', burst.bare));
    rows.push({
      name: 'ratio mle-duties / bare, bursts',
      value: Math.round((burst.ours / burst.bare) * 100) / 100,
      unit: '×',
    });
    await Promise.all(apps.map((a) => a.tree.stop()));

    const cold = cliColdStarts(root, dbEnv);
    rows.push({
      name: 'npm run ask -- "who reviews code?", median of 5',
      value: Math.round(percentile(cold, 50)),
      unit: 'ms',
    });
    rows.push({ name: 'npm run ask, fastest of 5', value: Math.round(Math.min(...cold)), unit: 'ms' });
    rows.push({ name: 'npm run ask, slowest of 5', value: Math.round(Math.max(...cold)), unit: 'ms' });
    return rows;
  } finally {
    await Promise.all(apps.map((a) => a.tree.stop()));
    await slack.close();
    for (const c of cleanups) await c();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { formatRows } = await import('./stats.ts');
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const root = at >= 0 ? path.resolve(args[at + 1] as string) : ownRoot;
  const rest = at >= 0 ? args.filter((_, i) => i !== at && i !== at + 1) : args;
  const engines = (rest.length > 0 ? rest : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
  for (const engine of engines)
    console.log(formatRows(`memory on ${engine} (${root})`, await benchMemory(engine, root)));
}
