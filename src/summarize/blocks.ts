import { type Block, context, section } from '../blocks/kit.ts';
import type { SummaryOutcome } from './summarizer.ts';

/**
 * Block Kit for the summary, as pure functions (the only part of summarize/ that knows Slack):
 * the Slack layer posts the answer with `withSummaryHint(blocks)`, asks the summarizer, then
 * replaces the message with `applySummary(blocks, outcome)`.
 */

/** The one block id the hint and the summary share, so the update finds its place. */
export const SUMMARY_BLOCK_ID = 'llm_summary';

export function summarizingBlock(): Block {
  return context(':hourglass_flowing_sand: _Summarizing…_', SUMMARY_BLOCK_ID);
}

/**
 * The answer's blocks with the hint inserted before the block `beforeBlockId` (e.g. the buttons),
 * or at the end when there is no such block. Called only when `summarizer.enabled`.
 */
export function withSummaryHint(blocks: readonly Block[], beforeBlockId?: string): Block[] {
  const out = blocks.filter((b) => b.block_id !== SUMMARY_BLOCK_ID);
  const at = beforeBlockId ? out.findIndex((b) => b.block_id === beforeBlockId) : -1;
  out.splice(at >= 0 ? at : out.length, 0, summarizingBlock());
  return out;
}

/**
 * The summary as a section, or nothing: a skipped or failed summary shows no block and no error,
 * the plain answer stands. `outcome.text` is already escaped mrkdwn; only code adds formatting here.
 */
export function summaryBlocks(outcome: SummaryOutcome): Block[] {
  if (outcome.kind !== 'summary' || outcome.text.length === 0) return [];
  const label = '*Summary* _(written by an AI model from the duties above; check them)_\n';
  // Section text may hold 3000 characters; `toMrkdwn` caps the summary at 2800, escaping included.
  return [section(`${label}${outcome.text}`, SUMMARY_BLOCK_ID)];
}

/** The answer's blocks with the hint replaced by the summary, or removed when there is none. */
export function applySummary(blocks: readonly Block[], outcome: SummaryOutcome): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.block_id === SUMMARY_BLOCK_ID) out.push(...summaryBlocks(outcome));
    else out.push(b);
  }
  return out;
}
