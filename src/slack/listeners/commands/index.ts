import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { COMMAND, mleDutiesCommand } from './mle-duties.ts';

export function register(app: App, deps: SlackDeps): void {
  app.command(COMMAND, mleDutiesCommand(deps));
}
