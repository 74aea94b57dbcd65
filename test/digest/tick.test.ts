// Exactly once per channel per week, with several instances, outages and clock trouble. Time is faked through `now`.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getRun, getSubscription, upsertSubscription } from '../../src/digest/store.ts';
import { ENGINE } from '../helpers/db.ts';
import { addMs, at, DAY, type DigestWorld, HOUR, MINUTE, openWorld, periodOf, WEEK } from './helpers.ts';

// Monday 2026-01-05 09:00 UTC is the first due time after subscribing (ISO week 2026-W02).
const SUBSCRIBED = at('2026-01-01T12:00:00Z');
const DUE = at('2026-01-05T09:00:00Z');
const CHANNELS = ['C0000001', 'C0000002', 'C0000003', 'C0000004', 'C0000005'];

let w: DigestWorld;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(() => w.close());
beforeEach(async () => {
  await w.reset();
  for (const c of CHANNELS) await w.subscribe(c, ['monday', '09:00', 'UTC'], SUBSCRIBED);
});
afterEach(() => {
  vi.useRealTimers();
});

function postsPerChannel(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of w.posts()) out[String(p.channel)] = (out[String(p.channel)] ?? 0) + 1;
  return out;
}

describe('three scheduler instances', () => {
  it('tick at the same due time: one post per channel', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map((n) => w.instance(n)));
    // Before the due time nobody posts.
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, -1000))));
    expect(w.posts()).toHaveLength(0);
    // At the due time all three race for every channel; then they keep ticking every minute.
    for (let m = 0; m < 5; m++) await Promise.all(instances.map((i) => i.tick(addMs(DUE, m * MINUTE))));
    expect(postsPerChannel()).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 1])));
    for (const c of CHANNELS) {
      const run = await getRun(w.db, c, '2026-W02');
      expect(run?.status).toBe('posted');
      expect(run?.messageTs).toBe(w.slack.messages(c)[0]?.ts);
      expect(periodOf(w.posts(c)[0] as Record<string, unknown>)).toBe('2026-W02');
    }
  });

  it('the next week posts again, once', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map((n) => w.instance(n)));
    await Promise.all(instances.map((i) => i.tick(DUE)));
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, WEEK))));
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, WEEK + MINUTE))));
    expect(postsPerChannel()).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 2])));
    expect(w.posts('C0000001').map(periodOf)).toEqual(['2026-W02', '2026-W03']);
  });
});

describe('outages', () => {
  it('down from before the due time until 6 hours after: one post, not marked late', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map((n) => w.instance(n)));
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, -10 * MINUTE))));
    expect(w.posts()).toHaveLength(0);
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, 6 * HOUR))));
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, 6 * HOUR + MINUTE))));
    expect(postsPerChannel()).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 1])));
    const text = JSON.stringify(w.posts('C0000001')[0]?.blocks);
    expect(text).not.toContain('sorry it is late');
    expect((await getRun(w.db, 'C0000001', '2026-W02'))?.late).toBe(false);
  });

  it('more than a day late: the post says so', async () => {
    const a = await w.instance('a');
    await a.tick(addMs(DUE, 30 * HOUR));
    expect(w.posts()).toHaveLength(CHANNELS.length);
    expect(JSON.stringify(w.posts('C0000001')[0]?.blocks)).toContain('sorry it is late');
    expect((await getRun(w.db, 'C0000001', '2026-W02'))?.late).toBe(true);
  });

  it('down for three weeks: one post for the latest week, not three', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map((n) => w.instance(n)));
    await Promise.all(instances.map((i) => i.tick(addMs(DUE, -MINUTE))));
    const back = addMs(DUE, 3 * WEEK + 2 * HOUR);
    for (let m = 0; m < 3; m++) await Promise.all(instances.map((i) => i.tick(addMs(back, m * MINUTE))));
    expect(postsPerChannel()).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 1])));
    expect(w.posts('C0000001').map(periodOf)).toEqual(['2026-W05']);
    // The rotation did not advance for the weeks nobody saw: the first digest is part 1.
    expect(JSON.stringify(w.posts('C0000001')[0]?.blocks)).toContain('Part 1 of 10');
  });

  it('more than six days late: skipped; the next week goes out on time', async () => {
    const a = await w.instance('a');
    const r = await a.tick(addMs(DUE, 6 * DAY + 2 * HOUR));
    expect(r.tooLate).toBe(CHANNELS.length);
    expect(w.posts()).toHaveLength(0);
    await a.tick(addMs(DUE, WEEK));
    expect(w.posts('C0000001').map(periodOf)).toEqual(['2026-W03']);
  });

  it('subscribing after this week’s due time does not post a late digest for it', async () => {
    await w.subscribe('C0000009', ['monday', '09:00', 'UTC'], addMs(DUE, HOUR));
    const a = await w.instance('a');
    await a.tick(addMs(DUE, 2 * HOUR));
    expect(w.posts('C0000009')).toHaveLength(0);
    await a.tick(addMs(DUE, WEEK));
    expect(w.posts('C0000009')).toHaveLength(1);
  });
});

