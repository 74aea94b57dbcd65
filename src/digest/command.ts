// Placeholder owned by the digest feature (issue 5): replaced by the real subcommands.
import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/db.ts';
import type { Logger } from '../log.ts';

export interface DigestCommandContext {
  db: Db;
  client: WebClient;
  teamId?: string;
  channelId: string;
  userId: string;
  now: Date;
  logger: Logger;
}

export interface DigestReply {
  text: string;
  blocks?: unknown[];
}

/** `/mle-duties digest <subscribe|unsubscribe|status|preview> …` */
export async function runDigestCommand(_args: string[], _ctx: DigestCommandContext): Promise<DigestReply> {
  return { text: 'Weekly digests are not available yet.' };
}
