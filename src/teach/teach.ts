// Teaching the bot in use: who may, which duty a person means, what makes a phrase, and the change itself. Knows
// nothing of Slack; src/teach/command.ts renders the outcomes.
import type { Db } from '../db/db.ts';
import type { Keepers } from '../people/keepers.ts';
import { contentWords, normalizeText } from '../search/text.ts';
import { addTaughtAlias, type DutyRef, dutiesTaught, removeTaughtAlias } from './store.ts';

/** The catalog's own limit for an alias (data/catalog.json), so whatever is taught can be exported there. */
export const MAX_PHRASE_LENGTH = 120;

export type DutyLookup = { kind: 'found'; duty: DutyRef } | { kind: 'ambiguous'; duties: DutyRef[] } | { kind: 'none' };

/** A duty by its id (`2:Model Monitoring`) or its title, case and spacing ignored. */
export function findDuty(duties: readonly DutyRef[], ref: string): DutyLookup {
  const key = (s: string) =>
    normalizeText(s)
      .toLowerCase()
      .replace(/\s*:\s*/, ':');
  const want = key(ref);
  if (want === '') return { kind: 'none' };
  const byId = duties.find((d) => key(d.id) === want);
  if (byId) return { kind: 'found', duty: byId };
  const byTitle = duties.filter((d) => key(d.title) === want);
  if (byTitle.length === 1) return { kind: 'found', duty: byTitle[0] as DutyRef };
  if (byTitle.length > 1) return { kind: 'ambiguous', duties: byTitle };
  return { kind: 'none' };
}

export type SplitRef = { kind: 'split'; ref: string; lookup: DutyLookup; phrase: string } | { kind: 'no_duty' };

/**
 * `<duty> <phrase>`: the duty quoted (`"Model Monitoring" watch the models`), or the longest run of leading words that
 * names a duty by id or title (`Model Monitoring watch the models`).
 */
export function splitDutyAndPhrase(duties: readonly DutyRef[], text: string): SplitRef {
  const t = normalizeText(text);
  const quoted = /^["“”'‘’]([^"“”'‘’]+)["“”'‘’]\s*(.*)$/u.exec(t);
  if (quoted) {
    const ref = quoted[1] ?? '';
    return { kind: 'split', ref, lookup: findDuty(duties, ref), phrase: quoted[2] ?? '' };
  }
  const words = t.split(' ');
  for (let n = words.length; n >= 1; n--) {
    const ref = words.slice(0, n).join(' ');
    const lookup = findDuty(duties, ref);
    if (lookup.kind !== 'none') return { kind: 'split', ref, lookup, phrase: words.slice(n).join(' ') };
  }
  return { kind: 'no_duty' };
}

