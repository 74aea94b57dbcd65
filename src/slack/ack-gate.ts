/**
 * Acks first. Slack fails a request that is not acked within 3 s, while an answer posted through response_url a
 * second later is just as good; so answer work waits here while requests are arriving, and runs once they pause.
 *
 * Every slice of answer work on this thread delays whatever request arrives during it, and in a burst requests
 * arrive back to back: waiting only for "no request pending" lets answer slices into the short gaps between
 * them, which is where they hurt. So the gate opens once nothing has arrived for `quietMs`, and in any case after
 * `maxWaitMs`, so a steady stream of requests cannot hold answers back for longer than that.
 */
export interface AckGate {
  /** A request arrived (HTTP POST received). */
  opened(): void;
  /** Its response was sent (or its connection closed). */
  closed(): void;
  /** Resolves once requests pause (none pending, none arrived for `quietMs`), or after `maxWaitMs`. */
  clear(): Promise<void>;
}

export interface AckGateOptions {
  quietMs?: number;
  maxWaitMs?: number;
  now?: () => number;
}

/** One turn of the event loop: whatever I/O is already waiting (a request read, a reply) runs first. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const DEFAULT_QUIET_MS = 5;
const DEFAULT_MAX_WAIT_MS = 1000;

export function createAckGate(options: AckGateOptions = {}): AckGate {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const now = options.now ?? (() => performance.now());
  let pending = 0;
  let lastArrival = Number.NEGATIVE_INFINITY;
  /** Waiters in arrival order, each with the moment it must go regardless (so the first one's comes first). */
  let waiters: { release: () => void; deadline: number }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const quiet = () => pending === 0 && now() - lastArrival >= quietMs;

  const check = () => {
    timer = undefined;
    const t = now();
    const open = quiet();
    const go = open ? waiters : waiters.filter((w) => w.deadline <= t);
    if (go.length > 0) {
      waiters = open ? [] : waiters.filter((w) => w.deadline > t);
      for (const w of go) w.release();
    }
    schedule();
  };

  /** One timer for all waiters: at the end of the quiet period, or at the earliest deadline. */
  const schedule = () => {
    if (timer || waiters.length === 0) return;
    const t = now();
    const earliest = (waiters[0] as { deadline: number }).deadline;
    const quietAt = pending === 0 ? lastArrival + quietMs : Number.POSITIVE_INFINITY;
    timer = setTimeout(check, Math.max(0, Math.ceil(Math.min(earliest, quietAt) - t)));
  };

  return {
    opened() {
      pending += 1;
      lastArrival = now();
    },
    closed() {
      pending = Math.max(0, pending - 1);
      if (pending === 0) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        schedule();
      }
    },
    clear() {
      // Even when open, a turn of the event loop first: requests already read get in before this work.
      if (waiters.length === 0 && quiet()) return nextTurn();
      return new Promise((resolve) => {
        waiters.push({ release: () => resolve(), deadline: now() + maxWaitMs });
        schedule();
      });
    },
  };
}
