import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createProfiles, type SlackUser, type UserLookup } from '../../src/people/profiles.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const HOUR = 60 * 60 * 1000;
const T0 = new Date('2026-06-01T12:00:00Z');

let t: TestDb;
let clock: Date;
const now = () => clock;
beforeEach(async () => {
  t = await openTestDb();
  clock = T0;
});
afterEach(async () => {
  await t.close();
});

/** A users.info that counts its calls and answers from a table; a small delay lets concurrent askers overlap. */
function fakeSlack(users: Record<string, SlackUser> = {}) {
  const calls: string[] = [];
  let script: Awaited<ReturnType<UserLookup>>[] = [];
  let failing = false;
  const lookup: UserLookup = async (_team, id) => {
    calls.push(id);
    await new Promise((r) => setTimeout(r, 20));
    if (failing) throw new Error('socket hang up');
    const scripted = script.shift();
    if (scripted) return scripted;
    const user = users[id];
    return user ? { kind: 'found', user } : { kind: 'not_found' };
  };
  return {
    calls,
    lookup,
    users,
    next(...steps: Awaited<ReturnType<UserLookup>>[]) {
      script = steps;
    },
    fail(on: boolean) {
      failing = on;
    },
  };
}

const alice: SlackUser = {
  id: 'UALICE',
  name: 'alice',
  tz: 'Europe/Berlin',
  is_admin: true,
  profile: {
    display_name: 'Alice',
    real_name: 'Alice Example',
    status_text: 'On holiday',
    status_emoji: ':palm_tree:',
  },
};

describe('profiles', () => {
  it('reads a profile from users.info once, then serves it for an hour', async () => {
    const slack = fakeSlack({ UALICE: alice });
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now });
    const first = await profiles.get('T1', 'UALICE');
    expect(first).toMatchObject({
      userId: 'UALICE',
      name: 'Alice',
      tz: 'Europe/Berlin',
      isAdmin: true,
      isOwner: false,
      deleted: false,
      status: { text: 'On holiday', emoji: ':palm_tree:' },
    });
    clock = new Date(T0.getTime() + HOUR - 1000);
    expect(await profiles.get('T1', 'UALICE')).toMatchObject({ name: 'Alice' });
    expect(slack.calls).toEqual(['UALICE']);

    slack.users.UALICE = { ...alice, profile: { display_name: 'Ali' } };
    clock = new Date(T0.getTime() + HOUR + 1000);
    expect(await profiles.get('T1', 'UALICE')).toMatchObject({ name: 'Ali' });
    expect(slack.calls).toEqual(['UALICE', 'UALICE']);
  });

  it('keeps workspaces apart', async () => {
    const slack = fakeSlack({ UALICE: alice });
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now });
    await profiles.get('T1', 'UALICE');
    await profiles.get('T2', 'UALICE');
    expect(slack.calls).toEqual(['UALICE', 'UALICE']);
  });

  it('asks Slack once per person for a burst spread over two processes sharing the database', async () => {
    const users = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`U${i}`, { id: `U${i}`, profile: { display_name: `P${i}` } }]),
    );
    const slack = fakeSlack(users);
    let other: Db = t.db;
    if (t.url) other = await openPostgres({ url: t.url, max: 5 });
    try {
      const a = createProfiles({ db: t.db, lookup: slack.lookup, now });
      const b = createProfiles({ db: other, lookup: slack.lookup, now });
      const ids = Object.keys(users);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).getMany('T1', ids.slice(i % 11, (i % 11) + 20))),
      );
      for (const r of results) expect(r.size).toBe(20);
      expect(slack.calls.filter((c, i) => slack.calls.indexOf(c) !== i)).toEqual([]);
      expect(slack.calls.length).toBe(30);
      expect(new Set(slack.calls).size).toBe(30);
    } finally {
      if (other !== t.db) await other.close();
    }
  });

  it('marks people Slack does not know, or who left, as deleted', async () => {
    const slack = fakeSlack({ ULEFT: { id: 'ULEFT', deleted: true, profile: { real_name: 'Former Person' } } });
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now });
    const many = await profiles.getMany('T1', ['ULEFT', 'UGONE']);
    expect(many.get('ULEFT')).toMatchObject({ deleted: true, name: 'Former Person' });
    expect(many.get('UGONE')).toMatchObject({ deleted: true, name: 'UGONE' });
  });

  it('after a 429 asks nothing of Slack until Retry-After has passed, serving what it has', async () => {
    const slack = fakeSlack({ UALICE: alice, UBOB: { id: 'UBOB', profile: { display_name: 'Bob' } } });
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now });
    await profiles.get('T1', 'UALICE');
    clock = new Date(T0.getTime() + 2 * HOUR);
    slack.next({ kind: 'rate_limited', retryAfterMs: 30_000 });
    // Stale but known: still served.
    expect(await profiles.get('T1', 'UALICE')).toMatchObject({ name: 'Alice' });
    expect(await profiles.get('T1', 'UBOB')).toBeUndefined();
    expect(slack.calls).toEqual(['UALICE', 'UALICE']);

    clock = new Date(clock.getTime() + 31_000);
    expect(await profiles.get('T1', 'UBOB')).toMatchObject({ name: 'Bob' });
  });

  it('serves the stale profile when Slack cannot be reached, and tries again next time', async () => {
    const slack = fakeSlack({ UALICE: alice });
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now });
    await profiles.get('T1', 'UALICE');
    clock = new Date(T0.getTime() + 2 * HOUR);
    slack.fail(true);
    expect(await profiles.get('T1', 'UALICE')).toMatchObject({ name: 'Alice' });
    slack.fail(false);
    await profiles.get('T1', 'UALICE');
    expect(slack.calls).toEqual(['UALICE', 'UALICE', 'UALICE']);
  });

  it('takes over the lease of a process that died while fetching', async () => {
    const slack = fakeSlack({ UALICE: alice });
    await t.db.query(`insert into slack_profiles (team_id, user_id, lease_until) values ('T1', 'UALICE', $1)`, [
      new Date(T0.getTime() + 10_000),
    ]);
    const profiles = createProfiles({ db: t.db, lookup: slack.lookup, now, waitMs: 100 });
    expect(await profiles.get('T1', 'UALICE')).toBeUndefined();
    expect(slack.calls).toEqual([]);
    clock = new Date(T0.getTime() + 11_000);
    expect(await profiles.get('T1', 'UALICE')).toMatchObject({ name: 'Alice' });
  });
});
