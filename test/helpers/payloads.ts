// Slack payloads in tests: clicks as Slack sends them, the round trips of a command or a click through the bot's
// signed endpoint, and reading what the bot sent back (blocks, buttons, anything shaped like markup).
import { expect } from 'vitest';
import type { BotEnv } from './bot.ts';
import { send } from './signer.ts';
import type { RecordedCall, SlackApiStandIn } from './slack-api/server.ts';

let counter = 0;
export const uniqueId = (prefix: string) => `${prefix}${++counter}${Date.now().toString(36)}`;

/** Waits for the response_url post with this id (the answer of one command or click). */
export async function responseFor(slack: SlackApiStandIn, id: string, timeoutMs = 5000): Promise<RecordedCall> {
  const started = Date.now();
  for (;;) {
    const call = slack.calls.find((c) => c.method === 'response_url' && c.responseUrlId === id);
    if (call) return call;
    if (Date.now() - started > timeoutMs) throw new Error(`no response_url post for ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function command(env: BotEnv, text: string, user = 'U0ASKER1'): Promise<RecordedCall> {
  const id = uniqueId('cmd');
  const res = await send(
    env.bot.url,
    env.bot.signer.command({ text, user_id: user, response_url: env.slack.responseUrl(id) }),
  );
  expect(res.status).toBe(200);
  const call = await responseFor(env.slack, id);
  expect(call.status, JSON.stringify(call.response)).toBe(200);
  return call;
}

export interface Element {
  type: string;
  action_id?: string;
  value?: string;
  text?: { text: string };
  options?: { value: string }[];
}
export interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Element[];
}

export function blocksOf(call: RecordedCall): Block[] {
  const body = call.body as { blocks?: Block[]; view?: { blocks?: Block[] } };
  return body.blocks ?? body.view?.blocks ?? [];
}

export function buttons(call: RecordedCall): Element[] {
  return blocksOf(call).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
}

export function button(call: RecordedCall, actionId: string | RegExp): Element {
  const found = buttons(call).find((e) =>
    typeof actionId === 'string' ? e.action_id === actionId : actionId.test(e.action_id ?? ''),
  );
  if (!found) throw new Error(`no button ${actionId} in ${JSON.stringify(blocksOf(call))}`);
  return found;
}

export function allText(call: RecordedCall): string {
  return JSON.stringify(call.body);
}

/** Clicks a button (block_actions through the real endpoint) and returns the response_url post it caused. */
export async function click(
  env: BotEnv,
  element: Element,
  options: { user?: string; waitForResponse?: boolean; container?: Record<string, unknown> } = {},
): Promise<RecordedCall | undefined> {
  const id = uniqueId('act');
  const payload = blockAction(element, {
    user: options.user ?? 'U0ASKER1',
    responseUrl: env.slack.responseUrl(id),
    ...(options.container ? { container: options.container } : {}),
  });
  const res = await send(env.bot.url, env.bot.signer.action(payload));
  expect(res.status).toBe(200);
  if (options.waitForResponse === false) return undefined;
  return responseFor(env.slack, id);
}

export function blockAction(
  element: Element,
  options: { user: string; responseUrl?: string; container?: Record<string, unknown>; selected?: string },
): Record<string, unknown> {
  const action: Record<string, unknown> = {
    type: element.type,
    action_id: element.action_id,
    block_id: 'b1',
    action_ts: `${Date.now() / 1000}`,
  };
  if (element.type === 'button') action.value = element.value;
  if (element.type === 'static_select') action.selected_option = { value: options.selected ?? '1', text: {} };
  return {
    type: 'block_actions',
    user: { id: options.user, username: 'asker', team_id: 'T0TEST01' },
    api_app_id: 'A0TEST01',
    team: { id: 'T0TEST01', domain: 'test' },
    container: options.container ?? {
      type: 'message',
      message_ts: '1.000001',
      channel_id: 'C0GENERAL',
      is_ephemeral: true,
    },
    channel: { id: 'C0GENERAL', name: 'general' },
    trigger_id: `${Date.now()}.trigger`,
    ...(options.responseUrl ? { response_url: options.responseUrl } : {}),
    actions: [action],
  };
}

/**
 * Every `<…>` sequence in every string of every recorded body: only mentions our code built on
 * purpose (of the user ids listed) may appear; anything else would ping, link or leak markup.
 */
export function unescapedMarkup(calls: RecordedCall[], allowedUsers: string[] = []): string[] {
  const allowed = new Set(allowedUsers.map((u) => `<@${u}>`));
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.match(/<[^>]*>?/g) ?? []) if (!allowed.has(m)) found.push(m);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const c of calls) {
    visit(c.body);
    if (c.body.link_names !== undefined && c.body.link_names !== false && c.body.link_names !== 'false') {
      found.push(`link_names=${String(c.body.link_names)}`);
    }
    if (c.body.parse === 'full') found.push('parse=full');
  }
  return found;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
