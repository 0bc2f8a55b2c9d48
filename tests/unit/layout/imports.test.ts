/**
 * The layout's one rule, checked on the import graph: data flows one way —
 * demo → product, never back. The product (`edge-worker/`, `sdk/`) imports
 * nothing of the demo; the SDK stands alone; no import cycle runs between
 * top-level folders, nor between any two modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const FOLDERS = ['edge-worker', 'sdk', 'demo-shop', 'scripts', 'tests'];
/** Build output and installed packages are not the project's source. */
const SKIP = new Set(['node_modules', 'dist', 'public', '.wrangler', '.seed']);
const SOURCE = /\.(ts|mts|js|mjs)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or dynamically (type-only imports included). */
function specifiers(source: string): string[] {
  // Examples in doc comments are not imports.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...new Set(found)];
}

/** The project file a relative specifier names (TypeScript's resolution: `.js` written for `.ts`, folders by index). */
function resolveFile(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const base = relative(ROOT, resolve(ROOT, dirname(from), spec));
  const stem = base.replace(/\.(js|mjs)$/, '');
  const module = [base, `${stem}.ts`, `${stem}.mts`, `${base}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
  // Data imported as a module (the demo's catalog JSON) is a file too.
  return module ?? (/\.json$/.test(base) && existsSync(join(ROOT, base)) ? base : undefined);
}

const files = FOLDERS.flatMap(sourceFiles);
const fileSet = new Set(files);
/** Each file's imports of project files, and of packages. */
const graph = new Map(
  files.map((file) => {
    const specs = specifiers(readFileSync(join(ROOT, file), 'utf8'));
    const local = specs.filter((s) => s.startsWith('.')).map((s) => resolveFile(file, s, fileSet) ?? `unresolved:${s}`);
    return [file, { local, packages: specs.filter((s) => !s.startsWith('.')) }];
  }),
);
const folderOf = (file: string) => file.split('/')[0]!;

/** The cycles of a directed graph, each as a path that returns to its start (depth-first search). */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the import graph', () => {
  it('reads every relative import as a project file', () => {
    const unresolved = files.flatMap((file) => graph.get(file)!.local.filter((to) => to.startsWith('unresolved:')).map((to) => `${file} → ${to}`));
    expect(unresolved).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
  });

  it('has no file under edge-worker/ or sdk/ importing anything under demo-shop/', () => {
    const back = files
      .filter((file) => ['edge-worker', 'sdk'].includes(folderOf(file)))
      .flatMap((file) => graph.get(file)!.local.filter((to) => folderOf(to) === 'demo-shop').map((to) => `${file} → ${to}`));
    expect(back).toEqual([]);
  });

  it('keeps the SDK standalone: it imports only its own modules', () => {
    const outside = files
      .filter((file) => folderOf(file) === 'sdk')
      .flatMap((file) => [
        ...graph.get(file)!.local.filter((to) => folderOf(to) !== 'sdk'),
        ...graph.get(file)!.packages,
      ].map((to) => `${file} → ${to}`));
    expect(outside).toEqual([]);
  });

  it('has no cycle between top-level folders', () => {
    const edges = new Map<string, string[]>();
    for (const [file, { local }] of graph) {
      const from = folderOf(file);
      const to = new Set([...(edges.get(from) ?? []), ...local.map(folderOf).filter((f) => f !== from)]);
      edges.set(from, [...to]);
    }
    expect(cycles(edges)).toEqual([]);
  });

  it('has no cycle between modules', () => {
    expect(cycles(new Map([...graph].map(([file, { local }]) => [file, local])))).toEqual([]);
  });
});
