// Loaded into the bot with `node --import` by test/bench/alloc.ts (never in production): on each SIGUSR2 it prints one
// JSON line on stdout, prefixed `probe `, with the V8 heap spaces, the process's memory split (smaps_rollup), the
// garbage collections since the previous mark and the largest new-space capacity seen after any of them. With
// ALLOC_PROBE_PROFILE=<file> the sampling heap profiler runs between the first and the second mark, counting objects
// minor and major GCs collected too (that is, every allocation, not only what survived), and its profile is written
// to <file>. Plain JavaScript so that it loads in front of the compiled bot without a loader.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
let gcs = { minor: 0, major: 0, other: 0, ms: 0 };
let maxNewSpace = newSpace()?.space_size ?? 0;
let lastNewSpace = maxNewSpace;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind;
    if (kind === 1) gcs.minor += 1;
    else if (kind === 4) gcs.major += 1;
    else gcs.other += 1;
    gcs.ms += e.duration;
  }
  const size = newSpace()?.space_size ?? 0;
  if (size !== lastNewSpace) {
    // When the young generation grows or shrinks, and what the process had done by then.
    process.stdout.write(`probe-new-space ${JSON.stringify({ at: Math.round(performance.now()), size, marks })}\n`);
    lastNewSpace = size;
  }
  maxNewSpace = Math.max(maxNewSpace, size);
}).observe({ entryTypes: ['gc'] });

function smaps() {
  const out = {};
  try {
    for (const line of readFileSync('/proc/self/smaps_rollup', 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
  } catch {
    // Not Linux.
  }
  return out;
}

const profileFile = process.env.ALLOC_PROBE_PROFILE;
const session = profileFile ? new Session() : undefined;
session?.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session?.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
  );

let marks = 0;
process.on('SIGUSR2', async () => {
  marks += 1;
  if (session && marks === 1) {
    // ALLOC_PROBE_RETAINED: only what is still alive at the second mark (after a full GC, with --expose-gc).
    const all = !process.env.ALLOC_PROBE_RETAINED;
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: all,
      includeObjectsCollectedByMinorGC: all,
    });
  }
  if (session && marks === 2) {
    if (process.env.ALLOC_PROBE_RETAINED) globalThis.gc?.();
    const { profile } = await post('HeapProfiler.stopSampling', {});
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  const spaces = Object.fromEntries(
    v8
      .getHeapSpaceStatistics()
      .map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size }]),
  );
  const line = { mark: marks, spaces, memory: process.memoryUsage(), smaps: smaps(), gcs, maxNewSpace };
  process.stdout.write(`probe ${JSON.stringify(line)}\n`);
  gcs = { minor: 0, major: 0, other: 0, ms: 0 };
  maxNewSpace = newSpace()?.space_size ?? 0;
});
