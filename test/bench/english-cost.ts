// Run by test/bench/match.ts in a fresh process (node --expose-gc): what the English table costs a
// process (load time, heap and RSS once loaded, a lookup).
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ENGLISH_TABLE, englishWord } from '../../src/search/english.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const settle = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
};
const mib = (bytes: number) => bytes / 1024 / 1024;

const before = settle();
let t0 = performance.now();
englishWord('monitoring');
const loadMs = performance.now() - t0;
const table = settle();
const words = ['salary', 'dashboard', 'sepsis', 'qwzxv', 'monitoring', 'reimbursements', 'week', 'glitch'];
t0 = performance.now();
for (let i = 0; i < 10_000; i++) englishWord(words[i % words.length] as string);
const lookupUs = ((performance.now() - t0) / 10_000) * 1000;
console.log(
  JSON.stringify({
    fileMiB: mib(statSync(ENGLISH_TABLE).size),
    loadMs,
    heapMiB: mib(table.heap - before.heap),
    rssMiB: mib(table.rss - before.rss),
    lookupUs,
  }),
);
