// Whether a channel is public, as conversations.info says: a question asked there may be quoted in digests (what
// anyone in the workspace could read anyway); one asked in a private channel may not. Cached per process; any doubt
// (Slack slow or failing, a shape we do not know) counts as private and is not cached.
import type { WebClient } from '@slack/web-api';
import { withDeadline } from '../deadline.ts';

const TTL_MS = 10 * 60_000;
const TIMEOUT_MS = 1500;
const MAX_CACHED = 2000;

export type PublicChannels = (client: WebClient, channelId: string) => Promise<boolean>;

export function publicChannels(options: { ttlMs?: number; timeoutMs?: number } = {}): PublicChannels {
  const ttlMs = options.ttlMs ?? TTL_MS;
  const cache = new Map<string, { isPublic: boolean; until: number }>();
  return async (client, channelId) => {
    const hit = cache.get(channelId);
    if (hit && hit.until > Date.now()) return hit.isPublic;
    const info = await withDeadline(
      client.conversations.info({ channel: channelId }).catch(() => undefined),
      options.timeoutMs ?? TIMEOUT_MS,
      () => undefined,
    );
    const ch = info?.channel as
      | { is_channel?: boolean; is_private?: boolean; is_im?: boolean; is_mpim?: boolean; is_group?: boolean }
      | undefined;
    if (!ch) return false;
    const isPublic = ch.is_channel === true && ch.is_private !== true && !ch.is_im && !ch.is_mpim && !ch.is_group;
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(channelId, { isPublic, until: Date.now() + ttlMs });
    return isPublic;
  };
}
