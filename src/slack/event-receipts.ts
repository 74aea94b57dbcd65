import type { Queryable } from '../db/db.ts';

/**
 * A claim older than this whose handling never finished belongs to a process that died: a later
 * retry may take it over. Slack retries after about 1 min and 5 min, so the first retry of an event
 * still in progress elsewhere is dropped, and the 5-minute one rescues an event lost in a crash.
 */
const STALE_CLAIM_SECONDS = 120;

/**
 * True when this process should handle the event: the first delivery to arrive anywhere wins,
 * whichever retry number it carries, because the original may never have reached a live process.
 */
export async function claimEvent(
  db: Queryable,
  eventId: string,
  options: { staleAfter?: number; done?: boolean } = {},
): Promise<boolean> {
  const rows = await db.query<{ event_id: string }>(
    `insert into slack_event_receipts (event_id, done_at) values ($1, case when $3::boolean then now() end)
     on conflict (event_id) do update set claimed_at = now()
       where slack_event_receipts.done_at is null
         and slack_event_receipts.claimed_at < now() - make_interval(secs => $2)
     returning event_id`,
    [eventId, options.staleAfter ?? STALE_CLAIM_SECONDS, options.done ?? false],
  );
  return rows.length > 0;
}

export async function finishEvent(db: Queryable, eventId: string): Promise<void> {
  await db.query('update slack_event_receipts set done_at = now() where event_id = $1', [eventId]);
}

/** Handling failed before answering: forget the claim so Slack's next retry is handled. */
export async function releaseEvent(db: Queryable, eventId: string): Promise<void> {
  await db.query('delete from slack_event_receipts where event_id = $1 and done_at is null', [eventId]);
}

/** Receipts outlive Slack's retry window (about 5 minutes) by far: a week is plenty. */
export const EVENT_RECEIPT_DAYS = 7;

/** Deletes the receipts (replay records) claimed before `before`, in batches; returns how many. */
export async function pruneEventReceipts(db: Queryable, before: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db.query<{ n: number }>(
      `with d as (
         delete from slack_event_receipts where event_id in (
           select event_id from slack_event_receipts where claimed_at < $1 limit $2)
         returning 1)
       select count(*)::int as n from d`,
      [before.toISOString(), batch],
    );
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < batch) return total;
  }
}
