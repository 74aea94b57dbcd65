// The import graph of the project's own files, read from their source: every relative `import … from`,
// `export … from` and `import('…')`, with whether it is type-only (erased at run time).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Edge {
  to: string;
  /** `import type` / `export type`: a compile-time dependency only. */
  typeOnly: boolean;
}

/** Project-relative path (with /) → what it imports, for every .ts/.mjs file under `dirs` and what they reach. */
export type ImportGraph = Map<string, Edge[]>;

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|mjs)$/.test(name) ? [p] : [];
  });
}

/** The imports of one file's source text, as project-relative paths. */
function importsOf(file: string, source: string, root: string): Edge[] {
  const out: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const target = path.resolve(path.dirname(path.join(root, file)), spec);
    out.push({ to: path.relative(root, target).split(path.sep).join('/'), typeOnly });
  };
  for (const m of source.matchAll(IMPORT)) add(m[3] as string, Boolean(m[2]));
  for (const m of source.matchAll(DYNAMIC)) add(m[1] as string, false);
  return out;
}

export function importGraph(root: string, dirs: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const abs = path.join(root, file);
    const edges = existsSync(abs) ? importsOf(file, readFileSync(abs, 'utf8'), root) : [];
    graph.set(file, edges);
    for (const e of edges) visit(e.to);
  };
  for (const dir of dirs) {
    for (const f of files(path.join(root, dir))) visit(path.relative(root, f).split(path.sep).join('/'));
  }
  return graph;
}

/** Every file `from` reaches through imports that exist at run time. */
export function reachable(graph: ImportGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const e of graph.get(f) ?? []) if (!e.typeOnly) stack.push(e.to);
  }
  return seen;
}

/** Each import cycle once, as the list of files around it (type-only imports count: they tie designs together). */
export function cycles(graph: ImportGraph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const { to } of graph.get(f) ?? []) {
      if (state.get(to) === 'open') found.push([...stack.slice(stack.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}
