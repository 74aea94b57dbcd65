import type { Queryable } from '../db/db.ts';

/** What part of the shared state a change touched. */
export type ChangeArea = 'digest' | 'owners' | 'aliases';

export interface Change {
  teamId?: string;
  area: ChangeArea;
  /** What changed within the area: a channel id, a duty id, an alias. */
  subject: string;
  /** A Slack user id, or 'cli'. */
  actor: string;
  before: unknown;
  after: unknown;
  at: Date;
}

/** Records a change; pass the transaction that makes it, so the record and the change land together. */
export async function recordChange(q: Queryable, c: Change): Promise<void> {
  await q.query(
    `insert into change_log (team_id, area, subject, actor, before, after, at)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
    [c.teamId ?? null, c.area, c.subject, c.actor, json(c.before), json(c.after), c.at],
  );
}

/** The latest changes of one subject, newest first. */
export async function listChanges(
  q: Queryable,
  where: { area: ChangeArea; subject: string; teamId?: string; limit?: number },
): Promise<Change[]> {
  const rows = await q.query<{
    team_id: string | null;
    area: ChangeArea;
    subject: string;
    actor: string;
    before: unknown;
    after: unknown;
    at: Date | string;
  }>(
    `select team_id, area, subject, actor, before, after, at from change_log
     where area = $1 and subject = $2 and ($3::text is null or team_id = $3 or team_id is null)
     order by at desc, id desc
     limit $4`,
    [where.area, where.subject, where.teamId ?? null, where.limit ?? 20],
  );
  return rows.map((r) => ({
    ...(r.team_id ? { teamId: r.team_id } : {}),
    area: r.area,
    subject: r.subject,
    actor: r.actor,
    before: r.before,
    after: r.after,
    at: new Date(r.at),
  }));
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}
