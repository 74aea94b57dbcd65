// `mle-duties digest …`: one scheduler tick from the command line (cron platforms, tests), a preview without Slack,
// and lifting the stop that a dead token caused.
import type { Command, CommandContext } from '../cli.ts';
import { createAskedStats } from '../digest/asked-stats.ts';
import { buildDigest } from '../digest/content.ts';
import { nextOccurrence } from '../digest/schedule.ts';
import { createDigestClient } from '../digest/slack.ts';
import { clearHalt, deliveredCount, getSubscription } from '../digest/store.ts';
import { tick } from '../digest/tick.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../log.ts';

/** Wrong arguments: reported with exit code 2. (cli.ts's UsageError is not imported: that would be an import cycle.) */
class DigestUsageError extends Error {}

function parseNow(value: string | undefined): Date {
  // ISO 8601 with a date and a time; a zone-less time is refused rather than read in this machine's zone.
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new DigestUsageError('--now takes an ISO-8601 time with a zone, e.g. 2026-07-06T09:00:00Z');
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new DigestUsageError(`--now: ${value} is not a valid time`);
  return d;
}

function option(args: string[], name: string): { value?: string; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === name) value = args[++i] ?? '';
    else if (a.startsWith(`${name}=`)) value = a.slice(name.length + 1);
    else rest.push(a);
  }
  return { value, rest };
}

export const digestCommand: Command = {
  usage:
    'digest tick [--now ISO] | preview [--channel C] | resume   weekly digests: run one scheduler tick, preview, restart after a token stop',
  async run(ctx) {
    try {
      return await runDigest(ctx);
    } catch (err) {
      if (!(err instanceof DigestUsageError)) throw err;
      ctx.io.err(`mle-duties digest: ${err.message}`);
      return 2;
    }
  },
};

async function runDigest(ctx: CommandContext): Promise<number> {
  const [sub, ...args] = ctx.args;
  if (sub === 'tick') {
    const now = option(args, '--now');
    if (now.rest.length > 0) throw new DigestUsageError(`digest tick: unknown argument ${now.rest[0]}`);
    const at = now.value === undefined ? undefined : parseNow(now.value);
    const rt = await ctx.runtime();
    const token = rt.config.slack.botToken;
    if (!token) {
      throw new AppError('config_invalid', 'digest tick posts to Slack: set SLACK_BOT_TOKEN (see README.md).');
    }
    const logger = createLogger({ level: rt.config.logLevel, json: rt.config.env === 'production' });
    const result = await tick({
      db: rt.db,
      client: createDigestClient({ token, apiUrl: rt.config.slack.apiUrl }),
      logger,
      now: at,
      askedStats: createAskedStats(rt.db),
    });
    const counts: Record<string, number> = {};
    for (const o of result.outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
    ctx.io.out(
      JSON.stringify({ now: result.now.toISOString(), halted: result.halted, tooLate: result.tooLate, ...counts }),
    );
    return result.halted ? 1 : 0;
  }
  if (sub === 'preview') {
    const channel = option(args, '--channel');
    if (channel.rest.length > 0) throw new DigestUsageError(`digest preview: unknown argument ${channel.rest[0]}`);
    const { db } = await ctx.runtime();
    const s = channel.value ? await getSubscription(db, channel.value) : undefined;
    const occ = nextOccurrence(s ?? { weekday: 1, minuteOfDay: 540, timeZone: 'UTC' }, new Date());
    const message = await buildDigest({
      db,
      seq: channel.value ? await deliveredCount(db, channel.value) : 0,
      period: occ.period,
      dueAt: occ.dueAt,
      askedStats: createAskedStats(db),
      logger: createLogger({ level: 'warn', json: false }),
    });
    ctx.io.out(JSON.stringify({ text: message.text, blocks: message.blocks }, null, 2));
    return 0;
  }
  if (sub === 'resume') {
    const { db } = await ctx.runtime();
    ctx.io.out((await clearHalt(db)) ? 'Digests resumed.' : 'Digests were not stopped.');
    return 0;
  }
  throw new DigestUsageError('digest takes tick [--now ISO-8601], preview [--channel C] or resume');
}
