import type { Queryable } from '../db/db.ts';

export interface UnansweredQuestion {
  question: string;
  times: number;
  lastAsked: string;
}

export interface DownvotedAnswer {
  question: string;
  dutyId: string;
  title: string;
  down: number;
  up: number;
}

/** Questions the role did not cover, most asked first: candidates for aliases, synonyms or a new entry. */
export async function unansweredQuestions(
  db: Queryable,
  options: { sinceDays?: number; limit?: number } = {},
): Promise<UnansweredQuestion[]> {
  const rows = await db.query<{ question: string; times: number; last_asked: Date | string }>(
    `select (array_agg(question order by created_at desc))[1] as question, count(*)::int as times,
            max(created_at) as last_asked
     from answers
     where not answered and surface <> 'choice' and question_norm <> ''
       and created_at >= now() - make_interval(days => $1)
     group by question_norm
     order by times desc, last_asked desc
     limit $2`,
    [options.sinceDays ?? 90, options.limit ?? 50],
  );
  return rows.map((r) => ({ question: r.question, times: r.times, lastAsked: new Date(r.last_asked).toISOString() }));
}

/** Entries people said were the wrong answer, per question, most 👎 first. */
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
