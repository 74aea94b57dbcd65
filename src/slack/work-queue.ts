/** Runs answer work with bounded concurrency, giving the event loop a turn before each job. */
export type Work = <T>(fn: () => Promise<T>) => Promise<T>;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Acks must never wait behind answers. The embedded database runs each query on this very thread,
 * so a burst of answers would hold incoming requests (and their acks) until all of them finished;
 * with a bound and a turn of the event loop before each job, a new request waits for one job at most.
 * Postgres runs queries elsewhere; the bound there just keeps a burst from queueing on the pool.
 */
export function createWorkQueue(concurrency: number): Work {
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
      await turn();
      return await fn();
    } finally {
      release();
    }
  };
}
