import { createInterface } from 'node:readline';
import { isAppError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { createSearch } from '../runtime.ts';
import type { Match, SearchResult } from '../search/engine.ts';
import { MAX_QUESTION_LENGTH, normalizeText } from '../search/text.ts';
import { type Command, type Io, parseOptions, UsageRequested, wholeNumber } from './command.ts';

interface AskArgs {
  json: boolean;
  limit: number;
  summarize: boolean;
  question: string[];
}

function parseAskArgs(args: string[]): AskArgs {
  const { values, positionals } = parseOptions(
    args,
    { json: { type: 'boolean' }, summarize: { type: 'boolean' }, limit: { type: 'string' } },
    true,
  );
  return {
    json: values.json ?? false,
    summarize: values.summarize ?? false,
    limit: wholeNumber(values.limit, 'limit', 1, 50, 5),
    question: positionals,
  };
}

/** `summary` is the summary already rendered for JSON (see src/summarize/cli.ts). */
function formatJson(result: SearchResult, summary?: unknown): string {
  return JSON.stringify({
    question: result.question,
    matches: result.matches.map(jsonMatch),
    ...(result.matches.length === 0 && result.nearMisses.length > 0
      ? { nearMisses: result.nearMisses.map(jsonMatch) }
      : {}),
    ...(summary !== undefined ? { summary } : {}),
  });
}

function jsonMatch(m: Match) {
  return {
    id: m.id,
    section: m.section,
    sectionTitle: m.sectionTitle,
    title: m.title,
    description: m.description,
    score: m.score,
    why: m.why,
  };
}

function formatText(result: SearchResult): string {
  const lines = [`Q: ${result.question}`];
  if (result.matches.length === 0) {
    lines.push('  No confident match: the Machine Learning Engineer role as written does not cover this.');
    if (result.nearMisses.length > 0) {
      lines.push(`  Did you mean: ${result.nearMisses.map((m) => `${m.title} (section ${m.section})`).join('; ')}?`);
    }
    return lines.join('\n');
  }
  result.matches.forEach((m, i) => {
    lines.push(`${i + 1}. ${m.sectionTitle} › ${m.title}   (score ${m.score.toFixed(2)})`);
    lines.push(`   ${m.description}`);
    if (m.why.length > 0) lines.push(`   why: ${m.why.join(', ')}`);
  });
  return lines.join('\n');
}

export const ask: Command = {
  usage:
    'ask [--json] [--limit N] [--summarize] [QUESTION…]   answer a question (no question: one per line from stdin)',
  async run(ctx) {
    const args = parseAskArgs(ctx.args);
    const q = normalizeText(args.question.join(' '));
    if ((args.question.length > 0 && q.length === 0) || (args.question.length === 0 && ctx.io.stdinIsTty)) {
      throw new UsageRequested();
    }
    if (q.length > MAX_QUESTION_LENGTH) {
      ctx.io.err(`The question is ${q.length} characters long; the limit is ${MAX_QUESTION_LENGTH}.`);
      return 2;
    }
    const rt = await ctx.runtime();
    // Loaded only with --summarize: the OpenAI client costs a quarter of a second to import.
    const llm = args.summarize ? await import('../summarize/cli.ts') : undefined;
    const summarizer = llm?.createCliSummarizer(
      rt.db,
      rt.config.llm,
      createLogger({ level: rt.config.logLevel, json: false, write: ctx.io.err }),
    );
    if (llm && summarizer && !summarizer.enabled) ctx.io.err(llm.SUMMARIES_OFF);
    const search = createSearch(rt);
    const answer = async (question: string): Promise<string> => {
      try {
        const result = await search.search(question, { limit: args.limit });
        const summary =
          llm && summarizer?.enabled
            ? await summarizer.summarize({
                question: result.question,
                matches: result.matches,
                userKey: llm.CLI_USER_KEY,
              })
            : undefined;
        if (args.json) return formatJson(result, summary && llm?.summaryJson(summary));
        return [formatText(result), ...(summary && llm ? llm.summaryTextLines(summary) : [])].join('\n');
      } catch (err) {
        if (!isAppError(err, 'question_too_long')) throw err;
        return args.json
          ? JSON.stringify({ question, error: err.message })
          : `Q: ${question.slice(0, 80)}…\n  ${err.message}`;
      }
    };
    if (args.question.length > 0) {
      ctx.io.out(await answer(args.question.join(' ')));
      return 0;
    }
    await answerLines(ctx.io, args.json, answer);
    return 0;
  },
};

/** One question per line of standard input, answered in order; an empty line gets its own error. */
async function answerLines(io: Io, json: boolean, answer: (q: string) => Promise<string>): Promise<void> {
  const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (normalizeText(line).length === 0) {
      io.out(json ? JSON.stringify({ question: line, error: 'empty question' }) : 'Q: (empty)\n  empty question');
      continue;
    }
    io.out(await answer(line));
  }
}
