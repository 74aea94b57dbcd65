import { type Message, textMessage } from '../../../blocks/kit.ts';
import type { SlackDeps } from '../../deps.ts';
import { answerMessage, notCoveredMessage, SHOWN, voteAckMessage, withSummaryOutcome } from '../../messages/answer.ts';
import type { ActionRequest } from '../../middleware/listen.ts';
import { ownerDisplay } from '../../owners.ts';

const GONE = textMessage('That answer is no longer available. Please ask again.');

/**
 * Every button answers through response_url, privately to whoever clicked, without touching the message clicked on:
 * on a public thread other people's view must not change.
 */
const privately = (respond: ActionRequest['respond'], message: Message) =>
  respond({ response_type: 'ephemeral', replace_original: false, ...message });

/** "More": the matches after the first three. Value: `<answer id>:<offset>`. */
export function moreButton(deps: SlackDeps) {
  return ({ value, respond, userId, teamId }: ActionRequest) =>
    deps.work(async () => {
      const [id = '', offset = '3'] = value.split(':');
      const answer = await deps.answers.get(id);
      const from = Number.parseInt(offset, 10);
      const role = await deps.catalog.current();
      const ok = answer && Number.isInteger(from) && from > 0 && from < answer.matches.length;
      const owners = ok
        ? await ownerDisplay(deps, {
            teamId,
            dutyIds: answer.matches.slice(from, from + SHOWN).map((m) => m.id),
            viewer: userId,
            mode: 'edit',
          })
        : undefined;
      const message = ok ? answerMessage(answer, { roleName: role.name, from, ...(owners ? { owners } : {}) }) : GONE;
      await privately(respond, message);
    });
}

/** "Share in channel": the same answer, public, saying who asked. */
export function shareButton(deps: SlackDeps) {
  return ({ value, userId, teamId, respond }: ActionRequest) =>
    deps.work(async () => {
      const answer = await deps.answers.get(value);
      if (!answer) {
        await privately(respond, GONE);
        return;
      }
      // The summary the asker saw goes along, taken from the cache only: sharing never waits on an LLM call.
      const summary =
        answer.answered && deps.summarizer?.enabled
          ? await deps.summarizer.cached({
              question: answer.question,
              matches: answer.matches.slice(0, SHOWN),
              userKey: userId,
            })
          : undefined;
      const { name: roleName } = await deps.catalog.current();
      // Public: owners named, no button (everyone in the channel sees the same message).
      const owners = answer.answered
        ? await ownerDisplay(deps, { teamId, dutyIds: answer.matches.slice(0, SHOWN).map((m) => m.id), mode: 'none' })
        : undefined;
      const message = answer.answered
        ? answerMessage(answer, {
            roleName,
            sharedBy: userId,
            numbered: summary !== undefined,
            ...(owners ? { owners } : {}),
          })
        : notCoveredMessage(answer, { roleName, sharedBy: userId });
      await respond({
        response_type: 'in_channel',
        replace_original: false,
        ...(summary ? withSummaryOutcome(message, summary) : message),
      });
    });
}

export function voteButton(deps: SlackDeps, vote: 1 | -1) {
  return ({ value, userId, respond }: ActionRequest) =>
    deps.work(async () => {
      const result = await deps.answers.vote(value, userId, vote);
      await privately(respond, result ? voteAckMessage(vote, result.previous) : GONE);
    });
}

/** A "did you mean" pick: that entry, as the answer to the original question. Value: `<answer id>|<duty id>`. */
export function didYouMeanButton(deps: SlackDeps) {
  return ({ value, userId, teamId, respond }: ActionRequest) =>
    deps.work(async () => {
      const bar = value.indexOf('|');
      const answer = bar > 0 ? await deps.answers.choose(value.slice(0, bar), value.slice(bar + 1), userId) : undefined;
      const { name: roleName } = await deps.catalog.current();
      const owners = answer
        ? await ownerDisplay(deps, {
            teamId,
            dutyIds: answer.matches.slice(0, SHOWN).map((m) => m.id),
            viewer: userId,
            mode: 'edit',
          })
        : undefined;
      await privately(respond, answer ? answerMessage(answer, { roleName, ...(owners ? { owners } : {}) }) : GONE);
    });
}