describe('clock skew', () => {
  it('an instance whose clock is 10 minutes behind: no duplicate when its clock reaches the due time', async () => {
    const [a, behind] = await Promise.all([w.instance('a'), w.instance('behind')]);
    await Promise.all([a.tick(DUE), behind.tick(addMs(DUE, -10 * MINUTE))]);
    await behind.tick(DUE); // true time DUE + 10 min
    expect(postsPerChannel()).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 1])));
  });

  // On PGlite the database runs inside the one process that opens it, so its clock is that process's clock and
  // there is no second process whose clock could differ.
  it.skipIf(ENGINE === 'pglite')(
    'an instance whose clock is 10 minutes ahead uses the database clock: no early post, no duplicate',
    async () => {
      const [a, ahead] = await Promise.all([w.instance('a'), w.instance('ahead')]);
      // A due time 3 minutes ahead of the database's real clock.
      const [{ now }] = (await w.db.query<{ now: Date }>('select now() as now')) as [{ now: Date }];
      const due = new Date(Math.ceil((now.getTime() + 3 * MINUTE) / MINUTE) * MINUTE);
      await upsertSubscription(
        w.db,
        {
          channelId: 'CSKEW001',
          teamId: null,
          weekday: due.getUTCDay() || 7,
          minuteOfDay: due.getUTCHours() * 60 + due.getUTCMinutes(),
          timeZone: 'UTC',
          subscribedBy: 'U1',
        },
        addMs(now, -MINUTE),
      );
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(addMs(new Date(), 10 * MINUTE)); // this process now believes it is 7 minutes past due
      const early = await ahead.tick();
      expect(early.now.getTime()).toBeLessThan(due.getTime());
      expect(w.posts('CSKEW001')).toHaveLength(0);
      vi.useRealTimers();
      await a.tick(addMs(due, 1000)); // the due time, as an honest clock will see it
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(addMs(new Date(), 10 * MINUTE));
      await ahead.tick();
      vi.useRealTimers();
      expect(w.posts('CSKEW001')).toHaveLength(1);
    },
  );
});

describe('subscription changes', () => {
  it('unsubscribed channels get nothing; time zones and days are honoured', async () => {
    await w.subscribe('CBERLIN1', ['wed', '14:30', 'Europe/Berlin'], SUBSCRIBED);
    const a = await w.instance('a');
    // Wednesday 2026-01-07 14:30 Berlin = 13:30 UTC.
    await a.tick(at('2026-01-07T13:29:00Z'));
    expect(w.posts('CBERLIN1')).toHaveLength(0);
    await a.tick(at('2026-01-07T13:30:00Z'));
    expect(w.posts('CBERLIN1')).toHaveLength(1);
    expect((await getSubscription(w.db, 'CBERLIN1'))?.timeZone).toBe('Europe/Berlin');
  });
});