/** A phrase as it is kept: normalised, without the question mark or full stop it was typed with. */
export function cleanPhrase(raw: string): string {
  return normalizeText(raw)
    .replace(/^["“”'‘’]+|["“”'‘’]+$/gu, '')
    .replace(/[\s?!.,;:]+$/u, '')
    .trim();
}

export type PhraseProblem = 'empty' | 'too_long' | 'no_words';

export function phraseProblem(phrase: string): PhraseProblem | undefined {
  if (phrase === '') return 'empty';
  if (phrase.length > MAX_PHRASE_LENGTH) return 'too_long';
  if (contentWords(phrase).length === 0) return 'no_words';
  return undefined;
}

export type Outcome =
  | { kind: 'taught'; duty: DutyRef; phrase: string }
  | { kind: 'already'; duty: DutyRef; phrase: string }
  | { kind: 'untaught'; duty: DutyRef; phrase: string }
  | { kind: 'not_taught'; phrase: string; duty?: DutyRef }
  | { kind: 'which_duty'; phrase: string; duties: DutyRef[] }
  | { kind: 'refused'; reason: 'not_keeper' | 'unknown' }
  | { kind: 'bad_phrase'; problem: PhraseProblem }
  | { kind: 'unknown_duty'; ref: string }
  | { kind: 'ambiguous_duty'; ref: string; duties: DutyRef[] }
  | { kind: 'usage' };

export interface Teacher {
  teamId: string;
  userId: string;
  at: Date;
}

export interface TeachingDeps {
  db: Db;
  keepers: Keepers;
}

/** Refusal when `userId` is no catalog keeper of the workspace; undefined when they are. */
async function refusal(deps: TeachingDeps, who: Teacher): Promise<Outcome | undefined> {
  const check = await deps.keepers.check(who.teamId, who.userId);
  if (check.keeper) return undefined;
  return { kind: 'refused', reason: check.reason === 'unknown' ? 'unknown' : 'not_keeper' };
}

/** Teaches `phrase` to a duty already found (the "Teach this" buttons); keepers only. */
export async function teachDuty(deps: TeachingDeps, who: Teacher, duty: DutyRef, rawPhrase: string): Promise<Outcome> {
  return (await refusal(deps, who)) ?? teachKept(deps, who, duty, rawPhrase);
}

/** Teaches `phrase` to `duty` for a teacher already found to be a keeper. */
async function teachKept(deps: TeachingDeps, who: Teacher, duty: DutyRef, rawPhrase: string): Promise<Outcome> {
  const phrase = cleanPhrase(rawPhrase);
  const problem = phraseProblem(phrase);
  if (problem) return { kind: 'bad_phrase', problem };
  const added = await addTaughtAlias(deps.db, { teamId: who.teamId, actor: who.userId, at: who.at }, duty.id, phrase);
  return { kind: added ? 'taught' : 'already', duty, phrase };
}

/** `teach <duty> <phrase>`. */
export async function teach(
  deps: TeachingDeps,
  who: Teacher,
  duties: readonly DutyRef[],
  text: string,
): Promise<Outcome> {
  if (normalizeText(text) === '') return { kind: 'usage' };
  const refused = await refusal(deps, who);
  if (refused) return refused;
  const split = splitDutyAndPhrase(duties, text);
  if (split.kind === 'no_duty') return { kind: 'unknown_duty', ref: normalizeText(text) };
  if (split.lookup.kind === 'none') return { kind: 'unknown_duty', ref: split.ref };
  if (split.lookup.kind === 'ambiguous') return { kind: 'ambiguous_duty', ref: split.ref, duties: split.lookup.duties };
  return teachKept(deps, who, split.lookup.duty, split.phrase);
}

/** `untaught <duty> <phrase>`, or `untaught <phrase>` when the phrase is taught to one duty only. */
export async function untaught(
  deps: TeachingDeps,
  who: Teacher,
  duties: readonly DutyRef[],
  text: string,
): Promise<Outcome> {
  if (normalizeText(text) === '') return { kind: 'usage' };
  const refused = await refusal(deps, who);
  if (refused) return refused;
  const change = { teamId: who.teamId, actor: who.userId, at: who.at };
  const split = splitDutyAndPhrase(duties, text);
  const named = split.kind === 'split' && split.lookup.kind === 'found' ? cleanPhrase(split.phrase) : '';
  if (split.kind === 'split' && split.lookup.kind === 'found' && named !== '') {
    const duty = split.lookup.duty;
    const gone = await removeTaughtAlias(deps.db, change, duty.id, named);
    return gone === undefined ? { kind: 'not_taught', phrase: named, duty } : { kind: 'untaught', duty, phrase: gone };
  }
  // The whole text is the phrase.
  const phrase = cleanPhrase(text);
  const taughtTo = await dutiesTaught(deps.db, who.teamId, phrase);
  const known = taughtTo.map((id) => duties.find((d) => d.id === id) ?? { id, section: 0, title: id });
  const only = known[0];
  if (known.length > 1) return { kind: 'which_duty', phrase, duties: known };
  if (!only) return { kind: 'not_taught', phrase };
  const gone = await removeTaughtAlias(deps.db, change, only.id, phrase);
  return gone === undefined ? { kind: 'not_taught', phrase } : { kind: 'untaught', duty: only, phrase: gone };
}
