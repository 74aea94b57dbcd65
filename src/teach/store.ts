// Taught aliases and confirmed question → duty pairs, per workspace. The search engine reads taught_aliases and
// taught_versions (src/search/engine.ts); everything that writes them is here.
import type { Db, Queryable } from '../db/db.ts';
import { recordChange } from '../people/changes.ts';
import { tokenize } from '../search/text.ts';

export interface DutyRef {
  id: string;
  section: number;
  title: string;
}

/** Active duties of the role, in catalog order. */
export async function activeDuties(q: Queryable, roleId: string): Promise<DutyRef[]> {
  return q.query<DutyRef>(
    'select id, section, title from duties where role_id = $1 and retired_at is null order by section, position',
    [roleId],
  );
}

export interface TaughtAlias {
  teamId: string;
  dutyId: string;
  /** The duty's title now (its id when the duty left the catalog). */
  title: string;
  phrase: string;
  taughtBy: string;
  taughtAt: Date;
}

/** A phrase as the search reads it: case, spacing and punctuation make no new alias. */
function phraseKey(phrase: string): string {
  return tokenize(phrase).join(' ');
}

interface Who {
  teamId: string;
  /** A Slack user id, or 'cli'. */
  actor: string;
  at: Date;
}

async function phrasesOf(q: Queryable, teamId: string, dutyId: string): Promise<string[]> {
  const rows = await q.query<{ phrase: string }>(
    'select phrase from taught_aliases where team_id = $1 and duty_id = $2 order by taught_at, phrase',
    [teamId, dutyId],
  );
  return rows.map((r) => r.phrase);
}

async function bumpVersion(q: Queryable, teamId: string): Promise<void> {
  await q.query(
    `insert into taught_versions (team_id, version) values ($1, 1)
     on conflict (team_id) do update set version = taught_versions.version + 1`,
    [teamId],
  );
}

/**
 * Teaches `phrase` as an alias of `dutyId` in one workspace; false when it was taught already. The alias, the
 * workspace's version (every process reloads on it) and the change log entry land in one transaction.
 */
export async function addTaughtAlias(db: Db, who: Who, dutyId: string, phrase: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const before = await phrasesOf(tx, who.teamId, dutyId);
    const added = await tx.query(
      `insert into taught_aliases (team_id, duty_id, phrase, phrase_norm, taught_by, taught_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict do nothing
       returning 1`,
      [who.teamId, dutyId, phrase, phraseKey(phrase), who.actor, who.at],
    );
    if (added.length === 0) return false;
    await changed(tx, who, dutyId, before, [...before, phrase]);
    return true;
  });
}

/** A duty's taught phrases changed: every process sees it from its next question, and the change log says who. */
async function changed(tx: Queryable, who: Who, dutyId: string, before: string[], after: string[]): Promise<void> {
  await bumpVersion(tx, who.teamId);
  await recordChange(tx, {
    teamId: who.teamId,
    area: 'aliases',
    subject: dutyId,
    actor: who.actor,
    before: { aliases: before },
    after: { aliases: after },
    at: who.at,
  });
}

/** Removes a taught phrase from `dutyId` in one workspace; returns the phrase as it was taught, if it was. */
export async function removeTaughtAlias(db: Db, who: Who, dutyId: string, phrase: string): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    const before = await phrasesOf(tx, who.teamId, dutyId);
    const removed = await tx.query<{ phrase: string }>(
      'delete from taught_aliases where team_id = $1 and duty_id = $2 and phrase_norm = $3 returning phrase',
      [who.teamId, dutyId, phraseKey(phrase)],
    );
    const gone = removed[0]?.phrase;
    if (gone === undefined) return undefined;
    await changed(
      tx,
      who,
      dutyId,
      before,
      before.filter((p) => p !== gone),
    );
    return gone;
  });
}

/** Taught aliases of one workspace (or of all, for the command line), by duty then phrase. */
export async function listTaughtAliases(q: Queryable, teamId?: string): Promise<TaughtAlias[]> {
  const rows = await q.query<{
    team_id: string;
    duty_id: string;
    title: string;
    phrase: string;
    taught_by: string;
    taught_at: Date | string;
  }>(
    `select a.team_id, a.duty_id, coalesce(d.title, a.duty_id) as title, a.phrase, a.taught_by, a.taught_at
     from taught_aliases a left join duties d on d.id = a.duty_id
     where $1::text is null or a.team_id = $1
     order by a.team_id, a.duty_id, a.phrase_norm`,
    [teamId ?? null],
  );
  return rows.map((r) => ({
    teamId: r.team_id,
    dutyId: r.duty_id,
    title: r.title,
    phrase: r.phrase,
    taughtBy: r.taught_by,
    taughtAt: new Date(r.taught_at),
  }));
}

