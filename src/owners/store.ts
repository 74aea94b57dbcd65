// Who carries each duty on a team: the duty_owners table, written only here. A save names the version it started
// from; a save that started from an older one is refused with the current state (nothing is silently lost), and
// every change lands in the change log in the same transaction.
import type { Db, Queryable } from '../db/db.ts';
import { recordChange } from '../people/changes.ts';

export type OwnerKind = 'owner' | 'backup';

export interface UserGroup {
  /** Slack user group id (S…). */
  id: string;
  /** Its handle as last seen, for display; never used to mention it. */
  name?: string;
  kind: OwnerKind;
}

/** What a team wrote down for one duty. */
export interface OwnersInput {
  owners: string[];
  backups: string[];
  usergroup?: UserGroup;
}

export interface Ownership extends OwnersInput {
  dutyId: string;
  /** 0 when nothing was ever saved for this duty. */
  version: number;
  updatedBy?: string;
  updatedAt?: Date;
}

/** At most this many people per kind: a list longer than that is not an owner list. */
const MAX_PEOPLE = 20;

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

export const isUserId = (s: string) => USER_ID.test(s);
const isGroupId = (s: string) => GROUP_ID.test(s);

interface Row {
  duty_id: string;
  owners: string[];
  backups: string[];
  usergroup_id: string | null;
  usergroup_name: string | null;
  usergroup_kind: OwnerKind | null;
  version: number;
  updated_by: string | null;
  updated_at: Date | string | null;
}

const COLUMNS =
  'duty_id, owners, backups, usergroup_id, usergroup_name, usergroup_kind, version, updated_by, updated_at';

function toOwnership(r: Row): Ownership {
  return {
    dutyId: r.duty_id,
    owners: r.owners ?? [],
    backups: r.backups ?? [],
    ...(r.usergroup_id
      ? {
          usergroup: {
            id: r.usergroup_id,
            ...(r.usergroup_name ? { name: r.usergroup_name } : {}),
            kind: r.usergroup_kind ?? 'owner',
          },
        }
      : {}),
    version: Number(r.version),
    ...(r.updated_by ? { updatedBy: r.updated_by } : {}),
    ...(r.updated_at ? { updatedAt: new Date(r.updated_at) } : {}),
  };
}

/** Nobody written down: what a duty has before its first save. */
function noOwners(dutyId: string): Ownership {
  return { dutyId, owners: [], backups: [], version: 0 };
}

/** True when the duty has nobody written down at all (whether or not they are still members is the caller's). */
export function isEmpty(o: OwnersInput | undefined): boolean {
  return !o || (o.owners.length === 0 && o.backups.length === 0 && !o.usergroup);
}

/**
 * Ids deduplicated in order, only well-formed Slack user ids, at most MAX_PEOPLE each; someone given as both owner
 * and backup is an owner.
 */
export function normalizeOwners(input: OwnersInput): OwnersInput {
  const owners = [...new Set(input.owners.filter(isUserId))].slice(0, MAX_PEOPLE);
  const taken = new Set(owners);
  const backups = [...new Set(input.backups.filter((u) => isUserId(u) && !taken.has(u)))].slice(0, MAX_PEOPLE);
  return {
    owners,
    backups,
    ...(input.usergroup && isGroupId(input.usergroup.id) ? { usergroup: input.usergroup } : {}),
  };
}

/** The owners of these duties on this team; a duty with no row is absent. One query. */
export async function ownersOf(
  q: Queryable,
  teamId: string,
  dutyIds: readonly string[],
): Promise<Map<string, Ownership>> {
  if (dutyIds.length === 0) return new Map();
  const rows = await q.query<Row>(
    `select ${COLUMNS} from duty_owners where team_id = $1 and duty_id = any($2::text[])`,
    [teamId, [...new Set(dutyIds)]],
  );
  return new Map(rows.map((r) => [r.duty_id, toOwnership(r)]));
}

/** One duty's owners (version 0 and nobody when nothing was saved). */
export async function ownersOfDuty(q: Queryable, teamId: string, dutyId: string): Promise<Ownership> {
  return (await ownersOf(q, teamId, [dutyId])).get(dutyId) ?? noOwners(dutyId);
}

