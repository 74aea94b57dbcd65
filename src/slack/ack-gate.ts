/**
 * Acks first, answers never starve. Slack fails a request not acked within 3 s, while an answer a moment later is just
 * as good: so an answer job waits to *start* while requests are arriving, and starts once they pause. Under a steady
 * stream they never pause, so the wait is bounded: once the first waiting job has waited `maxHoldMs`, every waiting
 * job starts together. Only starts wait here: once started, an answer's queries take their turn of the event loop
 * like any I/O (an earlier gate held every query of an answer, up to a second each, and a steady stream of a few
 * hundred requests a second held answers back for seconds). The transport tells the gate of each request: HTTP from
 * its arrival to its response, Socket Mode at its arrival (its ack follows at once, over the socket).
 */
export interface AckGate {
  /** A request arrived and waits for its ack (HTTP). */
  opened(): void;
  /** Its response was sent (or its connection closed). */
  closed(): void;
  /** A request arrived and is acked at once (Socket Mode). */
  arrived(): void;
  /** Resolves once requests pause (none pending, none arrived for `quietMs`), or within `maxHoldMs` in any case. */
  clear(): Promise<void>;
}

export interface AckGateOptions {
  quietMs?: number;
  maxHoldMs?: number;
  now?: () => number;
}

/** One turn of the event loop: whatever I/O is already waiting (a request read, a reply) runs first. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const DEFAULT_QUIET_MS = 2;
const DEFAULT_MAX_HOLD_MS = 100;

export function createAckGate(options: AckGateOptions = {}): AckGate {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  const now = options.now ?? (() => performance.now());
  let pending = 0;
  let lastArrival = Number.NEGATIVE_INFINITY;
  let waiters: (() => void)[] = [];
  /** When the first of the current waiters must go, whatever arrives. */
  let holdUntil = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  const quiet = () => pending === 0 && now() - lastArrival >= quietMs;

  const releaseAll = () => {
    const go = waiters;
    waiters = [];
    holdUntil = Number.POSITIVE_INFINITY;
    for (const release of go) release();
  };

  const check = () => {
    timer = undefined;
    if (waiters.length === 0) return;
    if (quiet() || now() >= holdUntil) releaseAll();
    else schedule();
  };

  /** One timer for all waiters: at the end of the quiet period, or when the hold runs out. */
  const schedule = () => {
    if (timer || waiters.length === 0) return;
    const quietAt = pending === 0 ? lastArrival + quietMs : Number.POSITIVE_INFINITY;
    timer = setTimeout(check, Math.max(0, Math.ceil(Math.min(holdUntil, quietAt) - now())));
  };

  const arrival = () => {
    lastArrival = now();
  };

  return {
    opened() {
      pending += 1;
      arrival();
    },
    closed() {
      pending = Math.max(0, pending - 1);
      if (pending === 0) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        schedule();
      }
    },
    arrived: arrival,
    clear() {
      // Even when open, a turn of the event loop first: requests already read get in before this work.
      if (waiters.length === 0 && quiet()) return nextTurn();
      return new Promise((resolve) => {
        if (waiters.length === 0) holdUntil = now() + maxHoldMs;
        waiters.push(() => resolve());
        schedule();
      });
    },
  };
}
