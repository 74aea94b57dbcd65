// A promise rejection nobody handled is logged and counted, and the process lives on (Node's default ends it). In a
// process of its own: the test runner has its own handler for these, and would see the planted one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SCRIPT = `
import { createLogger } from './src/log.ts';
import { createMetrics } from './src/ops/metrics.ts';
import { surviveRejections } from './src/ops/process.ts';
const metrics = createMetrics({ processMetrics: false });
const logger = createLogger({ level: 'info', json: true });
if (process.argv.includes('--guarded')) surviveRejections(logger, metrics);
Promise.reject(new Error('planted rejection'));
Promise.reject(new Error('planted rejection'));
setTimeout(async () => {
  process.stdout.write((await metrics.render()) + 'still alive\\n');
}, 100);
`;

function run(guarded: boolean) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, '--', ...(guarded ? ['--guarded'] : [])],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
}

describe('unhandled promise rejections', () => {
  it('without the guard Node ends the process (what main.ts did before)', () => {
    const r = run(false);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('still alive');
  });

  it('with it: logged, counted in /metrics, and the process lives on', () => {
    const r = run(true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('still alive');
    expect(r.stdout).toMatch(/^mle_duties_unhandled_rejections_total 2$/m);
    const lines = r.stderr.split('\n').filter((l) => l.includes('unhandled promise rejection'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('planted rejection');
  });
});
