import type { types } from '@slack/bolt';
import type { SummaryOutcome } from './summarizer.ts';

/**
 * Block Kit for the summary, as pure functions (the only part of summarize/ that knows Slack):
 * the Slack layer posts the answer with `withSummaryHint(blocks)`, asks the summarizer, then
 * replaces the message with `applySummary(blocks, outcome)`.
 */

type KnownBlock = types.KnownBlock;

/** The one block id the hint and the summary share, so the update finds its place. */
export const SUMMARY_BLOCK_ID = 'llm_summary';

export function summarizingBlock(): types.ContextBlock {
  return {
    type: 'context',
    block_id: SUMMARY_BLOCK_ID,
    elements: [{ type: 'mrkdwn', text: ':hourglass_flowing_sand: _Summarizing…_' }],
  };
}

/**
 * The answer's blocks with the hint inserted before the block `beforeBlockId` (e.g. the buttons),
 * or at the end when there is no such block. Called only when `summarizer.enabled`.
 */
export function withSummaryHint(blocks: readonly KnownBlock[], beforeBlockId?: string): KnownBlock[] {
  const out = blocks.filter((b) => b.block_id !== SUMMARY_BLOCK_ID);
  const at = beforeBlockId ? out.findIndex((b) => b.block_id === beforeBlockId) : -1;
  out.splice(at >= 0 ? at : out.length, 0, summarizingBlock());
  return out;
}

/**
 * The summary as a section, or nothing: a skipped or failed summary shows no block and no error,
 * the plain answer stands. `outcome.text` is already escaped mrkdwn; only code adds formatting here.
 */
export function summaryBlocks(outcome: SummaryOutcome): types.SectionBlock[] {
  if (outcome.kind !== 'summary' || outcome.text.length === 0) return [];
  const label = '*Summary* _(written by an AI model from the duties above; check them)_\n';
  // Section text may hold 3000 characters; `toMrkdwn` caps the summary at 2800, escaping included.
  return [{ type: 'section', block_id: SUMMARY_BLOCK_ID, text: { type: 'mrkdwn', text: `${label}${outcome.text}` } }];
}

/** The answer's blocks with the hint replaced by the summary, or removed when there is none. */
export function applySummary(blocks: readonly KnownBlock[], outcome: SummaryOutcome): KnownBlock[] {
  const out: KnownBlock[] = [];
  for (const b of blocks) {
    if (b.block_id === SUMMARY_BLOCK_ID) out.push(...summaryBlocks(outcome));
    else out.push(b);
  }
  return out;
}
