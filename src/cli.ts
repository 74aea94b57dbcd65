import { createInterface } from 'node:readline';
import { listSections } from './catalog/queries.ts';
import { type Config, loadConfig } from './config.ts';
import { isAppError } from './errors.ts';
import { createLogger } from './log.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import type { Match, SearchResult } from './search/engine.ts';
import { MAX_QUESTION_LENGTH, normalizeText } from './search/text.ts';

const USAGE = `mle-duties — whose job is it? Answers from the Machine Learning Engineer role.

Usage:
{commands}

Examples:
  npm run ask -- "who keeps an eye on models in production?"
  printf 'who reviews code?\\nwho writes docs?\\n' | npm run ask -- --json

Uses DATABASE_URL when set, otherwise the embedded database under .data/.`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  stdinIsTty: Boolean(process.stdin.isTTY),
};

interface AskArgs {
  json: boolean;
  limit: number;
  summarize: boolean;
  question: string[];
}

/** Wrong arguments: the message and the usage text, exit code 2. */
export class UsageError extends Error {}

export function parseAskArgs(args: string[]): AskArgs {
  const out: AskArgs = { json: false, limit: 5, summarize: false, question: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      out.question.push(...args.slice(i + 1));
      break;
    }
    if (a === '--json') out.json = true;
    else if (a === '--summarize') out.summarize = true;
    else if (a === '--limit' || a.startsWith('--limit=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 50) throw new UsageError('--limit takes a whole number from 1 to 50');
      out.limit = n;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else out.question.push(a);
  }
  return out;
}

/** `summary` is the summary already rendered for JSON (see src/summarize/cli.ts). */
export function formatJson(result: SearchResult, summary?: unknown): string {
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

export function formatText(result: SearchResult): string {
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

async function ask(rt: Runtime, args: AskArgs, io: Io): Promise<number> {
  // Loaded only with --summarize: the OpenAI client costs a quarter of a second to import.
  const llm = args.summarize ? await import('./summarize/cli.ts') : undefined;
  const summarizer = llm?.createCliSummarizer(
    rt.db,
    rt.config.llm,
    createLogger({ level: rt.config.logLevel, json: false, write: io.err }),
  );
  if (llm && summarizer && !summarizer.enabled) io.err(llm.SUMMARIES_OFF);
  const answer = async (question: string): Promise<string> => {
    try {
      const result = await rt.search.search(question, { limit: args.limit });
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
    io.out(await answer(args.question.join(' ')));
    return 0;
  }
  const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    const q = normalizeText(line);
    if (q.length === 0) {
      io.out(args.json ? JSON.stringify({ question: line, error: 'empty question' }) : 'Q: (empty)\n  empty question');
      continue;
    }
    io.out(await answer(line));
  }
  return 0;
}

/** What a command gets: its arguments, the terminal, and the runtime (opened on first use). */
export interface CommandContext {
  args: string[];
  io: Io;
  runtime(): Promise<Runtime>;
}

export interface Command {
  /** One line in the usage text. */
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Every CLI command. A feature adds its own module and one line here. */
export const COMMANDS: Record<string, Command> = {
  ask: {
    usage:
      'ask [--json] [--limit N] [--summarize] [QUESTION…]   answer a question (no question: one per line from stdin)',
    async run(ctx) {
      const args = parseAskArgs(ctx.args);
      const q = normalizeText(args.question.join(' '));
      if ((args.question.length > 0 && q.length === 0) || (args.question.length === 0 && ctx.io.stdinIsTty)) {
        ctx.io.out(usage());
        return 0;
      }
      if (q.length > MAX_QUESTION_LENGTH) {
        ctx.io.err(`The question is ${q.length} characters long; the limit is ${MAX_QUESTION_LENGTH}.`);
        return 2;
      }
      return ask(await ctx.runtime(), args, ctx.io);
    },
  },
  sections: {
    usage: "sections                               list the role's sections",
    async run(ctx) {
      const rt = await ctx.runtime();
      for (const s of await listSections(rt.db, rt.catalog.role.id)) {
        ctx.io.out(`${String(s.number).padStart(2)}. ${s.title} (${s.duties} duties)`);
      }
      return 0;
    },
  },
  import: {
    usage: 'import                                 sync data/ into the database now',
    async run(ctx) {
      const { sync } = await ctx.runtime();
      ctx.io.out(
        sync.changed
          ? `Catalog synced: ${sync.upserted} duties upserted, ${sync.retired} retired.`
          : 'Catalog already up to date.',
      );
      return 0;
    },
  },
  migrate: {
    usage: 'migrate                                apply database migrations',
    async run(ctx) {
      await ctx.runtime();
      ctx.io.out('Migrations applied.');
      return 0;
    },
  },
  // Loaded when used: they bring the Slack Web API client, which `ask` does not need.
  report: lazyCommand(
    'report [--json] [--days N]             questions with no confident match, and the most 👎 answers',
    async () => (await import('./cli/report.ts')).reportCommand,
  ),
  digest: lazyCommand(
    'digest tick [--now ISO] | preview [--channel C] | resume   weekly digests: run one scheduler tick, preview, restart after a token stop',
    async () => (await import('./cli/digest.ts')).digestCommand,
  ),
};

function lazyCommand(usage: string, load: () => Promise<Command>): Command {
  return { usage, run: async (ctx) => (await load()).run(ctx) };
}

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  mle-duties ${c.usage}`);
  return USAGE.replace('{commands}', lines.join('\n'));
}

/** Runs one CLI invocation; returns the exit code. Exported so tests drive it in process. */
export async function runCli(argv: string[], io: Io = processIo, configOverride?: Config): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`mle-duties: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let rt: Runtime | undefined;
  const ctx: CommandContext = {
    args,
    io,
    async runtime() {
      rt ??= await openRuntime(configOverride ?? loadConfig(), { poolSize: 2 });
      return rt;
    },
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`mle-duties: ${err.message}\n\n${usage()}`);
      return 2;
    }
    io.err(
      `mle-duties: ${isAppError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`}`,
    );
    return 1;
  } finally {
    await rt?.close();
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  process.exitCode = await runCli(process.argv.slice(2));
}
