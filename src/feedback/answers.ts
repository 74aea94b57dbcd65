import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.ts';
import { hashId } from '../log.ts';
import type { Match, SearchEngine } from '../search/engine.ts';
import { normalizeQuestion } from './normalize.ts';
import { adjustmentsFor, recordVote, type Vote } from './votes.ts';

export type Surface = 'command' | 'mention' | 'dm' | 'choice';

/** A question with what was found for it, kept so buttons can refer to it by id from any process. */
export interface Answer {
  id: string;
  question: string;
  questionNorm: string;
  /** Best first; empty when the role does not cover the question. */
  matches: Match[];
  nearMisses: Match[];
  answered: boolean;
}

/** How many matches an answer keeps: three shown, the rest behind "More". */
const ANSWER_LIMIT = 10;

export interface AnswerService {
  /** Answers a question with feedback applied, and records it. Throws AppError 'question_too_long'. */
  ask(question: string, asker: { userId: string; surface: Exclude<Surface, 'choice'> }): Promise<Answer>;
  get(id: string): Promise<Answer | undefined>;
  /** The asker picked a "did you mean" entry: a new answer to the same question, with that entry only. */
  choose(answerId: string, dutyId: string, userId: string): Promise<Answer | undefined>;
  /** A 👍/👎 on an answer, filed against its top entry for that question. */
  vote(answerId: string, userId: string, vote: Vote): Promise<{ answer: Answer; previous?: Vote } | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAnswerService(db: Queryable, search: SearchEngine): AnswerService {
  const store = async (answer: Answer, surface: Surface, userId: string) => {
    await db.query(
      `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8)`,
      [
        answer.id,
        answer.question,
        answer.questionNorm,
        JSON.stringify(answer.matches),
        JSON.stringify(answer.nearMisses),
        answer.answered,
        surface,
        hashId(userId),
      ],
    );
    return answer;
  };

  const get = async (id: string): Promise<Answer | undefined> => {
    if (!UUID.test(id)) return undefined;
    const rows = await db.query<{
      id: string;
      question: string;
      question_norm: string;
      matches: Match[];
      near_misses: Match[];
      answered: boolean;
    }>('select id, question, question_norm, matches, near_misses, answered from answers where id = $1', [id]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      question: r.question,
      questionNorm: r.question_norm,
      matches: r.matches,
      nearMisses: r.near_misses,
      answered: r.answered,
    };
  };

  return {
    async ask(question, asker) {
      const questionNorm = normalizeQuestion(question);
      const adjustments = await adjustmentsFor(db, questionNorm);
      const result = await search.search(question, { limit: ANSWER_LIMIT, adjustments });
      return store(
        {
          id: randomUUID(),
          question: result.question,
          questionNorm,
          matches: result.matches,
          nearMisses: result.matches.length === 0 ? result.nearMisses : [],
          answered: result.matches.length > 0,
        },
        asker.surface,
        asker.userId,
      );
    },
    get,
    async choose(answerId, dutyId, userId) {
      const original = await get(answerId);
      const picked = original?.nearMisses.find((m) => m.id === dutyId);
      if (!original || !picked) return undefined;
      return store(
        { ...original, id: randomUUID(), matches: [picked], nearMisses: [], answered: true },
        'choice',
        userId,
      );
    },
    async vote(answerId, userId, vote) {
      const answer = await get(answerId);
      const top = answer?.matches[0];
      if (!answer || !top) return undefined;
      const { previous } = await recordVote(db, {
        answerId,
        question: answer.question,
        questionNorm: answer.questionNorm,
        dutyId: top.id,
        shownIds: answer.matches.slice(0, 3).map((m) => m.id),
        userHash: hashId(userId),
        vote,
      });
      return { answer, ...(previous !== undefined ? { previous } : {}) };
    },
  };
}

/** A question as people asked it, grouped by its normalised form and shown in its latest wording. */
export interface AskedQuestion {
  question: string;
  times: number;
  lastAsked: Date;
}

/**
 * Questions asked in [since, until): the most asked first (`order: 'most'`), or the most recent first; `unanswered`
 * keeps those that found no confident match. A did-you-mean click re-answering a question ('choice') is not counted
 * again. Never says who asked.
 */
export async function askedQuestions(
  db: Queryable,
  options: { since: Date; until?: Date; unanswered?: boolean; order: 'most' | 'recent'; limit: number },
): Promise<AskedQuestion[]> {
  const rows = await db.query<{ question: string; times: number; last_asked: Date | string }>(
    `select (array_agg(question order by created_at desc))[1] as question, count(*)::int as times,
            max(created_at) as last_asked
     from answers
     where created_at >= $1 and ($2::timestamptz is null or created_at < $2)
       and (not $3::boolean or not answered) and surface <> 'choice' and question_norm <> ''
     group by question_norm
     order by case when $4 = 'most' then count(*) end desc nulls last, max(created_at) desc
     limit $5`,
    [options.since, options.until ?? null, options.unanswered ?? false, options.order, options.limit],
  );
  return rows.map((r) => ({ question: r.question, times: r.times, lastAsked: new Date(r.last_asked) }));
}

/**
 * Deletes answers asked before `before` (retention; ANSWER_RETENTION_DAYS), in batches so no statement runs long;
 * returns how many. Their buttons then say the answer is gone, as for any unknown id.
 */
export async function pruneAnswers(db: Queryable, before: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db.query<{ n: number }>(
      `with d as (delete from answers where id in (select id from answers where created_at < $1 limit $2) returning 1)
       select count(*)::int as n from d`,
      [before.toISOString(), batch],
    );
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < batch) return total;
  }
}
