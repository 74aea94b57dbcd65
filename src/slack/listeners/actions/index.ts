import type { App } from '@slack/bolt';
import { ASK_ACTION_ID } from '../../../digest/blocks.ts';
import type { SlackDeps } from '../../deps.ts';
import { ACTIONS } from '../../messages/answer.ts';
import { BROWSE_ACTIONS } from '../../messages/browse.ts';
import { OWNER_ACTIONS } from '../../messages/owners.ts';
import { TEACH_ACTION } from '../../messages/teach.ts';
import { listenToActions } from '../../middleware/listen.ts';
import { didYouMeanButton, moreButton, shareButton, voteButton } from './answer-buttons.ts';
import { homePage, homeSection, sectionSelect } from './browse.ts';
import { digestAskButton } from './digest-ask.ts';
import { editOwners, ownersPage, pingOwner } from './owners.ts';
import { teachThisButton } from './teach.ts';

export function register(app: App, deps: SlackDeps): void {
  listenToActions(app, [
    [ACTIONS.more, moreButton(deps)],
    [ACTIONS.share, shareButton(deps)],
    [ACTIONS.voteUp, voteButton(deps, 1)],
    [ACTIONS.voteDown, voteButton(deps, -1)],
    // One action_id per button (Slack wants them unique in a message), one handler for all.
    [new RegExp(`^${ACTIONS.didYouMean}_\\d+$`), didYouMeanButton(deps)],
    [BROWSE_ACTIONS.sectionSelect, sectionSelect(deps)],
    [BROWSE_ACTIONS.homeSection, homeSection(deps)],
    [new RegExp(`^${BROWSE_ACTIONS.homePage}_(prev|next)$`), homePage(deps)],
    [ASK_ACTION_ID, digestAskButton],
    [new RegExp(`^${TEACH_ACTION}_\\d+$`), teachThisButton(deps)],
    [new RegExp(`^${OWNER_ACTIONS.edit}_\\d+$`), editOwners(deps)],
    [OWNER_ACTIONS.pick, editOwners(deps)],
    [new RegExp(`^${OWNER_ACTIONS.ping}_\\d+$`), pingOwner(deps)],
    [new RegExp(`^${OWNER_ACTIONS.page}_(prev|next)$`), ownersPage(deps)],
  ]);
}
