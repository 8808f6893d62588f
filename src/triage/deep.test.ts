/**
 * Depth (issue 12, item 5; docs/reliability.md "Parsers, sizes and output"): a dependency chain
 * 5,000 and 100,000 long is read, its one path found and counted, and written as an SBOM, without
 * recursion (a stack overflow would be an exit-70 RangeError) and in time linear in its length.
 */
import { describe, expect, it } from 'vitest';
import { memoryInput } from '../io/input.js';
import { packageLockExtractor } from '../ecosystems/npm/package-lock.js';
import { buildCycloneDx } from '../sbom/cyclonedx-write.js';
import { buildSpdx } from '../sbom/spdx-write.js';
import { countPaths } from './context.js';
import { DependencyGraph } from '../model/graph.js';

/** A v3 package-lock where the project depends on p0, p0 on p1, … p(n-1): one chain n long. */
function chainLock(n: number): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies: { p0: '1.0.0' } } };
  for (let i = 0; i < n; i++) {
    packages[`node_modules/p${i}`] = { version: '1.0.0', ...(i + 1 < n ? { dependencies: { [`p${i + 1}`]: '1.0.0' } } : {}) };
  }
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages });
}

describe.each([5_000, 100_000])('a dependency chain %i long', (n) => {
  it('is read, the path to its last package found whole and counted once, and written as CycloneDX and SPDX', async () => {
    const inv = await packageLockExtractor.extract(memoryInput('chain/package-lock.json', chainLock(n)));
    expect(inv.graph.components.size).toBe(n);
    const last = `pkg:npm/p${n - 1}@1.0.0`;
    const paths = inv.graph.pathsTo(last, 20);
    expect(paths).toHaveLength(1);
    expect(paths[0]!.length).toBe(n + 1); // the root, then p0 … p(n-1)
    expect(paths[0]![1]).toBe('pkg:npm/p0@1.0.0');
    expect(paths[0]!.at(-1)).toBe(last);
    expect(inv.graph.shortestPath(last)?.length).toBe(n + 1);
    expect(countPaths(inv.graph, last)).toBe(1);
    expect(countPaths(inv.graph, `pkg:npm/p${n >> 1}@1.0.0`)).toBe(1);
    const cdx = buildCycloneDx(inv.graph, { subjectName: 'chain', deterministic: true });
    expect(cdx.components?.length).toBe(n);
    const spdx = buildSpdx(inv.graph, { subjectName: 'chain', deterministic: true });
    expect(spdx.relationships.filter((r) => r.relationshipType === 'DEPENDS_ON').length).toBeGreaterThanOrEqual(n - 1);
  });
});

/** root → a0, b0; a_i and b_i → a_{i+1}, b_{i+1}: 2^n paths to the last level; `back` adds b_{i+1} → a_i (cycles). */
function ladder(n: number, back: boolean): DependencyGraph {
  const g = new DependencyGraph();
  g.addRoot('root', 'root');
  const add = (id: string): void => void g.add({ purl: id, ecosystem: 'npm', name: id, version: '1.0.0', scope: 'prod', direct: false, locations: [] });
  for (let i = 0; i < n; i++) for (const x of ['a', 'b']) add(`${x}${i}`);
  g.addEdge('root', 'a0');
  g.addEdge('root', 'b0');
  for (let i = 0; i + 1 < n; i++) {
    for (const x of ['a', 'b']) for (const y of ['a', 'b']) g.addEdge(`${x}${i}`, `${y}${i + 1}`);
    if (back) g.addEdge(`b${i + 1}`, `a${i}`);
  }
  return g;
}

describe('graphs whose paths fan out and cycle', () => {
  it('pathsTo on a 2,000-level ladder with back edges: bounded, cycle-free, shortest first', () => {
    const n = 2000;
    const paths = ladder(n, true).pathsTo(`a${n - 1}`, 20);
    expect(paths.length).toBeGreaterThanOrEqual(1);
    for (const p of paths) {
      expect(new Set(p).size).toBe(p.length);
      expect(p[0]).toBe('root');
      expect(p.at(-1)).toBe(`a${n - 1}`);
    }
    expect(paths[0]!.length).toBe(n + 1);
  });

  it('countPaths on a 2,000-level ladder saturates at Number.MAX_SAFE_INTEGER (2^2000 paths)', () => {
    expect(countPaths(ladder(2000, false), 'a1999')).toBe(Number.MAX_SAFE_INTEGER);
    expect(countPaths(ladder(10, false), 'a9')).toBe(2 ** 9); // a0 or b0, then a or b at levels 1 to 8, then a9
  });
});

/** Every simple path from a root to `target` that meets no other root (the paths pathsTo lists), by brute force. */
function allPaths(g: DependencyGraph, target: string): string[][] {
  const parents = new Map<string, string[]>();
  for (const [from, tos] of g.edges) for (const to of tos) parents.set(to, [...(parents.get(to) ?? []), from]);
  const out: string[][] = [];
  const walk = (path: string[]): void => {
    const head = path[0]!;
    if (g.roots.has(head)) return void out.push(path);
    for (const p of parents.get(head) ?? []) if (!path.includes(p)) walk([p, ...path]);
  };
  walk([target]);
  return out;
}

describe('pathsTo and countPaths against brute force', () => {
  it('agree on 300 small random graphs (half of them acyclic, where countPaths is exact)', () => {
    let x = 12345;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    for (let t = 0; t < 300; t++) {
      const nodes = 3 + rand(6);
      const acyclic = t % 2 === 0;
      const g = new DependencyGraph();
      g.addRoot('r0', 'r0');
      if (rand(3) === 0) g.addRoot('r1', 'r1');
      const ids = [...g.roots.keys()];
      for (let i = 0; i < nodes; i++) {
        ids.push(`n${i}`);
        g.add({ purl: `n${i}`, ecosystem: 'npm', name: `n${i}`, version: '1', scope: 'prod', direct: false, locations: [] });
      }
      const edges = nodes * 2 + rand(nodes * 2);
      for (let e = 0; e < edges; e++) {
        const a = rand(ids.length);
        const b = rand(ids.length);
        // acyclic: edges only forward in id order, roots first
        if (acyclic ? a < b : a !== b) g.addEdge(ids[a]!, ids[b]!);
      }
      const target = `n${nodes - 1}`;
      const want = allPaths(g, target);
      const got = g.pathsTo(target, 100);
      expect(got.map((p) => p.join('>')).sort(), `graph ${t}`).toEqual(want.map((p) => p.join('>')).sort());
      for (let i = 1; i < got.length; i++) expect(got[i]!.length).toBeGreaterThanOrEqual(got[i - 1]!.length);
      if (acyclic) expect(countPaths(g, target), `graph ${t}`).toBe(want.length);
    }
  });
});
