// Asking the bot as people do, through its signed endpoint: an @mention in a channel, a DM, the slash command. Each
// returns the bot's answer as the stand-in recorded it (chat.postMessage for mentions and DMs, response_url for the
// command).
import { expect } from 'vitest';
import type { BotEnv } from './bot.ts';
import { responseFor, uniqueId, waitUntil } from './payloads.ts';
import { send } from './signer.ts';
import type { RecordedCall } from './slack-api/server.ts';

let ts = 1_800_000_000;

async function deliver(env: BotEnv, event: Record<string, unknown>): Promise<RecordedCall> {
  const res = await send(env.bot.url, env.bot.signer.event(event, { eventId: uniqueId('Ev') }));
  expect(res.status).toBe(200);
  let posted: RecordedCall | undefined;
  await waitUntil(() => {
    posted = env.slack.calls.find(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === event.channel &&
        (c.body.thread_ts === event.ts || c.body.thread_ts === event.thread_ts),
    );
    return posted !== undefined;
  });
  return posted as RecordedCall;
}

/** `@mle-duties <text>` in a channel: the answer posted in a thread under it. */
export function askInChannel(env: BotEnv, text: string, user: string, channel = 'C0GENERAL'): Promise<RecordedCall> {
  const at = `${++ts}.000100`;
  return deliver(env, {
    type: 'app_mention',
    user,
    text: `<@UBOT0001> ${text}`,
    ts: at,
    channel,
    event_ts: at,
  });
}

/** A direct message to the bot: the answer posted in the DM (in a thread under the question). */
export function askInDm(env: BotEnv, text: string, user: string): Promise<RecordedCall> {
  const at = `${++ts}.000100`;
  return deliver(env, {
    type: 'message',
    channel_type: 'im',
    channel: `D${user.slice(1)}`,
    user,
    text,
    ts: at,
    thread_ts: at,
    event_ts: at,
  });
}

/** `/mle-duties <text>` typed in a channel: the private answer, through response_url. */
export async function askByCommand(
  env: BotEnv,
  text: string,
  user: string,
  channel = 'C0GENERAL',
): Promise<RecordedCall> {
  const id = uniqueId('cmd');
  const res = await send(
    env.bot.url,
    env.bot.signer.command({ text, user_id: user, channel_id: channel, response_url: env.slack.responseUrl(id) }),
  );
  expect(res.status).toBe(200);
  return responseFor(env.slack, id);
}
