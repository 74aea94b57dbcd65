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

/** Per-entry multipliers for one normalised question, ready for `search(…, { adjustments })`. */
export async function adjustmentsFor(db: Queryable, questionNorm: string): Promise<Map<string, number>> {
  const rows = await db.query<{ duty_id: string; net: number }>(
    'select duty_id, sum(vote)::int as net from answer_votes where question_norm = $1 group by duty_id',
    [questionNorm],
  );
  return new Map(rows.filter((r) => r.net !== 0).map((r) => [r.duty_id, multiplierFor(r.net)]));
}

export interface VoteInput {
  answerId: string;
  question: string;
  questionNorm: string;
  dutyId: string;
  shownIds: string[];
  userHash: string;
  vote: Vote;
}

/** Stores or changes a vote; returns the vote it replaced, if any. */
export async function recordVote(db: Queryable, input: VoteInput): Promise<{ previous?: Vote }> {
  const rows = await db.query<{ previous: number | null }>(
    `with prev as (
       select vote from answer_votes where question_norm = $1 and duty_id = $2 and user_hash = $3
     ), up as (
       insert into answer_votes (question_norm, duty_id, user_hash, question, answer_id, shown_ids, vote)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (question_norm, duty_id, user_hash) do update
         set vote = excluded.vote, answer_id = excluded.answer_id, shown_ids = excluded.shown_ids,
             question = excluded.question, updated_at = now()
       returning 1
     )
     select (select vote from prev)::int as previous from up`,
    [input.questionNorm, input.dutyId, input.userHash, input.question, input.answerId, input.shownIds, input.vote],
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
