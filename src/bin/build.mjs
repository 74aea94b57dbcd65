// `npm run build` (and `prepare`, so `npm ci` leaves a runnable checkout): src/ → dist/, the JavaScript that
// `npm start`, the Procfile and the `mle-duties` command run with plain `node`. esbuild bundles each entry point with
// its own modules (packages stay in node_modules) and splits what they share and what they load lazily into chunks,
// all flat in dist/ so every `import.meta.url`-relative path of src/ holds: `..` is the project root (config.ts),
// `./migrations` and `./pglite-worker.mjs` are copied beside them. Source maps on: stack traces name src/ lines.
// Type checking stays `tsc --noEmit` (npm test); this only transpiles (~0.5 s). `npm run build` also makes
// dist/pglite-seed.tar.gz once per PGlite version (src/bin/pglite-seed.mjs, ~10 s).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, 'BUILT');
const seed = path.join(dist, 'pglite-seed.tar.gz');
/** The PGlite version the seed was made with: another version makes a new one. */
const seedVersion = path.join(dist, 'pglite-seed.version');

/** The newest modification time under `dir` (files and folders: deleting a file changes its folder's). */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** 'missing' (no build yet), 'stale' (something under src/ changed since) or 'fresh'. ~2 ms. */
export function buildState() {
  if (!existsSync(stamp)) return 'missing';
  return newest(path.join(root, 'src')) > statSync(stamp).mtimeMs ? 'stale' : 'fresh';
}

/**
 * Builds when dist/ is missing or older than src/. A stale build stays in use when esbuild is not installed (a
 * production install: its dist/ came with it); a missing one is an error.
 */
export async function buildIfStale() {
  const state = buildState();
  if (state === 'fresh') return;
  try {
    await build();
  } catch (err) {
    if (state === 'missing') throw err;
  }
}

/**
 * Builds dist/; returns the milliseconds it took. `clean` empties dist/ first (`npm run build`); otherwise files are
 * replaced one by one, each written beside its place and renamed over it (chunks before the entry points that import
 * them), so a process starting or lazily loading a chunk meanwhile (another CLI run, a running bot) never reads a
 * half-written file, and two builds at once (two test projects) write the same bytes.
 */
export async function build({ clean = false } = {}) {
  const started = performance.now();
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error(
      'esbuild is not installed (a devDependency): run `npm ci` with dev dependencies, then `npm run build`',
    );
  }
  if (clean) {
    // Everything but the seed, which only a new PGlite version changes.
    for (const entry of existsSync(dist) ? readdirSync(dist) : []) {
      const file = path.join(dist, entry);
      if (file !== seed && file !== seedVersion) rmSync(file, { recursive: true, force: true });
    }
  }
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/main.ts', 'src/cli.ts'],
    outdir: 'dist',
    bundle: true,
    splitting: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
    write: false,
  });
  const entries = new Set(['main.js', 'cli.js'].map((f) => path.join(dist, f)));
  const outputs = [
    ...result.outputFiles.map((f) => ({ file: f.path, contents: f.contents })),
    { file: path.join(dist, 'pglite-worker.mjs'), contents: readFileSync(path.join(root, 'src/db/pglite-worker.mjs')) },
    ...readdirSync(path.join(root, 'src/db/migrations')).map((f) => ({
      file: path.join(dist, 'migrations', f),
      contents: readFileSync(path.join(root, 'src/db/migrations', f)),
    })),
  ].sort((a, b) => Number(entries.has(a.file)) - Number(entries.has(b.file)));
  for (const { file, contents } of outputs) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
  }
  // What buildState() compares src/'s modification times with.
  writeFileSync(stamp, `${new Date(started + performance.timeOrigin).toISOString()}\n`);
  utimesSync(stamp, new Date(), new Date(performance.timeOrigin + started));
  return performance.now() - started;
}

/**
 * Makes dist/pglite-seed.tar.gz (src/bin/pglite-seed.mjs, in its own process: initdb's ~800 MiB stay out of this
 * one) unless the one there was made by the installed PGlite. Returns the milliseconds it took, 0 when it was there.
 */
export function makeSeed() {
  const version = JSON.parse(
    readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ).version;
  if (existsSync(seed) && existsSync(seedVersion) && readFileSync(seedVersion, 'utf8').trim() === version) return 0;
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'src/bin/pglite-seed.mjs'), seed], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`making the PGlite seed failed (exit ${r.status ?? r.signal})`);
  writeFileSync(seedVersion, `${version}\n`);
  return performance.now() - started;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    if (process.argv.includes('--if-stale')) await buildIfStale();
    else {
      process.stderr.write(`built dist/ in ${Math.round(await build({ clean: true }))} ms\n`);
      const ms = makeSeed();
      if (ms > 0)
        process.stderr.write(`made dist/pglite-seed.tar.gz (a new embedded database) in ${Math.round(ms)} ms\n`);
    }
  } catch (err) {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
