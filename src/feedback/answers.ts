import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.ts';
import { hashId } from '../log.ts';
import type { Match, SearchEngine } from '../search/engine.ts';
import { recordConfirmation, withdrawConfirmation } from '../teach/store.ts';
import { normalizeQuestion } from './normalize.ts';
import { adjustmentsFor, recordVote, type Vote } from './votes.ts';

export type Surface = 'command' | 'mention' | 'dm' | 'choice';

/** Who asked, and where: an @mention's answer is posted in its channel, every other answer is its asker's alone. */
export interface Asker {
  userId: string;
  surface: Exclude<Surface, 'choice'>;
  /** The channel of an @mention (ignored for other surfaces). */
  channelId?: string;
  /** That channel is a public one (Slack said so): only then may a digest quote the question. */
  inPublic?: boolean;
  /** The workspace (none on the command line): taught phrases and confirmations are per workspace. */
  teamId?: string;
}

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
  /** Who may see it again: its asker (hashed, as stored), and the channel it was posted in (mentions only). */
  asked: { by: string; surface: Surface; channelId: string | null };
}

/** How many matches an answer keeps: three shown, the rest behind "More". */
const ANSWER_LIMIT = 10;

export interface AnswerService {
  /** Answers a question with feedback applied, and records it. Throws AppError 'question_too_long'. */
  ask(question: string, asker: Asker): Promise<Answer>;
  get(id: string): Promise<Answer | undefined>;
  /** The asker picked a "did you mean" entry: a new answer to the same question, with that entry only. */
  choose(answerId: string, dutyId: string, userId: string): Promise<Answer | undefined>;
  /**
   * Its asker shares it in the channel they asked from: from then on it is shown to that channel (its buttons work
   * there). Anyone else is refused: a private question is its asker's to make public.
   */
  share(answerId: string, clicker: Clicker): Promise<Answer | 'gone' | 'refused'>;
  /**
   * A 👍/👎 on an answer, filed against its top entry for that question, from someone it was shown to (refused
   * otherwise). `keeper` is asked only when the voter is not the asker.
   */
  vote(answerId: string, voter: Voter, vote: Vote): Promise<VoteResult>;
}

/** Who clicked, and in which conversation the message they clicked was. */
export interface Clicker {
  userId: string;
  channelId?: string;
}

export interface Voter extends Clicker {
  /** Whether the voter is a catalog keeper (people/keepers.ts). */
  keeper: () => Promise<boolean>;
}

export type VoteResult =
  | { kind: 'gone' }
  | { kind: 'refused' }
  | { kind: 'recorded'; answer: Answer; previous?: Vote; trusted: boolean; threshold: number };

/**
 * Who a click on this answer comes from: its asker; someone it was shown to (a mention's answer is public in its
 * channel, and so is an answer its asker shared there: a click from that channel); or a stranger, who got hold of
 * its id some other way (a forged click). DMs, slash-command and did-you-mean answers are their asker's alone.
 */
export function relationTo(answer: Answer, clicker: Clicker): 'asker' | 'viewer' | 'stranger' {
  if (hashId(clicker.userId) === answer.asked.by) return 'asker';
  if (answer.asked.channelId !== null && clicker.channelId === answer.asked.channelId) return 'viewer';
  return 'stranger';
}

/**
 * Feedback applied to an answer: entries reordered by their score times the votes' multiplier. Votes only reorder:
 * an entry the search found stays in the answer, at worst behind "More", and no vote turns an answer into "not
 * covered".
 */
