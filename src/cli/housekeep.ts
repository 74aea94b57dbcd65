import { housekeep as run } from '../housekeeping.ts';
import { type Command, parseOptions, UsageError } from './command.ts';

export const housekeep: Command = {
  usage: 'housekeep [--now ISO]                  prune old answers, replay records, expired summaries',
  async run(ctx) {
    const { values } = parseOptions(ctx.args, { now: { type: 'string' } });
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be a date and time, e.g. 2026-07-06T09:00:00Z`);
    const rt = await ctx.runtime();
    const result = await run(rt.db, { now, answerRetentionDays: rt.config.answerRetentionDays });
    ctx.io.out(JSON.stringify({ now: now.toISOString(), ...result.pruned }));
    return 0;
  },
};
