import type { Command } from '../cli.ts';
import { downvotedAnswers, unansweredQuestions } from '../feedback/report.ts';

/** `mle-duties report`: what the catalog keeper should look at, from what people asked and voted. */
export const reportCommand: Command = {
  usage: 'report [--json] [--days N]             questions with no confident match, and the most 👎 answers',
  async run(ctx) {
    let json = false;
    let days = 90;
    for (let i = 0; i < ctx.args.length; i++) {
      const a = ctx.args[i];
      if (a === '--json') json = true;
      else if (a === '--days') {
        const n = Number(ctx.args[++i]);
        if (!Number.isInteger(n) || n < 1 || n > 3650) {
          ctx.io.err('mle-duties report: --days takes a whole number from 1 to 3650');
          return 2;
        }
        days = n;
      } else {
        ctx.io.err(`mle-duties report: unknown argument ${a}`);
        return 2;
      }
    }
    const { db } = await ctx.runtime();
    const unanswered = await unansweredQuestions(db, { sinceDays: days });
    const downvoted = await downvotedAnswers(db);
    if (json) {
      ctx.io.out(JSON.stringify({ unanswered, downvoted }));
      return 0;
    }
    ctx.io.out(`Questions with no confident match (last ${days} days): ${unanswered.length}`);
    for (const q of unanswered) ctx.io.out(`  ${String(q.times).padStart(4)}×  ${q.question}`);
    ctx.io.out('');
    ctx.io.out(`Answers voted 👎: ${downvoted.length}`);
    for (const d of downvoted) {
      ctx.io.out(`  ${String(d.down).padStart(4)}👎 ${String(d.up).padStart(3)}👍  ${d.title}  ← ${d.question}`);
    }
    return 0;
  },
};
