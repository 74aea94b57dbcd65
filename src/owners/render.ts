// How owners are shown under a duty, as pure functions: names only (never a mention: the line goes into public
// answers and digests, and must notify nobody), every name made inert, people who are off or away marked with their
// local time, and a backup listed first when no owner is around.
import { safeText } from '../blocks/mrkdwn.ts';
import type { Profile } from '../people/profiles.ts';
import type { Ownership } from './store.ts';

/** The working day, in each person's own time zone. */
const DAY_START_HOUR = 9;
const DAY_END_HOUR = 18;

/** A status that says someone is not at work (Slack's own suggestions and what people commonly type). */
const AWAY_TEXT =
  /\b(away|ooo|out of (the )?office|on (vacation|holiday|leave|pto)|vacationing|vacation|holiday|pto|sick|off today|parental leave|annual leave)\b/i;
const AWAY_EMOJI =
  /^:(palm_tree|face_with_thermometer|airplane|beach_with_umbrella|desert_island|baby|no_entry|sleeping|zzz):$/;

const NO_OWNER = 'No owner on this team yet';

/** People named in one line at most; the rest are counted ("3 more"), so a line stays a line. */
const MAX_SHOWN = 5;

/**
 * A display name as inert mrkdwn: escaped (`<!channel>`, `<@U…>` and links show as typed), and the characters that
 * would format it (`*bold*`, `_italic_`, `~strike~`, `` `code` ``) swapped for look-alikes, so a name reads as it is
 * and never changes the line around it.
 */
