import { type AckGate, nextTurn } from './ack-gate.ts';

/** Runs answer work with bounded concurrency, each job starting only when the ack gate lets it. */
export type Work = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * Acks must never wait behind answers. A job starts once the gate opens (requests have paused, see ack-gate.ts),
 * or at least after a turn of the event loop when there is no gate, so a request already read is acked first.
 * The bound keeps a burst from queueing on the database; with the embedded database in its worker thread,
 * several answers in flight also let its replies arrive in batches, which costs this thread less per answer.
 */
export function createWorkQueue(concurrency: number, gate?: AckGate): Work {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async (fn) => {
    if (running < concurrency) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      await (gate ? gate.clear() : nextTurn());
      return await fn();
    } finally {
      release();
    }
  };
}
