import type { SummaryOutcome } from './summarizer.ts';

/**
 * Block Kit for the summary, as pure functions: the Slack layer posts the answer with
 * `summarizingBlock()` where the summary will go, then replaces the message with
 * `applySummary(blocks, outcome)` once the summarizer answers.
 */

/** The one block id the hint and the summary share, so the update can find its place. */
export const SUMMARY_BLOCK_ID = 'llm_summary';

/** Minimal structural type: this module must not depend on the Slack SDK. */
export interface Block {
  type: string;
  block_id?: string;
  [field: string]: unknown;
}

export function summarizingBlock(): Block {
  return {
    type: 'context',
    block_id: SUMMARY_BLOCK_ID,
    elements: [{ type: 'mrkdwn', text: ':hourglass_flowing_sand: _Summarizing…_' }],
  };
}

/**
 * The summary as a section, or nothing: a skipped or failed summary shows no block and no error,
 * the plain answer stands. `outcome.text` is already escaped mrkdwn; only code adds formatting here.
 */
export function summaryBlocks(outcome: SummaryOutcome): Block[] {
  if (outcome.kind !== 'summary' || outcome.text.length === 0) return [];
  const label = '*Summary* _(written by an AI model from the numbered duties; check them)_\n';
  // Section text may hold 3000 characters; `toMrkdwn` caps the summary at 2800, escaping included.
  return [{ type: 'section', block_id: SUMMARY_BLOCK_ID, text: { type: 'mrkdwn', text: `${label}${outcome.text}` } }];
}

/**
 * The answer's blocks with the hint replaced by the summary, or removed when there is none.
 * Blocks without the hint are returned unchanged plus nothing: an update never duplicates it.
 */
export function applySummary(blocks: readonly Block[], outcome: SummaryOutcome): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.block_id === SUMMARY_BLOCK_ID) out.push(...summaryBlocks(outcome));
    else out.push(b);
  }
  return out;
}

/** Plain-text fallback for notifications and screen readers (`text` of chat.update). */
export function summaryFallbackText(outcome: SummaryOutcome): string | undefined {
  return outcome.kind === 'summary' ? `Summary: ${outcome.text}` : undefined;
}
