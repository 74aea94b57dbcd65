import type { WebClient } from '@slack/web-api';
import { hashId } from '../../../log.ts';
import type { SlackDeps } from '../../deps.ts';
import { helpMessage } from '../../messages/browse.ts';
import type { ServedRequest } from '../../middleware/serve.ts';
import { followWithSummary, type Reply, replyTo } from '../../reply.ts';
import { parseIntent, stripSlackMarkup } from '../../text.ts';

/** The parts of a message event that decide whether and how we answer it. */
export interface IncomingMessage {
  user?: string;
  text?: string;
  ts: string;
  channel: string;
  thread_ts?: string;
  bot_id?: string;
  subtype?: string;
  edited?: unknown;
}

/** Bots (ourselves included), edits, joins and other system messages are not questions. */
export function isQuestionFromPerson(event: IncomingMessage): event is IncomingMessage & { user: string } {
  return !event.bot_id && !event.subtype && !event.edited && typeof event.user === 'string';
}

/** Answers a mention or a DM in the conversation it came from; `threadTs` puts it under the question. */
export async function answerInConversation(
  deps: SlackDeps,
  client: WebClient,
  request: ServedRequest,
  event: IncomingMessage & { user: string },
  options: { surface: 'mention' | 'dm'; threadTs?: string; inPublic?: boolean; teamId?: string },
): Promise<void> {
  const log = request.log.child({ surface: options.surface, user: hashId(event.user) });
  const intent = parseIntent(stripSlackMarkup(event.text ?? ''));
  // Digests are set up per channel with the slash command; here the question is taken as help.
  const reply: Reply =
    intent.kind === 'digest'
      ? { message: helpMessage((await deps.catalog.current()).name) }
      : await deps.work(() =>
          replyTo(intent, deps, {
            userId: event.user,
            surface: options.surface,
            ...(options.teamId ? { teamId: options.teamId } : {}),
            channelId: event.channel,
            inPublic: options.inPublic === true,
          }),
        );
  request.outcome = reply.outcome;
  const posted = await client.chat.postMessage({
    channel: event.channel,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    ...reply.message,
    unfurl_links: false,
    unfurl_media: false,
  });
  const ts = posted.ts;
  if (!ts) return;
  await followWithSummary(
    deps,
    reply,
    (message) => client.chat.update({ channel: posted.channel ?? event.channel, ts, ...message }),
    log,
  );
}
