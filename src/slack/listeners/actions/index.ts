import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ASK_ACTION_ID } from '../../../digest/blocks.ts';
import { ACTIONS } from '../../blocks/answer.ts';
import { BROWSE_ACTIONS } from '../../blocks/browse.ts';
import type { SlackDeps } from '../../deps.ts';
import { type Listener, routeBy } from '../route.ts';
import { didYouMeanButton, moreButton, shareButton, voteButton } from './answer-buttons.ts';
import { homePage, homeSection, sectionSelect } from './browse.ts';
import { digestAskButton } from './digest-ask.ts';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function register(app: App, deps: SlackDeps): void {
  // Each listener narrows the action to the element it was built for (button, select).
  const routes: [string | RegExp, Listener<never>][] = [
    [ACTIONS.more, moreButton(deps)],
    [ACTIONS.share, shareButton(deps)],
    [ACTIONS.voteUp, voteButton(deps, 1)],
    [ACTIONS.voteDown, voteButton(deps, -1)],
    // One action_id per button (Slack wants them unique in a message), one listener for all.
    [new RegExp(`^${ACTIONS.didYouMean}_\\d+$`), didYouMeanButton(deps)],
    [BROWSE_ACTIONS.sectionSelect, sectionSelect(deps)],
    [BROWSE_ACTIONS.homeSection, homeSection(deps)],
    [new RegExp(`^${BROWSE_ACTIONS.homePage}_(prev|next)$`), homePage(deps)],
    [ASK_ACTION_ID, digestAskButton()],
  ];
  const route = routeBy(routes as [string | RegExp, Listener<ActionArgs>][]);
  // One registration for all (see route.ts).
  app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
    const listener = route(args.action.action_id);
    // A click on something that needs no answer (or a button from an older version of the bot) is still acked,
    // so Slack does not show the clicker an error.
    if (listener) await listener(args);
    else await args.ack();
  });
}
