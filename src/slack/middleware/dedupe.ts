import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import type { Db } from '../../db/db.ts';
import type { Logger } from '../../log.ts';
import { claimEvent, finishEvent, pruneEventReceipts, releaseEvent } from '../event-receipts.ts';

/** Set by the HTTP receiver: a request's signature identifies it, so the same signature twice is a replay. */
export const SIGNATURE_KEY = 'requestSignature';
const FIRST_DELIVERY_KEY = 'firstDelivery';

/**
 * Each Slack request is handled once across every process sharing the database.
 *
 * Events API deliveries are claimed by event_id; Bolt has already acked them (HTTP 200) when this
 * runs, so the claim costs Slack no waiting. Commands and button clicks must be acked by their
 * listener first, so their claim (by request signature: a replayed request carries the same one)
 * is made when the listener calls `isFirstDelivery(context)` after its ack.
 */
export function dedupeRequests(db: Db, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const b = body as { type?: string; event_id?: unknown };
    const key =
      b.type === 'event_callback'
        ? typeof b.event_id === 'string' && b.event_id.length > 0
          ? b.event_id
          : undefined
        : typeof context[SIGNATURE_KEY] === 'string'
          ? `sig:${context[SIGNATURE_KEY]}`
          : undefined;
    if (!key) {
      await next();
      return;
    }
    if (b.type !== 'event_callback') {
      // Claimed only when the listener asks, after its ack: no query may run ahead of an ack.
      let claim: Promise<boolean> | undefined;
      context[FIRST_DELIVERY_KEY] = () => {
        // Marked done at once: a replay is refused whether or not the first one finished.
        claim ??= claimEvent(db, key, { done: true }).catch((err) => {
          // The database is down: answering twice beats not answering.
          logger.warn('request claim failed', { err });
          return true;
        });
        return claim;
      };
      await next();
      return;
    }
    if (!(await claimEvent(db, key))) {
      logger.debug('duplicate event delivery ignored', { eventId: key });
      return;
    }
    try {
      await next();
    } catch (err) {
      await releaseEvent(db, key).catch(() => {});
      throw err;
    }
    await finishEvent(db, key);
    // Cheap housekeeping spread over deliveries instead of a job of its own.
    if (Math.random() < 0.01) await pruneEventReceipts(db).catch(() => {});
  };
}

/** For listeners that ack first: false when this very request was already handled (a replay). */
export async function isFirstDelivery(context: Context): Promise<boolean> {
  const claim = context[FIRST_DELIVERY_KEY] as (() => Promise<boolean>) | undefined;
  return claim ? claim() : true;
}
