import { askedQuestions } from '../feedback/answers.ts';
import { downvotedAnswers } from '../feedback/votes.ts';
import { listConfirmedPairs, listTaughtAliases } from '../teach/store.ts';
import { type Command, parseOptions, wholeNumber } from './command.ts';

const DAY_MS = 86_400_000;

/** `mle-duties report`: what the catalog keeper should look at, from what people asked and voted. */
export const report: Command = {
  usage:
    'report [--json] [--days N]             questions with no confident match, the most 👎 answers, confirmed pairs, taught aliases',
  async run(ctx) {
    const { values } = parseOptions(ctx.args, { json: { type: 'boolean' }, days: { type: 'string' } });
    const days = wholeNumber(values.days, 'days', 1, 3650, 90);
    const { db } = await ctx.runtime();
    const unanswered = (
      await askedQuestions(db, {
        since: new Date(Date.now() - days * DAY_MS),
        unanswered: true,
        order: 'most',
        limit: 50,
      })
    ).map((q) => ({ question: q.question, times: q.times, lastAsked: q.lastAsked.toISOString() }));
    const downvoted = await downvotedAnswers(db);
    // Learning in use, every workspace: what people confirmed (never who), and what keepers taught (who and when).
    const confirmed = (await listConfirmedPairs(db, { limit: 100 })).map((p) => ({
      ...p,
      lastConfirmed: p.lastConfirmed.toISOString(),
    }));
    const taught = (await listTaughtAliases(db)).map((a) => ({ ...a, taughtAt: a.taughtAt.toISOString() }));
    if (values.json) {
      ctx.io.out(JSON.stringify({ unanswered, downvoted, confirmed, taught }));
      return 0;
    }
    ctx.io.out(`Questions with no confident match (last ${days} days): ${unanswered.length}`);
    for (const q of unanswered) ctx.io.out(`  ${String(q.times).padStart(4)}×  ${q.question}`);
    ctx.io.out('');
    ctx.io.out(`Answers voted 👎: ${downvoted.length}`);
    for (const d of downvoted) {
      ctx.io.out(`  ${String(d.down).padStart(4)}👎 ${String(d.up).padStart(3)}👍  ${d.title}  ← ${d.question}`);
    }
    ctx.io.out('');
    ctx.io.out(`Question → duty pairs people confirmed (did-you-mean pick or 👍): ${confirmed.length}`);
    for (const p of confirmed) {
      ctx.io.out(
        `  ${String(p.people).padStart(4)}×  ${p.question}  → ${p.title} [${p.teamId}]${p.taught ? ' (taught)' : ''}`,
      );
    }
    ctx.io.out('');
    ctx.io.out(`Taught aliases: ${taught.length}  (npm run cli -- aliases export writes them into data/)`);
    for (const a of taught) {
      ctx.io.out(`  [${a.teamId}] ${a.phrase}  → ${a.title} (${a.dutyId}), by ${a.taughtBy} at ${a.taughtAt}`);
    }
    return 0;
  },
};
