// What a digest says: the rotation (which section this week) and the message built from the database.
import { type DutyRow, dutiesInSection, listSections, type SectionSummary } from '../catalog/queries.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AskedStats } from './asked-stats.ts';
import { digestMessage, fixedIntro, type SlackMessage } from './blocks.ts';

const WEEK_MS = 7 * 86_400_000;
const INTRO_DEADLINE_MS = 5000;

export interface IntroSection {
  number: number;
  title: string;
  duties: DutyRow[];
}

/** Optional LLM one-liner for a section; undefined, an error or a slow answer means the fixed intro. */
export type IntroWriter = (section: IntroSection) => Promise<string | undefined>;

export async function currentRoleId(db: Queryable): Promise<string> {
  const rows = await db.query<{ id: string }>('select id from roles order by id limit 1');
  const id = rows[0]?.id;
  if (!id) throw new AppError('digest_failed', 'The role catalog is not in the database yet: run `mle-duties import`.');
  return id;
}

/** Sections that have duties, in order: the rotation. */
export async function rotation(db: Queryable, roleId: string): Promise<SectionSummary[]> {
  return (await listSections(db, roleId)).filter((s) => s.duties > 0);
}

/** Position `seq` in the rotation (0 = first section), wrapping after the last. */
export function sectionForSeq(sections: SectionSummary[], seq: number): { section: SectionSummary; part: number } {
  if (sections.length === 0) throw new AppError('digest_failed', 'The role has no sections with duties.');
  const i = ((seq % sections.length) + sections.length) % sections.length;
  return { section: sections[i] as SectionSummary, part: i + 1 };
}

export interface BuildDigestOptions {
  db: Queryable;
  seq: number;
  period: string;
  dueAt: Date;
  /** For people: the due date, set only when the digest goes out more than a day late. */
  lateSince?: string;
  askedStats: AskedStats;
  intro?: IntroWriter;
  logger: Logger;
}

export async function buildDigest(o: BuildDigestOptions): Promise<SlackMessage> {
  const roleId = await currentRoleId(o.db);
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
  return digestMessage({
    period: o.period,
    part,
    parts: sections.length,
    sectionTitle: section.title,
    duties: duties.map((d) => ({ title: d.title, description: d.description })),
    intro,
    lateSince: o.lateSince,
    topQuestions,
    unanswered,
  });
}

async function writeIntro(o: BuildDigestOptions, section: IntroSection): Promise<string> {
  const fallback = fixedIntro(section.title, section.duties.length);
  if (!o.intro) return fallback;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), INTRO_DEADLINE_MS);
      timer.unref();
    });
    const text = await Promise.race([o.intro(section), deadline]);
    // One line, not empty, not an essay: anything else is not the friendly one-liner we asked for.
    const line = text?.replace(/\s+/g, ' ').trim();
    return line && line.length >= 10 && line.length <= 300 ? line : fallback;
  } catch (err) {
    o.logger.warn('digest: intro writer failed, using the fixed intro', { err });
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}
