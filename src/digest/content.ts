// What a digest says: the rotation (which section this week) and the message built from the database.
import type { Message } from '../blocks/kit.ts';
import type { CatalogWatch } from '../catalog/current.ts';
import { activeDutyIds, type DutyRow, dutiesInSection, listSections, type SectionSummary } from '../catalog/queries.ts';
import type { Queryable } from '../db/db.ts';
import { withDeadline } from '../deadline.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AskedStats } from './asked-stats.ts';
import { digestMessage, fixedIntro } from './blocks.ts';

const WEEK_MS = 7 * 86_400_000;
const INTRO_DEADLINE_MS = 5000;

export interface IntroSection {
  number: number;
  title: string;
  duties: DutyRow[];
}

/** Optional LLM one-liner for a section; undefined, an error or a slow answer means the fixed intro. */
export type IntroWriter = (section: IntroSection) => Promise<string | undefined>;

/**
 * The team's owners for a digest (owners/): the line under each of this part's duties, who is named in them, and how
 * many duties of the whole role have nobody.
 */
export type DigestOwners = (
  teamId: string,
  sectionDutyIds: readonly string[],
  roleDutyIds: readonly string[],
  now: Date,
) => Promise<{ lines: Map<string, string>; sectionOwners: string; unowned: number }>;

/** What a digest is made of besides the catalog: the week's questions, and an optional LLM intro. */
export interface DigestSources {
  askedStats: AskedStats;
  intro?: IntroWriter;
  /** Owners of duties, shown when the subscription's workspace is known. */
  owners?: DigestOwners;
}

/** Sections that have duties, in order: the rotation. */
export async function rotation(db: Queryable, roleId: string): Promise<SectionSummary[]> {
  return (await listSections(db, roleId)).filter((s) => s.duties > 0);
}

/** Position `seq` in the rotation (0 = first section), wrapping after the last. */
export function sectionForSeq(sections: SectionSummary[], seq: number): { section: SectionSummary; part: number } {
  if (sections.length === 0) throw new AppError('catalog_missing', 'The role has no sections with duties.');
  const i = ((seq % sections.length) + sections.length) % sections.length;
  return { section: sections[i] as SectionSummary, part: i + 1 };
}

export interface BuildDigestOptions extends DigestSources {
  db: Queryable;
  catalog: CatalogWatch;
  seq: number;
  period: string;
  dueAt: Date;
  /** For people: the due date, set only when the digest goes out more than a day late. */
  lateSince?: string;
  logger: Logger;
  /** The subscription's workspace: its owners are shown (with `owners`). */
  teamId?: string | null;
}

export async function buildDigest(o: BuildDigestOptions): Promise<Message> {
  const { id: roleId } = await o.catalog.current();
  const sections = await rotation(o.db, roleId);
  const { section, part } = sectionForSeq(sections, o.seq);
  const duties = await dutiesInSection(o.db, roleId, section.number);
  // The week before the due time, so a late post still reports the week it belongs to.
  const since = new Date(o.dueAt.getTime() - WEEK_MS);
  const [topQuestions, unanswered] = await Promise.all([
    o.askedStats.topQuestions(since, o.dueAt).catch((err) => {
      o.logger.warn('digest: could not read the most asked questions', { err });
      return [] as string[];
    }),
    o.askedStats.unanswered(since, o.dueAt).catch((err) => {
      o.logger.warn('digest: could not read the unanswered questions', { err });
      return [] as string[];
    }),
  ]);
  const intro = await writeIntro(o, { number: section.number, title: section.title, duties });
  const owners = await digestOwners(o, roleId, duties);
  return digestMessage({
    period: o.period,
    part,
    parts: sections.length,
    sectionTitle: section.title,
    duties: duties.map((d) => ({
      title: d.title,
      description: d.description,
      ...(owners?.lines.has(d.id) ? { owners: owners.lines.get(d.id) } : {}),
    })),
    intro,
    lateSince: o.lateSince,
    topQuestions,
    unanswered,
    ...(owners
      ? { owners: { sectionOwners: owners.sectionOwners, unowned: owners.unowned, duties: owners.duties } }
      : {}),
  });
}

/** The team's owners, or nothing (no workspace, or they could not be read: the digest goes out without them). */
async function digestOwners(o: BuildDigestOptions, roleId: string, duties: DutyRow[]) {
  if (!o.owners || !o.teamId) return undefined;
  try {
    const roleIds = await activeDutyIds(o.db, roleId);
    const r = await o.owners(
      o.teamId,
      duties.map((d) => d.id),
      roleIds,
      new Date(),
    );
    return { ...r, duties: roleIds.length };
  } catch (err) {
    o.logger.warn('digest: could not read the owners of duties', { err });
    return undefined;
  }
}

async function writeIntro(o: BuildDigestOptions, section: IntroSection): Promise<string> {
  const fallback = fixedIntro(section.title, section.duties.length);
  if (!o.intro) return fallback;
  try {
    const text = await withDeadline(o.intro(section), INTRO_DEADLINE_MS, () => undefined);
    // One line, not empty, not an essay: anything else is not the friendly one-liner we asked for.
    const line = text?.replace(/\s+/g, ' ').trim();
    return line && line.length >= 10 && line.length <= 300 ? line : fallback;
  } catch (err) {
    o.logger.warn('digest: intro writer failed, using the fixed intro', { err });
    return fallback;
  }
}