/** Duties a phrase is taught to in one workspace (to untaught by the phrase alone). */
export async function dutiesTaught(q: Queryable, teamId: string, phrase: string): Promise<string[]> {
  const rows = await q.query<{ duty_id: string }>(
    'select duty_id from taught_aliases where team_id = $1 and phrase_norm = $2 order by duty_id',
    [teamId, phraseKey(phrase)],
  );
  return rows.map((r) => r.duty_id);
}

export interface Confirmation {
  teamId: string;
  answerId: string;
  question: string;
  questionNorm: string;
  dutyId: string;
  userHash: string;
  via: 'choice' | 'vote';
  at: Date;
}

/** A person confirmed a question → duty pair (a did-you-mean pick, a 👍). Only recorded: no alias comes of it. */
export async function recordConfirmation(q: Queryable, c: Confirmation): Promise<void> {
  if (c.questionNorm === '') return;
  await q.query(
    `insert into confirmed_pairs (team_id, question_norm, duty_id, user_hash, question, answer_id, via, confirmed_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (team_id, question_norm, duty_id, user_hash) do update
       set question = excluded.question, answer_id = excluded.answer_id, via = excluded.via,
           confirmed_at = excluded.confirmed_at`,
    [c.teamId, c.questionNorm, c.dutyId, c.userHash, c.question, c.answerId, c.via, c.at],
  );
}

/** A 👍 turned into a 👎: that person no longer confirms the pair. */
export async function withdrawConfirmation(
  q: Queryable,
  c: Pick<Confirmation, 'teamId' | 'questionNorm' | 'dutyId' | 'userHash'>,
): Promise<void> {
  await q.query(
    'delete from confirmed_pairs where team_id = $1 and question_norm = $2 and duty_id = $3 and user_hash = $4',
    [c.teamId, c.questionNorm, c.dutyId, c.userHash],
  );
}

export interface ConfirmedPair {
  teamId: string;
  /** Its latest wording. */
  question: string;
  questionNorm: string;
  /** The latest answer it was confirmed on (a "Teach this" button points at it). */
  answerId: string;
  dutyId: string;
  title: string;
  /** How many people confirmed it. */
  people: number;
  lastConfirmed: Date;
  /** Taught in its workspace already (its question, as a phrase of that duty). */
  taught: boolean;
}

/** Confirmed pairs, most confirmed first; one workspace's, or every one's for the command line. Never who. */
export async function listConfirmedPairs(
  q: Queryable,
  options: { teamId?: string; limit?: number } = {},
): Promise<ConfirmedPair[]> {
  const rows = await q.query<{
    team_id: string;
    question: string;
    question_norm: string;
    answer_id: string;
    duty_id: string;
    title: string;
    people: number;
    last_confirmed: Date | string;
    taught: boolean;
  }>(
    `select p.team_id, p.question_norm, (array_agg(p.question order by p.confirmed_at desc))[1] as question,
            (array_agg(p.answer_id::text order by p.confirmed_at desc))[1] as answer_id,
            p.duty_id, coalesce(d.title, p.duty_id) as title, count(*)::int as people,
            max(p.confirmed_at) as last_confirmed,
            exists (select 1 from taught_aliases a
                    where a.team_id = p.team_id and a.duty_id = p.duty_id and a.phrase_norm = p.question_norm) as taught
     from confirmed_pairs p left join duties d on d.id = p.duty_id
     where $1::text is null or p.team_id = $1
     group by p.team_id, p.question_norm, p.duty_id, d.title
     order by count(*) desc, max(p.confirmed_at) desc
     limit $2`,
    [options.teamId ?? null, options.limit ?? 50],
  );
  return rows.map((r) => ({
    teamId: r.team_id,
    question: r.question,
    questionNorm: r.question_norm,
    answerId: r.answer_id,
    dutyId: r.duty_id,
    title: r.title,
    people: r.people,
    lastConfirmed: new Date(r.last_confirmed),
    taught: r.taught,
  }));
}
