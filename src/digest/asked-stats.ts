// What people asked the bot in a week, for the digest's closing lines. Only question texts leave here: never who
// asked (the answers table keeps a hashed user id, which this module never reads).
import type { Queryable } from '../db/db.ts';

export interface AskedStats {
  /** The most asked questions in [since, until), most asked first. */
  topQuestions(since: Date, until: Date): Promise<string[]>;
  /** Questions in [since, until) that found no confident match, most recent first. */
  unanswered(since: Date, until: Date): Promise<string[]>;
}

/** For digests without question history (tests of other parts). */
export const noAskedStats: AskedStats = {
  topQuestions: async () => [],
  unanswered: async () => [],
};

export interface AskedStatsOptions {
  top?: number;
  unanswered?: number;
}

/**
 * Reads the Slack feature's `answers` table (migration 0002: question, question_norm, answered, surface, created_at).
 * Questions are grouped by their normalised form and shown in their latest wording; 'choice' rows (a did-you-mean
 * click re-answering the same question) are not counted again. If the table does not exist (a database without the
 * Slack migration), it answers nothing rather than failing the digest.
 */
export function createAskedStats(db: Queryable, options: AskedStatsOptions = {}): AskedStats {
  const top = options.top ?? 3;
  const unansweredLimit = options.unanswered ?? 5;
  const exists = async () => {
    const rows = await db.query<{ r: string | null }>(`select to_regclass('answers')::text as r`);
    return rows[0]?.r != null;
  };
  return {
    async topQuestions(since, until) {
      if (!(await exists())) return [];
      const rows = await db.query<{ question: string }>(
        `select (array_agg(question order by created_at desc))[1] as question
         from answers
         where created_at >= $1 and created_at < $2 and surface <> 'choice' and question_norm <> ''
         group by question_norm
         order by count(*) desc, max(created_at) desc
         limit $3`,
        [since, until, top],
      );
      return rows.map((r) => r.question);
    },
    async unanswered(since, until) {
      if (!(await exists())) return [];
      const rows = await db.query<{ question: string }>(
        `select (array_agg(question order by created_at desc))[1] as question
         from answers
         where created_at >= $1 and created_at < $2 and not answered and surface <> 'choice' and question_norm <> ''
         group by question_norm
         order by max(created_at) desc
         limit $3`,
        [since, until, unansweredLimit],
      );
      return rows.map((r) => r.question);
    },
  };
}
