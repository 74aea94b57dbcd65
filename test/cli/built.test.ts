// The compiled CLI as people run it (`npm run ask`, the installed `mle-duties`): src/bin/mle-duties.mjs builds dist/
// when src/ is newer, then answers with plain node, no TypeScript loader. One process per engine.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  // PGlite allows one opener of a data directory: the child opens it.
  if (t.dir) await t.db.close();
});
afterAll(async () => {
  await t.close();
});

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [path.join(root, 'src/bin/mle-duties.mjs'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...(t.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: t.dir }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('the built mle-duties command', () => {
  it('answers a question from dist/ with plain node', async () => {
    const r = await run(['ask', '--json', 'who reviews code?']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).matches[0]).toMatchObject({ id: '4:Code Review' });
  });
});
