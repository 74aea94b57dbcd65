// The `mle-duties` command: finds the command (each in cli/<name>.ts, loaded when used, so `ask` never loads the
// Slack or OpenAI clients), opens the runtime when the command asks for it, and turns errors into exit codes.
import { setFlagsFromString } from 'node:v8';
import { type Command, type CommandContext, type Io, UsageError, UsageRequested } from './cli/command.ts';
import { type Config, loadConfig } from './config.ts';
import { isAppError } from './errors.ts';
import { openRuntime, type Runtime } from './runtime.ts';

const USAGE = `mle-duties — whose job is it? Answers from the Machine Learning Engineer role.

Usage:
{commands}

Examples:
  npm run ask -- "who keeps an eye on models in production?"
  printf 'who reviews code?\\nwho writes docs?\\n' | npm run ask -- --json

Uses DATABASE_URL when set, otherwise the embedded database under .data/.`;

/** Every CLI command, in the order the usage lists them. A feature adds its module and one line here. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  ask: async () => (await import('./cli/ask.ts')).ask,
  sections: async () => (await import('./cli/sections.ts')).sections,
  import: async () => (await import('./cli/import.ts')).importCatalog,
  migrate: async () => (await import('./cli/migrate.ts')).migrateDatabase,
  report: async () => (await import('./cli/report.ts')).report,
  digest: async () => (await import('./cli/digest.ts')).digest,
  aliases: async () => (await import('./cli/aliases.ts')).aliases,
  owners: async () => (await import('./cli/owners.ts')).owners,
  housekeep: async () => (await import('./cli/housekeep.ts')).housekeep,
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return USAGE.replace('{commands}', commands.map((c) => `  mle-duties ${c.usage}`).join('\n'));
}

/** Commands that open the runtime before their module is loaded (see runCli). */
const OPENS_EARLY = new Set(['ask']);

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  stdinIsTty: Boolean(process.stdin.isTTY),
};

/** Runs one CLI invocation; returns the exit code. Exported so tests drive it in process. */
export async function runCli(argv: string[], io: Io = processIo, configOverride?: Config): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(await usage());
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(`mle-duties: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  let opening: Promise<Runtime> | undefined;
  const ctx: CommandContext = {
    args,
    io,
    runtime() {
      // A bad setting (loadConfig throws) rejects, as any other failure to open. The embedded database runs in this
      // thread: a command has nothing else to keep responsive, and the bot's worker thread would cost a second
      // isolate and run at a lower priority (on a busy machine a tenth of the CPU: `ask` took twice as long).
      opening ??= Promise.resolve().then(() =>
        openRuntime(configOverride ?? loadConfig(), { poolSize: 2, pgliteThread: 'main' }),
      );
      return opening;
    },
  };
  // `ask` opens the database now, while its module loads and its arguments are read: the embedded database's WASM
  // compiles off the main thread meanwhile (most of a cold start). A failure surfaces where the command asks for it.
  if (OPENS_EARLY.has(name)) ctx.runtime().catch(() => {});
  try {
    return await (await load()).run(ctx);
  } catch (err) {
    if (err instanceof UsageRequested) {
      io.out(await usage());
      return 0;
    }
    if (err instanceof UsageError) {
      io.err(`mle-duties: ${err.message}\n\n${await usage()}`);
      return 2;
    }
    io.err(
      `mle-duties: ${isAppError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`}`,
    );
    return 1;
  } finally {
    await opening?.then(
      (rt) => rt.close(),
      () => {},
    );
  }
}

/**
 * The command line itself (the `mle-duties` bin, `node dist/cli.js`): one command, then the process ends. A command
 * lives for a second or so, too short for V8's optimising WASM compiler to pay off: it compiles the embedded
 * database's hot functions in background threads the command then competes with on a small machine. The baseline
 * compiler alone answers `ask` in ~1.1 s instead of ~1.5 s, and 150 questions from stdin in 1.9 s instead of 2.5 s
 * (interleaved runs, 2 cores). The bot, which runs for days, keeps the optimising compiler.
 * @public (src/bin/mle-duties.mjs calls it in dist/)
 */
export async function runCliProcess(argv: string[]): Promise<number> {
  setFlagsFromString('--liftoff-only');
  return runCli(argv);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  process.exitCode = await runCliProcess(process.argv.slice(2));
}
