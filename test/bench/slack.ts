// Slack latency, as Slack sees it: signed /mle-duties requests over HTTP to our bot and to a bare
// Bolt app (same machine, same run, each in its own process), 50 and 200 at a time.
//   ack latency     request sent → HTTP 200 received (Slack gives up at 3 s)
//   answer latency  HTTP 200 received → the answer's response_url post received (no LLM)
//   main-thread CPU the CPU time each app's main thread (the one that acks) spent per request at 50 concurrent,
//                   answers included for ours: steadier than latency on a shared machine, and what the acks queue on
//   GC pauses       each app's garbage collections while its round of acks ran (a pause stops every request in
//                   flight, so it lands in the p99)
//   peak RSS        the bot process's maxRSS over the whole run, reported by it as it stops (memory as deployed,
//                   the whole process tree as the Procfile starts it: test/bench/memory.ts)
// Ours runs with the heap limits of the Procfile's `web:` line, as in production.
// The 50-concurrent comparison runs in many short rounds, alternating apps; besides the pooled p99 of each app it
// reports the median over rounds of (our round's p99 / the bare round's p99 just before it), which a single stall
// of the shared machine cannot move.
// Standalone: `npx tsx test/bench/slack.ts [pglite|postgres]`.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadQuestions } from '../eval/eval.ts';
import { adminQuery, freshDatabase } from '../helpers/pg-admin.ts';
import { createSigner } from '../helpers/signer.ts';
import { type SlackApiStandIn, startSlackApi } from '../helpers/slack-api/server.ts';
import { post, procfile } from './bot-process.ts';
import { percentile, type Row } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
export const SECRET = 'bench-signing-secret';
const CONCURRENCY = 50;
/** The heavier level: requests per round there, so each round is two waves of it. */
const HIGH_CONCURRENCY = 200;
const HIGH_REQUESTS_PER_ROUND = 400;
/** Rounds at 50 concurrent, each of REQUESTS_PER_ROUND requests per app. */
const ROUNDS = 20;
const REQUESTS_PER_ROUND = 200;
/** Rounds at 200 concurrent. */
const HIGH_ROUNDS = 3;
const WARMUP = 100;

export const QUESTIONS = loadQuestions().map((q) => q.question);

export interface Target {
  url: string;
  child: ChildProcess;
  /** Lines the target printed after its port (main-thread CPU when asked, peak RSS as it stops). */
  lines: string[];
}

export interface Sample {
  /** Main-thread CPU time so far, ms. */
  cpuMs: number;
  /** Garbage collections so far, their total pause, and the longest pause since the previous sample. */
  gc: { count: number; ms: number; maxMs: number };
}

