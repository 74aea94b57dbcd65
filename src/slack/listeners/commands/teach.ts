import type { Message } from '../../../blocks/kit.ts';
import { askedInPublic, unansweredIn } from '../../../feedback/answers.ts';
import { activeDuties, listConfirmedPairs, listTaughtAliases } from '../../../teach/store.ts';
import { type Teacher, teach, untaught } from '../../../teach/teach.ts';
import type { SlackDeps } from '../../deps.ts';
import { REPORT_REFUSED, reportMessage, taughtListMessage, teachOutcomeMessage } from '../../messages/teach.ts';

export type TeachingIntent = { sub: 'teach' | 'untaught'; rest: string } | { sub: 'taught' | 'report' };

/** `teach …`, `untaught …` (or `unteach …`), `taught` and `report` alone; anything else is not for this handler. */
export function teachingIntent(text: string): TeachingIntent | undefined {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  const word = m?.[1]?.toLowerCase() ?? '';
  const rest = (m?.[2] ?? '').trim();
  if (word === 'teach') return { sub: 'teach', rest };
  if (word === 'untaught' || word === 'unteach') return { sub: 'untaught', rest };
  if (rest === '' && word === 'taught') return { sub: 'taught' };
  if (rest === '' && word === 'report') return { sub: 'report' };
  return undefined;
}

const REPORT_DAYS = 30;
const DAY_MS = 86_400_000;

/** The names (never mentions) of the people in ADMINS, for a refusal that says who can. */
export async function adminNames(deps: SlackDeps, teamId: string): Promise<string[]> {
  const admins = deps.keepers.admins;
  if (admins.length === 0) return [];
  const found = await deps.profiles.getMany(teamId, admins).catch(() => new Map());
  return admins.map((id) => found.get(id)?.name ?? id);
}

/** Everything `/mle-duties teach|untaught|taught|report` answers, privately. */
export async function runTeaching(
  deps: SlackDeps,
  intent: TeachingIntent,
  who: { teamId: string; userId: string },
): Promise<Message> {
  const teacher: Teacher = { ...who, at: deps.now() };
  const role = await deps.catalog.current();
  switch (intent.sub) {
    case 'teach':
    case 'untaught': {
      const duties = await activeDuties(deps.db, role.id);
      const act = intent.sub === 'teach' ? teach : untaught;
      const outcome = await act({ db: deps.db, keepers: deps.keepers }, teacher, duties, intent.rest);
      if (outcome.kind !== 'taught' && outcome.kind !== 'untaught') {
        deps.logger.info('teach not done', { sub: intent.sub, outcome: outcome.kind });
      }
      const names = outcome.kind === 'refused' ? await adminNames(deps, who.teamId) : [];
      return teachOutcomeMessage(outcome, names);
    }
    case 'taught':
      return taughtListMessage(await listTaughtAliases(deps.db, who.teamId));
    case 'report': {
      // What people asked is shown to the keepers only, and only what was asked in public channels: a question asked
      // in a DM, with the slash command or in a private channel never leaves its asker (as in digests).
      const check = await deps.keepers.check(who.teamId, who.userId);
      if (!check.keeper) {
        if (check.reason === 'unknown') return teachOutcomeMessage({ kind: 'refused', reason: 'unknown' });
        return REPORT_REFUSED(await adminNames(deps, who.teamId));
      }
      const since = new Date(deps.now().getTime() - REPORT_DAYS * DAY_MS);
      const [pairs, unanswered, taught] = await Promise.all([
        listConfirmedPairs(deps.db, { teamId: who.teamId, limit: 30 }),
        unansweredIn(deps.db, who.teamId, { since, limit: 8, publicOnly: true }),
        listTaughtAliases(deps.db, who.teamId),
      ]);
      const inPublic = await askedInPublic(
        deps.db,
        who.teamId,
        pairs.map((p) => p.questionNorm),
      );
      const shown = pairs.filter((p) => inPublic.has(p.questionNorm));
      return reportMessage({ pairs: shown, unanswered, taughtCount: taught.length, days: REPORT_DAYS });
    }
  }
}
