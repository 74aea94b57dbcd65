// What one answer costs the bot's heap, on Postgres, as the Procfile's `web:` line starts it (plus the node flags given
// with --flags): 200 signed /mle-duties questions one at a time (each answered before the next, as in
// test/bench/memory.ts), between two marks of test/bench/alloc-probe.mjs. Reports bytes allocated per answer (V8's own
// count, from --trace-gc-nvp), the bytes that survived scavenges (what grows the young generation), scavenges, new-space
// capacity at the end and its peak, and where RSS went (V8 spaces, the rest of the process's anonymous memory, files).
// With --profile it also runs the sampling heap profiler over the 200 answers and prints the top allocation sites:
// by function allocating (self) and by the first frame of the bot's own code on the stack.
// `npx tsx test/bench/alloc.ts [--root DIR] [--flags "--max-semi-space-size=8"] [--profile] [--runs N]`
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '../helpers/pg-admin.ts';
import { freePort } from '../helpers/ports.ts';
import { createSigner } from '../helpers/signer.ts';
import { startSlackApi } from '../helpers/slack-api/server.ts';
import { botEnv, httpGet, post, procfile } from './bot-process.ts';
import { QUESTIONS, SECRET } from './slack.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ownRoot = path.resolve(here, '../..');
const ANSWERS = 200;

