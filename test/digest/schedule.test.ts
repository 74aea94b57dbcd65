// Schedule maths: due times in the subscriber's zone (DST included), ISO weeks, parsing.
import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  isoWeek,
  latestOccurrence,
  nextOccurrence,
  occurrenceInPeriod,
  parseTimeOfDay,
  parseWeekday,
  zonedTimeToUtc,
} from '../../src/digest/schedule.ts';

const berlin = { weekday: 1, minuteOfDay: 9 * 60, timeZone: 'Europe/Berlin' };

describe('occurrences', () => {
  it.each([
    // now (UTC)                latest period  latest due (UTC)            next due (UTC)
    ['2026-03-30T07:00:00Z', '2026-W14', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z'], // exactly due, summer time
    ['2026-03-30T06:59:59Z', '2026-W13', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z'], // a second before
    ['2026-03-29T23:30:00Z', '2026-W13', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z'], // Monday 01:30 local
    ['2026-10-26T08:00:00Z', '2026-W44', '2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z'], // back to winter
    ['2026-01-01T00:00:00Z', '2026-W01', '2025-12-29T08:00:00.000Z', '2026-01-05T08:00:00.000Z'], // ISO year boundary
  ])('at %s', (now, period, latest, next) => {
    const l = latestOccurrence(berlin, new Date(now));
    expect(l.period).toBe(period);
    expect(l.dueAt.toISOString()).toBe(latest);
    expect(nextOccurrence(berlin, new Date(now)).dueAt.toISOString()).toBe(next);
    expect(occurrenceInPeriod(berlin, period)?.dueAt.toISOString()).toBe(latest);
  });

  it('the period is the ISO week of the local date, not the UTC date', () => {
    // Monday 00:30 in Auckland is still Sunday in UTC.
    const s = { weekday: 1, minuteOfDay: 30, timeZone: 'Pacific/Auckland' };
    const o = latestOccurrence(s, new Date('2026-01-05T12:00:00Z'));
    expect(o.period).toBe('2026-W02');
    expect(o.dueAt.toISOString()).toBe('2026-01-04T11:30:00.000Z');
  });

  it('a time skipped by DST moves forward; a repeated time takes its first occurrence', () => {
    expect(zonedTimeToUtc(2026, 3, 29, 150, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToUtc(2026, 10, 25, 150, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedTimeToUtc(2026, 7, 1, 540, 'Asia/Kathmandu').toISOString()).toBe('2026-07-01T03:15:00.000Z');
  });

  it('weeks are 7 days apart and each has its own period, for a whole year in several zones', () => {
    for (const timeZone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
      const s = { weekday: 3, minuteOfDay: 14 * 60 + 30, timeZone };
      let now = new Date('2026-01-01T00:00:00Z');
      const periods = new Set<string>();
      for (let i = 0; i < 53; i++) {
        const o = nextOccurrence(s, now);
        periods.add(o.period);
        const local = new Intl.DateTimeFormat('en-GB', {
          timeZone,
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
        });
        expect(local.format(o.dueAt)).toBe('Wed 14:30');
        now = o.dueAt;
      }
      expect(periods.size).toBe(53);
    }
  });

  it('isoWeek', () => {
    expect(isoWeek(2026, 12, 31)).toBe('2026-W53');
    expect(isoWeek(2027, 1, 1)).toBe('2026-W53');
    expect(isoWeek(2027, 1, 4)).toBe('2027-W01');
    expect(isoWeek(2024, 12, 30)).toBe('2025-W01');
  });
});

describe('parsing', () => {
  it.each([
    ['monday', 1],
    ['Mon', 1],
    ['TUES', 2],
    ['sunday', 7],
    ['sun', 7],
    ['mo', undefined],
    ['', undefined],
  ])('weekday %s', (word, day) => {
    expect(parseWeekday(word)).toBe(day);
  });

  it.each([
    ['09:00', 540],
    ['9:00', 540],
    ['23:59', 1439],
    ['00:00', 0],
    ['24:00', undefined],
    ['9', undefined],
    ['09:60', undefined],
  ])('time %s', (word, minute) => {
    expect(parseTimeOfDay(word)).toBe(minute);
  });

  it.each([
    ['UTC', 'UTC'],
    ['europe/berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
    ['Mars/Base', undefined],
    ['+02:00', undefined],
    ['', undefined],
    ['Europe/Berlin; drop table', undefined],
  ])('time zone %s', (name, canonical) => {
    expect(canonicalTimeZone(name)).toBe(canonical);
  });
});
