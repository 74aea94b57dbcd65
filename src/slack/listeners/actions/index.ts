import type { App } from '@slack/bolt';
import { ASK_ACTION_ID } from '../../../digest/blocks.ts';
import { ACTIONS } from '../../blocks/answer.ts';
import { BROWSE_ACTIONS } from '../../blocks/browse.ts';
import type { SlackDeps } from '../../deps.ts';
import { didYouMeanButton, moreButton, shareButton, voteButton } from './answer-buttons.ts';
import { homePage, homeSection, sectionSelect } from './browse.ts';
import { digestAskButton } from './digest-ask.ts';

export function register(app: App, deps: SlackDeps): void {
  app.action(ACTIONS.more, moreButton(deps));
  app.action(ACTIONS.share, shareButton(deps));
  app.action(ACTIONS.voteUp, voteButton(deps, 1));
  app.action(ACTIONS.voteDown, voteButton(deps, -1));
  // One action_id per button (Slack wants them unique in a message), one listener for all.
  app.action(new RegExp(`^${ACTIONS.didYouMean}_\\d+$`), didYouMeanButton(deps));
  app.action(BROWSE_ACTIONS.sectionSelect, sectionSelect(deps));
  app.action(BROWSE_ACTIONS.homeSection, homeSection(deps));
  app.action(new RegExp(`^${BROWSE_ACTIONS.homePage}_(prev|next)$`), homePage(deps));
  app.action(ASK_ACTION_ID, digestAskButton(deps));
}
