import type { KnownEventFromType } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import type { EventRequest } from '../../middleware/listen.ts';
import { answerInConversation, isQuestionFromPerson } from './conversation.ts';

/** `@bot question` in a channel: the answer goes in a thread under the question, public like it. */
export function appMention(deps: SlackDeps) {
  return async ({ event, client, request, teamId }: EventRequest<KnownEventFromType<'app_mention'>>): Promise<void> => {
    const message = { ...event, channel: event.channel, ts: event.ts };
    if (!isQuestionFromPerson(message)) return;
    await answerInConversation(deps, client, request, message, {
      surface: 'mention',
      threadTs: event.thread_ts ?? event.ts,
      teamId,
    });
  };
}
