// `/mle-duties digest <subscribe|unsubscribe|status|preview> …`: the router calls runDigestCommand and sends the
// reply ephemerally. Replies are plain text plus optional blocks; every outside string in them is escaped.
import type { WebClient } from '@slack/web-api';
import { fallback, type Message, textMessage } from '../blocks/kit.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import type { CatalogWatch } from '../catalog/current.ts';
import type { Db } from '../db/db.ts';
import { SLACK_TOKEN_ERRORS } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Keepers } from '../people/keepers.ts';
import type { Profiles } from '../people/profiles.ts';
import {
  guarded,
  mayChange,
  mayResumeAll,
  recentChanges,
  recordSubscriptionChange,
  resumeAll,
  scheduleLine,
} from './access.ts';
import { buildDigest, type DigestSources, rotation, sectionForSeq } from './content.ts';
import {
  canonicalTimeZone,
  formatInZone,
  latestOccurrence,
  MAX_LATENESS_MS,
  nextOccurrence,
  type Occurrence,
  parseTimeOfDay,
  parseWeekday,
} from './schedule.ts';
import { CHANNEL_ERRORS, classifySlackError } from './slack.ts';
import {
  deliveredCount,
  getHalt,
  getRun,
  getSubscription,
  latestRuns,
  resumeSubscription,
  type Subscription,
  unsubscribe,
  upsertSubscription,
} from './store.ts';

export interface DigestCommandContext extends DigestSources {
  db: Db;
  client: WebClient;
  catalog: CatalogWatch;
  teamId?: string;
  channelId: string;
  userId: string;
  now: Date;
  logger: Logger;
  /** Who may change a channel's digest besides its subscriber (people/keepers.ts). */
  keepers: Keepers;
  /** Names for refusals and the change list; without it, people are shown by their (inert) user id. */
  profiles?: Profiles;
}

const DEFAULT_WEEKDAY = 1;
const DEFAULT_MINUTE = 9 * 60;

const DIGEST_USAGE = [
  '*Weekly role digest*: every week, one part of the Machine Learning Engineer role, posted in this channel.',
  '• `/mle-duties digest subscribe [day] [HH:MM] [time zone]`, e.g. `subscribe monday 09:00 Europe/Berlin` (default: Monday 09:00 in your Slack time zone)',
  '• `/mle-duties digest status`: next post, last post, or why it stopped',
  "• `/mle-duties digest preview`: this week's digest, only for you",
  '• `/mle-duties digest unsubscribe`',
  '• `/mle-duties digest resume`: restart a paused digest (or, for a catalog keeper, every digest after a token stop)',
  'Once a channel is subscribed, only whoever subscribed it and the catalog keepers can change or stop its digest.',
].join('\n');

const reply = (text: string): Message => textMessage(text);

/** `/mle-duties digest <subscribe|unsubscribe|status|preview> …` */
export async function runDigestCommand(args: string[], ctx: DigestCommandContext): Promise<Message> {
  const [sub = '', ...rest] = args.map((a) => a.trim()).filter((a) => a.length > 0);
  switch (sub.toLowerCase()) {
    case 'subscribe':
      return subscribeCommand(rest, ctx);
    case 'unsubscribe':
    case 'stop':
      return unsubscribeCommand(ctx);
    case 'status':
      return statusCommand(ctx);
    case 'resume':
      return resumeCommand(ctx);
    case 'preview':
      return previewCommand(ctx);
    case '':
    case 'help':
      return reply(DIGEST_USAGE);
    default:
      return reply(`I don't know \`digest ${escapeMrkdwn(sub.slice(0, 40))}\`.\n${DIGEST_USAGE}`);
  }
}

export interface ParsedSchedule {
  weekday?: number;
  minuteOfDay?: number;
  timeZone?: string;
}

/** Day, time and zone in any order; the message says what was not understood. */
export function parseSubscribeArgs(args: string[]): ParsedSchedule | { error: string } {
  const out: ParsedSchedule = {};
  for (const raw of args) {
    const token = raw.trim();
    const shown = `\`${escapeMrkdwn(token.slice(0, 60))}\``;
    const weekday = parseWeekday(token);
    if (weekday !== undefined) {
      if (out.weekday !== undefined)
        return { error: `Please give one day only (I read two, the second was ${shown}).` };
      out.weekday = weekday;
      continue;
    }
    if (/^\d{1,2}[:.h]\d{2}$|^\d{1,2}(am|pm)$/i.test(token) || /^\d+:\d+$/.test(token)) {
      const minute = parseTimeOfDay(token);
      if (minute === undefined) {
        return {
          error: `${shown} is not a time I can use: please write it as 24-hour \`HH:MM\`, e.g. \`09:00\` or \`14:30\`.`,
        };
      }
      if (out.minuteOfDay !== undefined) return { error: `Please give one time only (the second was ${shown}).` };
      out.minuteOfDay = minute;
      continue;
    }
    const zone = canonicalTimeZone(token);
    if (zone !== undefined) {
      if (out.timeZone !== undefined) return { error: `Please give one time zone only (the second was ${shown}).` };
      out.timeZone = zone;
      continue;
    }
    return {
      error: `I could not read ${shown}. Use a day (\`monday\` or \`mon\`), a 24-hour time (\`09:00\`) and an IANA time zone (\`UTC\`, \`Europe/Berlin\`, \`America/New_York\`).`,
    };
  }
  return out;
}