interface ProbeLine {
  mark: number;
  spaces: Record<string, { size: number; used: number; physical: number }>;
  memory: NodeJS.MemoryUsage;
  smaps: Record<string, number>;
  gcs: { minor: number; major: number; other: number; ms: number };
  maxNewSpace: number;
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Where a frame is: the bot's own code (its file under src/ via the source map, or dist/), a dependency, node. */
function place(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  if (url.startsWith('node:')) return url;
  if (url === '') return '(native)';
  return path.basename(url);
}

function topSites(profile: { head: ProfileNode }, answers: number) {
  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: ProfileNode['callFrame'][]) => {
    const frames = [...stack, node.callFrame];
    if (node.selfSize > 0) {
      total += node.selfSize;
      const f = node.callFrame;
      let key = `${f.functionName || '(anonymous)'} ${place(f.url)}:${f.lineNumber + 1}`;
      // A builtin (Map, sort, replace…) is named with the function that called it.
      const caller = frames[frames.length - 2];
      if (f.url === '' && caller)
        key += ` ← ${caller.functionName || '(anonymous)'} ${place(caller.url)}:${caller.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + node.selfSize);
      // The innermost frame of the bot's own code: what in our code caused the allocation.
      const own = [...frames].reverse().find((x) => x.url.includes('/dist/') && !x.url.includes('node_modules'));
      const ownKey = own ? `${own.functionName || '(anonymous)'} ${place(own.url)}:${own.lineNumber + 1}` : '(none)';
      ours.set(ownKey, (ours.get(ownKey) ?? 0) + node.selfSize);
      // Every function of our code on the stack, once each: what a call of it costs, callees included.
      const keys = new Set(
        frames
          .filter((x) => x.url.includes('/dist/') && !x.url.includes('node_modules'))
          .map((x) => `${x.functionName || '(anonymous)'} ${place(x.url)}:${x.lineNumber + 1}`),
      );
      for (const k of keys) inclusive.set(k, (inclusive.get(k) ?? 0) + node.selfSize);
    }
    for (const c of node.children) walk(c, frames);
  };
  walk(profile.head, []);
  const fmt = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(process.env.ALLOC_TOP ?? 25))
      .map(([k, v]) => `  ${(v / answers / 1024).toFixed(1).padStart(7)} KiB/answer  ${k}`)
      .join('\n');
  return {
    total,
    text: `by allocating function:\n${fmt(self)}\nby innermost frame of our code:\n${fmt(ours)}\nby frame of our code anywhere on the stack (inclusive):\n${fmt(inclusive)}`,
  };
}

async function run(root: string, flags: string, profile: boolean, retained: boolean) {
  const db = await freshDatabase(`mle_duties_alloc_${process.pid}`);
  const slack = await startSlackApi();
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...botEnv(slack, port, SECRET),
    DATABASE_URL: db.url,
  };
  const migrate = spawnSync('node', ['dist/cli.js', 'migrate'], { cwd: root, env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  const profileFile = path.join(tmpdir(), `alloc-profile-${process.pid}.json`);
  const probe = path.join(here, 'alloc-probe.mjs');
  const command = procfile(root).web.replace(/^node /, `node --import ${probe} --trace-gc-nvp ${flags} `);
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd: root,
    env: {
      ...env,
      ...(profile ? { ALLOC_PROBE_PROFILE: profileFile } : {}),
      ...(retained ? { ALLOC_PROBE_RETAINED: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const probes: ProbeLine[] = [];
  const nvp: { allocated: number; survived: number; promoted: number }[] = [];
  let counting = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('probe ')) {
      const p = JSON.parse(line.slice(6)) as ProbeLine;
      probes.push(p);
      counting = p.mark === 1;
      return;
    }
    if (line.startsWith('probe-new-space ')) {
      if (process.env.ALLOC_VERBOSE) console.log(`  ${line}`);
      return;
    }
    if (!counting) return;
    const get = (k: string) => Number(new RegExp(`\\b${k}=(\\d+)`).exec(line)?.[1] ?? 0);
    if (line.includes('allocated=')) {
      nvp.push({ allocated: get('allocated'), survived: get('new_space_survived'), promoted: get('promoted') });
    }
  });
  const mark = async (n: number) => {
    child.kill('SIGUSR2');
    for (let i = 0; i < 1000 && probes.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    const p = probes[n - 1];
    if (!p) throw new Error('the probe did not answer');
    return p;
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; (await httpGet(`${base}/readyz`)) !== 200; i++) {
      if (i > 600) throw new Error('not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = await mark(1);
    const signer = createSigner(SECRET);
    for (let i = 0; i < ANSWERS; i++) {
      const id = `alloc-${i}`;
      const { body, headers } = signer.command({
        text: QUESTIONS[i % QUESTIONS.length] as string,
        user_id: `U0BENCH${i % 20}`,
        response_url: slack.responseUrl(id),
      });
      const status = await post(`${base}/slack/events`, body, headers);
      if (status !== 200) throw new Error(`HTTP ${status}`);
      await slack.waitFor('response_url', i + 1, 30_000);
    }
    const after = await mark(2);
    const sum = (k: keyof (typeof nvp)[number]) => nvp.reduce((s, x) => s + x[k], 0);
    const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    const mibOf = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
    const heapPhysical = (p: ProbeLine) => Object.values(p.spaces).reduce((s, x) => s + x.physical, 0);
    const split = (p: ProbeLine) =>
      `rss ${mibOf(p.memory.rss)} = V8 heap ${mibOf(heapPhysical(p))} (new ${mibOf(p.spaces.new_space?.physical ?? 0)}, old ${mibOf(p.spaces.old_space?.physical ?? 0)} (${mibOf(p.spaces.old_space?.used ?? 0)} used), code ${mibOf(p.spaces.code_space?.physical ?? 0)}, large ${mibOf(p.spaces.large_object_space?.physical ?? 0)})` +
      ` + other anonymous ${mibOf(((p.smaps.Anonymous ?? 0) * 1024 - heapPhysical(p)) | 0)} + file-backed ${mibOf(((p.smaps.Rss ?? 0) - (p.smaps.Anonymous ?? 0)) * 1024)}; external ${mibOf(p.memory.external)}, arrayBuffers ${mibOf(p.memory.arrayBuffers)}`;
    console.log(`${root} ${flags}`);
    console.log(`  ready:  ${split(ready)}; new space ${mibOf(ready.spaces.new_space?.size ?? 0)}`);
    console.log(`  after:  ${split(after)}; new space ${mibOf(after.spaces.new_space?.size ?? 0)}`);
    console.log(
      `  ${ANSWERS} answers: allocated ${kib(sum('allocated') / ANSWERS)}/answer, survived scavenges ${kib(sum('survived') / ANSWERS)}/answer, promoted ${kib(sum('promoted') / ANSWERS)}/answer;` +
        ` ${after.gcs.minor} scavenges, ${after.gcs.major} mark-compacts, ${after.gcs.other} other, GC ${after.gcs.ms.toFixed(0)} ms; new space peak ${mibOf(after.maxNewSpace)}`,
    );
    if (profile) {
      const p = JSON.parse(readFileSync(profileFile, 'utf8')) as { head: ProfileNode };
      const sites = topSites(p, ANSWERS);
      console.log(`  sampled: ${kib(sites.total / ANSWERS)}/answer\n${sites.text}`);
      rmSync(profileFile, { force: true });
    }
    return { allocated: sum('allocated') / ANSWERS, peakNewSpace: after.maxNewSpace, rss: after.memory.rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await slack.close();
    await db.drop();
  }
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const root = path.resolve(opt('--root') ?? ownRoot);
const runs = Number(opt('--runs') ?? 1);
const retained = args.includes('--retained');
for (let i = 0; i < runs; i++) {
  await run(
    root,
    `${opt('--flags') ?? ''}${retained ? ' --expose-gc' : ''}`,
    args.includes('--profile') || retained,
    retained,
  );
}
