import type { Db } from '../db/db.ts';
import type { Logger } from '../log.ts';
import type { LlmConfig } from './llm-error.ts';
import { createSummarizer, type Summarizer, type SummaryOutcome } from './summarizer.ts';

/** What `ask --summarize` prints when no LLM is configured (once, on stderr, so --json output stays clean). */
export const SUMMARIES_OFF =
  'Summaries are off: set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible server); see "LLM summaries" in README.md.';

// The CLI is one person at a terminal: one user key for the per-user cap.
export const CLI_USER_KEY = 'cli';

export function createCliSummarizer(db: Db, llm: LlmConfig | undefined, logger: Logger): Summarizer {
  return createSummarizer({ db, llm, logger });
}

/** Lines under the matches: the summary, or why there is none (the CLI is for people checking, so it says). */
export function summaryTextLines(outcome: SummaryOutcome): string[] {
  switch (outcome.kind) {
    case 'summary':
      return [`   Summary${outcome.cached ? ' (cached)' : ''}: ${outcome.plain}`];
    case 'skipped':
      return outcome.reason === 'no_matches' || outcome.reason === 'disabled'
        ? []
        : [`   Summary: none (${outcome.reason.replace('_', ' ')})`];
    case 'failed':
      return [`   Summary: none (${outcome.reason.replace('_', ' ')}; the answer above stands)`];
  }
}

/** The "summary" field of `ask --json`: plain text (not mrkdwn), or the reason there is none. */
export function summaryJson(outcome: SummaryOutcome): Record<string, unknown> {
  return outcome.kind === 'summary'
    ? { kind: 'summary', text: outcome.plain, cached: outcome.cached }
    : { kind: outcome.kind, reason: outcome.reason };
}