type ChannelCheck = { ok: true } | { ok: false; text: string };

/** Whether the bot can post here; if not, how to fix it. */
async function checkChannel(ctx: DigestCommandContext): Promise<ChannelCheck> {
  const invite =
    "I'm not in this channel yet, so I can't post the digest here. Invite me with `/invite @mle-duties` (or the channel's *Integrations* tab → *Add apps*), then run the command again.";
  try {
    const res = await ctx.client.conversations.info({ channel: ctx.channelId });
    const ch = res.channel as { is_member?: boolean; is_im?: boolean; is_archived?: boolean } | undefined;
    if (ch?.is_archived) return { ok: false, text: 'This channel is archived, so no digest can be posted here.' };
    if (!ch?.is_im && ch?.is_member === false) return { ok: false, text: invite };
    return { ok: true };
  } catch (err) {
    const failure = classifySlackError(err);
    if (failure.error === 'is_archived') {
      return { ok: false, text: 'This channel is archived, so no digest can be posted here.' };
    }
    if (failure.kind === 'channel') return { ok: false, text: invite };
    ctx.logger.warn('digest: conversations.info failed', { error: failure.error });
    return { ok: false, text: "I couldn't check this channel with Slack just now. Please try again in a minute." };
  }
}

async function userTimeZone(ctx: DigestCommandContext): Promise<string | undefined> {
  try {
    const res = await ctx.client.users.info({ user: ctx.userId });
    const tz = (res.user as { tz?: string } | undefined)?.tz;
    return tz ? canonicalTimeZone(tz) : undefined;
  } catch (err) {
    ctx.logger.warn('digest: users.info failed; falling back to UTC', { error: classifySlackError(err).error });
    return undefined;
  }
}

const RACED =
  "Someone changed this channel's digest at the same moment, so I changed nothing. Please run the command again.";
const HALTED =
  ':octagonal_sign: All digests are stopped because Slack refused the bot token, so none goes out until a catalog keeper runs `/mle-duties digest resume` (once the token works).';

async function subscribeCommand(args: string[], ctx: DigestCommandContext): Promise<Message> {
  const parsed = parseSubscribeArgs(args);
  if ('error' in parsed) return reply(`${parsed.error}\n\n${DIGEST_USAGE}`);
  const allowed = await mayChange(ctx, await getSubscription(ctx.db, ctx.channelId));
  if (!allowed.ok) return reply(allowed.text);
  const channel = await checkChannel(ctx);
  if (!channel.ok) return reply(channel.text);

  let timeZone = parsed.timeZone;
  let zoneNote = '';
  if (!timeZone) {
    timeZone = await userTimeZone(ctx);
    zoneNote = timeZone ? ' (your Slack time zone)' : ' (I could not read your Slack time zone, so UTC)';
    timeZone ??= 'UTC';
  }
  const subscription = await ctx.db.transaction(async (tx) => {
    const before = await getSubscription(tx, ctx.channelId, { forUpdate: true });
    // Someone else subscribed since the check above: only a keeper goes on.
    if (guarded(before, ctx.userId) && !allowed.keeper) return undefined;
    const after = await upsertSubscription(
      tx,
      {
        channelId: ctx.channelId,
        teamId: ctx.teamId ?? null,
        weekday: parsed.weekday ?? DEFAULT_WEEKDAY,
        minuteOfDay: parsed.minuteOfDay ?? DEFAULT_MINUTE,
        timeZone,
        subscribedBy: ctx.userId,
      },
      ctx.now,
    );
    await recordSubscriptionChange(tx, { ...changeOf(ctx), before, after });
    return after;
  });
  if (!subscription) return reply(RACED);
  const next = nextOccurrence(subscription, ctx.now);
  const upcoming = await upcomingPart(ctx, await deliveredCount(ctx.db, ctx.channelId));
  const lines = [
    `:white_check_mark: This channel will get the weekly role digest ${escapeMrkdwn(scheduleLine(subscription))}${zoneNote}.`,
    `First one: ${escapeMrkdwn(formatInZone(next.dueAt, subscription.timeZone))}, ${upcoming}.`,
  ];
  // Subscribing never lifts a workspace-wide stop: only a keeper's explicit resume does.
  if (await getHalt(ctx.db)) lines.push(HALTED);
  lines.push('`/mle-duties digest preview` shows it now; `/mle-duties digest unsubscribe` stops it.');
  return reply(lines.join('\n'));
}

