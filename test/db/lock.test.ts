// One owner per data directory: the lock PGlite lacks (src/db/lock.ts). In process for the rules, and with real
// processes racing for it, since "exactly one wins" is a claim about processes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/db/lock.ts';
import { isAppError } from '../../src/errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'mle-duties-lock-'));
  dir = path.join(base, 'pglite');
  mkdirSync(dir);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('the data directory lock', () => {
  it('a second opener is refused with the holder pid and what to do; after release the next one gets it', () => {
    const first = lockDataDir(dir);
    const err = caught(() => lockDataDir(dir));
    expect(isAppError(err, 'db_locked')).toBe(true);
    expect(err.message).toContain(`process ${process.pid}`);
    expect(err.message).toMatch(/stop the bot/);
    expect(err.message).toMatch(/DATABASE_URL/);
    first.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    const second = lockDataDir(dir);
    second.release();
  });

  it('a stale lock (its holder pid is dead) is taken over', () => {
    const pid = deadPid();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid, command: 'src/main.ts', since: '2026-01-01T00:00:00Z' }));
    const lock = lockDataDir(dir);
    expect(caught(() => lockDataDir(dir)).message).toContain(`process ${process.pid}`);
    lock.release();
  });

  it('release only removes its own lock', () => {
    const lock = lockDataDir(dir);
    // Someone removed it by hand and another process took it.
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, command: 'other', since: 'x' }));
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(true);
  });

  it.each([
    ['a free directory', false],
    ['a stale lock', true],
  ])('four processes racing for %s: exactly one wins', async (_name, stale) => {
    if (stale) writeFileSync(`${dir}.lock`, JSON.stringify({ pid: deadPid(), command: 'x', since: 'x' }));
    // Each racer waits for the same instant, then tries once and holds what it won until all have tried.
    const at = Date.now() + 2500;
    const script = `
      import { lockDataDir } from './src/db/lock.ts';
      while (Date.now() < ${at}) {}
      try { const l = lockDataDir(${JSON.stringify(dir)}); console.log('won'); setTimeout(() => l.release(), 1500); }
      catch (err) { console.log(String(err.message).includes('in use by process') ? 'refused' : 'error ' + err.message); }
    `;
    const results = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
              cwd: ROOT,
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            let out = '';
            child.stdout.on('data', (d) => {
              out += String(d);
            });
            child.on('exit', () => resolve(out.trim()));
          }),
      ),
    );
    expect(results.sort()).toEqual(['refused', 'refused', 'refused', 'won']);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
