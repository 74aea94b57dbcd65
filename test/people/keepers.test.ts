import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listChanges, recordChange } from '../../src/people/changes.ts';
import { createKeepers } from '../../src/people/keepers.ts';
import { createProfiles, type SlackUser } from '../../src/people/profiles.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

const users: Record<string, SlackUser> = {
  UADMIN: { id: 'UADMIN', is_admin: true },
  UOWNER: { id: 'UOWNER', is_owner: true },
  UPRIMARY: { id: 'UPRIMARY', is_primary_owner: true },
  UMEMBER: { id: 'UMEMBER' },
  UFORMER: { id: 'UFORMER', is_admin: true, deleted: true },
  UBOT: { id: 'UBOT', is_bot: true, is_admin: true },
};

function keepers(admins: string[] = ['UKEEPER']) {
  const calls: string[] = [];
  let down = false;
  const profiles = createProfiles({
    db: t.db,
    lookup: async (_team, id) => {
      calls.push(id);
      if (down) throw new Error('Slack is down');
      const user = users[id];
      return user ? { kind: 'found', user } : { kind: 'not_found' };
    },
  });
  return {
    calls,
    keepers: createKeepers({ admins, profiles }),
    slackDown() {
      down = true;
    },
  };
}

describe('keepers', () => {
  it('are the ADMINS setting, asked without a Slack call', async () => {
    const k = keepers();
    expect(await k.keepers.check('T1', 'UKEEPER')).toEqual({ keeper: true, reason: 'admins_setting' });
    expect(k.calls).toEqual([]);
    expect(k.keepers.admins).toEqual(['UKEEPER']);
  });

  it('and the workspace admins and owners, per users.info', async () => {
    const k = keepers();
    expect(await k.keepers.check('T1', 'UADMIN')).toEqual({ keeper: true, reason: 'workspace_admin' });
    expect(await k.keepers.check('T1', 'UOWNER')).toEqual({ keeper: true, reason: 'workspace_owner' });
    expect(await k.keepers.check('T1', 'UPRIMARY')).toEqual({ keeper: true, reason: 'workspace_owner' });
  });

  it('refuse members, people who left, bots and anyone Slack cannot tell about right now', async () => {
    const k = keepers();
    expect(await k.keepers.check('T1', 'UMEMBER')).toEqual({ keeper: false, reason: 'not_keeper' });
    expect(await k.keepers.check('T1', 'UFORMER')).toEqual({ keeper: false, reason: 'not_keeper' });
    expect(await k.keepers.check('T1', 'UBOT')).toEqual({ keeper: false, reason: 'not_keeper' });
    k.slackDown();
    expect(await k.keepers.check('T1', 'UNEW')).toEqual({ keeper: false, reason: 'unknown' });
  });

  it('are read from ADMINS, every malformed id reported', () => {
    expect(loadConfig({ ADMINS: 'U012AB, W99X  U7Q' }).admins).toEqual(['U012AB', 'W99X', 'U7Q']);
    expect(loadConfig({}).admins).toEqual([]);
    expect(() => loadConfig({ ADMINS: 'U012AB,alice', OWNERS_EDIT: 'anyone' })).toThrow(/ADMINS.*\n.*OWNERS_EDIT/s);
  });
});

describe('change log', () => {
  it('records who changed what, when, from what to what, newest first', async () => {
    const at = new Date('2026-06-01T10:00:00Z');
    await recordChange(t.db, {
      teamId: 'T1',
      area: 'digest',
      subject: 'C1',
      actor: 'UA',
      before: null,
      after: { weekday: 1 },
      at,
    });
    await t.db.transaction((tx) =>
      recordChange(tx, {
        teamId: 'T1',
        area: 'digest',
        subject: 'C1',
        actor: 'cli',
        before: { weekday: 1 },
        after: null,
        at: new Date(at.getTime() + 1000),
      }),
    );
    await recordChange(t.db, { teamId: 'T2', area: 'digest', subject: 'C1', actor: 'UB', before: null, after: {}, at });
    const changes = await listChanges(t.db, { area: 'digest', subject: 'C1', teamId: 'T1' });
    expect(changes.map((c) => [c.actor, c.before, c.after])).toEqual([
      ['cli', { weekday: 1 }, null],
      ['UA', null, { weekday: 1 }],
    ]);
    expect(changes[0]?.at).toEqual(new Date(at.getTime() + 1000));
  });
});
