import type { types } from '@slack/bolt';
import { plainText } from './mrkdwn.ts';

export type Block = types.KnownBlock;
export type Button = types.Button;

/** What every message we send is made of: blocks, and the plain `text` Slack shows in notifications. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's limits, kept below the real ones where a margin costs nothing. */
export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  header: 150,
  buttonText: 75,
  optionText: 75,
  fallbackText: 3000,
} as const;

/** `text` must already be escaped mrkdwn; callers build it from escapeMrkdwn/safeText. */
export function section(text: string, blockId?: string): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: text.length > 0 ? text : ' ' },
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: text.length > 0 ? text : ' ' }] };
}

/**
 * For plain_text fields (headers, buttons, options). Slack does not parse mentions there, but angle
 * brackets are swapped for look-alikes anyway, so no text we send ever holds anything shaped like
 * markup, whichever field it lands in and whatever a client does with it.
 */
export function plainLabel(text: string, max: number): string {
  return plainText(text, max).replace(/</g, '‹').replace(/>/g, '›') || ' ';
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: plainLabel(text, LIMITS.header) } };
}

export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: plainLabel(text, LIMITS.buttonText), emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

/** Slack refuses a message with about 13k characters of block text in total (msg_blocks_too_long). */
export const MESSAGE_TEXT_BUDGET = 11_000;

/**
 * Lines of escaped mrkdwn packed into as few section blocks as fit 3000 characters each, never
 * splitting a line (a line longer than a block is already cut by safeText), and stopping at `budget`
 * characters in all; `omitted` says how many lines did not fit.
 */
export function packLines(
  lines: string[],
  options: { max?: number; budget?: number; maxBlocks?: number } = {},
): { blocks: Block[]; omitted: number } {
  const max = options.max ?? 2900;
  const budget = options.budget ?? MESSAGE_TEXT_BUDGET;
  const maxBlocks = options.maxBlocks ?? 40;
  const blocks: Block[] = [];
  let current = '';
  let used = 0;
  let taken = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    const next = current ? `${current}\n${line}` : line;
    if (next.length > max && current) {
      if (blocks.length + 1 >= maxBlocks) break;
      blocks.push(section(current));
      current = line;
    } else {
      current = next;
    }
    used += line.length + 1;
    taken += 1;
  }
  if (current) blocks.push(section(current));
  return { blocks, omitted: lines.length - taken };
}

/** A fallback text within limits; the input must already be escaped. */
export function fallback(text: string): string {
  return text.length <= LIMITS.fallbackText ? text : `${text.slice(0, LIMITS.fallbackText - 1)}…`;
}
