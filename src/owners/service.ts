// Owners of duties as every surface uses them: the lines shown under duties (one ownership query and one profile
// batch per message), who may edit, and saving. Knows nothing of Slack's wire format.
import type { Db } from '../db/db.ts';
import type { Keepers } from '../people/keepers.ts';
import type { Profile, Profiles } from '../people/profiles.ts';
import { isOwned, ownersLine, peopleLine, peopleOf } from './render.ts';
import { allOwners, type Ownership, ownersOf, type SaveRequest, type SaveResult, saveOwners } from './store.ts';

export interface OwnerLines {
  /** Duty id → the escaped mrkdwn line to show under it. */
  lines: Map<string, string>;
  ownerships: Map<string, Ownership>;
  profiles: Map<string, Profile>;
}

export type EditCheck =
  | { allowed: true }
  | { allowed: false; reason: 'not_keeper' | 'unknown'; admins: readonly string[] };

export interface OwnersService {
  /** The owners line of each of these duties. */
  linesFor(teamId: string, dutyIds: readonly string[], now: Date, extraPeople?: readonly string[]): Promise<OwnerLines>;
  /** Lines for every duty given, and how many of them have nobody who can carry them. */
  overview(teamId: string, dutyIds: readonly string[], now: Date): Promise<OwnerLines & { unowned: string[] }>;
  /** For the weekly digest (digest/content.ts DigestOwners). */
  forDigest(
    teamId: string,
    sectionDutyIds: readonly string[],
    roleDutyIds: readonly string[],
    now: Date,
  ): Promise<{ lines: Map<string, string>; sectionOwners: string; unowned: number }>;
  /** Whether this person may change owners (OWNERS_EDIT=everyone, or a keeper). */
  mayEdit(teamId: string, userId: string): Promise<EditCheck>;
  save(req: SaveRequest): Promise<SaveResult>;
  readonly profiles: Profiles;
}

export function createOwnersService(o: {
  db: Db;
  profiles: Profiles;
  keepers: Keepers;
  edit: 'keepers' | 'everyone';
}): OwnersService {
  const { db, profiles, keepers } = o;

  const linesFor: OwnersService['linesFor'] = async (teamId, dutyIds, now, extraPeople = []) => {
    const ownerships = await ownersOf(db, teamId, dutyIds);
    const people = [...peopleOf(ownerships.values()), ...extraPeople];
    const found = people.length > 0 ? await profiles.getMany(teamId, people) : new Map<string, Profile>();
    const lines = new Map(dutyIds.map((id) => [id, ownersLine(ownerships.get(id), found, now)]));
    return { lines, ownerships, profiles: found };
  };

  const overview: OwnersService['overview'] = async (teamId, dutyIds, now) => {
    const all = await allOwners(db, teamId);
    const wanted = new Map(dutyIds.flatMap((id) => (all.has(id) ? [[id, all.get(id) as Ownership]] : [])));
    const people = peopleOf(wanted.values());
    const found = people.length > 0 ? await profiles.getMany(teamId, people) : new Map<string, Profile>();
    const lines = new Map(dutyIds.map((id) => [id, ownersLine(wanted.get(id), found, now)]));
    const unowned = dutyIds.filter((id) => !isOwned(wanted.get(id), found));
    return { lines, ownerships: wanted, profiles: found, unowned };
  };

  return {
    profiles,
    linesFor,
    overview,
    async forDigest(teamId, sectionDutyIds, roleDutyIds, now) {
      const all = await overview(teamId, roleDutyIds, now);
      const section = new Set(sectionDutyIds);
      const lines = new Map([...all.lines].filter(([id]) => section.has(id)));
      const sectionOwners = peopleLine(
        sectionDutyIds.map((id) => all.ownerships.get(id)),
        all.profiles,
      );
      return { lines, sectionOwners, unowned: all.unowned.length };
    },
    async mayEdit(teamId, userId) {
      if (o.edit === 'everyone') return { allowed: true };
      const check = await keepers.check(teamId, userId);
      if (check.keeper) return { allowed: true };
      return { allowed: false, reason: check.reason === 'unknown' ? 'unknown' : 'not_keeper', admins: keepers.admins };
    },
    save: (req) => saveOwners(db, req),
  };
}
