import type { AnyMiddlewareArgs, Context, Middleware, RespondFn, SayFn } from '@slack/bolt';
import { type Message, textMessage } from '../../blocks/kit.ts';
import type { Db } from '../../db/db.ts';
import { countingErrors, type Logger } from '../../log.ts';
import type { MetricsRegistry, RequestOutcome, RequestSurface } from '../../ops/metrics.ts';
import { newRequestId, surfaceOf } from '../../ops/requests.ts';
import { claimEvent, finishEvent, releaseEvent } from '../event-receipts.ts';

/**
 * Set by the receiver: what identifies a request, so the same value twice is a replay (HTTP: its signature; Socket
 * Mode: its envelope id).
 */
export const DELIVERY_KEY = 'deliveryKey';
const REQUEST_KEY = 'servedRequest';

/** One Slack request while it is served, handed to its listener on Bolt's context (see `servedRequest`). */
export interface ServedRequest {
  readonly surface: RequestSurface;
  /** Every line carries a request id of its own; an error line marks the request as failed in the metrics. */
  readonly log: Logger;
  /** How it ended, when its listener knows better than `ok` (answered, not_covered). */
  outcome?: RequestOutcome;
  /**
   * Commands and clicks: false when this very request was handled already (a replay). Asked after the ack (see
   * listen.ts): the claim is a query, and no query may run ahead of an ack. Events were claimed before their listener
   * ran.
   */
  isFirstDelivery(): Promise<boolean>;
  /**
   * Tells the person who asked, where they asked (the command's or click's response_url, the mention's thread, the
   * DM); undefined where nobody waits for an answer (the Home tab).
   */
  readonly tellAsker: ((message: Message) => Promise<unknown>) | undefined;
  /**
   * Commands and clicks, once acked: runs `work` (the answer) as the rest of this request, and lets the listener
   * return at once. The answer waits for its turn in the work queue, and Bolt's objects for this request (the HTTP request and
   * response among them) need not wait with it: freed young, they cost the acks of a burst no garbage collection.
   * The request is in flight, and counted, until `work` ends.
   */
  continueAfterAck(work: () => Promise<void>): void;
}

/** The request a listener is serving (put on its context by `serveRequests`). */
export function servedRequest(context: Context): ServedRequest {
  const request = context[REQUEST_KEY] as ServedRequest | undefined;
  // A wiring bug, not a condition to handle: every listener runs behind serveRequests.
  if (!request) throw new Error('servedRequest: the listener ran outside serveRequests');
  return request;
}

/** A request still being served, for a clean shutdown. */
export interface InFlight {
  surface: RequestSurface;
  /** Where to tell the asker this request will not be answered (shutdown). */
  tellAsker: ServedRequest['tellAsker'];
  /** Counted by shutdown as interrupted, so not again when it ends. */
  interrupted?: boolean;
}

export const RESTARTING_TEXT = 'Sorry, I am restarting and could not finish this answer. Please ask again in a moment.';
/** What an asker is told when shutdown outran their answer. */
export const RESTARTING: Message = textMessage(RESTARTING_TEXT);
/** What an asker is told when too many answers are under way or waiting (work-queue.ts). */
export const BUSY_TEXT = 'Sorry, I am busy answering a lot of questions right now. Please try again in a moment.';
export const BUSY: Message = textMessage(BUSY_TEXT);
/** What an asker is told when their request failed, wherever they asked. */
export const TRY_AGAIN: Message = textMessage(
  'Sorry, something went wrong while answering. Please try again in a moment.',
);

/**
 * The bot's one global middleware (Bolt runs each global middleware for every request, acks included, so there is
 * one): gives the request an id and a logger, makes sure each request is handled once across every process sharing
 * the database, keeps it in `inFlight` until its listener is done, and counts how it ended.
 *
 * Events API deliveries are claimed by event_id before their listener runs: Bolt acked them already, so the claim
 * costs Slack no waiting. Commands and clicks are claimed by request signature (a replay carries the same one) when
 * their listener asks, after its ack.
 *
 * The request travels on Bolt's context rather than in async context: Node 20's AsyncLocalStorage puts a hook on
 * every promise of the process once used, which cost the acks measurably under load (see the Slack bench).
 */
