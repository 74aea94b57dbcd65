import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { EVENTS_PATH } from '../../src/slack/http.ts';
import { COMMAND } from '../../src/slack/listeners/commands/mle-duties.ts';

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'data/slack-manifest.json'), 'utf8'));

it('the manifest declares what the app listens to, on the one endpoint, with the least scopes', () => {
  expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
  expect(new Set(manifest.settings.event_subscriptions.bot_events)).toEqual(
    new Set(['app_home_opened', 'app_mention', 'message.im']),
  );
  for (const url of [
    manifest.features.slash_commands[0].url,
    manifest.settings.event_subscriptions.request_url,
    manifest.settings.interactivity.request_url,
  ]) {
    expect(new URL(url).pathname).toBe(EVENTS_PATH);
  }
  // Answers need the first four; digests need to see channel membership (channels/groups:read), the
  // subscriber's time zone (users:read) and their own past posts after a crash (channels/groups:history). Owners of
  // duties need names, time zones and admins (users:read), user groups for the modal (usergroups:read) and e-mails
  // for `owners import` (users:read.email).
  expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
    'app_mentions:read',
    'channels:history',
    'channels:read',
    'chat:write',
    'commands',
    'groups:history',
    'groups:read',
    'im:history',
    'usergroups:read',
    'users:read',
    'users:read.email',
  ]);
  expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  // Interactivity: buttons, pickers and the owners modal (view_submission) come to the same endpoint.
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  // `/mle-duties assign <duty> @alice`: Slack sends mentions as <@U…|name> only with should_escape.
  expect(manifest.features.slash_commands[0].should_escape).toBe(true);
});
