// One owner per embedded database. PGlite does not stop a second process from opening its data directory, and the
// two then lose each other's confirmed writes; so whoever opens it first takes this lock, and everyone else is told
// who holds it.
import { closeSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** What the lock file holds: who took it, so a refusal can name them and a dead holder's lock can be taken over. */
interface Holder {
  pid: number;
  /** The holder's command line (`src/main.ts`, `src/cli.ts digest`), for the message. */
  command: string;
  since: string;
}

export interface DirLock {
  readonly path: string;
  /** Lets go of the lock (only if it is still this process's). Safe to call twice. */
  release(): void;
}

/**
 * Takes the lock of a data directory: the file `<dir>.lock` beside it, created with O_EXCL, so of any number of
 * processes racing for it exactly one wins. A lock whose holder's pid is no longer running (SIGKILL, a crash) is
 * taken over, under a second short-lived O_EXCL file, so that two processes finding the same stale lock cannot both
 * take it. Throws `db_locked` naming the holder's pid when the holder is alive (this very process included).
 * Released by `release()`, and on process exit if the holder forgot.
 */
export function lockDataDir(dir: string): DirLock {
  const lockPath = `${realpathSync(dir)}.lock`;
  const me: Holder = {
    pid: process.pid,
    command: process.argv
      .slice(1, 3)
      .map((a, i) => (i === 0 ? path.relative(process.cwd(), a) || a : a))
      .join(' '),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, me)) break;
    const holder = readHolder(lockPath);
    if (holder === 'gone') continue;
    if (holder === 'unreadable' || isAlive(holder.pid)) {
      // Unreadable: its holder is between creating and writing it (a moment), or someone wrote garbage.
      if (holder === 'unreadable' && attempt < 20) {
        sleepMs(5);
        continue;
      }
      throw lockedError(dir, lockPath, holder);
    }
    if (attempt > 20) throw lockedError(dir, lockPath, holder);
    takeOver(lockPath, holder.pid);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const holder = readHolder(lockPath);
    if (typeof holder === 'object' && holder.pid === me.pid && holder.since === me.since)
      rmSync(lockPath, { force: true });
  };
  process.once('exit', release);
  return { path: lockPath, release };
}

function tryCreate(lockPath: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(lockPath: string): Holder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (Number.isSafeInteger(h.pid) && (h.pid as number) > 0) {
      return { pid: h.pid as number, command: String(h.command ?? '?'), since: String(h.since ?? '?') };
    }
  } catch {
    // Not (yet) JSON.
  }
  return 'unreadable';
}

/**
 * Removes a lock whose holder `deadPid` is gone, unless someone else replaced it meanwhile. Takeovers are serialised
 * by `<lock>.takeover` (O_EXCL): without it, A could remove the stale lock and create its own, and B, which had read
 * the same stale lock a moment earlier, would then remove A's.
 */
function takeOver(lockPath: string, deadPid: number): void {
  const guard = `${lockPath}.takeover`;
  if (!tryCreate(guard, { pid: process.pid, command: 'takeover', since: new Date().toISOString() })) {
    // Another process is taking over right now; or one died doing so (a window of microseconds): after a few
    // seconds its guard counts as abandoned.
    const age = Date.now() - (statSafe(guard) ?? Date.now());
    if (age > 5000) rmSync(guard, { force: true });
    else sleepMs(5);
    return;
  }
  try {
    const holder = readHolder(lockPath);
    if (typeof holder === 'object' && holder.pid === deadPid && !isAlive(deadPid)) rmSync(lockPath, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid is running (a zombie, dead but not yet reaped, is not). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: the state is the field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function lockedError(dir: string, lockPath: string, holder: Holder | 'unreadable'): AppError {
  const who =
    holder === 'unreadable'
      ? 'another process (its lock file cannot be read)'
      : `process ${holder.pid} (${holder.command}, since ${holder.since})`;
  return new AppError(
    'db_locked',
    `The embedded database at ${dir} is in use by ${who}. PGlite allows one process per data directory: stop the ` +
      `bot (or that process) first, or set DATABASE_URL to use Postgres, which any number of processes can share. ` +
      `If no such process is running, delete ${lockPath}.`,
  );
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
