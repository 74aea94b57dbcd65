import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { appMention } from './app-mention.ts';
import { messageIm } from './message-im.ts';

export function register(app: App, deps: SlackDeps): void {
  app.event('app_mention', appMention(deps));
  app.event('message', messageIm(deps));
  app.event('app_home_opened', appHomeOpened(deps));
}
