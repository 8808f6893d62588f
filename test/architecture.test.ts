/**
 * The module graph of src/ has no cycle — counting type-only and dynamic imports, which ESLint's
 * import-x/no-cycle leaves out (it guards runtime cycles; a type cycle is still a design cycle:
 * the 17-file one that ran through ecosystems/index.ts and inventory/rootfs.ts was one). The
 * folder rules themselves are the lint's (eslint.config.js, import-x/no-restricted-paths).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/testing/shared.js';

const SRC = path.join(REPO_ROOT, 'src');
const SPEC = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** file → the files of src/ it imports (static, type-only, dynamic, re-exports). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const to = new Set<string>();
    for (const m of text.matchAll(SPEC)) {
      const target = path.resolve(path.dirname(f), m[1]!).replace(/\.js$/, '.ts');
      if (known.has(target)) to.add(target);
    }
    graph.set(f, [...to]);
  }
  return graph;
}

/** The first cycle found (as a list of files, the first repeated at the end), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('the module graph of src/', () => {
  it('finds a cycle when there is one, type imports included', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });

  it('has no cycle', () => {
    const graph = importGraph(sources(SRC));
    expect(graph.size).toBeGreaterThan(200);
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(REPO_ROOT, f))).toBeUndefined();
  });
});
