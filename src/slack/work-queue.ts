import { AppError } from '../errors.ts';
import { type AckGate, nextTurn } from './ack-gate.ts';

/** Runs answer work with bounded concurrency and a bounded wait; throws AppError 'busy' when it cannot take more. */
export type Work = <T>(fn: () => Promise<T>) => Promise<T>;

export interface WorkQueueOptions {
  /** Answers in progress at once. */
  concurrency: number;
  /** Jobs that may wait for a turn; one more is refused at once ('busy'). */
  maxWaiting: number;
  /** Longest a job may wait for its turn; after that its asker is told the bot is busy. */
  maxWaitMs: number;
  /** When given, a job with a turn starts once the gate lets it (see ack-gate.ts); otherwise on the next turn. */
  gate?: AckGate;
}

/**
 * Answer work, bounded: at most `concurrency` jobs at once, each starting through the ack gate (acks first, for a
 * bounded while) or at least on a fresh turn of the event loop. The rest wait their turn (FIFO) for at most
 * `maxWaitMs`, and at most `maxWaiting` of them: past either, the job fails with 'busy' at once and its asker hears
 * "busy, try again" rather than an answer that comes too late, or never. The same in HTTP and Socket Mode.
 */
export function createWorkQueue(o: WorkQueueOptions): Work {
  let running = 0;
  const waiting: { start: () => void; timer: NodeJS.Timeout }[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.start();
    } else running -= 1;
  };
  const turn = () =>
    new Promise<void>((resolve, reject) => {
      if (running < o.concurrency) {
        running += 1;
        resolve();
        return;
      }
      if (waiting.length >= o.maxWaiting) {
        reject(busy(`${waiting.length} answers already waiting`));
        return;
      }
      const entry = {
        start: resolve,
        timer: setTimeout(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(busy(`no turn within ${o.maxWaitMs} ms`));
        }, o.maxWaitMs),
      };
      waiting.push(entry);
    });
  return async (fn) => {
    await turn();
    try {
      await (o.gate ? o.gate.clear() : nextTurn());
      return await fn();
    } finally {
      release();
    }
  };
}

function busy(why: string): AppError {
  return new AppError('busy', `Too many answers at once (${why})`);
}
