// Runs a digest tick every minute in this process. Every replica runs one; the claim rows keep posts exactly once.
import { createPacer, DEFAULTS, defaultOwner, realSleep, type TickDeps, type TickResult, tick } from './tick.ts';

export interface SchedulerDeps extends Omit<TickDeps, 'now' | 'signal' | 'pacer'> {
  intervalMs?: number;
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

  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      abort.abort();
      await inFlight;
    },
  };
}
