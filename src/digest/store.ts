// Subscriptions and runs in Postgres: plain parameterised SQL, one function per statement.
import type { Queryable } from '../db/db.ts';
import type { WeeklyTime } from './schedule.ts';

export type SubscriptionStatus = 'active' | 'paused' | 'unsubscribed';

export interface Subscription extends WeeklyTime {
  channelId: string;
  teamId: string | null;
  status: SubscriptionStatus;
  pausedReason: string | null;
  subscribedBy: string;
  activeSince: Date;
}

export type RunStatus = 'claimed' | 'posted' | 'failed' | 'unknown';

export interface Run {
  channelId: string;
  period: string;
  dueAt: Date;
  seq: number;
  status: RunStatus;
  attempts: number;
  verify: boolean;
  leaseUntil: Date | null;
  claimedBy: string | null;
  firstAttemptWallMs: number | null;
  nextAttemptAt: Date | null;
  messageTs: string | null;
  postedAt: Date | null;
  late: boolean;
  lastError: string | null;
}

const SUB_COLUMNS = `channel_id as "channelId", team_id as "teamId", weekday, minute_of_day as "minuteOfDay",
  time_zone as "timeZone", status, paused_reason as "pausedReason", subscribed_by as "subscribedBy",
  active_since as "activeSince"`;

const RUN_COLUMNS = `channel_id as "channelId", period, due_at as "dueAt", seq, status, attempts, verify,
  lease_until as "leaseUntil", claimed_by as "claimedBy", first_attempt_wall_ms::float8 as "firstAttemptWallMs",
  next_attempt_at as "nextAttemptAt", message_ts as "messageTs", posted_at as "postedAt", late,
  last_error as "lastError"`;

// Both drivers return timestamptz as Date; this keeps the types honest if one ever returns a string.
function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}
function toDateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

function subscriptionFromRow(r: Subscription): Subscription {
  return { ...r, activeSince: toDate(r.activeSince) };
}

function runFromRow(r: Run): Run {
  return {
    ...r,
    dueAt: toDate(r.dueAt),
    leaseUntil: toDateOrNull(r.leaseUntil),
    nextAttemptAt: toDateOrNull(r.nextAttemptAt),
    postedAt: toDateOrNull(r.postedAt),
    firstAttemptWallMs: r.firstAttemptWallMs === null ? null : Number(r.firstAttemptWallMs),
  };
}

export async function dbNow(db: Queryable): Promise<Date> {
  const rows = await db.query<{ now: Date }>('select now() as now');
  return toDate(rows[0]?.now);
}

/**
 * Creates or replaces a channel's subscription; subscribing again also resumes a paused one. A live subscription keeps
 * its subscriber (a keeper rescheduling it does not take it over); one that was unsubscribed gets the new subscriber.
 */
export async function upsertSubscription(
  db: Queryable,
  s: Pick<Subscription, 'channelId' | 'teamId' | 'weekday' | 'minuteOfDay' | 'timeZone' | 'subscribedBy'>,
  now: Date,
): Promise<Subscription> {
  const rows = await db.query<Subscription>(
    `insert into digest_subscriptions
       (channel_id, team_id, weekday, minute_of_day, time_zone, status, paused_reason, subscribed_by, active_since,
        created_at, updated_at)
     values ($1, $2, $3, $4, $5, 'active', null, $6, $7, $7, $7)
     on conflict (channel_id) do update set
       team_id = excluded.team_id, weekday = excluded.weekday, minute_of_day = excluded.minute_of_day,
       time_zone = excluded.time_zone, status = 'active', paused_reason = null,
       subscribed_by = case when digest_subscriptions.status = 'unsubscribed' then excluded.subscribed_by
                            else digest_subscriptions.subscribed_by end,
       active_since = excluded.active_since, updated_at = excluded.updated_at
     returning ${SUB_COLUMNS}`,
    [s.channelId, s.teamId, s.weekday, s.minuteOfDay, s.timeZone, s.subscribedBy, now],
  );
  return subscriptionFromRow(rows[0] as Subscription);
}

