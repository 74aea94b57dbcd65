import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { listenToCommand } from '../../middleware/listen.ts';
import { COMMAND, mleDutiesCommand } from './mle-duties.ts';

export function register(app: App, deps: SlackDeps): void {
  listenToCommand(app, COMMAND, mleDutiesCommand(deps));
}
