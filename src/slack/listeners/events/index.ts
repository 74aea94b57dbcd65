import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { type Listener, routeBy } from '../route.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { appMention } from './app-mention.ts';
import { messageIm } from './message-im.ts';

type EventArgs = SlackEventMiddlewareArgs & AllMiddlewareArgs;

export function register(app: App, deps: SlackDeps): void {
  const route = routeBy<EventArgs>([
    ['app_mention', appMention(deps) as Listener<EventArgs>],
    ['message', messageIm(deps) as Listener<EventArgs>],
    ['app_home_opened', appHomeOpened(deps) as Listener<EventArgs>],
  ]);
  // One registration for all (see route.ts); Slack sends only the events the manifest subscribes to.
  app.event(/^(app_mention|message|app_home_opened)$/, async (args) => {
    await route(args.event.type)?.(args);
  });
}
