import type { Queryable } from '../db/db.ts';

export type Vote = 1 | -1;

/**
 * How much one net vote moves an entry for a question. A single 👎 halves its score, which in practice
 * is enough to let the next candidate through; more votes compound, within bounds, so a few people
 * cannot bury an entry for good or pin it on top forever.
 */
const DOWN = 0.5;
const UP = 1.25;
const MIN_MULTIPLIER = 0.2;
const MAX_MULTIPLIER = 2;

export function multiplierFor(net: number): number {
  if (net === 0) return 1;
  const m = net < 0 ? DOWN ** -net : UP ** net;
  return Math.min(MAX_MULTIPLIER, Math.max(MIN_MULTIPLIER, m));
}

/**
 * Per-entry multipliers for one normalised question. A trusted vote (the asker's own, or a catalog keeper's) counts
 * at once; everyone else's count together, `threshold` different people voting the same way making one vote, so one
 * person (or two) cannot move an answer that others see.
 */
export async function adjustmentsFor(
  db: Queryable,
  questionNorm: string,
  threshold: number,
): Promise<Map<string, number>> {
  const rows = await db.query<{ duty_id: string; trusted: number; others: number }>(
    `select duty_id, coalesce(sum(vote) filter (where trusted), 0)::int as trusted,
            coalesce(sum(vote) filter (where not trusted), 0)::int as others
     from answer_votes where question_norm = $1 group by duty_id`,
    [questionNorm],
  );
  const net = (r: { trusted: number; others: number }) => r.trusted + Math.trunc(r.others / Math.max(1, threshold));
  return new Map(rows.filter((r) => net(r) !== 0).map((r) => [r.duty_id, multiplierFor(net(r))]));
}

export interface VoteInput {
  answerId: string;
  question: string;
  questionNorm: string;
  dutyId: string;
  shownIds: string[];
  userHash: string;
  vote: Vote;
  /** The asker's own vote or a catalog keeper's: it moves the answer at once. */
  trusted: boolean;
}

/** Stores or changes a vote; returns the vote it replaced, if any. */
export async function recordVote(db: Queryable, input: VoteInput): Promise<{ previous?: Vote }> {
  const rows = await db.query<{ previous: number | null }>(
    `with prev as (
       select vote from answer_votes where question_norm = $1 and duty_id = $2 and user_hash = $3
     ), up as (
       insert into answer_votes (question_norm, duty_id, user_hash, question, answer_id, shown_ids, vote, trusted)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (question_norm, duty_id, user_hash) do update
         set vote = excluded.vote, answer_id = excluded.answer_id, shown_ids = excluded.shown_ids,
             question = excluded.question, trusted = excluded.trusted, updated_at = now()
       returning 1
     )
     select (select vote from prev)::int as previous from up`,
    [
      input.questionNorm,
      input.dutyId,
      input.userHash,
      input.question,
      input.answerId,
      input.shownIds,
      input.vote,
      input.trusted,
    ],
  );
  const previous = rows[0]?.previous;
  return previous === 1 || previous === -1 ? { previous } : {};
}

export interface DownvotedAnswer {
  question: string;
  dutyId: string;
  title: string;
  down: number;
  up: number;
}

/** Entries people said were the wrong answer, per question, most 👎 first (the duty's title read for the label). */
export async function downvotedAnswers(db: Queryable, options: { limit?: number } = {}): Promise<DownvotedAnswer[]> {
  return db.query<DownvotedAnswer>(
    `select (array_agg(v.question order by v.updated_at desc))[1] as question, v.duty_id as "dutyId",
            coalesce(d.title, v.duty_id) as title,
            count(*) filter (where v.vote < 0)::int as down, count(*) filter (where v.vote > 0)::int as up
     from answer_votes v left join duties d on d.id = v.duty_id
     group by v.question_norm, v.duty_id, d.title
     having count(*) filter (where v.vote < 0) > 0
     order by down desc, up asc, question
     limit $1`,
    [options.limit ?? 50],
  );
}