export function inertName(name: string, max = 80): string {
  return safeText(name, max).replace(/\*/g, '∗').replace(/_/g, 'ˍ').replace(/~/g, '∼').replace(/`/g, 'ˋ');
}

export interface Availability {
  /** Outside their working hours, or a status that says away. */
  off: boolean;
  reason?: 'hours' | 'status';
  /** Their local time, "21:40", when their time zone is known. */
  localTime?: string;
}

/** Whether someone is around now, from their profile's time zone and status; unknown counts as around. */
export function availability(profile: Profile | undefined, now: Date): Availability {
  if (!profile) return { off: false };
  const local = profile.tz ? localClock(profile.tz, now) : undefined;
  const status = profile.status;
  const statusLive = status && (!status.expiresAt || status.expiresAt.getTime() > now.getTime());
  if (statusLive && (AWAY_TEXT.test(status.text) || AWAY_EMOJI.test(status.emoji))) {
    return { off: true, reason: 'status', ...(local ? { localTime: local.text } : {}) };
  }
  if (local && (local.hour < DAY_START_HOUR || local.hour >= DAY_END_HOUR)) {
    return { off: true, reason: 'hours', localTime: local.text };
  }
  return { off: false, ...(local ? { localTime: local.text } : {}) };
}

/** One formatter per time zone: making one costs far more than using it. Undefined: a zone this runtime lacks. */
const clocks = new Map<string, Intl.DateTimeFormat | undefined>();

function clockFor(tz: string): Intl.DateTimeFormat | undefined {
  if (!clocks.has(tz)) {
    let f: Intl.DateTimeFormat | undefined;
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      f = undefined;
    }
    if (clocks.size > 1000) clocks.clear();
    clocks.set(tz, f);
  }
  return clocks.get(tz);
}

function localClock(tz: string, now: Date): { hour: number; text: string } | undefined {
  const clock = clockFor(tz);
  if (!clock) return undefined;
  try {
    const parts = clock.formatToParts(now);
    const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
    const minute = parts.find((p) => p.type === 'minute')?.value ?? '';
    if (!/^\d\d$/.test(hour) || !/^\d\d$/.test(minute)) return undefined;
    return { hour: Number.parseInt(hour, 10), text: `${hour}:${minute}` };
  } catch {
    return undefined; // a time zone this runtime does not know
  }
}

/** One person as the line shows them. */
interface Shown {
  kind: 'owner' | 'backup';
  text: string;
  /** Around now (a former member never is). */
  around: boolean;
  former: boolean;
}

function person(kind: 'owner' | 'backup', profile: Profile | undefined, now: Date): Shown {
  const prefix = kind === 'backup' ? 'backup ' : '';
  if (!profile) {
    // Slack could not tell us who this is right now: say so, without their id turning into a mention.
    return { kind, text: `${prefix}a teammate (profile unavailable)`, around: true, former: false };
  }
  const name = inertName(profile.name);
  if (profile.deleted) return { kind, text: `${prefix}${name} (former member)`, around: false, former: true };
  const a = availability(profile, now);
  if (!a.off) return { kind, text: `${prefix}${name}`, around: true, former: false };
  const word = a.reason === 'status' ? 'away now' : 'off now';
  return {
    kind,
    text: `${prefix}${name} (${word}${a.localTime ? `, ${a.localTime} for them` : ''})`,
    around: false,
    former: false,
  };
}

/** True when the duty has someone who can carry it: a current member as owner or backup, or a user group. */
export function isOwned(o: Ownership | undefined, profiles: ReadonlyMap<string, Profile>): boolean {
  if (!o) return false;
  if (o.usergroup) return true;
  return [...o.owners, ...o.backups].some((u) => profiles.get(u)?.deleted !== true);
}

/** Every person a set of owner lists names (to fetch their profiles in one batch). */
export function peopleOf(ownerships: Iterable<Ownership | undefined>): string[] {
  const ids = new Set<string>();
  for (const o of ownerships) for (const u of [...(o?.owners ?? []), ...(o?.backups ?? [])]) ids.add(u);
  return [...ids];
}

/**
 * The owners line of one duty, as escaped mrkdwn: "Here: Alice · backup Bob", or "No owner on this team yet".
 * Owners come first unless none is around and a backup is: then the backups who are around lead.
 */
export function ownersLine(o: Ownership | undefined, profiles: ReadonlyMap<string, Profile>, now: Date): string {
  const people = [
    ...(o?.owners ?? []).map((u) => person('owner', profiles.get(u), now)),
    ...(o?.backups ?? []).map((u) => person('backup', profiles.get(u), now)),
  ];
  const group = o?.usergroup
    ? `${o.usergroup.kind === 'backup' ? 'backup ' : ''}group ${o.usergroup.name ? inertName(o.usergroup.name, 60) : 'of this team'}`
    : undefined;
  const ownerAround = people.some((p) => p.kind === 'owner' && p.around);
  const backupAround = people.some((p) => p.kind === 'backup' && p.around);
  const ordered =
    !ownerAround && backupAround
      ? [
          ...people.filter((p) => p.kind === 'backup' && p.around),
          ...people.filter((p) => !(p.kind === 'backup' && p.around)),
        ]
      : people;
  const parts = ordered.slice(0, MAX_SHOWN).map((p) => p.text);
  if (ordered.length > MAX_SHOWN) parts.push(`${ordered.length - MAX_SHOWN} more`);
  if (group) parts.push(group);
  if (!isOwned(o, profiles)) {
    return parts.length > 0 ? `_${NO_OWNER}_ (listed: ${parts.join(' · ')})` : `_${NO_OWNER}_`;
  }
  return `Here: ${parts.join(' · ')}`;
}

/** Everyone named under a set of duties (a section), once each, owners before backups; former members left out. */
export function peopleLine(
  ownerships: Iterable<Ownership | undefined>,
  profiles: ReadonlyMap<string, Profile>,
): string {
  const owners = new Set<string>();
  const backups = new Set<string>();
  for (const o of ownerships) {
    for (const u of o?.owners ?? []) owners.add(u);
    for (const u of o?.backups ?? []) if (!owners.has(u)) backups.add(u);
  }
  for (const u of owners) backups.delete(u);
  const name = (u: string) => {
    const p = profiles.get(u);
    return p?.deleted ? undefined : p ? inertName(p.name) : 'a teammate';
  };
  const names = [
    ...[...owners].map(name),
    ...[...backups].map((u) => {
      const n = name(u);
      return n && `${n} (backup)`;
    }),
  ].filter((n): n is string => Boolean(n));
  if (names.length === 0) return 'nobody yet';
  const shown = names.slice(0, 15);
  return `${shown.join(' · ')}${names.length > shown.length ? ` · ${names.length - shown.length} more` : ''}`;
}
