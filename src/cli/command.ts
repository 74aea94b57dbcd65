// What a CLI command is, and what it gets. Each command lives in its own module (cli/<name>.ts) with its usage line.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Runtime } from '../runtime.ts';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
}

/** What a command gets: its arguments, the terminal, and the runtime (opened on first use). */
export interface CommandContext {
  args: string[];
  io: Io;
  runtime(): Promise<Runtime>;
}

export interface Command {
  /** One line of the usage text: the arguments, then what it does. */
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Wrong arguments: the message and the usage text, exit code 2. */
export class UsageError extends Error {}

/** Nothing to do (an empty question): the usage text is the answer, exit code 0. */
export class UsageRequested extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's parseArgs, with its errors turned into a UsageError that names the argument. */
export function parseOptions<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const unknown = /'(-[^']*)'/.exec(e.message ?? '')?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${unknown ?? ''}`.trim());
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(e.message ?? '')?.[1] ?? ''}`.trim());
    }
    throw new UsageError(e.message ?? String(err));
  }
}

/** A whole number in [min, max] given to `--name`, or the usage error saying so. */
export function wholeNumber(value: string | undefined, name: string, min: number, max: number, fallback: number) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}`);
  }
  return n;
}
