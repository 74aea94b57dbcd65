// Who may change a channel's digest, and the record of every change (people/changes.ts), as `digest status` shows it.
// A channel nobody subscribed (or whose subscription was stopped) is anyone's to start; once it runs, only whoever
// subscribed it and the catalog keepers may move, stop or resume it; only a keeper restarts every digest after a
// dead-token stop. People are named by their Slack display names, never mentioned.
import { safeText } from '../blocks/mrkdwn.ts';
import type { Db, Queryable } from '../db/db.ts';
import { type Change, listChanges, recordChange } from '../people/changes.ts';
import type { Keepers } from '../people/keepers.ts';
import type { Profiles } from '../people/profiles.ts';
import { formatInZone, formatTimeOfDay, weekdayName } from './schedule.ts';
import { clearHalt, getHalt, type Subscription } from './store.ts';

/** The subject of changes that concern every channel at once (restarting digests after a dead-token stop). */
const ALL_CHANNELS = '*';

/** Who is asking: a Slack user of a workspace, with the permission model and the names to refuse with. */
export interface DigestActor {
  teamId?: string;
  userId: string;
  keepers: Keepers;
  profiles?: Profiles;
}

export type Decision = { ok: true; keeper: boolean } | { ok: false; text: string };

export function scheduleLine(s: Pick<Subscription, 'weekday' | 'minuteOfDay' | 'timeZone'>): string {
  return `every ${weekdayName(s.weekday)} at ${formatTimeOfDay(s.minuteOfDay)} (${s.timeZone})`;
}

/** What a change record keeps of a subscription (null: none). */
function stateOf(s: Subscription | undefined) {
  return s ? { status: s.status, schedule: scheduleLine(s), subscribedBy: s.subscribedBy } : null;
}
type State = ReturnType<typeof stateOf>;

/** Whether changing this subscription needs more than being the one asking (someone else's live subscription). */
export function guarded(s: Subscription | undefined, userId: string): boolean {
  return s !== undefined && s.status !== 'unsubscribed' && s.subscribedBy !== userId;
}

/** May this person subscribe, reschedule, resume or unsubscribe the channel whose subscription is `s`? */
export async function mayChange(actor: DigestActor, s: Subscription | undefined): Promise<Decision> {
  if (!guarded(s, actor.userId)) return { ok: true, keeper: false };
  const check = await actor.keepers.check(actor.teamId ?? '', actor.userId);
  if (check.keeper) return { ok: true, keeper: true };
  const who = await whoCan(actor, s?.subscribedBy);
  return {
    ok: false,
    text:
      check.reason === 'unknown'
        ? `I couldn't check with Slack just now whether you are a catalog keeper, so nothing changed. Please try again in a minute. ${who}`
        : `:lock: This channel's digest was set up by someone else, so I changed nothing. ${who}`,
  };
}

/** May this person restart every digest after a dead-token stop? Keepers only. */
export async function mayResumeAll(actor: DigestActor): Promise<Decision> {
  const check = await actor.keepers.check(actor.teamId ?? '', actor.userId);
  if (check.keeper) return { ok: true, keeper: true };
  const why =
    check.reason === 'unknown'
      ? "I couldn't check with Slack just now whether you are a catalog keeper; please try again in a minute."
      : 'Only a catalog keeper can restart every digest.';
  return { ok: false, text: `${why} ${await whoCan(actor)}` };
}

const SHOWN_KEEPERS = 5;

/** "Who can": the subscriber and the keepers, by name (escaped, never a mention). */
async function whoCan(actor: DigestActor, subscriber?: string): Promise<string> {
  const admins = actor.keepers.admins.slice(0, SHOWN_KEEPERS);
  const names = await namesOf(actor, [...(subscriber ? [subscriber] : []), ...admins]);
  const keepers = [
    ...admins.map((id) => `*${names.get(id)}*`),
    ...(actor.keepers.admins.length > SHOWN_KEEPERS ? [`${actor.keepers.admins.length - SHOWN_KEEPERS} more`] : []),
    "the workspace's admins and owners",
  ].join(', ');
  const first = subscriber ? `whoever subscribed it (*${names.get(subscriber)}*) and ` : '';
  return `It can be changed by ${first}the catalog keepers: ${keepers}.`;
}

/** Display names (escaped) of these people; their id, inert, when Slack cannot tell. 'cli' is the command line. */
async function namesOf(actor: Pick<DigestActor, 'teamId' | 'profiles'>, ids: string[]): Promise<Map<string, string>> {
  const people = ids.filter((id) => id !== 'cli');
  const profiles =
    actor.profiles && people.length > 0 ? await actor.profiles.getMany(actor.teamId ?? '', people) : new Map();
  return new Map(
    ids.map((id) => [id, id === 'cli' ? 'the command line' : safeText(profiles.get(id)?.name ?? id, 80)] as const),
  );
}

/** Records a change of the channel's subscription; call it in the transaction that makes the change. */
export function recordSubscriptionChange(
  tx: Queryable,
  c: { teamId?: string; channelId: string; actor: string; before?: Subscription; after?: Subscription; at: Date },
): Promise<void> {
  return recordChange(tx, {
    ...(c.teamId ? { teamId: c.teamId } : {}),
    area: 'digest',
    subject: c.channelId,
    actor: c.actor,
    before: stateOf(c.before),
    after: stateOf(c.after),
    at: c.at,
  });
}

/** Lifts the stop a dead token caused, recorded with who did it (a Slack user id or 'cli'). False if none. */
export async function resumeAll(db: Db, actor: string, at: Date, teamId?: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const halt = await getHalt(tx);
    if (!halt || !(await clearHalt(tx))) return false;
    await recordChange(tx, {
      ...(teamId ? { teamId } : {}),
      area: 'digest',
      subject: ALL_CHANNELS,
      actor,
      before: { halted: halt.reason },
      after: null,
      at,
    });
    return true;
  });
}

/** The latest changes of this channel's digest and of all digests, newest first, one line each, for `status`. */
export async function recentChanges(
  db: Queryable,
  actor: Pick<DigestActor, 'teamId' | 'profiles'>,
  channelId: string,
  timeZone: string,
  limit = 5,
): Promise<string[]> {
  const where = { area: 'digest' as const, limit, ...(actor.teamId ? { teamId: actor.teamId } : {}) };
  const changes = [
    ...(await listChanges(db, { ...where, subject: channelId })),
    ...(await listChanges(db, { ...where, subject: ALL_CHANNELS })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, limit);
  const names = await namesOf(actor, [...new Set(changes.map((c) => c.actor))]);
  return changes.map((c) => `${safeText(formatInZone(c.at, timeZone), 100)}: ${names.get(c.actor)} ${describe(c)}`);
}

function describe(c: Change): string {
  if (c.subject === ALL_CHANNELS) return 'restarted every digest after Slack had refused the bot token';
  const before = c.before as State;
  const after = c.after as State;
  const schedule = (s: NonNullable<State>) => safeText(s.schedule, 100);
  if (!after || after.status === 'unsubscribed') return 'unsubscribed it';
  if (!before || before.status === 'unsubscribed') return `subscribed it, ${schedule(after)}`;
  if (before.status === 'paused') {
    return before.schedule === after.schedule ? 'resumed it' : `resumed it, now ${schedule(after)}`;
  }
  return before.schedule === after.schedule
    ? `subscribed it again, ${schedule(after)}`
    : `moved it from ${schedule(before)} to ${schedule(after)}`;
}
