import { describe, expect, it } from 'vitest';
import { availability, inertName, isOwned, ownersLine } from '../../src/owners/render.ts';
import type { Ownership } from '../../src/owners/store.ts';
import type { Profile } from '../../src/people/profiles.ts';

// 10:00 in London, 05:00 in New York, 19:00 in Tokyo.
const NOW = new Date('2026-12-03T10:00:00Z');

function profile(userId: string, name: string, extra: Partial<Profile> = {}): Profile {
  return {
    teamId: 'T1',
    userId,
    name,
    tz: 'Europe/London',
    isAdmin: false,
    isOwner: false,
    isBot: false,
    deleted: false,
    fetchedAt: NOW,
    ...extra,
  };
}

const own = (owners: string[], backups: string[] = [], extra: Partial<Ownership> = {}): Ownership => ({
  dutyId: '2:Model Monitoring',
  owners,
  backups,
  version: 1,
  ...extra,
});

const people = (...ps: Profile[]) => new Map(ps.map((p) => [p.userId, p]));

describe('owners line', () => {
  it('names owners then backups, by display name, with no mention', () => {
    const line = ownersLine(own(['UA'], ['UB']), people(profile('UA', 'Alice'), profile('UB', 'Bob')), NOW);
    expect(line).toBe('Here: Alice · backup Bob');
    expect(line).not.toMatch(/<@/);
  });

  it('says so when nobody is written down', () => {
    expect(ownersLine(undefined, new Map(), NOW)).toBe('_No owner on this team yet_');
    expect(ownersLine(own([], []), new Map(), NOW)).toBe('_No owner on this team yet_');
  });

  it('marks an owner in another time zone who is off now, with their local time, and lists the backup first', () => {
    const line = ownersLine(
      own(['UA'], ['UB']),
      people(profile('UA', 'Alice', { tz: 'Asia/Tokyo' }), profile('UB', 'Bob')),
      NOW,
    );
    expect(line).toBe('Here: backup Bob · Alice (off now, 19:00 for them)');
    const evening = new Date('2026-12-03T21:40:00Z');
    expect(availability(profile('UA', 'Alice'), evening)).toEqual({ off: true, reason: 'hours', localTime: '21:40' });
  });

  it('keeps owners first when the backup is off too, and when the owner is around', () => {
    const ny = { tz: 'America/New_York' };
    expect(ownersLine(own(['UA'], ['UB']), people(profile('UA', 'Alice', ny), profile('UB', 'Bob', ny)), NOW)).toBe(
      'Here: Alice (off now, 05:00 for them) · backup Bob (off now, 05:00 for them)',
    );
    expect(
      ownersLine(own(['UA'], ['UB']), people(profile('UA', 'Alice'), profile('UB', 'Bob', { tz: 'Asia/Tokyo' })), NOW),
    ).toBe('Here: Alice · backup Bob (off now, 19:00 for them)');
  });

  it('a status that says away marks them, until it expires', () => {
    const away = profile('UA', 'Alice', { status: { text: 'On vacation', emoji: ':palm_tree:' } });
    expect(ownersLine(own(['UA'], ['UB']), people(away, profile('UB', 'Bob')), NOW)).toBe(
      'Here: backup Bob · Alice (away now, 10:00 for them)',
    );
    const expired = profile('UA', 'Alice', {
      status: { text: 'OOO', emoji: '', expiresAt: new Date(NOW.getTime() - 1000) },
    });
    expect(availability(expired, NOW).off).toBe(false);
    expect(availability(profile('UA', 'A', { status: { text: 'In a meeting', emoji: ':calendar:' } }), NOW).off).toBe(
      false,
    );
  });

  it('shows a deactivated owner as a former member and counts the duty as unowned', () => {
    const gone = profile('UA', 'Alice', { deleted: true });
    const line = ownersLine(own(['UA']), people(gone), NOW);
    expect(line).toBe('_No owner on this team yet_ (listed: Alice (former member))');
    expect(isOwned(own(['UA']), people(gone))).toBe(false);
    expect(isOwned(own(['UA'], ['UB']), people(gone, profile('UB', 'Bob')))).toBe(true);
    expect(isOwned(own([], [], { usergroup: { id: 'S1', kind: 'owner' } }), new Map())).toBe(true);
  });

  it('keeps names inert: no ping, no link, no formatting', () => {
    const line = ownersLine(
      own(['UA', 'UB', 'UC']),
      people(
        profile('UA', '<!channel> hi'),
        profile('UB', '*bold* _it_ ~s~ `c`'),
        profile('UC', '<https://evil.example|click> <@U999>'),
      ),
      NOW,
    );
    expect(line).not.toMatch(/[<>]/);
    expect(line).not.toMatch(/[*_~`]/);
    expect(line).toContain('&lt;!channel&gt; hi');
    expect(inertName('*bold*')).toBe('∗bold∗');
  });

  it('a person Slack could not tell about is shown without their id', () => {
    expect(ownersLine(own(['UA']), new Map(), NOW)).toBe('Here: a teammate (profile unavailable)');
  });

  it('a user group is named by its handle, never mentioned', () => {
    expect(
      ownersLine(
        own([], ['UB'], { usergroup: { id: 'S1', name: 'ml-oncall', kind: 'owner' } }),
        people(profile('UB', 'Bob')),
        NOW,
      ),
    ).toBe('Here: backup Bob · group ml-oncall');
  });
});
