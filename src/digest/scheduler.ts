// Runs a digest tick every minute in this process, and the other periodic jobs it is given (housekeeping, hourly),
// each on its own timer. Every replica runs them; the claim rows keep posts exactly once.
import { createPacer, DEFAULTS, defaultOwner, realSleep, type TickDeps, type TickResult, tick } from './tick.ts';

/** A periodic job besides the digest tick: runs every `everyMs` (the first time soon after start), never overlapping. */
export interface Job {
  name: string;
  everyMs: number;
  run(now: Date): Promise<void>;
}

export interface SchedulerDeps extends Omit<TickDeps, 'now' | 'signal' | 'pacer'> {
  intervalMs?: number;
  jobs?: readonly Job[];
  /** Called after each tick (metrics, tests). */
  onTick?: (result: TickResult) => void;
}

export interface Scheduler {
  /** Stops the timer; resolves once an in-flight tick has finished its current channel. */
  stop(): Promise<void>;
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const intervalMs = deps.intervalMs ?? 60_000;
  const owner = deps.owner ?? defaultOwner();
  const pacer = createPacer(deps.paceMs ?? DEFAULTS.paceMs, deps.sleep ?? realSleep);
  const abort = new AbortController();
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const run = () => {
    // A tick that takes longer than the interval (many channels, Retry-After) is not overlapped by the next one.
    if (stopped || inFlight) return;
    inFlight = tick({ ...deps, owner, pacer, signal: abort.signal })
      .then((result) => deps.onTick?.(result))
      .catch((err) => deps.logger.error('digest: scheduler tick failed', { err }))
      .finally(() => {
        inFlight = undefined;
      });
  };

  // The first tick soon after start (with jitter so replicas started together do not all hit the database at once),
  // then every interval. Timers are unref'd: the scheduler never keeps a process alive on its own.
  const first = setTimeout(run, Math.floor(Math.random() * Math.min(5000, intervalMs)));
  first.unref();
  const timer = setInterval(run, intervalMs);
  timer.unref();

  const jobs = (deps.jobs ?? []).map((job) => {
    let running: Promise<void> | undefined;
    const go = () => {
      if (stopped || running) return;
      running = job
        .run(new Date())
        .catch((err) => deps.logger.error(`${job.name} failed`, { err }))
        .finally(() => {
          running = undefined;
        });
    };
    const firstRun = setTimeout(go, Math.floor(Math.random() * Math.min(60_000, job.everyMs)));
    firstRun.unref();
    const every = setInterval(go, job.everyMs);
    every.unref();
    return {
      stop: () => {
        clearTimeout(firstRun);
        clearInterval(every);
        return running;
      },
    };
  });

  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      abort.abort();
      await Promise.all([inFlight, ...jobs.map((j) => j.stop())]);
    },
  };
}
