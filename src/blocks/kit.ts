// Block Kit as pure functions: the one message type every feature and the Slack adapter build, Slack's limits, and
// the blocks. Text given to `section`/`context` must already be escaped mrkdwn (see mrkdwn.ts); plain_text fields
// are made safe here.
import type { types } from '@slack/bolt';
import { plainLabel } from './mrkdwn.ts';

export type Block = types.KnownBlock;
export type Button = types.Button;

/** What every message we send is made of: blocks, the plain `text` Slack shows in notifications, and metadata. */
export interface Message {
  text: string;
  blocks: Block[];
  /** Message metadata (the digest finds its own posts by it). */
  metadata?: { event_type: string; event_payload: Record<string, string | number> };
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

/** Slack's limits, and where we keep below them on purpose. */
export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  header: 150,
  buttonText: 75,
  optionText: 75,
  /** Our cap for a message's plain `text` (Slack allows far more; a notification shows little of it). */
  fallbackText: 3000,
  /** Slack refuses a message with about 13k characters of block text in total (msg_blocks_too_long). */
  messageTextBudget: 11_000,
} as const;

export function section(text: string, blockId?: string): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: text.length > 0 ? text : ' ' },
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(text: string, blockId?: string): Block {
  return {
    type: 'context',
    ...(blockId ? { block_id: blockId } : {}),
    elements: [{ type: 'mrkdwn', text: text.length > 0 ? text : ' ' }],
  };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: plainLabel(text, LIMITS.header) } };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function actions(blockId: string, elements: types.ActionsBlockElement[]): Block {
  return { type: 'actions', block_id: blockId, elements };
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

/**
 * Lines of escaped mrkdwn packed into as few section blocks as fit 3000 characters each, never splitting a line (a
 * line longer than a block is already cut by safeText), and stopping at `budget` characters in all; `omitted` says
 * how many lines did not fit.
 */
export function packLines(
  lines: string[],
  options: { max?: number; budget?: number; maxBlocks?: number } = {},
): { blocks: Block[]; omitted: number } {
  const max = options.max ?? 2900;
  const budget = options.budget ?? LIMITS.messageTextBudget;
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

/** One section of already escaped mrkdwn, with the same text as its fallback. */
export function textMessage(text: string): Message {
  return { text: fallback(text), blocks: [section(text)] };
}
