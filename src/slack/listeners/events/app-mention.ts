import type { KnownEventFromType } from '@slack/bolt';
import { publicChannels } from '../../channels.ts';
import type { SlackDeps } from '../../deps.ts';
import type { EventRequest } from '../../middleware/listen.ts';
import { answerInConversation, isQuestionFromPerson } from './conversation.ts';

/** `@bot question` in a channel: the answer goes in a thread under the question, public like it. */
export function appMention(deps: SlackDeps) {
  // Whether the channel is public decides whether the question may ever be quoted in a digest (not who sees the answer).
  const isPublic = publicChannels();
  return async ({ event, client, request, teamId }: EventRequest<KnownEventFromType<'app_mention'>>): Promise<void> => {
    const message = { ...event, channel: event.channel, ts: event.ts };
    if (!isQuestionFromPerson(message)) return;
    await answerInConversation(deps, client, request, message, {
      surface: 'mention',
      threadTs: event.thread_ts ?? event.ts,
      ...(teamId ? { teamId } : {}),
      inPublic: await isPublic(client, event.channel),
    });
  };
}
