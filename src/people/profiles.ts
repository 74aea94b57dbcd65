import type { Queryable } from '../db/db.ts';

/** What the bot knows of a person from Slack's users.info, as every process shares it. */
export interface Profile {
  teamId: string;
  userId: string;
  /** Display name, else real name, else username: how people know them, never a mention. */
  name: string;
  /** IANA time zone (users.info `tz`), when Slack knows it. */
  tz?: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  /** Deactivated: left the workspace. */
  deleted: boolean;
  status?: { text: string; emoji: string; expiresAt?: Date };
  fetchedAt: Date;
}

/** The part of users.info's `user` object the bot reads. */
export interface SlackUser {
  id: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
  profile?: {
    display_name?: string;
    real_name?: string;
    status_text?: string;
    status_emoji?: string;
    /** Unix seconds; 0 means the status does not expire. */
    status_expiration?: number;
  };
}

/** One users.info call, as the Slack adapter makes it. Network failures throw. */
export type UserLookup = (
  teamId: string,
  userId: string,
) => Promise<
  { kind: 'found'; user: SlackUser } | { kind: 'not_found' } | { kind: 'rate_limited'; retryAfterMs: number }
>;

export interface Profiles {
  get(teamId: string, userId: string): Promise<Profile | undefined>;
  /** Profiles of several people at once; a person Slack could not tell about right now is absent. */
  getMany(teamId: string, userIds: readonly string[]): Promise<Map<string, Profile>>;
}

export interface ProfilesOptions {
  db: Queryable;
  lookup: UserLookup;
  now?: () => Date;
  /** How long a fetched profile is fresh: Slack is asked at most once per person per this period. */
  ttlMs?: number;
  /** How long a process may hold its claim on fetching someone before another one may take over. */
  leaseMs?: number;
  /** How long to wait for another process that is fetching a person never seen before. */
  waitMs?: number;
  /** users.info calls at once from this process. */
  concurrency?: number;
}

const PROFILE_TTL_MS = 60 * 60 * 1000;

interface Row {
  user_id: string;
  name: string | null;
  tz: string | null;
  is_admin: boolean;
  is_owner: boolean;
  is_bot: boolean;
  deleted: boolean;
  status_text: string | null;
  status_emoji: string | null;
  status_expires_at: Date | string | null;
  fetched_at: Date | string | null;
}

const COLUMNS =
  'user_id, name, tz, is_admin, is_owner, is_bot, deleted, status_text, status_emoji, status_expires_at, fetched_at';

/**
 * A profile cache in Postgres, shared by every process: a person is looked up at most once per `ttlMs` across all of
 * them (the process that claims the row's lease asks Slack; the others read what it wrote). A stale profile is served
 * while it cannot be refreshed (Slack down, rate limited, another process fetching), and after a 429 this process asks
 * nothing of Slack until Retry-After has passed.
 */