/** With `forUpdate` (inside a transaction), the row stays locked until it ends: a change decided on it is not raced. */
export async function getSubscription(
  db: Queryable,
  channelId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Subscription | undefined> {
  const rows = await db.query<Subscription>(
    `select ${SUB_COLUMNS} from digest_subscriptions where channel_id = $1${options.forUpdate ? ' for update' : ''}`,
    [channelId],
  );
  return rows[0] ? subscriptionFromRow(rows[0]) : undefined;
}

export async function activeSubscriptions(db: Queryable): Promise<Subscription[]> {
  const rows = await db.query<Subscription>(
    `select ${SUB_COLUMNS} from digest_subscriptions where status = 'active' order by channel_id`,
  );
  return rows.map(subscriptionFromRow);
}

/** Returns false when the channel had no live subscription. */
export async function unsubscribe(db: Queryable, channelId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update digest_subscriptions set status = 'unsubscribed', paused_reason = null, updated_at = $2
     where channel_id = $1 and status <> 'unsubscribed' returning channel_id`,
    [channelId, now],
  );
  return rows.length > 0;
}

/** A paused subscription goes on with its schedule from `now` (no catch-up for the weeks it missed). */
export async function resumeSubscription(db: Queryable, channelId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `update digest_subscriptions set status = 'active', paused_reason = null, active_since = $2, updated_at = $2
     where channel_id = $1 and status = 'paused' returning channel_id`,
    [channelId, now],
  );
  return rows.length > 0;
}

export async function pauseSubscription(db: Queryable, channelId: string, reason: string, now: Date): Promise<void> {
  await db.query(
    `update digest_subscriptions set status = 'paused', paused_reason = $2, updated_at = $3
     where channel_id = $1 and status = 'active'`,
    [channelId, reason, now],
  );
}

export interface Halt {
  reason: string;
  haltedAt: Date;
}

export async function getHalt(db: Queryable): Promise<Halt | undefined> {
  const rows = await db.query<Halt>('select reason, halted_at as "haltedAt" from digest_halt where id = 1');
  return rows[0] ? { reason: rows[0].reason, haltedAt: toDate(rows[0].haltedAt) } : undefined;
}

export async function setHalt(db: Queryable, reason: string, now: Date): Promise<void> {
  await db.query(
    `insert into digest_halt (id, reason, halted_at) values (1, $1, $2)
     on conflict (id) do update set reason = excluded.reason, halted_at = excluded.halted_at`,
    [reason, now],
  );
}

/** Returns true when digests had been halted. */
export async function clearHalt(db: Queryable): Promise<boolean> {
  const rows = await db.query('delete from digest_halt where id = 1 returning id');
  return rows.length > 0;
}

export interface ClaimRequest {
  channelId: string;
  period: string;
  dueAt: Date;
  now: Date;
  leaseMs: number;
  owner: string;
  maxAttempts: number;
  wallMs: number;
}

/**
 * The exactly-once gate. One statement, so it is atomic on Postgres: the first caller inserts the row and owns it;
 * concurrent callers wait on the row lock, then see a live claim and get nothing back. A row is taken over only when
 * its lease has expired (its process died: `verify` is set so the new owner looks for the message first) or when a
 * failed attempt's back-off is over and attempts remain.
 *
 * `seq` counts the channel's earlier digests, so the rotation resumes where it stopped after a pause or a skip.
 */
export async function claimRun(db: Queryable, c: ClaimRequest): Promise<Run | undefined> {
  const rows = await db.query<Run>(
    `insert into digest_runs as r
       (channel_id, period, due_at, seq, status, attempts, verify, lease_until, claimed_by, first_attempt_wall_ms,
        updated_at)
     select $1, $2, $3,
            (select count(*)::int from digest_runs p where p.channel_id = $1 and p.status in ('posted', 'unknown')),
            'claimed', 1, false, $4::timestamptz + make_interval(secs => $5::float8 / 1000), $6, $8, $4
     on conflict (channel_id, period) do update set
       status = 'claimed',
       attempts = r.attempts + 1,
       verify = r.verify or r.status = 'claimed',
       lease_until = excluded.lease_until,
       claimed_by = excluded.claimed_by,
       first_attempt_wall_ms = coalesce(r.first_attempt_wall_ms, excluded.first_attempt_wall_ms),
       updated_at = excluded.updated_at
     where r.attempts < $7
       and ((r.status = 'claimed' and r.lease_until <= $4)
         or (r.status = 'failed' and r.next_attempt_at <= $4))
     returning ${RUN_COLUMNS}`,
    [c.channelId, c.period, c.dueAt, c.now, c.leaseMs, c.owner, c.maxAttempts, c.wallMs],
  );
  return rows[0] ? runFromRow(rows[0]) : undefined;
}

/** Extends our own lease; false when it was lost (expired and taken over), in which case we must not post. */
export async function renewLease(
  db: Queryable,
  run: Pick<Run, 'channelId' | 'period'>,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const rows = await db.query(
    `update digest_runs set lease_until = $4::timestamptz + make_interval(secs => $5::float8 / 1000), updated_at = $4
     where channel_id = $1 and period = $2 and claimed_by = $3 and status = 'claimed' and lease_until > $4
     returning channel_id`,
    [run.channelId, run.period, owner, now, leaseMs],
  );
  return rows.length > 0;
}

export async function markPosted(
  db: Queryable,
  run: Pick<Run, 'channelId' | 'period'>,
  ts: string,
  late: boolean,
  now: Date,
): Promise<void> {
  await db.query(
    `update digest_runs set status = 'posted', message_ts = $3, posted_at = $5, late = $4, verify = false,
       lease_until = null, last_error = null, updated_at = $5
     where channel_id = $1 and period = $2`,
    [run.channelId, run.period, ts, late, now],
  );
}

/** A failed attempt: retried by a later tick from `nextAttemptAt` while attempts remain (null: never). */
export async function markFailed(
  db: Queryable,
  run: Pick<Run, 'channelId' | 'period'>,
  owner: string,
  error: string,
  verify: boolean,
  nextAttemptAt: Date | null,
  now: Date,
): Promise<void> {
  await db.query(
    `update digest_runs set status = 'failed', last_error = $4, verify = $5, lease_until = null,
       next_attempt_at = $6, updated_at = $7
     where channel_id = $1 and period = $2 and claimed_by = $3 and status = 'claimed'`,
    [run.channelId, run.period, owner, error, verify, nextAttemptAt, now],
  );
}

/** We cannot tell whether the message went out, so we never post it again. */
export async function markUnknown(
  db: Queryable,
  run: Pick<Run, 'channelId' | 'period'>,
  owner: string,
  error: string,
  now: Date,
): Promise<void> {
  await db.query(
    `update digest_runs set status = 'unknown', last_error = $4, lease_until = null, updated_at = $5
     where channel_id = $1 and period = $2 and claimed_by = $3 and status = 'claimed'`,
    [run.channelId, run.period, owner, error, now],
  );
}

/**
 * Claims whose process died and that can no longer be retried (attempts used up, or a newer week is due) become
 * 'unknown': the message may have gone out, and nobody will post it again.
 */
export async function settleAbandonedClaims(db: Queryable, now: Date, maxAttempts: number): Promise<number> {
  const rows = await db.query(
    `update digest_runs r set status = 'unknown', last_error = coalesce(r.last_error, 'process stopped while posting'),
       lease_until = null, updated_at = $1
     where r.status = 'claimed' and r.lease_until <= $1
       and (r.attempts >= $2
         or exists (select 1 from digest_runs n where n.channel_id = r.channel_id and n.due_at > r.due_at))
     returning r.channel_id`,
    [now, maxAttempts],
  );
  return rows.length;
}

export async function getRun(db: Queryable, channelId: string, period: string): Promise<Run | undefined> {
  const rows = await db.query<Run>(`select ${RUN_COLUMNS} from digest_runs where channel_id = $1 and period = $2`, [
    channelId,
    period,
  ]);
  return rows[0] ? runFromRow(rows[0]) : undefined;
}

/** The status of several (channel, period) runs in one query: a tick asks this for every subscription at once. */
export async function runStatuses(
  db: Queryable,
  keys: readonly { channelId: string; period: string }[],
): Promise<Map<string, RunStatus>> {
  if (keys.length === 0) return new Map();
  const rows = await db.query<{ channelId: string; period: string; status: RunStatus }>(
    `select r.channel_id as "channelId", r.period, r.status
     from digest_runs r
     join unnest($1::text[], $2::text[]) as k(channel_id, period) on k.channel_id = r.channel_id and k.period = r.period`,
    [keys.map((k) => k.channelId), keys.map((k) => k.period)],
  );
  return new Map(rows.map((r) => [`${r.channelId}\u0000${r.period}`, r.status]));
}

export const runKey = (channelId: string, period: string) => `${channelId}\u0000${period}`;

export async function latestRuns(db: Queryable, channelId: string, limit = 5): Promise<Run[]> {
  const rows = await db.query<Run>(
    `select ${RUN_COLUMNS} from digest_runs where channel_id = $1 order by due_at desc limit $2`,
    [channelId, limit],
  );
  return rows.map(runFromRow);
}

/** How many digests the channel has had: the next digest's position in the rotation. */
export async function deliveredCount(db: Queryable, channelId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `select count(*)::int as n from digest_runs where channel_id = $1 and status in ('posted', 'unknown')`,
    [channelId],
  );
  return rows[0]?.n ?? 0;
}
