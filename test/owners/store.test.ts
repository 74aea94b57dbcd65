import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { createOwnersService } from '../../src/owners/service.ts';
import {
  allOwners,
  dutiesOfPerson,
  normalizeOwners,
  ownersOf,
  ownersOfDuty,
  ownerTeams,
  saveOwners,
} from '../../src/owners/store.ts';
import { listChanges } from '../../src/people/changes.ts';
import { createKeepers } from '../../src/people/keepers.ts';
import { createProfiles } from '../../src/people/profiles.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

const DUTY = '2:Model Monitoring';
const at = new Date('2026-12-03T10:00:00Z');

describe('duty owners store', () => {
  it('saves owners, backups and a user group per team and duty; teams never mix', async () => {
    const r = await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: {
        owners: ['UALICE', 'UALICE', 'not-an-id'],
        backups: ['UBOB', 'UALICE'],
        usergroup: { id: 'SML', name: 'ml', kind: 'backup' },
      },
      expectedVersion: 0,
      actor: 'UKEEPER',
      now: at,
    });
    expect(r.kind).toBe('saved');
    const mine = await ownersOfDuty(t.db, 'T1', DUTY);
    expect(mine).toMatchObject({
      owners: ['UALICE'],
      backups: ['UBOB'],
      usergroup: { id: 'SML', name: 'ml', kind: 'backup' },
      version: 1,
      updatedBy: 'UKEEPER',
    });
    expect(await ownersOfDuty(t.db, 'T2', DUTY)).toMatchObject({ owners: [], backups: [], version: 0 });
    expect([...(await ownersOf(t.db, 'T1', [DUTY, '1:Other'])).keys()]).toEqual([DUTY]);
    expect((await dutiesOfPerson(t.db, 'T1', 'UBOB')).map((o) => o.dutyId)).toEqual([DUTY]);
    expect(await dutiesOfPerson(t.db, 'T2', 'UBOB')).toEqual([]);
    expect([...(await allOwners(t.db, 'T1')).keys()]).toEqual([DUTY]);
    expect(await ownerTeams(t.db)).toEqual(['T1']);
  });

  it('records every change with who, when, before and after, in the same transaction', async () => {
    await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UALICE'], backups: [] },
      actor: 'UK1',
      now: at,
    });
    const later = new Date(at.getTime() + 60_000);
    await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UCAROL'], backups: ['UALICE'] },
      expectedVersion: 1,
      actor: 'UK2',
      now: later,
    });
    // Saving the same thing again changes nothing and records nothing.
    const same = await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UCAROL'], backups: ['UALICE'] },
      expectedVersion: 2,
      actor: 'UK2',
      now: later,
    });
    expect(same).toMatchObject({ kind: 'saved', changed: false, ownership: { version: 2 } });
    const changes = await listChanges(t.db, { area: 'owners', subject: DUTY, teamId: 'T1' });
    expect(changes.map((c) => [c.actor, c.before, c.after])).toEqual([
      ['UK2', { owners: ['UALICE'], backups: [] }, { owners: ['UCAROL'], backups: ['UALICE'] }],
      ['UK1', null, { owners: ['UALICE'], backups: [] }],
    ]);
    expect(changes[0]?.at.getTime()).toBe(later.getTime());
  });

  it('refuses a save that started from an older version, with the current state, and loses nothing', async () => {
    await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UALICE'], backups: [] },
      actor: 'UK1',
      now: at,
    });
    const first = await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UBOB'], backups: [] },
      expectedVersion: 1,
      actor: 'UK1',
      now: at,
    });
    const second = await saveOwners(t.db, {
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UCAROL'], backups: [] },
      expectedVersion: 1,
      actor: 'UK2',
      now: at,
    });
    expect(first.kind).toBe('saved');
    expect(second).toEqual({ kind: 'conflict', current: expect.objectContaining({ owners: ['UBOB'], version: 2 }) });
    expect((await ownersOfDuty(t.db, 'T1', DUTY)).owners).toEqual(['UBOB']);
  });

  it('two saves at once from the same version: exactly one wins, the other is told (new duty and existing one)', async () => {
    // On Postgres the two saves run on two connections of their own (two processes); PGlite serialises them.
    const other = t.url ? await openPostgres({ url: t.url, max: 2 }) : t.db;
    try {
      for (const [duty, version] of [
        ['3:Fresh Duty', 0],
        [DUTY, 0],
      ] as const) {
        const results = await Promise.all(
          ['UALICE', 'UBOB', 'UCAROL', 'UDAVE'].map((u, i) =>
            saveOwners(i % 2 === 0 ? t.db : other, {
              teamId: 'T1',
              dutyId: duty,
              next: { owners: [u], backups: [] },
              expectedVersion: version,
              actor: u,
              now: at,
            }),
          ),
        );
        const saved = results.filter((r) => r.kind === 'saved');
        expect(saved).toHaveLength(1);
        const winner = saved[0]?.kind === 'saved' ? saved[0].ownership.owners : [];
        for (const r of results) if (r.kind === 'conflict') expect(r.current.owners).toEqual(winner);
        expect((await ownersOfDuty(t.db, 'T1', duty)).owners).toEqual(winner);
        expect(await listChanges(t.db, { area: 'owners', subject: duty, teamId: 'T1' })).toHaveLength(1);
      }
    } finally {
      if (other !== t.db) await other.close();
    }
  });

  it('normalises: valid ids only, no duplicates, an owner is not also a backup, at most 20 each', () => {
    const many = Array.from({ length: 30 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    const n = normalizeOwners({
      owners: many,
      backups: ['UX1', 'U0001', '<!channel>'],
      usergroup: { id: 'bad', kind: 'owner' },
    });
    expect(n.owners).toHaveLength(20);
    expect(n.backups).toEqual(['UX1']);
    expect(n.usergroup).toBeUndefined();
  });
});

