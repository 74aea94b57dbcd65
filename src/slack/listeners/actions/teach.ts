import { textMessage } from '../../../blocks/kit.ts';
import { activeDuties } from '../../../teach/store.ts';
import { teachDuty } from '../../../teach/teach.ts';
import type { SlackDeps } from '../../deps.ts';
import { teachOutcomeMessage } from '../../messages/teach.ts';
import type { ActionRequest } from '../../middleware/listen.ts';
import { adminNames } from '../commands/teach.ts';

const GONE = textMessage('That question or duty is no longer available. Please run `/mle-duties report` again.');

/**
 * "Teach this" on the keepers' report: the question of that answer becomes a phrase of that duty, in the clicker's
 * workspace (and only for an answer asked there). Value: `<answer id>|<duty id>`.
 */
export function teachThisButton(deps: SlackDeps) {
  return ({ value, userId, teamId, respond }: ActionRequest) =>
    deps.work(async () => {
      const bar = value.indexOf('|');
      const answer = bar > 0 && teamId ? await deps.answers.get(value.slice(0, bar)) : undefined;
      const role = await deps.catalog.current();
      const duty = (await activeDuties(deps.db, role.id)).find((d) => d.id === value.slice(bar + 1));
      if (!answer || !teamId || answer.teamId !== teamId || !duty) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...GONE });
        return;
      }
      const outcome = await teachDuty(
        { db: deps.db, keepers: deps.keepers },
        { teamId, userId, at: deps.now() },
        duty,
        answer.question,
      );
      const names = outcome.kind === 'refused' ? await adminNames(deps, teamId) : [];
      await respond({ response_type: 'ephemeral', replace_original: false, ...teachOutcomeMessage(outcome, names) });
    });
}
