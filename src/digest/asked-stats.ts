// What people asked the bot in a week, for the digest's closing lines: question texts only, never who asked.
import type { Queryable } from '../db/db.ts';
import { askedQuestions } from '../feedback/answers.ts';

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

/** From the questions the feedback feature records (the `answers` table is its own). */
export function createAskedStats(db: Queryable, options: { top?: number; unanswered?: number } = {}): AskedStats {
  const texts = (rows: { question: string }[]) => rows.map((r) => r.question);
  return {
    topQuestions: async (since, until) =>
      texts(await askedQuestions(db, { since, until, order: 'most', limit: options.top ?? 3 })),
    unanswered: async (since, until) =>
      texts(
        await askedQuestions(db, { since, until, unanswered: true, order: 'recent', limit: options.unanswered ?? 5 }),
      ),
  };
}
