import type { Queryable } from '../db/db.ts';

export interface SectionSummary {
  number: number;
  title: string;
  duties: number;
}

export interface DutyRow {
  id: string;
  section: number;
  sectionTitle: string;
  title: string;
  description: string;
}

const DUTY_COLUMNS = `d.id, d.section, s.title as "sectionTitle", d.title, d.description`;
const DUTY_FROM = `duties d join sections s on s.role_id = d.role_id and s.number = d.section`;

export async function listSections(db: Queryable, roleId: string): Promise<SectionSummary[]> {
  return db.query<SectionSummary>(
    `select s.number, s.title, count(d.id)::int as duties
     from sections s left join duties d on d.role_id = s.role_id and d.section = s.number and d.retired_at is null
     where s.role_id = $1
     group by s.number, s.title
     order by s.number`,
    [roleId],
  );
}

/** A section by its number ("3") or by words of its title ("accountabilities"). */
export async function findSection(db: Queryable, roleId: string, query: string): Promise<SectionSummary | undefined> {
  const sections = await listSections(db, roleId);
  const q = query.trim().toLowerCase();
  if (/^\d+$/.test(q)) return sections.find((s) => s.number === Number.parseInt(q, 10));
  if (q.length === 0) return undefined;
  return (
    sections.find((s) => s.title.toLowerCase() === q) ??
    sections.find((s) => s.title.toLowerCase().split(/\s+/).includes(q)) ??
    sections.find((s) => s.title.toLowerCase().includes(q))
  );
}

export async function dutiesInSection(db: Queryable, roleId: string, section: number): Promise<DutyRow[]> {
  return db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from ${DUTY_FROM}
     where d.role_id = $1 and d.section = $2 and d.retired_at is null
     order by d.position`,
    [roleId, section],
  );
}

export async function randomDuty(db: Queryable, roleId: string): Promise<DutyRow | undefined> {
  const rows = await db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from ${DUTY_FROM} where d.role_id = $1 and d.retired_at is null order by random() limit 1`,
    [roleId],
  );
  return rows[0];
}

export async function countActiveDuties(db: Queryable, roleId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    'select count(*)::int as n from duties where role_id = $1 and retired_at is null',
    [roleId],
  );
  return rows[0]?.n ?? 0;
}

/** The ids of every active duty of the role, in catalog order. */
export async function activeDutyIds(db: Queryable, roleId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    'select id from duties where role_id = $1 and retired_at is null order by section, position',
    [roleId],
  );
  return rows.map((r) => r.id);
}

/** Every active duty of the role, in catalog order. */
export async function allDuties(db: Queryable, roleId: string): Promise<DutyRow[]> {
  return db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from ${DUTY_FROM} where d.role_id = $1 and d.retired_at is null order by d.section, d.position`,
    [roleId],
  );
}

/** One active duty by its id ("2:Model Monitoring"). */
export async function dutyById(db: Queryable, roleId: string, id: string): Promise<DutyRow | undefined> {
  const rows = await db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from ${DUTY_FROM} where d.role_id = $1 and d.id = $2 and d.retired_at is null`,
    [roleId, id],
  );
  return rows[0];
}
