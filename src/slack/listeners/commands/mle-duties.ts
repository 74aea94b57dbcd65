import { runDigestCommand } from '../../../digest/command.ts';
import { hashId } from '../../../log.ts';
import type { SlackDeps } from '../../deps.ts';
import type { CommandRequest } from '../../middleware/listen.ts';
import { ownersCommand, parseOwnersIntent } from '../../owners.ts';
import { followWithSummary, replyTo } from '../../reply.ts';
import { parseIntent, stripSlackMarkup } from '../../text.ts';
import { runTeaching, teachingIntent } from './teach.ts';

export const COMMAND = '/mle-duties';

/** `/mle-duties …`, once acked: answered privately through response_url. */
export function mleDutiesCommand(deps: SlackDeps) {
  return async ({ command, respond, client, request }: CommandRequest): Promise<void> => {
    const log = request.log.child({ surface: 'command', user: hashId(command.user_id) });
    const teaching = teachingIntent(stripSlackMarkup(command.text ?? ''));
    if (teaching) {
      const who = { teamId: command.team_id, userId: command.user_id };
      await respond({ response_type: 'ephemeral', ...(await deps.work(() => runTeaching(deps, teaching, who))) });
      return;
    }
    // Owners of duties (`owners`, `mine`, `who @…`, `unowned`, `assign`, `history`) read the raw text: its mentions.
    const owners = parseOwnersIntent(command.text ?? '');
    if (owners) {
      const asker = { teamId: command.team_id, userId: command.user_id, log };
      await respond({ response_type: 'ephemeral', ...(await deps.work(() => ownersCommand(deps, owners, asker))) });
      return;
    }
    const intent = parseIntent(stripSlackMarkup(command.text ?? ''));
    if (intent.kind === 'digest') {
      const reply = await runDigestCommand(intent.args, {
        db: deps.db,
        client,
        catalog: deps.catalog,
        ...deps.digests,
        teamId: command.team_id,
        channelId: command.channel_id,
        userId: command.user_id,
        now: deps.now(),
        logger: log,
        keepers: deps.keepers,
        profiles: deps.profiles,
      });
      await respond({ response_type: 'ephemeral', ...reply });
      return;
    }
    const reply = await deps.work(() =>
      replyTo(intent, deps, { userId: command.user_id, surface: 'command', teamId: command.team_id }),
    );
    request.outcome = reply.outcome;
    await respond({ response_type: 'ephemeral', ...reply.message });
    // The ephemeral answer can only be changed through its response_url: replace_original swaps it.
    await followWithSummary(
      deps,
      reply,
      (message) => respond({ response_type: 'ephemeral', replace_original: true, ...message }),
      log,
    );
  };
}
