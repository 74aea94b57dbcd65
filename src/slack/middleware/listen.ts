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
  SlackViewMiddlewareArgs,
  SlashCommand,
  types,
  ViewOutput,
  ViewSubmitAction,
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
  /** The clicker's workspace. */
  teamId?: string;
  /** For opening a modal (views.open), within 3 s of the click. */
  triggerId?: string;
  /** Where the clicked message is (for an ephemeral one, where it was shown) and, in a thread, the thread's ts. */
  channelId?: string;
  threadTs?: string;
  /** Clicked in a view (the Home tab, a modal): there is no response_url to answer through. */
  inView?: boolean;
}

type SlackEvent = types.SlackEvent;

export interface EventRequest<E extends SlackEvent = SlackEvent> {
  event: E;
  /** The workspace the event came from, when Slack says. */
  teamId?: string;
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
      const container = body.container as { type?: string; channel_id?: string; thread_ts?: string } | undefined;
      const message = body.message as { thread_ts?: string } | undefined;
      const teamId = body.team?.id ?? body.user.team_id ?? context.teamId;
      // For an ephemeral message, the conversation it was shown in.
      const channelId = container?.channel_id ?? body.channel?.id;
      const threadTs = container?.thread_ts ?? message?.thread_ts;
      const click: ActionRequest = {
        actionId: action.action_id,
        value: value ?? '',
        userId: body.user.id,
        respond,
        client,
        request,
        ...(teamId ? { teamId } : {}),
        ...(body.trigger_id ? { triggerId: body.trigger_id } : {}),
        ...(channelId ? { channelId } : {}),
        ...(threadTs ? { threadTs } : {}),
        ...(container?.type === 'view' ? { inView: true } : {}),
      };
      afterAck(request, action.action_id, () => handler(click));
    },
  );
}

/** The event types routed, and nothing else (one registration; see listenToActions). */
export function listenToEvents(app: App, handlers: EventHandlers): void {
  const types = Object.keys(handlers);
  app.event(new RegExp(`^(${types.join('|')})$`), async ({ event, body, client, context }) => {
    const handler = handlers[event.type] as Handler<EventRequest> | undefined;
    if (!handler) return;
    const request = servedRequest(context);
    const teamId = context.teamId ?? body.team_id;
    await guarded(request, event.type, () => handler({ event, client, request, ...(teamId ? { teamId } : {}) }));
  });
}

/** A modal's submission, once acked and claimed. */
export interface ViewRequest {
  callbackId: string;
  view: ViewOutput;
  userId: string;
  teamId?: string;
  client: WebClient;
  request: ServedRequest;
}

/** What a submission is acked with at once (e.g. the modal turned into "Saving…"); undefined closes the modal. */
export type ViewAck = { response_action: 'update'; view: types.ModalView } | undefined;

export interface ViewRoute {
  /** Pure and quick: the ack goes out before any work. */
  ack: (view: ViewOutput) => ViewAck;
  /** The work, after the ack; it shows its outcome with views.update on the same view id. */
  handle: Handler<ViewRequest>;
}

/**
 * Every view_submission through one listener, routed by callback_id, acked first like everything else (its answer
 * comes by views.update), then claimed (a replayed submission is not applied twice).
 */
export function listenToViews(app: App, routes: readonly (readonly [string | RegExp, ViewRoute])[]) {
  const byId = (id: string) => routes.find(([key]) => (typeof key === 'string' ? key === id : key.test(id)))?.[1];
  app.view<ViewSubmitAction>(
    { type: 'view_submission' },
    async ({ ack, body, view, client, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
      const r = byId(view.callback_id);
      const response = r?.ack(view);
      await (response ? ack(response) : ack());
      if (!r) return;
      const request = servedRequest(context);
      const teamId = body.team?.id ?? body.user.team_id;
      const submission: ViewRequest = {
        callbackId: view.callback_id,
        view,
        userId: body.user.id,
        ...(teamId ? { teamId } : {}),
        client,
        request,
      };
      afterAck(request, view.callback_id, () => r.handle(submission));
    },
  );
}