const changeOf = (ctx: DigestCommandContext) => ({
  ...(ctx.teamId ? { teamId: ctx.teamId } : {}),
  channelId: ctx.channelId,
  actor: ctx.userId,
  at: ctx.now,
});

/** `resume`: a paused channel (its subscriber or a keeper), and every digest after a token stop (a keeper). */
async function resumeCommand(ctx: DigestCommandContext): Promise<Message> {
  const halted = await getHalt(ctx.db);
  const current = await getSubscription(ctx.db, ctx.channelId);
  const lines: string[] = [];
  if (halted) {
    const allowed = await mayResumeAll(ctx);
    if (!allowed.ok) lines.push(allowed.text);
    else if (await resumeAll(ctx.db, ctx.userId, ctx.now, ctx.teamId)) {
      lines.push(':arrow_forward: Digests are running again in every subscribed channel.');
    }
  }
  if (current?.status === 'paused') {
    const allowed = await mayChange(ctx, current);
    const channel = allowed.ok ? await checkChannel(ctx) : allowed;
    if (!channel.ok) lines.push(channel.text);
    else {
      const after = await ctx.db.transaction(async (tx) => {
        const before = await getSubscription(tx, ctx.channelId, { forUpdate: true });
        if (before?.status !== 'paused' || (guarded(before, ctx.userId) && !(allowed.ok && allowed.keeper))) {
          return undefined;
        }
        await resumeSubscription(tx, ctx.channelId, ctx.now);
        const resumed = await getSubscription(tx, ctx.channelId);
        await recordSubscriptionChange(tx, { ...changeOf(ctx), before, after: resumed });
        return resumed;
      });
      lines.push(
        after ? `:arrow_forward: This channel's digest is running again, ${escapeMrkdwn(scheduleLine(after))}.` : RACED,
      );
    }
  }
  if (lines.length === 0) {
    lines.push(
      current?.status === 'active'
        ? "This channel's digest is running; there is nothing to resume."
        : 'This channel is not subscribed to the weekly digest. `/mle-duties digest subscribe` starts it.',
    );
  }
  return reply(lines.join('\n'));
}

async function upcomingPart(ctx: DigestCommandContext, seq: number): Promise<string> {
  const sections = await rotation(ctx.db, (await ctx.catalog.current()).id);
  const { section, part } = sectionForSeq(sections, seq);
  return `part ${part} of ${sections.length}: “${escapeMrkdwn(section.title)}”`;
}

async function unsubscribeCommand(ctx: DigestCommandContext): Promise<Message> {
  const current = await getSubscription(ctx.db, ctx.channelId);
  if (!current || current.status === 'unsubscribed') {
    return reply('This channel was not subscribed to the weekly digest, so there was nothing to stop.');
  }
  const allowed = await mayChange(ctx, current);
  if (!allowed.ok) return reply(allowed.text);
  const done = await ctx.db.transaction(async (tx) => {
    const before = await getSubscription(tx, ctx.channelId, { forUpdate: true });
    if (guarded(before, ctx.userId) && !allowed.keeper) return undefined;
    if (!(await unsubscribe(tx, ctx.channelId, ctx.now))) return false;
    await recordSubscriptionChange(tx, { ...changeOf(ctx), before, after: await getSubscription(tx, ctx.channelId) });
    return true;
  });
  if (done === undefined) return reply(RACED);
  return reply(
    done
      ? 'Unsubscribed: no more weekly digests in this channel. `/mle-duties digest subscribe` starts them again where the rotation left off.'
      : 'This channel was not subscribed to the weekly digest, so there was nothing to stop.',
  );
}

const REASONS: Record<string, string> = {
  is_archived: 'the channel was archived',
  channel_not_found: 'Slack says this channel no longer exists or I cannot see it',
  not_in_channel: 'I was removed from this channel (invite me again with `/invite @mle-duties`)',
};

function reasonText(error: string): string {
  if (REASONS[error]) return REASONS[error];
  if (SLACK_TOKEN_ERRORS.has(error)) return `Slack refused the bot token (\`${escapeMrkdwn(error)}\`)`;
  return `Slack answered \`${escapeMrkdwn(error.slice(0, 120))}\``;
}

/** The occurrence still to be posted, if the current week's is due and nobody has handled it yet. */
async function pendingOccurrence(ctx: DigestCommandContext, s: Subscription): Promise<Occurrence | undefined> {
  const latest = latestOccurrence(s, ctx.now);
  if (latest.dueAt < s.activeSince || ctx.now.getTime() - latest.dueAt.getTime() > MAX_LATENESS_MS) return undefined;
  const run = await getRun(ctx.db, s.channelId, latest.period);
  if (run && run.status !== 'claimed' && !(run.status === 'failed' && run.nextAttemptAt !== null)) return undefined;
  return latest;
}