describe('owners service', () => {
  it('shows a save made elsewhere within a second, one made through it at once; profiles looked up once', async () => {
    let t0 = 0;
    const lookups: string[] = [];
    const profiles = createProfiles({
      db: t.db,
      lookup: async (_team, id) => {
        lookups.push(id);
        return { kind: 'found', user: { id, profile: { display_name: `Name of ${id}` }, is_admin: id === 'UADMIN' } };
      },
    });
    const keepers = createKeepers({ admins: [], profiles });
    const service = createOwnersService({ db: t.db, profiles, keepers, edit: 'keepers', clock: () => t0 });
    const save = (owners: string[]) =>
      saveOwners(t.db, { teamId: 'T1', dutyId: DUTY, next: { owners, backups: [] }, actor: 'cli', now: at });
    await save(['UALICE']);
    expect((await service.linesFor('T1', [DUTY], at)).lines.get(DUTY)).toBe('Here: Name of UALICE');
    await save(['UBOB']); // another process (the CLI, a replica)
    expect((await service.linesFor('T1', [DUTY], at)).lines.get(DUTY)).toBe('Here: Name of UALICE');
    t0 += 1001;
    expect((await service.linesFor('T1', [DUTY], at)).lines.get(DUTY)).toBe('Here: Name of UBOB');
    await service.save({
      teamId: 'T1',
      dutyId: DUTY,
      next: { owners: ['UALICE'], backups: [] },
      actor: 'UADMIN',
      now: at,
    });
    const shown = await service.linesFor('T1', [DUTY], at, 'UADMIN');
    expect(shown.lines.get(DUTY)).toBe('Here: Name of UALICE');
    expect(shown.mayEdit).toBe(true);
    expect((await service.linesFor('T1', [DUTY], at, 'UMEMBER')).mayEdit).toBe(false);
    expect(lookups.sort()).toEqual(['UADMIN', 'UALICE', 'UBOB', 'UMEMBER']);
  });
});
