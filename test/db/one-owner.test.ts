// One owner per embedded database, through the real entry points: a second PGlite opener of a data directory, and the
// CLI beside a running holder, are refused with the holder's pid; on Postgres the CLI runs beside the bot as before.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.ts';
import { isAppError } from '../../src/errors.ts';
import { ENGINE, openTestDb, type TestDb } from '../helpers/db.ts';
import { childEnv, ROOT } from '../helpers/main-process.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await openTestDb();
});
afterAll(() => tdb?.close());

/** `mle-duties <args>` in a process of its own, on the test database. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: childEnv(tdb.url ? { DATABASE_URL: tdb.url } : { PGLITE_DIR: tdb.dir as string }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(ENGINE !== 'pglite')('PGlite: one owner per data directory', () => {
  it('a second opener of the directory is refused, naming the holder pid; the holder keeps working', async () => {
    const err = await openPglite(tdb.dir as string).then(
      () => new Error('a second opener got in'),
      (e: Error) => e,
    );
    expect(isAppError(err, 'db_locked')).toBe(true);
    expect(err.message).toContain(`in use by process ${process.pid}`);
    expect(await tdb.db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('the CLI beside a running holder exits 1 with the message, and writes nothing', async () => {
    const before = await tdb.db.query<{ n: number }>('select count(*)::int as n from digest_runs');
    const r = await cli(['digest', 'tick']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`in use by process ${process.pid}`);
    expect(r.stderr).toMatch(/stop the bot.*DATABASE_URL/s);
    expect(await tdb.db.query('select count(*)::int as n from digest_runs')).toEqual(before);
    const ask = await cli(['ask', 'who deploys models?']);
    expect(ask.code).toBe(1);
    expect(ask.stderr).toContain(`in use by process ${process.pid}`);
  });
});

describe.skipIf(ENGINE !== 'postgres')('Postgres: any number of processes', () => {
  it('the CLI runs beside a process holding the database', async () => {
    const r = await cli(['ask', 'who deploys models?']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deploy/i);
  });
});
