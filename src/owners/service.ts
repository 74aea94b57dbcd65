// Owners of duties as every surface uses them: the lines shown under duties, who may edit, and saving. Knows nothing
// of Slack's wire format.
//
// Cost on the answer path: a message shows owners without a query of its own in the steady state. Each process keeps
// the team's owner lists for at most MEMO_MS (one query per team per second under load), the way the catalog version
// is checked at most once a second, and the profiles it showed for PROFILE_MEMO_MS; a save through this process is
// seen at once, one through another process (a replica, the CLI) within MEMO_MS.
import type { Db } from '../db/db.ts';
import type { Keepers } from '../people/keepers.ts';
import type { Profile, Profiles } from '../people/profiles.ts';
import { isOwned, ownersLine, peopleLine, peopleOf } from './render.ts';
import { allOwners, type Ownership, type SaveRequest, type SaveResult, saveOwners } from './store.ts';

export interface OwnerLines {
  /** Duty id → the escaped mrkdwn line to show under it. */
  lines: Map<string, string>;
  ownerships: Map<string, Ownership>;
  profiles: Map<string, Profile>;
  /** Whether the viewer given may edit (absent when no viewer was given). */
  mayEdit?: boolean;
}

export type EditCheck =
  | { allowed: true }
  | { allowed: false; reason: 'not_keeper' | 'unknown'; admins: readonly string[] };

export interface OwnersService {
  /** The owners line of each of these duties; with `viewer`, whether they may edit, from the same profile batch. */
  linesFor(teamId: string, dutyIds: readonly string[], now: Date, viewer?: string): Promise<OwnerLines>;
  /** Lines for every duty given, and which of them have nobody who can carry them. */
  overview(teamId: string, dutyIds: readonly string[], now: Date): Promise<OwnerLines & { unowned: string[] }>;
  /** For the weekly digest (digest/content.ts DigestOwners). */
  forDigest(
    teamId: string,
    sectionDutyIds: readonly string[],
    roleDutyIds: readonly string[],
    now: Date,
  ): Promise<{ lines: Map<string, string>; sectionOwners: string; unowned: number }>;
  /** Whether this person may change owners (OWNERS_EDIT=everyone, or a keeper), asked of Slack's profile now. */
  mayEdit(teamId: string, userId: string): Promise<EditCheck>;
  save(req: SaveRequest): Promise<SaveResult>;
}

/** How long this process reuses a team's owner lists: edits elsewhere show within this. */
const MEMO_MS = 1000;
/**
 * How long it reuses a profile it showed: profiles change in the shared cache at most hourly anyway, so this costs
 * no freshness; it only spares the shared cache a read per message.
 */
const PROFILE_MEMO_MS = 30_000;
const MEMO_PROFILES_MAX = 5000;

export function createOwnersService(o: {
  db: Db;
  profiles: Profiles;
  keepers: Keepers;
  edit: 'keepers' | 'everyone';
  /** Monotonic clock for the memo (tests). */
  clock?: () => number;
}): OwnersService {
  const { db, profiles, keepers } = o;
  const clock = o.clock ?? (() => performance.now());
  const teams = new Map<string, { at: number; value: Promise<Map<string, Ownership>> }>();
  const people = new Map<string, { at: number; profile: Promise<Profile | undefined> }>();

  /** The team's owner lists, one query per MEMO_MS however many messages ask (single flight). */
  const teamOwners = (teamId: string): Promise<Map<string, Ownership>> => {
    const hit = teams.get(teamId);
    if (hit && clock() - hit.at < MEMO_MS) return hit.value;
    const value = allOwners(db, teamId);
    const entry = { at: clock(), value };
    teams.set(teamId, entry);
    value.catch(() => {
      if (teams.get(teamId) === entry) teams.delete(teamId);
    });
    return value;
  };

  /**
   * Profiles, from this process's memo when fetched within PROFILE_MEMO_MS, else one batch through the shared cache;
   * concurrent messages asking for the same people wait for the same batch.
   */
  const profilesOf = async (teamId: string, ids: readonly string[]): Promise<Map<string, Profile>> => {
    const t = clock();
    const missing: string[] = [];
    const waits: [string, Promise<Profile | undefined>][] = [];
    for (const id of new Set(ids)) {
      const hit = people.get(`${teamId}:${id}`);
      if (hit && t - hit.at < PROFILE_MEMO_MS) waits.push([id, hit.profile]);
      else missing.push(id);
    }
    if (missing.length > 0) {
      if (people.size > MEMO_PROFILES_MAX) people.clear();
      const batch = profiles.getMany(teamId, missing);
      for (const id of missing) {
        const key = `${teamId}:${id}`;
        const entry = { at: t, profile: batch.then((found) => found.get(id)) };
        people.set(key, entry);
        // Slack could not say (or the database failed): not remembered, the next message asks again.
        entry.profile.then(
          (p) => {
            if (!p && people.get(key) === entry) people.delete(key);
          },
          () => {
            if (people.get(key) === entry) people.delete(key);
          },
        );
        waits.push([id, entry.profile]);
      }
    }
    const out = new Map<string, Profile>();
    for (const [id, p] of waits) {
      const profile = await p;
      if (profile) out.set(id, profile);
    }
    return out;
  };

  const allowed = (userId: string, profile: Profile | undefined): EditCheck => {
    if (o.edit === 'everyone') return { allowed: true };
    const check = keepers.judge(userId, profile);
    if (check.keeper) return { allowed: true };
    return { allowed: false, reason: check.reason === 'unknown' ? 'unknown' : 'not_keeper', admins: keepers.admins };
  };

  const linesFor: OwnersService['linesFor'] = async (teamId, dutyIds, now, viewer) => {
    const all = await teamOwners(teamId);
    const ownerships = new Map(dutyIds.flatMap((id) => (all.has(id) ? [[id, all.get(id) as Ownership]] : [])));
    const found = await profilesOf(teamId, [...peopleOf(ownerships.values()), ...(viewer ? [viewer] : [])]);
    const lines = new Map(dutyIds.map((id) => [id, ownersLine(ownerships.get(id), found, now)]));
    return {
      lines,
      ownerships,
      profiles: found,
      ...(viewer ? { mayEdit: allowed(viewer, found.get(viewer)).allowed } : {}),
    };
  };

  const overview: OwnersService['overview'] = async (teamId, dutyIds, now) => {
    const shown = await linesFor(teamId, dutyIds, now);
    const unowned = dutyIds.filter((id) => !isOwned(shown.ownerships.get(id), shown.profiles));
    return { ...shown, unowned };
  };

  return {
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
      // An edit is decided on the shared cache's profile, never on this process's memo.
      if (o.edit === 'everyone') return { allowed: true };
      const check = await keepers.check(teamId, userId);
      if (check.keeper) return { allowed: true };
      return { allowed: false, reason: check.reason === 'unknown' ? 'unknown' : 'not_keeper', admins: keepers.admins };
    },
    async save(req) {
      try {
        return await saveOwners(db, req);
      } finally {
        teams.delete(req.teamId);
      }
    },
  };
}