/** Everything the team wrote down, by duty id. */
export async function allOwners(q: Queryable, teamId: string): Promise<Map<string, Ownership>> {
  const rows = await q.query<Row>(`select ${COLUMNS} from duty_owners where team_id = $1 order by duty_id`, [teamId]);
  return new Map(rows.map((r) => [r.duty_id, toOwnership(r)]));
}

/** The duties one person carries on this team, as owner or backup. */
export async function dutiesOfPerson(q: Queryable, teamId: string, userId: string): Promise<Ownership[]> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from duty_owners
     where team_id = $1 and ($2 = any(owners) or $2 = any(backups))
     order by duty_id`,
    [teamId, userId],
  );
  return rows.map(toOwnership);
}

/** The workspaces that have owners written down (the CLI picks one when it is told none). */
export async function ownerTeams(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ team_id: string }>('select distinct team_id from duty_owners order by team_id');
  return rows.map((r) => r.team_id);
}

export interface SaveRequest {
  teamId: string;
  dutyId: string;
  next: OwnersInput;
  /**
   * The version the editor started from (what they saw). Omitted: apply over whatever is there (the CLI import, a
   * one-line command whose words say the whole intent); the change is still recorded with what it replaced.
   */
  expectedVersion?: number;
  /** A Slack user id, or 'cli'. */
  actor: string;
  now: Date;
}

export type SaveResult =
  | { kind: 'saved'; ownership: Ownership; before: Ownership; changed: boolean }
  | { kind: 'conflict'; current: Ownership };

/** Saves one duty's owners in a transaction of its own. */
export function saveOwners(db: Db, req: SaveRequest): Promise<SaveResult> {
  return db.transaction((tx) => saveOwnersIn(tx, req));
}

/**
 * Saves inside the caller's transaction (the CLI import saves many in one). The row is created if need be, then
 * locked: a concurrent save of the same duty waits here and then sees the version this one wrote.
 */
export async function saveOwnersIn(tx: Queryable, req: SaveRequest): Promise<SaveResult> {
  const { teamId, dutyId } = req;
  await tx.query(
    'insert into duty_owners (team_id, duty_id) values ($1, $2) on conflict (team_id, duty_id) do nothing',
    [teamId, dutyId],
  );
  const [row] = await tx.query<Row>(
    `select ${COLUMNS} from duty_owners where team_id = $1 and duty_id = $2 for update`,
    [teamId, dutyId],
  );
  const before = row ? toOwnership(row) : noOwners(dutyId);
  if (req.expectedVersion !== undefined && req.expectedVersion !== before.version) {
    return { kind: 'conflict', current: before };
  }
  const given = normalizeOwners(req.next);
  // The same group without a name (an import by id): its handle as last seen is kept.
  const next =
    given.usergroup && !given.usergroup.name && given.usergroup.id === before.usergroup?.id && before.usergroup.name
      ? { ...given, usergroup: { ...given.usergroup, name: before.usergroup.name } }
      : given;
  if (sameOwners(before, next)) return { kind: 'saved', ownership: before, before, changed: false };
  const [saved] = await tx.query<Row>(
    `update duty_owners set owners = $3::text[], backups = $4::text[], usergroup_id = $5, usergroup_name = $6,
       usergroup_kind = $7, version = version + 1, updated_by = $8, updated_at = $9
     where team_id = $1 and duty_id = $2
     returning ${COLUMNS}`,
    [
      teamId,
      dutyId,
      next.owners,
      next.backups,
      next.usergroup?.id ?? null,
      next.usergroup?.name ?? null,
      next.usergroup?.kind ?? null,
      req.actor,
      req.now,
    ],
  );
  const ownership = toOwnership(saved as Row);
  await recordChange(tx, {
    teamId,
    area: 'owners',
    subject: dutyId,
    actor: req.actor,
    before: before.version === 0 ? null : snapshot(before),
    after: snapshot(ownership),
    at: req.now,
  });
  return { kind: 'saved', ownership, before, changed: true };
}

/** What the change log keeps of a duty's owners. */
function snapshot(o: OwnersInput): OwnersInput {
  return { owners: o.owners, backups: o.backups, ...(o.usergroup ? { usergroup: o.usergroup } : {}) };
}

function sameOwners(a: OwnersInput, b: OwnersInput): boolean {
  const eq = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    eq(a.owners, b.owners) &&
    eq(a.backups, b.backups) &&
    a.usergroup?.id === b.usergroup?.id &&
    (a.usergroup?.kind ?? null) === (b.usergroup?.kind ?? null)
  );
}
