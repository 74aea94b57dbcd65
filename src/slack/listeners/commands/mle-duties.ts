import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { runDigestCommand } from '../../../digest/command.ts';
import { hashId } from '../../../log.ts';
import { textMessage } from '../../blocks/browse.ts';
import { fallback } from '../../blocks/common.ts';
import { runWork, type SlackDeps } from '../../deps.ts';
import { type ServedRequest, servedRequest } from '../../middleware/serve.ts';
import { followWithSummary, replyTo, TRY_AGAIN } from '../../reply.ts';
import { parseIntent, stripSlackMarkup } from '../../text.ts';

export const COMMAND = '/mle-duties';

/** `/mle-duties …`: ack at once (Slack gives 3 s), then answer privately through response_url. */
export function mleDutiesCommand(deps: SlackDeps) {
  return async ({ command, ack, respond, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const request = servedRequest(context);
    request.continueAfterAck(() => answer(deps, request, command, respond, client));
  };
}

/** After the ack: claims the request (a replay stops here), then answers privately through response_url. */
async function answer(
  deps: SlackDeps,
  request: ServedRequest,
  command: SlashCommand,
  respond: RespondFn,
  client: WebClient,
): Promise<void> {
  if (!(await request.isFirstDelivery())) return;
  const log = request.log.child({ surface: 'command', user: hashId(command.user_id) });
  try {
    const intent = parseIntent(stripSlackMarkup(command.text ?? ''));
    if (intent.kind === 'digest') {
      const reply = await runDigestCommand(intent.args, {
        db: deps.db,
        client,
        teamId: command.team_id,
        channelId: command.channel_id,
        userId: command.user_id,
        now: deps.now(),
        logger: log,
      });
      // The digest feature owns its wording and its escaping (it may build channel links in code).
      const text = fallback(reply.text);
      await respond({
        response_type: 'ephemeral',
        text,
        ...(reply.blocks ? { blocks: reply.blocks as never } : { blocks: textMessage(text).blocks }),
      });
      return;
    }
    const reply = await runWork(deps, () => replyTo(intent, deps, { userId: command.user_id, surface: 'command' }));
    request.outcome = reply.outcome;
    await respond({ response_type: 'ephemeral', ...reply.message });
    // The ephemeral answer can only be changed through its response_url: replace_original swaps it.
    await followWithSummary(
      deps,
      reply,
      (message) => respond({ response_type: 'ephemeral', replace_original: true, ...message }),
      log,
    );
  } catch (err) {
    log.error('slash command failed', { err });
    await respond({ response_type: 'ephemeral', ...TRY_AGAIN }).catch(() => {});
  }
}
