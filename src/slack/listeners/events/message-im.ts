import type { KnownEventFromType } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import type { EventRequest } from '../../middleware/listen.ts';
import { answerInConversation, type IncomingMessage, isQuestionFromPerson } from './conversation.ts';

/** A direct message to the bot: answered in the DM. Channel messages arrive as mentions instead. */
export function messageIm(deps: SlackDeps) {
  return async ({ event, client, request, teamId }: EventRequest<KnownEventFromType<'message'>>): Promise<void> => {
    if (event.channel_type !== 'im') return;
    const message = event as unknown as IncomingMessage;
    if (!isQuestionFromPerson(message)) return;
    // A reply inside a DM thread stays in that thread.
    await answerInConversation(deps, client, request, message, {
      surface: 'dm',
      threadTs: message.thread_ts,
      ...(teamId ? { teamId } : {}),
    });
  };
}
