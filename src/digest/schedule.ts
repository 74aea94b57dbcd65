// Schedule maths for weekly digests: pure functions of an instant and a subscription's weekday, time and time zone.
// Everything is computed in the subscription's own time zone, so "Monday 09:00 Europe/Berlin" stays 09:00 across DST.

const DAY_MS = 86_400_000;

/** When a channel wants its digest. */
export interface WeeklyTime {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  minuteOfDay: number;
  timeZone: string;
}

/** One occurrence of the schedule: the ISO week it belongs to (in the subscription's zone) and the instant it is due. */
export interface Occurrence {
  period: string;
  dueAt: Date;
}

/** A digest more than this late is skipped: the next one is less than a day away. */
export const MAX_LATENESS_MS = 6 * DAY_MS;
/** A digest later than this says so. */
export const LATE_NOTICE_MS = DAY_MS;

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const DAY_ALIASES: Record<string, number> = {
  mon: 1,
  tue: 2,
  tues: 2,
  wed: 3,
  weds: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  fri: 5,
  sat: 6,
  sun: 7,
};

/** `monday`, `Mon`, `tues` → 2 …; undefined when the word is not a day. */
export function parseWeekday(word: string): number | undefined {
  const w = word.trim().toLowerCase();
  const full = WEEKDAYS.indexOf(w as (typeof WEEKDAYS)[number]);
  if (full >= 0) return full + 1;
  return DAY_ALIASES[w];
}

/** 24-hour `HH:MM` (a single-digit hour is accepted) → minutes after midnight. */
export function parseTimeOfDay(word: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(word.trim());
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The canonical IANA name (`europe/berlin` → `Europe/Berlin`), or undefined when Intl does not know the zone. */
export function canonicalTimeZone(name: string): string | undefined {
  const n = name.trim();
  // Offsets such as "+02:00" are accepted by Intl but are not places: they ignore DST, so refuse them.
  if (n.length === 0 || n.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(n)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: n }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function formatTimeOfDay(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

export function weekdayName(weekday: number): string {
  const name = WEEKDAYS[weekday - 1] ?? 'monday';
  return name[0]?.toUpperCase() + name.slice(1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(instant: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Local time minus UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in a zone. A time skipped by a DST jump resolves to the same
 * wall-clock time shifted by the jump (02:30 → 03:30); a repeated time resolves to its first occurrence.
 */
export function zonedTimeToUtc(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  // DST changes are months apart, so the offsets 12 hours either side are the only two that can apply.
  const candidates = [offsetAt(guess - DAY_MS / 2, timeZone), offsetAt(guess + DAY_MS / 2, timeZone)].map(
    (offset) => guess - offset,
  );
  const valid = candidates.filter((t) => offsetAt(t, timeZone) === guess - t);
  return new Date(valid.length > 0 ? Math.min(...valid) : Math.max(...candidates));
}

/** ISO 8601 week of a calendar date, as `YYYY-Www`. */
export function isoWeek(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
  const y = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(y, 0, 1)) / DAY_MS + 1) / 7);
  return `${y}-W${String(week).padStart(2, '0')}`;
}

function occurrenceOnDate(utcMidnight: number, schedule: WeeklyTime): Occurrence {
  const d = new Date(utcMidnight);
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  return { period: isoWeek(y, m, day), dueAt: zonedTimeToUtc(y, m, day, schedule.minuteOfDay, schedule.timeZone) };
}

/** The target weekday's date (as UTC midnight of that calendar date) in the local ISO week containing `instant`. */
function targetDateThisWeek(instant: Date, schedule: WeeklyTime): number {
  const p = localParts(instant.getTime(), schedule.timeZone);
  const localMidnight = Date.UTC(p.year, p.month - 1, p.day);
  const weekday = new Date(localMidnight).getUTCDay() || 7;
  return localMidnight + (schedule.weekday - weekday) * DAY_MS;
}

/** The most recent occurrence due at or before `now`. */
export function latestOccurrence(schedule: WeeklyTime, now: Date): Occurrence {
  const date = targetDateThisWeek(now, schedule);
  const thisWeek = occurrenceOnDate(date, schedule);
  return thisWeek.dueAt.getTime() <= now.getTime() ? thisWeek : occurrenceOnDate(date - 7 * DAY_MS, schedule);
}

/** The first occurrence due strictly after `now`. */
export function nextOccurrence(schedule: WeeklyTime, now: Date): Occurrence {
  const date = targetDateThisWeek(now, schedule);
  const thisWeek = occurrenceOnDate(date, schedule);
  return thisWeek.dueAt.getTime() > now.getTime() ? thisWeek : occurrenceOnDate(date + 7 * DAY_MS, schedule);
}

/** The occurrence belonging to an ISO week (`2026-W23`), for re-deriving a due time from a stored period. */
export function occurrenceInPeriod(schedule: WeeklyTime, period: string): Occurrence | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(period);
  if (!m) return undefined;
  const year = Number(m[1]);
  const jan4 = Date.UTC(year, 0, 4);
  const mondayWeek1 = jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY_MS;
  const date = mondayWeek1 + (Number(m[2]) - 1) * 7 * DAY_MS + (schedule.weekday - 1) * DAY_MS;
  return occurrenceOnDate(date, schedule);
}

/** "Monday 6 July 2026, 09:00 (Europe/Berlin)" for people. */
export function formatInZone(instant: Date, timeZone: string): string {
  const date = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
  return `${date} (${timeZone})`;
}
