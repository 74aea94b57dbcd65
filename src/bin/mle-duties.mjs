#!/usr/bin/env node
// The installed `mle-duties` command, and what `npm run ask|cli|migrate|import|digest|report` run: the compiled CLI
// in dist/ on plain node (no TypeScript loader at run time), source maps on so stack traces name src/ lines.
// In a checkout, dist/ is rebuilt first when anything under src/ is newer than the last build (checking costs ~2 ms,
// rebuilding ~0.5 s), so an edit is never answered by a stale build.
import { buildIfStale } from './build.mjs';

process.setSourceMapsEnabled(true);
try {
  await buildIfStale();
} catch (err) {
  process.stderr.write(`mle-duties: no build in dist/: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
const { runCliProcess } = await import('../../dist/cli.js');
process.exitCode = await runCliProcess(process.argv.slice(2));
