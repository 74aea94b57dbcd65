// One scheduler tick: decide from the database's clock which digests are due, claim each in Postgres, post it.
// Any number of processes may run ticks at the same time; the claim row makes each (channel, week) post once.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { WebClient } from '@slack/web-api';
import type { CatalogWatch } from '../catalog/current.ts';
import type { Queryable } from '../db/db.ts';
import type { Logger } from '../log.ts';
import { type AskedStats, noAskedStats } from './asked-stats.ts';
import { buildDigest, type DigestOwners, type IntroWriter } from './content.ts';
import { formatInZone, LATE_NOTICE_MS, latestOccurrence, MAX_LATENESS_MS, type Occurrence } from './schedule.ts';
import { classifySlackError, findDigestMessage } from './slack.ts';
import {
  activeSubscriptions,
  claimRun,
  dbNow,
  getHalt,
  markFailed,
  markPosted,
  markUnknown,
  pauseSubscription,
  type Run,
  renewLease,
  runKey,
  runStatuses,
  type Subscription,
  setHalt,
  settleAbandonedClaims,
} from './store.ts';

export const DEFAULTS = {
  /** How long a claim is exclusive. Far above one attempt (request timeout 10 s + Retry-After waits ≤ 60 s). */
  leaseMs: 5 * 60_000,
  maxAttempts: 5,
  /** About one post per second per process, across channels. */
  paceMs: 1100,
  /** Longest Retry-After we wait out inside one tick; longer ones are retried by a later tick. */
  maxRateLimitWaitMs: 60_000,
} as const;

export interface TickDeps {
  db: Queryable;
  client: WebClient;
  logger: Logger;
  /** Act as if it were this time (CLI --now, tests). Default: the database's clock, never this process's. */
  now?: Date;
  catalog: CatalogWatch;
  askedStats?: AskedStats;
  intro?: IntroWriter;
  owners?: DigestOwners;
  /** Names this process in claims. */
  owner?: string;
  leaseMs?: number;
  maxAttempts?: number;
  /** Shared by a process's ticks so pacing holds across them. */
  pacer?: Pacer;
  paceMs?: number;
  maxRateLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the tick between channels (shutdown). */
  signal?: AbortSignal;
}

export type Outcome =
  | 'posted'
  | 'recovered' // a dead process's post was found in the channel: recorded, not posted again
  | 'unknown' // a dead process's post could not be checked: recorded, not posted again
  | 'failed' // will be retried by a later tick while attempts remain
  | 'paused' // channel archived, gone, or the bot is not in it
  | 'halted' // the token is dead
  | 'lost'; // our lease expired before we could post (another process owns the run now)

export interface TickResult {
  now: Date;
  halted: boolean;
  /** Subscriptions with an occurrence due and not yet handled by anyone. */
  due: number;
  /** Due more than six days ago and never posted: skipped for good. */
  tooLate: number;
  outcomes: { channelId: string; period: string; outcome: Outcome; error?: string }[];
}

export interface Pacer {
  wait(): Promise<void>;
}

