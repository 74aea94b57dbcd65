import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Db } from '../../db/db.ts';
import type { Logger } from '../../log.ts';
import { claimEvent, finishEvent, pruneEventReceipts, releaseEvent } from '../event-receipts.ts';

/**
 * Events API deliveries are handled once across every process sharing the database. Bolt has
 * already acked the event (HTTP 200) when this runs, so the claim costs Slack no waiting.
 */
export function dedupeEvents(db: Db, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const eventId =
      (body as { type?: string; event_id?: unknown }).type === 'event_callback'
        ? (body as { event_id?: unknown }).event_id
        : undefined;
    if (typeof eventId !== 'string' || eventId.length === 0) {
      await next();
      return;
    }
    if (!(await claimEvent(db, eventId))) {
      logger.debug('duplicate event delivery ignored', { eventId });
      return;
    }
    try {
      await next();
    } catch (err) {
      await releaseEvent(db, eventId).catch(() => {});
      throw err;
    }
    await finishEvent(db, eventId);
    // Cheap housekeeping spread over deliveries instead of a job of its own.
    if (Math.random() < 0.01) await pruneEventReceipts(db).catch(() => {});
  };
}
