// What people asked the bot in a week, for the digest's closing lines: question texts only, never who asked. Only
// questions asked where others could read them (an @mention in a public channel), and only once enough different
// people asked (one person asking the same text six times counts once): a DM, the slash command or a private channel
// never reaches a digest.
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
export function createAskedStats(
  db: Queryable,
  options: { top?: number; unanswered?: number; minAskers?: number } = {},
): AskedStats {
  const texts = (rows: { question: string }[]) => rows.map((r) => r.question);
  const shown = { publicOnly: true, minAskers: options.minAskers ?? DEFAULT_MIN_ASKERS };
  return {
    topQuestions: async (since, until) =>
      texts(await askedQuestions(db, { since, until, order: 'most', limit: options.top ?? 3, ...shown })),
    unanswered: async (since, until) =>
      texts(
        await askedQuestions(db, {
          since,
          until,
          unanswered: true,
          order: 'recent',
          limit: options.unanswered ?? 5,
          ...shown,
        }),
      ),
  };
}

/** DIGEST_MIN_ASKERS' default (src/config.ts). */
const DEFAULT_MIN_ASKERS = 3;