/** What the target reports on SIGUSR2 (see slack-server.ts). */
export async function sample(t: Target): Promise<Sample> {
  const seen = t.lines.length;
  t.child.kill('SIGUSR2');
  for (let waited = 0; waited < 5000; waited += 10) {
    for (const l of t.lines.slice(seen)) {
      const parsed = JSON.parse(l) as { mainCpuMs?: number; gc?: Sample['gc'] };
      if (typeof parsed.mainCpuMs === 'number' && parsed.gc) return { cpuMs: parsed.mainCpuMs, gc: parsed.gc };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the bench target did not report its CPU time');
}

/** Garbage collection while requests were being acked, summed over rounds. */
class GcDuringAcks {
  count = 0;
  ms = 0;
  maxMs = 0;
  add(before: Sample, after: Sample): void {
    this.count += after.gc.count - before.gc.count;
    this.ms += after.gc.ms - before.gc.ms;
    this.maxMs = Math.max(this.maxMs, after.gc.maxMs);
  }
}

/** The node flags of the Procfile's `web:` line (heap limits, `--optimize-for-size`): our bot runs with them here as in production. */
function productionFlags(): string[] {
  return procfile(root)
    .web.split(/\s+/)
    .filter((w) => /^--(max-(old|semi)-space-size=\d+|optimize-for-size)$/.test(w));
}

export async function spawnTarget(kind: 'ours' | 'bare', env: Record<string, string>): Promise<Target> {
  // BENCH_CPU_PROF=<dir>: our bot writes a V8 CPU profile there as it stops (where an answer's CPU goes).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const flags = kind === 'ours' ? [...productionFlags(), ...profile] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(here, 'slack-server.ts'), kind], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', (first) => {
      rl.on('line', (l) => lines.push(l));
      resolve(first);
    });
    child.once('exit', (code) => reject(new Error(`${kind} bench server exited with ${code}`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}/slack/events`, child, lines };
}

/** Peak RSS in MiB the target reported as it stopped (NaN if it did not). */
function peakRss(t: Target): number {
  for (const l of t.lines) {
    const parsed = JSON.parse(l) as { maxRSS?: number };
    if (typeof parsed.maxRSS === 'number') return parsed.maxRSS / 1024;
  }
  return Number.NaN;
}

export async function stopTarget(t: Target): Promise<void> {
  if (t.child.exitCode !== null) return;
  const exited = new Promise((r) => t.child.once('exit', r));
  t.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (t.child.exitCode === null) t.child.kill('SIGKILL');
}

const agent = new Agent({ keepAlive: true, maxSockets: HIGH_CONCURRENCY });

interface Run {
  ack: number[];
  /** response_url id → when its ack arrived (epoch ms). */
  ackedAt: Map<string, number>;
}

/** `total` signed commands, `concurrency` in flight at any moment; ack latencies in ms. */
async function load(
  url: string,
  slack: SlackApiStandIn,
  tag: string,
  total: number,
  concurrency: number,
): Promise<Run> {
  const signer = createSigner(SECRET);
  const ack: number[] = [];
  const ackedAt = new Map<string, number>();
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
      const started = performance.now();
      const status = await post(url, body, headers, agent);
      ack.push(performance.now() - started);
      ackedAt.set(id, Date.now());
      if (status !== 200) throw new Error(`${tag}: HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ack, ackedAt };
}

async function answers(slack: SlackApiStandIn, run: Run, timeoutMs = 60_000): Promise<number[]> {
  const ids = new Set(run.ackedAt.keys());
  const started = Date.now();
  for (;;) {
    const got = slack.calls.filter((c) => c.method === 'response_url' && ids.has(c.responseUrlId ?? ''));
    if (got.length >= ids.size) {
      return got.map((c) => Math.max(0, c.at - (run.ackedAt.get(c.responseUrlId as string) as number)));
    }
    if (Date.now() - started > timeoutMs) throw new Error(`only ${got.length}/${ids.size} answers arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface BenchDb {
  env: Record<string, string>;
  /** Planner statistics, as autovacuum would have them a minute after the first catalog sync. */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

export async function database(engine: 'pglite' | 'postgres'): Promise<BenchDb> {
  if (engine === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'mle-duties-bench-'));
    return {
      env: { PGLITE_DIR: dir },
      analyze: async () => {},
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const created = await freshDatabase(`mle_duties_bench_${process.pid}`);
  return {
    env: { DATABASE_URL: created.url },
    analyze: () => adminQuery('analyze', created.url),
    drop: created.drop,
  };
}

export async function benchSlack(engine: 'pglite' | 'postgres'): Promise<Row[]> {
  const slack = await startSlackApi();
  const db = await database(engine);
  const env = { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, ...db.env };
  const targets: Target[] = [];
  try {
    const ours = await spawnTarget('ours', env);
    targets.push(ours);
    await db.analyze();
    const bare = await spawnTarget('bare', env);
    targets.push(bare);

    // Warm both (JIT, connections, the database's caches).
    await load(bare.url, slack, 'warm-bare', WARMUP, CONCURRENCY);
    await answers(slack, await load(ours.url, slack, 'warm-ours', WARMUP, CONCURRENCY));
    slack.reset();

    // Ack latency: rounds alternate between the two apps so drift on the machine hits both alike. Ours
    // is measured while it also answers what it acked (that is its real load); its answers are
    // awaited before the next round so the bare app is never measured beside them.
    const bareAck: number[] = [];
    const oursAck: number[] = [];
    const roundRatios: number[] = [];
    const gc = { bare: new GcDuringAcks(), ours: new GcDuringAcks() };
    const first = { bare: await sample(bare), ours: await sample(ours) };
    for (let round = 0; round < ROUNDS; round++) {
      const bareBefore = await sample(bare);
      const b = (await load(bare.url, slack, `bare${round}`, REQUESTS_PER_ROUND, CONCURRENCY)).ack;
      gc.bare.add(bareBefore, await sample(bare));
      bareAck.push(...b);
      const oursBefore = await sample(ours);
      const run = await load(ours.url, slack, `ours${round}`, REQUESTS_PER_ROUND, CONCURRENCY);
      gc.ours.add(oursBefore, await sample(ours));
      oursAck.push(...run.ack);
      roundRatios.push(percentile(run.ack, 99) / percentile(b, 99));
      await answers(slack, run);
      slack.reset();
    }
    const requests = ROUNDS * REQUESTS_PER_ROUND;
    const cpuPerRequest = {
      bare: ((await sample(bare)).cpuMs - first.bare.cpuMs) / requests,
      ours: ((await sample(ours)).cpuMs - first.ours.cpuMs) / requests,
    };
    // The same at 200 concurrent requests.
    const bareHigh: number[] = [];
    const oursHigh: number[] = [];
    for (let round = 0; round < HIGH_ROUNDS; round++) {
      bareHigh.push(...(await load(bare.url, slack, `bareh${round}`, HIGH_REQUESTS_PER_ROUND, HIGH_CONCURRENCY)).ack);
      const run = await load(ours.url, slack, `oursh${round}`, HIGH_REQUESTS_PER_ROUND, HIGH_CONCURRENCY);
      oursHigh.push(...run.ack);
      await answers(slack, run, 120_000);
      slack.reset();
    }
    // Answer latency, one question at a time, each answered before the next (what a workspace mostly sees)…
    const steady: number[] = [];
    for (let i = 0; i < 100; i++)
      steady.push(...(await answers(slack, await load(ours.url, slack, `steady${i}`, 1, 1))));
    // …and for a burst of 50 questions at the same moment.
    const burst = await answers(slack, await load(ours.url, slack, 'burst', CONCURRENCY, CONCURRENCY));

    // Stopped here (not in finally) so the peak RSS they report covers the whole run and nothing after it.
    await Promise.all(targets.map(stopTarget));
    const ms = (name: string, value: number): Row => ({ name, value: Math.round(value * 10) / 10, unit: 'ms' });
    const bareP99 = percentile(bareAck, 99);
    const oursP99 = percentile(oursAck, 99);
    const bareHighP99 = percentile(bareHigh, 99);
    const oursHighP99 = percentile(oursHigh, 99);
    const mib = (name: string, value: number): Row => ({ name, value: Math.round(value), unit: 'MiB' });
    return [
      ms(`ack p50, bare Bolt (${CONCURRENCY} concurrent)`, percentile(bareAck, 50)),
      ms(`ack p99, bare Bolt (${CONCURRENCY} concurrent)`, bareP99),
      ms(`ack p50, mle-duties (${CONCURRENCY} concurrent)`, percentile(oursAck, 50)),
      ms(`ack p99, mle-duties (${CONCURRENCY} concurrent)`, oursP99),
      {
        name: 'ack p99 ratio mle-duties / bare, pooled (target ≤ 1.2)',
        value: Math.round((oursP99 / bareP99) * 100) / 100,
        unit: '×',
      },
      {
        name: `ack p99 ratio, median of ${ROUNDS} alternating rounds`,
        value: Math.round(percentile(roundRatios, 50) * 100) / 100,
        unit: '×',
      },
      {
        name: `main-thread CPU per request, bare Bolt (${CONCURRENCY} concurrent)`,
        value: Math.round(cpuPerRequest.bare * 100) / 100,
        unit: 'ms',
      },
      {
        name: `main-thread CPU per request, mle-duties incl. its answer`,
        value: Math.round(cpuPerRequest.ours * 100) / 100,
        unit: 'ms',
      },
      { name: 'GC pauses while acking, bare Bolt', value: gc.bare.count, unit: '' },
      { name: 'GC pauses while acking, mle-duties', value: gc.ours.count, unit: '' },
      ms('GC pause total while acking, bare Bolt', gc.bare.ms),
      ms('GC pause total while acking, mle-duties', gc.ours.ms),
      ms('longest GC pause while acking, bare Bolt', gc.bare.maxMs),
      ms('longest GC pause while acking, mle-duties', gc.ours.maxMs),
      ms(`ack p99, bare Bolt (${HIGH_CONCURRENCY} concurrent)`, bareHighP99),
      ms(`ack p99, mle-duties (${HIGH_CONCURRENCY} concurrent)`, oursHighP99),
      {
        name: `ack p99 ratio mle-duties / bare at ${HIGH_CONCURRENCY}`,
        value: Math.round((oursHighP99 / bareHighP99) * 100) / 100,
        unit: '×',
      },
      ms('answer p50, ack → response_url, one at a time', percentile(steady, 50)),
      ms('answer p99, ack → response_url, one at a time', percentile(steady, 99)),
      ms(`answer p50, ack → response_url, burst of ${CONCURRENCY}`, percentile(burst, 50)),
      ms(`answer p99, ack → response_url, burst of ${CONCURRENCY}`, percentile(burst, 99)),
      mib(`peak RSS, mle-duties bot process (${engine === 'pglite' ? 'embedded PGlite' : 'Postgres'})`, peakRss(ours)),
      mib('peak RSS, bare Bolt process', peakRss(bare)),
    ];
  } finally {
    await Promise.all(targets.map(stopTarget));
    agent.destroy();
    await slack.close();
    await db.drop();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { formatRows } = await import('./stats.ts');
  const engines = (process.argv[2] ? [process.argv[2]] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
  for (const engine of engines) console.log(formatRows(`Slack on ${engine}`, await benchSlack(engine)));
}