export function serveRequests(options: {
  db: Db;
  logger: Logger;
  metrics: MetricsRegistry;
  inFlight: Map<Promise<void>, InFlight>;
}): Middleware<AnyMiddlewareArgs> {
  const { db, logger, metrics, inFlight } = options;
  return async (args) => {
    const { body, context, next } = args;
    const started = performance.now();
    const surface = surfaceOf(body);
    let errors = 0;
    let log: Logger | undefined;
    let claim: Promise<boolean> | undefined;
    let afterAck: Promise<void> | undefined;
    const b = body as { type?: string; event_id?: unknown };
    const isEvent = b.type === 'event_callback';
    const key = isEvent
      ? typeof b.event_id === 'string' && b.event_id.length > 0
        ? b.event_id
        : undefined
      : typeof context[DELIVERY_KEY] === 'string'
        ? `sig:${context[DELIVERY_KEY]}`
        : undefined;
    const tellAsker = tellAskerFor(surface, args);
    const request: ServedRequest = {
      surface,
      tellAsker,
      // Made on first use, id included: most requests log nothing.
      get log() {
        log ??= countingErrors(logger.child({ requestId: newRequestId() }), () => {
          errors += 1;
        });
        return log;
      },
      isFirstDelivery() {
        if (isEvent || !key) return Promise.resolve(true);
        // Marked done at once: a replay is refused whether or not the first one finished.
        claim ??= claimEvent(db, key, { done: true }).then(
          (first) => {
            if (!first) request.outcome = 'duplicate';
            return first;
          },
          (err) => {
            // The database is down: answering twice beats not answering.
            request.log.warn('request claim failed', { err });
            return true;
          },
        );
        return claim;
      },
      continueAfterAck(work) {
        afterAck = work().catch((err: unknown) => {
          // Bolt no longer waits for this work, so its error handler will not see this.
          request.log.error('answer failed after its ack', { err });
        });
      },
    };
    context[REQUEST_KEY] = request;

    const entry: InFlight = { surface, tellAsker };
    // No closure made here may refer to `next` or `args`: closures of one scope share its variables, and one kept
    // by the answer would keep every object of Bolt's for this request alive with it.
    const listeners = isEvent ? serveEvent(db, key, request, next, () => afterAck) : next();
    // Done once the listeners and what they continued after the ack are; a listener's throw stays the outcome.
    const done = listeners.finally(() => afterAck);
    inFlight.set(done, entry);
    const finish = (threw: boolean) => {
      inFlight.delete(done);
      // A request still running when shutdown gave up on it was counted there.
      if (entry.interrupted) return;
      metrics.request(surface, threw || errors > 0 ? 'error' : (request.outcome ?? 'ok'));
      metrics.answer(surface, (performance.now() - started) / 1000);
    };
    done.then(
      () => finish(false),
      () => finish(true),
    );
    // Bolt's error handler sees what the listeners threw; what continues after the ack is not awaited here.
    await listeners;
  };
}

/**
 * Runs an event's listeners, and what they continue after the ack, only if no process has claimed the event (by
 * `eventId`); marks it handled after, or releases it for Slack's retry when they fail.
 */
async function serveEvent(
  db: Db,
  eventId: string | undefined,
  request: ServedRequest,
  next: () => Promise<void>,
  afterAck: () => Promise<void> | undefined,
): Promise<void> {
  let claimed = false;
  if (eventId) {
    try {
      claimed = await claimEvent(db, eventId);
      if (!claimed) {
        request.outcome = 'duplicate';
        request.log.debug('duplicate event delivery ignored', { eventId });
        return;
      }
    } catch (err) {
      // The database is down: Bolt has acked, so Slack will not retry; answering twice beats not answering.
      request.log.warn('event claim failed; answering anyway', { err });
    }
  }
  try {
    await next();
    await afterAck();
  } catch (err) {
    if (claimed) await releaseEvent(db, eventId as string).catch(() => {});
    throw err;
  }
  if (!claimed) return;
  await finishEvent(db, eventId as string);
}

/** Where a request's asker is told: its response_url (commands, buttons), or the mention's thread / DM. */
function tellAskerFor(
  surface: RequestSurface,
  args: { body: unknown; respond?: RespondFn; say?: SayFn },
): ServedRequest['tellAsker'] {
  if ((surface === 'command' || surface === 'action') && args.respond) {
    const respond = args.respond;
    return (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message });
  }
  if ((surface === 'mention' || surface === 'dm') && args.say) {
    const say = args.say;
    const event = (args.body as { event?: { ts?: string; thread_ts?: string } }).event;
    const threadTs = surface === 'mention' ? (event?.thread_ts ?? event?.ts) : event?.thread_ts;
    return (message) => say({ ...message, ...(threadTs ? { thread_ts: threadTs } : {}) });
  }
  return undefined;
}
