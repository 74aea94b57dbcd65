// Housekeeping: what the database would otherwise keep forever, pruned as a job of its own. The scheduler runs it
// hourly in every bot process (deletes are idempotent, so replicas need no coordination); `mle-duties housekeep`
// runs it once (cron, or with SCHEDULER=off). A plain function of the time it is given.
import type { Queryable } from './db/db.ts';
import { pruneAnswers } from './feedback/answers.ts';
import { EVENT_RECEIPT_DAYS, pruneEventReceipts } from './slack/event-receipts.ts';
import { pruneSummaryCache } from './summarize/store.ts';

export interface HousekeepingResult {
  /** Rows deleted, by table. */
  pruned: { answers: number; slack_event_receipts: number; summary_cache: number };
}

export interface HousekeepingOptions {
  now: Date;
  /** Answers older than this many days are deleted (ANSWER_RETENTION_DAYS). */
  answerRetentionDays: number;
}

const DAY_MS = 86_400_000;

export async function housekeep(db: Queryable, o: HousekeepingOptions): Promise<HousekeepingResult> {
  const answers = await pruneAnswers(db, new Date(o.now.getTime() - o.answerRetentionDays * DAY_MS));
  const receipts = await pruneEventReceipts(db, new Date(o.now.getTime() - EVENT_RECEIPT_DAYS * DAY_MS));
  const summaries = await pruneSummaryCache(db, o.now);
  return { pruned: { answers, slack_event_receipts: receipts, summary_cache: summaries } };
}
