import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.ts';
import { hashId } from '../log.ts';
import type { Match, SearchEngine } from '../search/engine.ts';
import { recordConfirmation, withdrawConfirmation } from '../teach/store.ts';
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
  /** The workspace it was asked in (none on the command line). */
  teamId?: string;
}

/** How many matches an answer keeps: three shown, the rest behind "More". */
const ANSWER_LIMIT = 10;

export interface AnswerService {
  /** Answers a question with feedback applied, and records it. Throws AppError 'question_too_long'. */
  ask(
    question: string,
    asker: { userId: string; surface: Exclude<Surface, 'choice'>; teamId?: string },
  ): Promise<Answer>;
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
      `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash, team_id)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9)`,
      [
        answer.id,
        answer.question,
        answer.questionNorm,
        JSON.stringify(answer.matches),
        JSON.stringify(answer.nearMisses),
        answer.answered,
        surface,
        hashId(userId),
        answer.teamId ?? null,
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
      team_id: string | null;
    }>('select id, question, question_norm, matches, near_misses, answered, team_id from answers where id = $1', [id]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      question: r.question,
      questionNorm: r.question_norm,
      matches: r.matches,
      nearMisses: r.near_misses,
      answered: r.answered,
      ...(r.team_id ? { teamId: r.team_id } : {}),
    };
  };

  // A did-you-mean pick or a 👍 confirms the pair in the answer's workspace (recorded only; a keeper may teach it);
  // a 👎 withdraws that person's confirmation.
  const confirm = async (answer: Answer, dutyId: string, userId: string, how: 'choice' | 'vote' | 'unvote') => {
    if (!answer.teamId) return;
    const pair = { teamId: answer.teamId, questionNorm: answer.questionNorm, dutyId, userHash: hashId(userId) };
    if (how === 'unvote') await withdrawConfirmation(db, pair);
    else
      await recordConfirmation(db, {
        ...pair,
        answerId: answer.id,
        question: answer.question,
        via: how,
        at: new Date(),
      });
  };

  return {
    async ask(question, asker) {
      const questionNorm = normalizeQuestion(question);
      const adjustments = await adjustmentsFor(db, questionNorm);
      const result = await search.search(question, {
        limit: ANSWER_LIMIT,
        adjustments,
        ...(asker.teamId ? { teamId: asker.teamId } : {}),
      });
      return store(
        {
          id: randomUUID(),
          question: result.question,
          questionNorm,
          matches: result.matches,
          nearMisses: result.matches.length === 0 ? result.nearMisses : [],
          answered: result.matches.length > 0,
          ...(asker.teamId ? { teamId: asker.teamId } : {}),
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
      const chosen = await store(
        { ...original, id: randomUUID(), matches: [picked], nearMisses: [], answered: true },
        'choice',
        userId,
      );
      await confirm(chosen, picked.id, userId, 'choice');
      return chosen;
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
      await confirm(answer, top.id, userId, vote === 1 ? 'vote' : 'unvote');
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
 * One workspace's questions with no confident match in [since, now), most asked first, each with its latest answer
 * (id and near misses) so the keepers' report can offer to teach it. Never says who asked.
 */
export async function unansweredIn(
  db: Queryable,
  teamId: string,
  options: { since: Date; limit: number },
): Promise<(AskedQuestion & { answerId: string; nearMisses: Match[] })[]> {
  const rows = await db.query<{
    question: string;
    times: number;
    last_asked: Date | string;
    answer_id: string;
    near_misses: Match[];
  }>(
    `select (array_agg(question order by created_at desc))[1] as question, count(*)::int as times,
            max(created_at) as last_asked, (array_agg(id::text order by created_at desc))[1] as answer_id,
            (array_agg(near_misses order by created_at desc))[1] as near_misses
     from answers
     where team_id = $1 and created_at >= $2 and not answered and surface <> 'choice' and question_norm <> ''
     group by question_norm
     order by count(*) desc, max(created_at) desc
     limit $3`,
    [teamId, options.since, options.limit],
  );
  return rows.map((r) => ({
    question: r.question,
    times: r.times,
    lastAsked: new Date(r.last_asked),
    answerId: r.answer_id,
    nearMisses: r.near_misses,
  }));
}
