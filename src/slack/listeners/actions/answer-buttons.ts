import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { hashId } from '../../../log.ts';
import { answerMessage, notCoveredMessage, SHOWN, voteAckMessage, withSummaryOutcome } from '../../blocks/answer.ts';
import { textMessage } from '../../blocks/browse.ts';
import { runWork, type SlackDeps } from '../../deps.ts';
import { servedRequest } from '../../middleware/serve.ts';
import { TRY_AGAIN } from '../../reply.ts';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const GONE = textMessage('That answer is no longer available. Please ask again.');

/**
 * Every button answers through response_url, privately to whoever clicked, without touching the
 * message clicked on: on a public thread other people's view must not change.
 */
function buttonHandler(
  deps: SlackDeps,
  name: string,
  fn: (args: ButtonArgs, log: SlackDeps['logger']) => Promise<void>,
) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const request = servedRequest(args.context);
    if (!(await request.isFirstDelivery())) return;
    const log = request.log.child({ action: name, user: hashId(args.body.user.id) });
    try {
      await runWork(deps, () => fn(args, log));
    } catch (err) {
      log.error('button failed', { err });
      await args.respond({ response_type: 'ephemeral', replace_original: false, ...TRY_AGAIN }).catch(() => {});
    }
  };
}

/** "More": the matches after the first three. Value: `<answer id>:<offset>`. */
export function moreButton(deps: SlackDeps) {
  return buttonHandler(deps, 'more', async ({ action, respond }) => {
    const [id = '', offset = '3'] = (action.value ?? '').split(':');
    const answer = await deps.answers.get(id);
    const from = Number.parseInt(offset, 10);
    const message =
      answer && Number.isInteger(from) && from > 0 && from < answer.matches.length
        ? answerMessage(answer, { roleName: deps.role.name, from })
        : GONE;
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  });
}

/** "Share in channel": the same answer, public, saying who asked. */
export function shareButton(deps: SlackDeps) {
  return buttonHandler(deps, 'share', async ({ action, body, respond }) => {
    const answer = await deps.answers.get(action.value ?? '');
    if (!answer) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...GONE });
      return;
    }
    // The summary the asker saw goes along, taken from the cache only: sharing never waits on an LLM call.
    const summary =
      answer.answered && deps.summarizer?.enabled
        ? await deps.summarizer.cached({
            question: answer.question,
            matches: answer.matches.slice(0, SHOWN),
            userKey: body.user.id,
          })
        : undefined;
    const message = answer.answered
      ? answerMessage(answer, { roleName: deps.role.name, sharedBy: body.user.id, numbered: summary !== undefined })
      : notCoveredMessage(answer, { roleName: deps.role.name, sharedBy: body.user.id });
    await respond({
      response_type: 'in_channel',
      replace_original: false,
      ...(summary ? withSummaryOutcome(message, summary) : message),
    });
  });
}

export function voteButton(deps: SlackDeps, vote: 1 | -1) {
  return buttonHandler(deps, vote === 1 ? 'vote_up' : 'vote_down', async ({ action, body, respond }) => {
    const result = await deps.answers.vote(action.value ?? '', body.user.id, vote);
    const message = result ? voteAckMessage(vote, result.previous) : GONE;
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  });
}

/** A "did you mean" pick: that entry, as the answer to the original question. Value: `<answer id>|<duty id>`. */
export function didYouMeanButton(deps: SlackDeps) {
  return buttonHandler(deps, 'did_you_mean', async ({ action, body, respond }) => {
    const value = action.value ?? '';
    const bar = value.indexOf('|');
    const answer =
      bar > 0 ? await deps.answers.choose(value.slice(0, bar), value.slice(bar + 1), body.user.id) : undefined;
    const message = answer ? answerMessage(answer, { roleName: deps.role.name }) : GONE;
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  });
}