export function createPacer(paceMs: number, sleep: (ms: number) => Promise<void> = realSleep): Pacer {
  let next = 0;
  return {
    async wait() {
      const t = performance.now();
      const start = Math.max(t, next);
      next = start + paceMs;
      if (start > t) await sleep(start - t);
    },
  };
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

export async function tick(deps: TickDeps): Promise<TickResult> {
  const { db, logger } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULTS.leaseMs;
  const maxAttempts = deps.maxAttempts ?? DEFAULTS.maxAttempts;
  const sleep = deps.sleep ?? realSleep;
  const pacer = deps.pacer ?? createPacer(deps.paceMs ?? DEFAULTS.paceMs, sleep);
  const owner = deps.owner ?? defaultOwner();
  // The tick's clock: the given or database time at the start, advanced by real elapsed time. A process whose own
  // clock is wrong therefore neither posts early nor sees live leases as expired.
  const start = deps.now ?? (await dbNow(db));
  const t0 = performance.now();
  const clock = () => new Date(start.getTime() + (performance.now() - t0));
  const result: TickResult = { now: start, halted: false, due: 0, tooLate: 0, outcomes: [] };

  const halt = await getHalt(db);
  if (halt) {
    logger.debug('digest: halted, nothing posted', { reason: halt.reason });
    return { ...result, halted: true };
  }
  const settled = await settleAbandonedClaims(db, start, maxAttempts);
  if (settled > 0) logger.warn('digest: claims of stopped processes recorded as unknown', { count: settled });

  // Cheap when nothing is due (the common case, every minute in every replica): one query for the subscriptions,
  // one for the state of their current weeks; claims are attempted only for weeks nobody has finished.
  const subs = await activeSubscriptions(db);
  const current = subs.map((sub) => ({ sub, occ: latestOccurrence(sub, start) }));
  const statuses = await runStatuses(
    db,
    current.map(({ sub, occ }) => ({ channelId: sub.channelId, period: occ.period })),
  );
  for (const { sub, occ: first } of current) {
    if (deps.signal?.aborted) break;
    const now = clock();
    // Recomputed with the advancing clock: a long tick may cross a due time.
    const occ = latestOccurrence(sub, now);
    if (occ.dueAt.getTime() < sub.activeSince.getTime()) continue;
    const status = occ.period === first.period ? statuses.get(runKey(sub.channelId, occ.period)) : undefined;
    if (status === 'posted' || status === 'unknown') continue;
    const lateness = now.getTime() - occ.dueAt.getTime();
    if (lateness > MAX_LATENESS_MS) {
      // Only the latest occurrence is ever considered, so an outage of any length costs at most one late post;
      // this late, the next one is less than a day away, so this one is dropped.
      if (status === undefined) result.tooLate += 1;
      continue;
    }
    const run = await claimRun(db, {
      channelId: sub.channelId,
      period: occ.period,
      dueAt: occ.dueAt,
      now,
      leaseMs,
      owner,
      maxAttempts,
      wallMs: Date.now(),
    });
    if (!run) continue; // someone else holds it, or it is waiting for its retry time, or out of attempts
    result.due += 1;
    const log = logger.child({ channel: sub.channelId, period: occ.period });
    let outcome: { outcome: Outcome; error?: string };
    try {
      outcome = await deliver({ ...deps, leaseMs, maxAttempts, sleep, pacer, owner, clock, log }, sub, occ, run);
    } catch (err) {
      // A bug or the database failing mid-delivery: leave a retryable, verify-first failure behind.
      log.error('digest: delivery failed unexpectedly', { err });
      await markFailed(db, run, owner, 'unexpected error', true, backoff(clock(), run.attempts), clock()).catch(
        () => {},
      );
      outcome = { outcome: 'failed', error: 'unexpected error' };
    }
    result.outcomes.push({ channelId: sub.channelId, period: occ.period, ...outcome });
    if (outcome.outcome === 'halted') {
      result.halted = true;
      break;
    }
  }
  return result;
}

interface DeliverContext extends TickDeps {
  leaseMs: number;
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  pacer: Pacer;
  owner: string;
  clock: () => Date;
  log: Logger;
}

/** Retry times after failures: 1, 2, 4, 8 … minutes, at most an hour. */
function backoff(now: Date, attempts: number): Date {
  return new Date(now.getTime() + Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000);
}

async function deliver(
  c: DeliverContext,
  sub: Subscription,
  occ: Occurrence,
  run: Run,
): Promise<{ outcome: Outcome; error?: string }> {
  const { db, client, owner, clock, log } = c;
  const late = clock().getTime() - occ.dueAt.getTime() > LATE_NOTICE_MS;

  if (run.verify) {
    // An earlier attempt may have reached Slack. Look before posting again; if we cannot look, never post again.
    // The search starts a little before the first attempt's wall clock (its host's clock may be off a little).
    const oldest = run.firstAttemptWallMs === null ? null : run.firstAttemptWallMs - 15 * 60_000;
    try {
      const found = await findDigestMessage(client, sub.channelId, occ.period, oldest);
      if (found) {
        await markPosted(db, run, found.ts, late, clock());
        log.info('digest: found the post of a stopped attempt, recorded it', { ts: found.ts });
        return { outcome: 'recovered' };
      }
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure.kind === 'auth') return haltAll(c, run, failure.error);
      await markUnknown(db, run, owner, `could not check the channel history: ${failure.error}`, clock());
      if (failure.kind === 'channel') await pauseSubscription(db, sub.channelId, failure.error, clock());
      log.warn('digest: cannot tell whether an earlier attempt posted; recorded as unknown, not posting again', {
        error: failure.error,
      });
      return { outcome: 'unknown', error: failure.error };
    }
  }

  const message = await buildDigest({
    db,
    catalog: c.catalog,
    seq: run.seq,
    period: occ.period,
    dueAt: occ.dueAt,
    lateSince: late ? formatInZone(occ.dueAt, sub.timeZone) : undefined,
    askedStats: c.askedStats ?? noAskedStats,
    intro: c.intro,
    logger: log,
    owners: c.owners,
    teamId: sub.teamId,
  });

  let waited = 0;
  for (;;) {
    await c.pacer.wait();
    // Re-assert the claim right before the request: if our lease ran out (a stall, a long Retry-After), another
    // process may own the run now and we must not post.
    if (!(await renewLease(db, run, owner, clock(), c.leaseMs))) {
      log.warn('digest: lease lost before posting; leaving the run to its new owner');
      return { outcome: 'lost' };
    }
    try {
      const res = await client.chat.postMessage({
        channel: sub.channelId,
        text: message.text,
        blocks: message.blocks,
        ...(message.metadata ? { metadata: message.metadata } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      await markPosted(db, run, String(res.ts), late, clock());
      log.info('digest: posted', { ts: res.ts, late, seq: run.seq });
      return { outcome: 'posted' };
    } catch (err) {
      const failure = classifySlackError(err);
      switch (failure.kind) {
        case 'rate_limited':
          if (waited + failure.retryAfterMs <= (c.maxRateLimitWaitMs ?? DEFAULTS.maxRateLimitWaitMs)) {
            log.info('digest: rate limited, waiting', { retryAfterMs: failure.retryAfterMs });
            waited += failure.retryAfterMs;
            await c.sleep(failure.retryAfterMs);
            continue;
          }
          // Not worth holding the claim that long: the next tick after Retry-After takes it again.
          await markFailed(
            db,
            run,
            owner,
            failure.error,
            false,
            new Date(clock().getTime() + failure.retryAfterMs),
            clock(),
          );
          return { outcome: 'failed', error: failure.error };
        case 'channel':
          await markFailed(db, run, owner, failure.error, false, null, clock());
          await pauseSubscription(db, sub.channelId, failure.error, clock());
          log.warn('digest: channel cannot take posts, subscription paused', { error: failure.error });
          return { outcome: 'paused', error: failure.error };
        case 'auth':
          return haltAll(c, run, failure.error);
        case 'ambiguous':
        case 'rejected': {
          const retry = run.attempts < c.maxAttempts ? backoff(clock(), run.attempts) : null;
          await markFailed(db, run, owner, failure.error, failure.kind === 'ambiguous', retry, clock());
          log.warn('digest: post failed', { error: failure.error, attempts: run.attempts, retrying: retry !== null });
          return { outcome: 'failed', error: failure.error };
        }
      }
    }
  }
}

async function haltAll(c: DeliverContext, run: Run, error: string): Promise<{ outcome: Outcome; error: string }> {
  // The run stays retryable (this attempt is not its fault): once a working token resumes digests, it goes out
  // if still in time.
  await markFailed(c.db, run, c.owner, error, run.verify, c.clock(), c.clock());
  await setHalt(c.db, error, c.clock());
  c.log.error('ALERT digest: Slack refused the bot token; all digests stopped', {
    alert: true,
    error,
    fix: 'install a valid SLACK_BOT_TOKEN, then run `mle-duties digest resume` or subscribe a channel again',
  });
  return { outcome: 'halted', error };
}