function withVotes(matches: Match[], adjustments: ReadonlyMap<string, number>): Match[] {
  if (adjustments.size === 0) return matches;
  return matches
    .map((m, i) => ({ m: { ...m, score: round3(m.score * (adjustments.get(m.id) ?? 1)) }, i }))
    .sort((a, b) => b.m.score - a.m.score || a.i - b.i)
    .map((x) => x.m);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** VOTE_THRESHOLD's default (src/config.ts). */
const DEFAULT_VOTE_THRESHOLD = 3;

export function createAnswerService(
  db: Queryable,
  search: SearchEngine,
  options: { voteThreshold?: number } = {},
): AnswerService {
  const threshold = options.voteThreshold ?? DEFAULT_VOTE_THRESHOLD;
  const store = async (answer: Omit<Answer, 'asked'>, asker: Omit<Asker, 'surface'> & { surface: Surface }) => {
    const channelId = asker.surface === 'mention' ? (asker.channelId ?? null) : null;
    const asked = { by: hashId(asker.userId), surface: asker.surface, channelId };
    await db.query(
      `insert into answers (id, question, question_norm, matches, near_misses, answered, surface, user_hash,
         channel_id, in_public, team_id)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11)`,
      [
        answer.id,
        answer.question,
        answer.questionNorm,
        JSON.stringify(answer.matches),
        JSON.stringify(answer.nearMisses),
        answer.answered,
        asker.surface,
        asked.by,
        channelId,
        channelId !== null && asker.inPublic === true,
        answer.teamId ?? null,
      ],
    );
    return { ...answer, asked };
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
      surface: Surface;
      user_hash: string;
      channel_id: string | null;
      team_id: string | null;
    }>(
      `select id, question, question_norm, matches, near_misses, answered, surface, user_hash, channel_id, team_id
       from answers where id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      question: r.question,
      questionNorm: r.question_norm,
      matches: r.matches,
      nearMisses: r.near_misses,
      answered: r.answered,
      asked: { by: r.user_hash, surface: r.surface, channelId: r.channel_id },
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
      const [adjustments, result] = await Promise.all([
        adjustmentsFor(db, questionNorm, threshold),
        search.search(question, { limit: ANSWER_LIMIT, ...(asker.teamId ? { teamId: asker.teamId } : {}) }),
      ]);
      return store(
        {
          id: randomUUID(),
          question: result.question,
          questionNorm,
          matches: withVotes(result.matches, adjustments),
          nearMisses: result.matches.length === 0 ? result.nearMisses : [],
          answered: result.matches.length > 0,
          ...(asker.teamId ? { teamId: asker.teamId } : {}),
        },
        asker,
      );
    },
    get,
    async choose(answerId, dutyId, userId) {
      const original = await get(answerId);
      const picked = original?.nearMisses.find((m) => m.id === dutyId);
      if (!original || !picked) return undefined;
      // The pick is shown to whoever clicked, privately: a new answer of theirs alone.
      const chosen = await store(
        { ...original, id: randomUUID(), matches: [picked], nearMisses: [], answered: true },
        { userId, surface: 'choice' },
      );
      await confirm(chosen, picked.id, userId, 'choice');
      return chosen;
    },
    async share(answerId, clicker) {
      const answer = await get(answerId);
      if (!answer) return 'gone';
      if (relationTo(answer, clicker) !== 'asker') return 'refused';
      if (!clicker.channelId || answer.asked.channelId === clicker.channelId) return answer;
      // Shown in that channel now; never quoted by digests (in_public stays as it was).
      await db.query('update answers set channel_id = $2 where id = $1', [answer.id, clicker.channelId]);
      return { ...answer, asked: { ...answer.asked, channelId: clicker.channelId } };
    },
    async vote(answerId, voter, vote) {
      const answer = await get(answerId);
      const top = answer?.matches[0];
      if (!answer || !top) return { kind: 'gone' };
      const relation = relationTo(answer, voter);
      if (relation === 'stranger') return { kind: 'refused' };
      const trusted = relation === 'asker' || (await voter.keeper());
      const { previous } = await recordVote(db, {
        answerId,
        question: answer.question,
        questionNorm: answer.questionNorm,
        dutyId: top.id,
        shownIds: answer.matches.slice(0, 3).map((m) => m.id),
        userHash: hashId(voter.userId),
        vote,
        trusted,
      });
      await confirm(answer, top.id, voter.userId, vote === 1 ? 'vote' : 'unvote');
      return { kind: 'recorded', answer, trusted, threshold, ...(previous !== undefined ? { previous } : {}) };
    },
  };
}

/** A question as people asked it, grouped by its normalised form and shown in its latest wording. */
export interface AskedQuestion {
  question: string;
  times: number;
  /** Different people who asked it: one person asking six times counts once. */
  askers: number;
  lastAsked: Date;
}

/**
 * Questions asked in [since, until): the most asked first (by different askers, then times), or the most recent
 * first; `unanswered` keeps those that found no confident match. A did-you-mean click re-answering a question
 * ('choice') is not counted again. `publicOnly` keeps @mentions in public channels (what others could read anyway);
 * `minAskers` drops questions fewer different people asked. Never says who asked.
 */
export async function askedQuestions(
  db: Queryable,
  options: {
    since: Date;
    until?: Date;
    unanswered?: boolean;
    order: 'most' | 'recent';
    limit: number;
    publicOnly?: boolean;
    minAskers?: number;
  },
): Promise<AskedQuestion[]> {
  const rows = await db.query<{ question: string; times: number; askers: number; last_asked: Date | string }>(
    `select (array_agg(question order by created_at desc))[1] as question, count(*)::int as times,
            count(distinct user_hash)::int as askers, max(created_at) as last_asked
     from answers
     where created_at >= $1 and ($2::timestamptz is null or created_at < $2)
       and (not $3::boolean or not answered) and surface <> 'choice' and question_norm <> ''
       and (not $6::boolean or in_public)
     group by question_norm
     having count(distinct user_hash) >= $7
     order by case when $4 = 'most' then count(distinct user_hash) end desc nulls last,
              case when $4 = 'most' then count(*) end desc nulls last, max(created_at) desc
     limit $5`,
    [
      options.since,
      options.until ?? null,
      options.unanswered ?? false,
      options.order,
      options.limit,
      options.publicOnly ?? false,
      options.minAskers ?? 1,
    ],
  );
  return rows.map((r) => ({
    question: r.question,
    times: r.times,
    askers: r.askers,
    lastAsked: new Date(r.last_asked),
  }));
}

/**
 * One workspace's questions with no confident match in [since, now), most asked first, each with its latest answer
 * (id and near misses) so the keepers' report can offer to teach it. Never says who asked. `publicOnly` keeps those
 * asked by @mention in a public channel.
 */
export async function unansweredIn(
  db: Queryable,
  teamId: string,
  options: { since: Date; limit: number; publicOnly?: boolean },
): Promise<(AskedQuestion & { answerId: string; nearMisses: Match[] })[]> {
  const rows = await db.query<{
    question: string;
    times: number;
    askers: number;
    last_asked: Date | string;
    answer_id: string;
    near_misses: Match[];
  }>(
    `select (array_agg(question order by created_at desc))[1] as question, count(*)::int as times,
            count(distinct user_hash)::int as askers,
            max(created_at) as last_asked, (array_agg(id::text order by created_at desc))[1] as answer_id,
            (array_agg(near_misses order by created_at desc))[1] as near_misses
     from answers
     where team_id = $1 and created_at >= $2 and not answered and surface <> 'choice' and question_norm <> ''
       and (not $4::boolean or in_public)
     group by question_norm
     order by count(*) desc, max(created_at) desc
     limit $3`,
    [teamId, options.since, options.limit, options.publicOnly ?? false],
  );
  return rows.map((r) => ({
    question: r.question,
    times: r.times,
    askers: r.askers,
    lastAsked: new Date(r.last_asked),
    answerId: r.answer_id,
    nearMisses: r.near_misses,
  }));
}

/** Of these normalised questions, those someone in the workspace asked by @mention in a public channel. */
export async function askedInPublic(db: Queryable, teamId: string, questionNorms: string[]): Promise<Set<string>> {
  if (questionNorms.length === 0) return new Set();
  const rows = await db.query<{ question_norm: string }>(
    `select distinct question_norm from answers
     where team_id = $1 and in_public and question_norm = any($2::text[])`,
    [teamId, questionNorms],
  );
  return new Set(rows.map((r) => r.question_norm));
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
