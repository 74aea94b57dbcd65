// The bot's three Bolt listeners (command, events, actions), each routing by key to a handler, with the request
// policies every handler gets without asking: commands and clicks are acked at once and claimed after the ack (a
// replay is answered once), events were claimed before (see serve.ts); each handler's failure is logged and its asker
// told, the one way; the request stays in flight until its handler is done.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  KnownEventFromType,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlashCommand,
  types,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { isAppError } from '../../errors.ts';
import { routeBy } from './route.ts';
import { BUSY, type ServedRequest, servedRequest, TRY_AGAIN } from './serve.ts';

/** A slash command, once acked and claimed. Bolt's own objects for the request are not kept for the answer. */
export interface CommandRequest {
  command: SlashCommand;
  respond: RespondFn;
  client: WebClient;
  request: ServedRequest;
}

/** A click (button or picker), once acked and claimed. */
export interface ActionRequest {
  actionId: string;
  /** The button's value, or the picked option's. */
  value: string;
  userId: string;
  respond: RespondFn;
  client: WebClient;
  request: ServedRequest;
}

type SlackEvent = types.SlackEvent;

export interface EventRequest<E extends SlackEvent = SlackEvent> {
  event: E;
  client: WebClient;
  request: ServedRequest;
}

export type Handler<R> = (r: R) => Promise<void>;

/** One handler per event type, typed by it. */
export type EventHandlers = { [T in SlackEvent['type']]?: Handler<EventRequest<KnownEventFromType<T>>> };

/**
 * Runs a handler; a failure is logged once (with the request's id) and its asker told to try again; when the answer
 * queue is full (work-queue.ts), told that the bot is busy.
 */
async function guarded(request: ServedRequest, name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const busy = isAppError(err, 'busy');
    if (busy) {
      request.outcome = 'busy';
      request.log.warn('answer refused: too many at once', { handler: name, reason: (err as Error).message });
    } else request.log.error('answer failed', { err, handler: name });
    await request
      .tellAsker?.(busy ? BUSY : TRY_AGAIN)
      .catch((e: unknown) => request.log.warn('could not tell the asker', { err: e }));
  }
}

/** After the ack: a replay stops at the claim; the handler runs as the rest of the request. */
function afterAck(request: ServedRequest, name: string, work: () => Promise<void>): void {
  request.continueAfterAck(async () => {
    if (!(await request.isFirstDelivery())) return;
    await guarded(request, name, work);
  });
}

export function listenToCommand(app: App, name: string, handler: Handler<CommandRequest>): void {
  app.command(
    name,
    async ({ ack, command, respond, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
      await ack();
      const request = servedRequest(context);
      afterAck(request, name, () => handler({ command, respond, client, request }));
    },
  );
}

/**
 * Every block action goes through one listener (Bolt runs every registered listener's chain for every request); the
 * action_id picks the handler, exactly or by pattern. A click nothing handles (a button of an older version) is
 * still acked, so Slack shows the clicker no error.
 */
export function listenToActions(app: App, routes: readonly (readonly [string | RegExp, Handler<ActionRequest>])[]) {
  const route = routeBy(routes);
  app.action<BlockAction>(
    { type: 'block_actions' },
    async ({
      ack,
      action,
      body,
      respond,
      client,
      context,
    }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
      await ack();
      const handler = route(action.action_id);
      if (!handler) return;
      const request = servedRequest(context);
      const value =
        action.type === 'button' ? action.value : action.type === 'static_select' ? action.selected_option?.value : '';
      const click: ActionRequest = {
        actionId: action.action_id,
        value: value ?? '',
        userId: body.user.id,
        respond,
        client,
        request,
      };
      afterAck(request, action.action_id, () => handler(click));
    },
  );
}

/** The event types routed, and nothing else (one registration; see listenToActions). */
export function listenToEvents(app: App, handlers: EventHandlers): void {
  const types = Object.keys(handlers);
  app.event(new RegExp(`^(${types.join('|')})$`), async ({ event, client, context }) => {
    const handler = handlers[event.type] as Handler<EventRequest> | undefined;
    if (!handler) return;
    const request = servedRequest(context);
    await guarded(request, event.type, () => handler({ event, client, request }));
  });
}
