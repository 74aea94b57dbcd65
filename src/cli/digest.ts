// `mle-duties digest …`: one scheduler tick from the command line (cron platforms, tests), a preview without Slack,
// and lifting the stop that a dead token caused.

import { resumeAll } from '../digest/access.ts';
import { buildDigest } from '../digest/content.ts';
import { nextOccurrence } from '../digest/schedule.ts';
import { createDigestClient } from '../digest/slack.ts';
import { deliveredCount, getSubscription } from '../digest/store.ts';
import { tick } from '../digest/tick.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { digestSources, type Runtime } from '../runtime.ts';
import { type Command, type CommandContext, parseOptions, UsageError } from './command.ts';

function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // ISO 8601 with a date and a time; a zone-less time is refused rather than read in this machine's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new UsageError('--now takes an ISO-8601 time with a zone, e.g. 2026-07-06T09:00:00Z');
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--now: ${value} is not a valid time`);
  return d;
}

/**
 * As the bot's scheduler builds digests: the week's questions, and an LLM intro when one is configured (the LLM
 * client is loaded only then: it costs a cron tick most of a second).
 */
async function sources(rt: Runtime) {
  const owners = await ownersSource(rt);
  if (!rt.config.llm) return { ...digestSources(rt.db, rt.config), ...owners };
  const { createCliSummarizer } = await import('../summarize/cli.ts');
  return {
    ...digestSources(
      rt.db,
      rt.config,
      createCliSummarizer(rt.db, rt.config.llm, createLogger({ level: 'warn', json: false })),
    ),
    ...owners,
  };
}

/** Owners of duties under the digest's duties, as the bot shows them (needs the bot token for names). */
async function ownersSource(rt: Runtime) {
  const token = rt.config.slack.botToken;
  if (!token) return {};
  const [{ createOwnersService }, { createProfiles }, { createKeepers }, { slackUserLookup }] = await Promise.all([
    import('../owners/service.ts'),
    import('../people/profiles.ts'),
    import('../people/keepers.ts'),
    import('../slack/users.ts'),
  ]);
  const logger = createLogger({ level: 'warn', json: false });
  const profiles = createProfiles({
    db: rt.db,
    lookup: slackUserLookup({ token, apiUrl: rt.config.slack.apiUrl, logger, logLevel: rt.config.logLevel }),
  });
  const keepers = createKeepers({ admins: rt.config.admins, profiles });
  const service = createOwnersService({ db: rt.db, profiles, keepers, edit: rt.config.ownersEdit });
  return { owners: service.forDigest };
}

async function runTick(ctx: CommandContext, args: string[]): Promise<number> {
  const { values } = parseOptions(args, { now: { type: 'string' } });
  const now = parseNow(values.now);
  const rt = await ctx.runtime();
  const token = rt.config.slack.botToken;
  if (!token) throw new AppError('config_invalid', 'digest tick posts to Slack: set SLACK_BOT_TOKEN (see README.md).');
  const result = await tick({
    db: rt.db,
    catalog: rt.catalog,
    client: createDigestClient({ token, apiUrl: rt.config.slack.apiUrl }),
    logger: createLogger({ level: rt.config.logLevel, json: rt.config.env === 'production' }),
    now,
    ...(await sources(rt)),
  });
  const counts: Record<string, number> = {};
  for (const o of result.outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  ctx.io.out(
    JSON.stringify({ now: result.now.toISOString(), halted: result.halted, tooLate: result.tooLate, ...counts }),
  );
  return result.halted ? 1 : 0;
}

async function runPreview(ctx: CommandContext, args: string[]): Promise<number> {
  const { values } = parseOptions(args, { channel: { type: 'string' } });
  const rt = await ctx.runtime();
  const channel = values.channel;
  const s = channel ? await getSubscription(rt.db, channel) : undefined;
  const occ = nextOccurrence(s ?? { weekday: 1, minuteOfDay: 540, timeZone: 'UTC' }, new Date());
  const message = await buildDigest({
    db: rt.db,
    catalog: rt.catalog,
    ...(await sources(rt)),
    seq: channel ? await deliveredCount(rt.db, channel) : 0,
    period: occ.period,
    dueAt: occ.dueAt,
    logger: createLogger({ level: 'warn', json: false }),
  });
  ctx.io.out(JSON.stringify({ text: message.text, blocks: message.blocks }, null, 2));
  return 0;
}

export const digest: Command = {
  usage:
    'digest tick [--now ISO] | preview [--channel C] | resume   weekly digests: run one scheduler tick, preview, restart after a token stop',
  async run(ctx) {
    const [sub, ...args] = ctx.args;
    if (sub === 'tick') return runTick(ctx, args);
    if (sub === 'preview') return runPreview(ctx, args);
    if (sub === 'resume') {
      parseOptions(args, {});
      const { db } = await ctx.runtime();
      // The command line has no Slack identity: whoever runs it holds the database. Recorded as 'cli'.
      ctx.io.out((await resumeAll(db, 'cli', new Date())) ? 'Digests resumed.' : 'Digests were not stopped.');
      return 0;
    }
    throw new UsageError('digest takes tick [--now ISO-8601], preview [--channel C] or resume');
  },
};
