import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { OWNERS_MODAL } from '../../messages/owners.ts';
import { listenToViews } from '../../middleware/listen.ts';
import { savingView, submitOwnersModal } from '../../owners.ts';

export function register(app: App, deps: SlackDeps): void {
  listenToViews(app, [[OWNERS_MODAL, { ack: savingView, handle: (req) => submitOwnersModal(deps, req) }]]);
}
