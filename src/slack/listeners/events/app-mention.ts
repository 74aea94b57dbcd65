import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { servedRequest } from '../../middleware/serve.ts';
import { answerInConversation, isQuestionFromPerson } from './conversation.ts';

/** `@bot question` in a channel: the answer goes in a thread under the question, public like it. */
export function appMention(deps: SlackDeps) {
  return async ({ event, client, context }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs) => {
    const message = { ...event, channel: event.channel, ts: event.ts };
    if (!isQuestionFromPerson(message)) return;
    await answerInConversation(deps, client, servedRequest(context), message, {
      surface: 'mention',
      threadTs: event.thread_ts ?? event.ts,
    });
  };
}
