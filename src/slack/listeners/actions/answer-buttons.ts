import { type Message, textMessage } from '../../../blocks/kit.ts';
import { type Answer, relationTo } from '../../../feedback/answers.ts';
import type { SlackDeps } from '../../deps.ts';
import { answerMessage, notCoveredMessage, SHOWN, voteAckMessage, withSummaryOutcome } from '../../messages/answer.ts';
import type { ActionRequest } from '../../middleware/listen.ts';
import { ownerDisplay } from '../../owners.ts';

const GONE = textMessage('That answer is no longer available. Please ask again.');
// A click carrying the id of an answer this person was never shown (a forged or replayed click from elsewhere).
const NOT_YOURS = textMessage(
  "That answer was not shown to you, so I can't act on it. Ask your own question with `/mle-duties &lt;question&gt;`.",
);
const ONLY_ASKER_SHARES = textMessage('Only the person who asked can share this answer in the channel.');

/** The answer, if this clicker was shown it (its asker, or a click from the channel it was posted in). */
async function shownTo(deps: SlackDeps, id: string, click: ActionRequest): Promise<Answer | Message> {
  const answer = await deps.answers.get(id);
  if (!answer) return GONE;
  return relationTo(answer, click) === 'stranger' ? NOT_YOURS : answer;
}
const isAnswer = (x: Answer | Message): x is Answer => 'asked' in x;

/**
 * Every button answers through response_url, privately to whoever clicked, without touching the message clicked on:
 * on a public thread other people's view must not change.
 */
const privately = (respond: ActionRequest['respond'], message: Message) =>
  respond({ response_type: 'ephemeral', replace_original: false, ...message });

/** "More": the matches after the first three. Value: `<answer id>:<offset>`. */
export function moreButton(deps: SlackDeps) {
  return (click: ActionRequest) =>
    deps.work(async () => {
      const [id = '', offset = '3'] = click.value.split(':');
      const answer = await shownTo(deps, id, click);
      const from = Number.parseInt(offset, 10);
      const role = await deps.catalog.current();
      if (!isAnswer(answer)) {
        await privately(click.respond, answer);
        return;
      }
      const ok = Number.isInteger(from) && from > 0 && from < answer.matches.length;
      const owners = ok
        ? await ownerDisplay(deps, {
            teamId: click.teamId,
            dutyIds: answer.matches.slice(from, from + SHOWN).map((m) => m.id),
            viewer: click.userId,
            mode: 'edit',
          })
        : undefined;
      const message = ok ? answerMessage(answer, { roleName: role.name, from, ...(owners ? { owners } : {}) }) : GONE;
      await privately(click.respond, message);
    });
}

/** "Share in channel": the same answer, public, saying who asked. Only its asker may share it. */
export function shareButton(deps: SlackDeps) {
  return (click: ActionRequest) =>
    deps.work(async () => {
      const { value, userId, teamId, respond } = click;
      const answer = await deps.answers.share(value, click);
      if (answer === 'gone' || answer === 'refused') {
        await privately(respond, answer === 'gone' ? GONE : ONLY_ASKER_SHARES);
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

/** 👍/👎 from someone the answer was shown to; the asker's and a keeper's move it at once, others' by threshold. */
export function voteButton(deps: SlackDeps, vote: 1 | -1) {
  return ({ value, userId, teamId, channelId, respond }: ActionRequest) =>
    deps.work(async () => {
      const keeper = async () => (await deps.keepers.check(teamId ?? '', userId)).keeper;
      const result = await deps.answers.vote(value, { userId, channelId, keeper }, vote);
      await privately(
        respond,
        result.kind === 'recorded'
          ? voteAckMessage(vote, result.previous, { trusted: result.trusted, threshold: result.threshold })
          : result.kind === 'refused'
            ? NOT_YOURS
            : GONE,
      );
    });
}

/** A "did you mean" pick: that entry, as the answer to the original question. Value: `<answer id>|<duty id>`. */
export function didYouMeanButton(deps: SlackDeps) {
  return (click: ActionRequest) =>
    deps.work(async () => {
      const bar = click.value.indexOf('|');
      const original = bar > 0 ? await shownTo(deps, click.value.slice(0, bar), click) : GONE;
      if (!isAnswer(original)) {
        await privately(click.respond, original);
        return;
      }
      const answer = await deps.answers.choose(original.id, click.value.slice(bar + 1), click.userId);
      const { name: roleName } = await deps.catalog.current();
      const owners = answer
        ? await ownerDisplay(deps, {
            teamId: click.teamId,
            dutyIds: answer.matches.slice(0, SHOWN).map((m) => m.id),
            viewer: click.userId,
            mode: 'edit',
          })
        : undefined;
      await privately(
        click.respond,
        answer ? answerMessage(answer, { roleName, ...(owners ? { owners } : {}) }) : GONE,
      );
    });
}
