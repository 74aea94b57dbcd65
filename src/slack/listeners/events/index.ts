import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { type Listener, routeBy } from '../route.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { appMention } from './app-mention.ts';
import { messageIm } from './message-im.ts';

type EventArgs = SlackEventMiddlewareArgs & AllMiddlewareArgs;

export function register(app: App, deps: SlackDeps): void {
  const routes = [
    ['app_mention', appMention(deps) as Listener<EventArgs>],
    ['message', messageIm(deps) as Listener<EventArgs>],
    ['app_home_opened', appHomeOpened(deps) as Listener<EventArgs>],
  ] as const;
  const route = routeBy<EventArgs>(routes);
  // One registration for all (see route.ts), matching exactly the types routed.
  app.event(new RegExp(`^(${routes.map(([type]) => type).join('|')})$`), async (args) => {
    await route(args.event.type)?.(args);
  });
}
