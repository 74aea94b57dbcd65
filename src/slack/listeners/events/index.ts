import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { publishHome } from '../../home.ts';
import { listenToEvents } from '../../middleware/listen.ts';
import { appMention } from './app-mention.ts';
import { messageIm } from './message-im.ts';

export function register(app: App, deps: SlackDeps): void {
  listenToEvents(app, {
    app_mention: appMention(deps),
    message: messageIm(deps),
    // The Home tab, opened: the whole role, section by section.
    app_home_opened: async ({ event, client, teamId }) => {
      if (event.tab === 'home') await publishHome(deps, client, event.user, undefined, 0, teamId);
    },
  });
}