async function statusCommand(ctx: DigestCommandContext): Promise<Message> {
  const s = await getSubscription(ctx.db, ctx.channelId);
  const runs = await latestRuns(ctx.db, ctx.channelId, 10);
  const lastPosted = runs.find((r) => r.status === 'posted');
  const lines: string[] = [];
  if (!s || s.status === 'unsubscribed') {
    lines.push(
      'This channel is not subscribed to the weekly digest. `/mle-duties digest subscribe monday 09:00 Europe/Berlin` starts it.',
    );
  } else {
    lines.push(`*Weekly role digest:* ${escapeMrkdwn(scheduleLine(s))}.`);
    const halt = await getHalt(ctx.db);
    if (halt) {
      lines.push(
        `:octagonal_sign: All digests are stopped since ${escapeMrkdwn(formatInZone(halt.haltedAt, s.timeZone))}: ${reasonText(halt.reason)}. Once the token works, a catalog keeper restarts them with \`/mle-duties digest resume\`.`,
      );
    } else if (s.status === 'paused') {
      lines.push(
        `:double_vertical_bar: Paused: ${reasonText(s.pausedReason ?? 'unknown')}. Run \`/mle-duties digest resume\` to resume.`,
      );
    } else {
      const pending = await pendingOccurrence(ctx, s);
      const next = pending ?? nextOccurrence(s, ctx.now.getTime() < s.activeSince.getTime() ? s.activeSince : ctx.now);
      const upcoming = await upcomingPart(ctx, await deliveredCount(ctx.db, ctx.channelId));
      lines.push(
        pending
          ? `Next post: due since ${escapeMrkdwn(formatInZone(next.dueAt, s.timeZone))}, going out shortly (${upcoming}).`
          : `Next post: ${escapeMrkdwn(formatInZone(next.dueAt, s.timeZone))} (${upcoming}).`,
      );
    }
  }
  if (lastPosted?.postedAt) {
    const tz = s?.timeZone ?? 'UTC';
    lines.push(
      `Last post: ${escapeMrkdwn(formatInZone(lastPosted.postedAt, tz))} (week ${escapeMrkdwn(lastPosted.period)}${lastPosted.late ? ', late' : ''}).`,
    );
  } else if (s && s.status !== 'unsubscribed') {
    lines.push('Last post: none yet.');
  }
  const problem = runs[0];
  if (problem && problem !== lastPosted) {
    if (problem.status === 'unknown') {
      lines.push(
        `Week ${escapeMrkdwn(problem.period)}: a process stopped while posting and I could not check whether the digest went out, so it was not posted again.`,
      );
    } else if (problem.status === 'failed' && problem.lastError && !CHANNEL_ERRORS.has(problem.lastError)) {
      lines.push(
        problem.nextAttemptAt
          ? `Week ${escapeMrkdwn(problem.period)}: the last attempt failed (${reasonText(problem.lastError)}); I'll retry.`
          : `Week ${escapeMrkdwn(problem.period)}: not posted after ${problem.attempts} attempts (${reasonText(problem.lastError)}).`,
      );
    }
  }
  const changes = await recentChanges(ctx.db, ctx, ctx.channelId, s?.timeZone ?? 'UTC');
  if (changes.length > 0) lines.push(`*Changes:*\n${changes.map((c) => `• ${c}`).join('\n')}`);
  return reply(lines.join('\n'));
}

async function previewCommand(ctx: DigestCommandContext): Promise<Message> {
  const s = await getSubscription(ctx.db, ctx.channelId);
  const schedule = s ?? { weekday: DEFAULT_WEEKDAY, minuteOfDay: DEFAULT_MINUTE, timeZone: 'UTC' };
  // This week's digest: the pending one if due, otherwise the next.
  const occ =
    (s && s.status === 'active' ? await pendingOccurrence(ctx, s) : undefined) ?? nextOccurrence(schedule, ctx.now);
  const message = await buildDigest({
    db: ctx.db,
    catalog: ctx.catalog,
    askedStats: ctx.askedStats,
    intro: ctx.intro,
    owners: ctx.owners,
    teamId: ctx.teamId,
    seq: await deliveredCount(ctx.db, ctx.channelId),
    period: occ.period,
    dueAt: occ.dueAt,
    logger: ctx.logger,
  });
  const note = s && s.status === 'active' ? '' : ' (this channel is not subscribed: `/mle-duties digest subscribe`)';
  return {
    text: fallback(`Preview of this week's digest, only visible to you${note}. ${message.text}`),
    blocks: message.blocks,
  };
}
