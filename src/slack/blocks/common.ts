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

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: plainText(text, LIMITS.header) || ' ' } };
}

export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: plainText(text, LIMITS.buttonText) || ' ', emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

/**
 * Lines of escaped mrkdwn packed into as few section blocks as fit 3000 characters each, never
 * splitting a line (a line longer than a block is already cut by safeText).
 */
export function packLines(lines: string[], max = 2900): Block[] {
  const blocks: Block[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > max && current) {
      blocks.push(section(current));
      current = line;
    } else {
      current = next;
    }
  }
  if (current) blocks.push(section(current));
  return blocks;
}

/** A fallback text within limits; the input must already be escaped. */
export function fallback(text: string): string {
  return text.length <= LIMITS.fallbackText ? text : `${text.slice(0, LIMITS.fallbackText - 1)}…`;
}