export function createProfiles(options: ProfilesOptions): Profiles {
  const { db, lookup } = options;
  const now = options.now ?? (() => new Date());
  const ttlMs = options.ttlMs ?? PROFILE_TTL_MS;
  const leaseMs = options.leaseMs ?? 15_000;
  const waitMs = options.waitMs ?? 2000;
  const concurrency = options.concurrency ?? 4;
  const inFlight = new Map<string, Promise<Profile | undefined>>();
  let quietUntil = 0;

  const read = async (teamId: string, userIds: readonly string[]) => {
    const rows = await db.query<Row>(
      `select ${COLUMNS} from slack_profiles where team_id = $1 and user_id = any($2::text[])`,
      [teamId, userIds],
    );
    return new Map(rows.map((r) => [r.user_id, r]));
  };

  /** Claims the fetch of whichever of these people nobody fetched within the TTL and nobody is fetching now. */
  const claim = async (teamId: string, userIds: string[]): Promise<string[]> => {
    const at = now();
    const rows = await db.query<{ user_id: string }>(
      `insert into slack_profiles (team_id, user_id, lease_until)
       select $1, u, $3 from unnest($2::text[]) as u
       on conflict (team_id, user_id) do update set lease_until = excluded.lease_until
       where (slack_profiles.fetched_at is null or slack_profiles.fetched_at < $4)
         and (slack_profiles.lease_until is null or slack_profiles.lease_until < $5)
       returning user_id`,
      [teamId, userIds, new Date(at.getTime() + leaseMs), new Date(at.getTime() - ttlMs), at],
    );
    return rows.map((r) => r.user_id);
  };

  const release = (teamId: string, userId: string) =>
    db.query('update slack_profiles set lease_until = null where team_id = $1 and user_id = $2', [teamId, userId]);

  const fetchOne = async (teamId: string, userId: string): Promise<Profile | undefined> => {
    if (now().getTime() < quietUntil) {
      await release(teamId, userId);
      return undefined;
    }
    let result: Awaited<ReturnType<UserLookup>>;
    try {
      result = await lookup(teamId, userId);
    } catch {
      await release(teamId, userId);
      return undefined;
    }
    if (result.kind === 'rate_limited') {
      quietUntil = Math.max(quietUntil, now().getTime() + result.retryAfterMs);
      await release(teamId, userId);
      return undefined;
    }
    const fields =
      result.kind === 'found' ? fromSlack(result.user) : { ...fromSlack({ id: userId }), deleted: true, name: null };
    const [row] = await db.query<Row>(
      `update slack_profiles set name = $3, tz = $4, is_admin = $5, is_owner = $6, is_bot = $7, deleted = $8,
         status_text = $9, status_emoji = $10, status_expires_at = $11, fetched_at = $12, lease_until = null
       where team_id = $1 and user_id = $2
       returning ${COLUMNS}`,
      [
        teamId,
        userId,
        fields.name,
        fields.tz,
        fields.isAdmin,
        fields.isOwner,
        fields.isBot,
        fields.deleted,
        fields.statusText,
        fields.statusEmoji,
        fields.statusExpiresAt,
        now(),
      ],
    );
    return row ? toProfile(teamId, row) : undefined;
  };

  /** One fetch per person in this process, however many requests ask at once. */
  const fetchShared = (teamId: string, userId: string) => {
    const key = `${teamId}:${userId}`;
    let p = inFlight.get(key);
    if (!p) {
      p = fetchOne(teamId, userId).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  };

  const getMany = async (teamId: string, userIds: readonly string[]): Promise<Map<string, Profile>> => {
    const ids = [...new Set(userIds)];
    const out = new Map<string, Profile>();
    if (ids.length === 0) return out;
    const rows = await read(teamId, ids);
    const staleBefore = now().getTime() - ttlMs;
    for (const [id, row] of rows) if (row.fetched_at) out.set(id, toProfile(teamId, row));
    const due = ids.filter((id) => {
      const fetched = rows.get(id)?.fetched_at;
      return !fetched || new Date(fetched).getTime() < staleBefore;
    });
    if (due.length === 0) return out;

    // Fetches this process already runs are joined (held as promises: one may end while the claim below runs).
    const joined = new Map<string, Promise<Profile | undefined>>();
    for (const id of due) {
      const p = inFlight.get(`${teamId}:${id}`);
      if (p) joined.set(id, p);
    }
    const quiet = now().getTime() < quietUntil;
    const free = due.filter((id) => !joined.has(id));
    const claimed = !quiet && free.length > 0 ? await claim(teamId, free) : [];
    const keep = (id: string, p: Profile | undefined) => {
      if (p) out.set(id, p);
    };
    await Promise.all([
      ...[...joined].map(async ([id, p]) => keep(id, await p)),
      mapLimited(claimed, concurrency, async (id) => keep(id, await fetchShared(teamId, id))),
    ]);
    const mine = new Set([...joined.keys(), ...claimed]);

    // Never seen, and another process is asking Slack: wait a little for its answer rather than show nobody.
    const waiting = due.filter((id) => !out.has(id) && !mine.has(id));
    if (waiting.length > 0 && !quiet) await waitForOthers(teamId, waiting, out);
    return out;
  };

  const waitForOthers = async (teamId: string, ids: string[], out: Map<string, Profile>) => {
    const until = Date.now() + waitMs;
    let left = ids;
    while (left.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const rows = await read(teamId, left);
      for (const [id, row] of rows) if (row.fetched_at) out.set(id, toProfile(teamId, row));
      left = left.filter((id) => !out.has(id));
    }
  };

  return {
    async get(teamId, userId) {
      return (await getMany(teamId, [userId])).get(userId);
    },
    getMany,
  };
}

function fromSlack(u: SlackUser) {
  const p = u.profile ?? {};
  const expires = p.status_expiration ? new Date(p.status_expiration * 1000) : null;
  const hasStatus = Boolean(p.status_text || p.status_emoji);
  return {
    name: p.display_name?.trim() || p.real_name?.trim() || u.real_name?.trim() || u.name || u.id,
    tz: u.tz ?? null,
    isAdmin: u.is_admin === true,
    isOwner: u.is_owner === true || u.is_primary_owner === true,
    isBot: u.is_bot === true,
    deleted: u.deleted === true,
    statusText: hasStatus ? (p.status_text ?? '') : null,
    statusEmoji: hasStatus ? (p.status_emoji ?? '') : null,
    statusExpiresAt: hasStatus ? expires : null,
  };
}

function toProfile(teamId: string, r: Row): Profile {
  const status =
    r.status_text !== null || r.status_emoji !== null
      ? {
          text: r.status_text ?? '',
          emoji: r.status_emoji ?? '',
          ...(r.status_expires_at ? { expiresAt: new Date(r.status_expires_at) } : {}),
        }
      : undefined;
  return {
    teamId,
    userId: r.user_id,
    name: r.name ?? r.user_id,
    ...(r.tz ? { tz: r.tz } : {}),
    isAdmin: r.is_admin,
    isOwner: r.is_owner,
    isBot: r.is_bot,
    deleted: r.deleted,
    ...(status ? { status } : {}),
    fetchedAt: new Date(r.fetched_at as Date | string),
  };
}

async function mapLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}
