#!/usr/bin/env node
// The installed `mle-duties` command: TypeScript runs through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
