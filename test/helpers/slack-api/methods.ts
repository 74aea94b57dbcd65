// The Web API methods the stand-in answers, over the state the server keeps (messages posted, users, channels).
import { LIMITS, validateBlocks } from './block-kit.ts';
import type { StoredMessage } from './server.ts';

export interface WebApiState {
  stored: Map<string, StoredMessage[]>;
  users: Map<string, Record<string, unknown>>;
  /** User groups usergroups.list answers with ({ id, handle, name }). */
  usergroups: Map<string, Record<string, unknown>>;
  conversations: Map<string, Record<string, unknown>>;
  botUserId: string;
  botId: string;
  teamId: string;
  nextTs: () => string;
}

/**
 * auth.test, chat.postMessage, chat.postEphemeral, chat.update, views.publish, views.open, views.update (modals),
 * users.info, users.lookupByEmail, usergroups.list, conversations.info,
 * conversations.history (messages posted here, with `metadata` when include_all_metadata is set); any other method
 * answers {ok:false,error:'unknown_method'}.
 */
export function webApiMethods(state: WebApiState) {
  const { stored, users, usergroups, conversations, botUserId, botId, teamId, nextTs } = state;
  return (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'mle-duties',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage':
      case 'chat.postEphemeral':
      case 'chat.update': {
        const channel = String(body.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const blocks = body.blocks as unknown[] | undefined;
        if (!body.text && !blocks && !body.attachments) return { ok: false, error: 'no_text' };
        if (typeof body.text === 'string' && body.text.length > 40_000) return { ok: false, error: 'msg_too_long' };
        const invalid = blocks ? validateBlocks(blocks, LIMITS.messageBlocks) : undefined;
        if (invalid) return invalid;
        if (method === 'chat.postEphemeral') {
          if (!body.user) return { ok: false, error: 'user_not_in_channel' };
          return { ok: true, message_ts: nextTs() };
        }
        if (method === 'chat.update') {
          const msg = (stored.get(channel) ?? []).find((m) => m.ts === body.ts);
          if (!msg) return { ok: false, error: 'message_not_found' };
          msg.text = body.text as string | undefined;
          msg.blocks = blocks;
          return { ok: true, channel, ts: msg.ts, text: msg.text };
        }
        const msg: StoredMessage = {
          type: 'message',
          ts: nextTs(),
          channel,
          text: body.text as string | undefined,
          blocks,
          thread_ts: body.thread_ts as string | undefined,
          metadata: body.metadata,
          user: botUserId,
          bot_id: botId,
        };
        const list = stored.get(channel) ?? [];
        list.push(msg);
        stored.set(channel, list);
        return { ok: true, channel, ts: msg.ts, message: msg };
      }
      case 'views.publish': {
        const view = body.view as { type?: string; blocks?: unknown[] } | undefined;
        if (!body.user_id) return { ok: false, error: 'invalid_arguments' };
        if (view?.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        const invalid = validateBlocks(view.blocks, LIMITS.homeBlocks, false);
        if (invalid) return invalid;
        return { ok: true, view: { id: 'V0001', ...view } };
      }
      case 'views.open':
      case 'views.update': {
        const view = body.view as
          | {
              type?: string;
              blocks?: unknown[];
              title?: { text?: string };
              private_metadata?: string;
              callback_id?: string;
            }
          | undefined;
        if (method === 'views.open' && !body.trigger_id) return { ok: false, error: 'invalid_arguments' };
        if (method === 'views.update' && !body.view_id && !body.external_id)
          return { ok: false, error: 'invalid_arguments' };
        if (view?.type !== 'modal' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        const title = view.title?.text ?? '';
        if (title.length === 0 || title.length > 24)
          return { ok: false, error: 'invalid_arguments', errors: ['title'] };
        if ((view.private_metadata ?? '').length > 3000) return { ok: false, error: 'invalid_arguments' };
        const invalid = validateBlocks(view.blocks, LIMITS.homeBlocks, false);
        if (invalid) return invalid;
        return { ok: true, view: { id: (body.view_id as string | undefined) ?? 'VMODAL01', ...view } };
      }
      case 'usergroups.list':
        return { ok: true, usergroups: [...usergroups.values()] };
      case 'users.lookupByEmail': {
        const email = String(body.email ?? '').toLowerCase();
        const user = [...users.values()].find(
          (u) => String((u.profile as { email?: string } | undefined)?.email ?? '').toLowerCase() === email,
        );
        return user ? { ok: true, user } : { ok: false, error: 'users_not_found' };
      }
      case 'users.info': {
        const id = String(body.user ?? '');
        if (!id) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: users.get(id) ?? { id, name: `user-${id.toLowerCase()}`, tz: 'Europe/London', is_bot: false },
        };
      }
      case 'conversations.info': {
        const id = String(body.channel ?? '');
        if (!id) return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: conversations.get(id) ?? {
            id,
            name: `channel-${id.toLowerCase()}`,
            is_channel: true,
            is_im: id.startsWith('D'),
            is_archived: false,
            is_member: true,
          },
        };
      }
      case 'conversations.history': {
        const channel = String(body.channel ?? '');
        const oldest = body.oldest !== undefined ? Number(body.oldest) : Number.NEGATIVE_INFINITY;
        const latest = body.latest !== undefined ? Number(body.latest) : Number.POSITIVE_INFINITY;
        const limit = body.limit !== undefined ? Number(body.limit) : 100;
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const messages = (stored.get(channel) ?? [])
          .filter((m) => Number(m.ts) > oldest && Number(m.ts) <= latest)
          .reverse()
          .slice(0, limit)
          .map(({ metadata, channel: _c, ...m }) => (withMeta && metadata ? { ...m, metadata } : m));
        return { ok: true, messages, has_more: false };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };
}
