import { Readable } from 'node:stream';
import type { Io } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli.ts';
import type { Config } from '../../src/config.ts';

/** Runs the CLI in process with captured output; `stdin` undefined means an interactive terminal. */
export async function runCliCaptured(argv: string[], config: Config, stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: Readable.from(stdin === undefined ? [] : [stdin]),
    stdinIsTty: stdin === undefined,
  };
  const code = await runCli(argv, io, config);
  return { code, out, err };
}
