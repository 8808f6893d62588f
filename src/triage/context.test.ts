import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '../model/graph.js';
import { countPaths, PathCounter } from './context.js';

function graph(edges: [string, string][], roots: string[] = ['root']): DependencyGraph {
  const g = new DependencyGraph();
  for (const r of roots) g.addRoot(r, r);
  for (const [a, b] of edges) {
    for (const n of [a, b]) if (!roots.includes(n)) g.add({ purl: n, ecosystem: 'npm', name: n, version: '1.0.0', scope: 'prod', direct: false, locations: [] });
    g.addEdge(a, b);
  }
  return g;
}

describe('countPaths', () => {
  it('counts the paths pathsTo lists, on a diamond', () => {
    // root > a > c, root > b > c, root > c
    const g = graph([['root', 'a'], ['root', 'b'], ['a', 'c'], ['b', 'c'], ['root', 'c']]);
    expect(countPaths(g, 'c')).toBe(3);
    expect(g.pathsTo('c')).toHaveLength(3);
  });

  it('multiplies through layers: 3 × 4 = 12 paths', () => {
    const edges: [string, string][] = [];
    for (let i = 0; i < 3; i++) {
      edges.push(['root', `a${i}`]);
      for (let j = 0; j < 4; j++) edges.push([`a${i}`, `b${j}`]);
    }
    for (let j = 0; j < 4; j++) edges.push([`b${j}`, 't']);
    const g = graph(edges);
    expect(countPaths(g, 't')).toBe(12);
    expect(g.pathsTo('t', 100)).toHaveLength(12);
  });

  it('does not follow a cycle, and stops at a root', () => {
    // root > a > b > a (cycle); root2 > b; b > t
    const g = graph([['root', 'a'], ['a', 'b'], ['b', 'a'], ['root2', 'b'], ['b', 't']], ['root', 'root2']);
    expect(countPaths(g, 't')).toBe(g.pathsTo('t', 100).length);
    expect(countPaths(g, 't')).toBe(2);
  });

  it('no path from a root is 0', () => {
    expect(countPaths(graph([['x', 'y']]), 'y')).toBe(0);
  });
});

/** The count as it was computed before PathCounter: a fresh walk per finding, nothing kept between walks. */
function referenceCount(graph: DependencyGraph, purl: string): number {
  const parents = new Map<string, string[]>();
  for (const [from, tos] of graph.edges) for (const to of tos) (parents.get(to) ?? parents.set(to, []).get(to)!).push(from);
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  const walk = (node: string): number => {
    if (graph.roots.has(node)) return 1;
    const m = memo.get(node);
    if (m !== undefined) return m;
    onPath.add(node);
    let count = 0;
    for (const p of parents.get(node) ?? []) if (!onPath.has(p)) count = Math.min(Number.MAX_SAFE_INTEGER, count + walk(p));
    onPath.delete(node);
    memo.set(node, count);
    return count;
  };
  return walk(purl);
}

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PathCounter: one counter per graph, the same counts as a walk per finding', () => {
  it('on 300 random graphs (acyclic and cyclic, one or two roots), every node asked in a shuffled order', () => {
    let cyclicGraphs = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const n = 4 + Math.floor(r() * 20);
      const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
      const roots = r() < 0.3 ? ['root', 'root2'] : ['root'];
      const edges: [string, string][] = [];
      const backEdges = seed % 3 === 0 ? 0 : 1 + Math.floor(r() * 3); // a third of the graphs acyclic
      for (let i = 0; i < n; i++) {
        edges.push([i < 3 || r() < 0.1 ? roots[Math.floor(r() * roots.length)]! : nodes[Math.floor(r() * i)]!, nodes[i]!]);
        for (let k = 0; k < 2; k++) if (i > 0 && r() < 0.5) edges.push([nodes[Math.floor(r() * i)]!, nodes[i]!]);
      }
      for (let k = 0; k < backEdges; k++) {
        const a = Math.floor(r() * n);
        const b = Math.floor(r() * n);
        if (a > b) edges.push([nodes[a]!, nodes[b]!]);
      }
      if (edges.some(([a, b]) => nodes.indexOf(a) > nodes.indexOf(b) && nodes.indexOf(b) >= 0)) cyclicGraphs++;
      const g = graph(edges, roots);
      const order = [...nodes].sort(() => r() - 0.5);
      const counter = new PathCounter(g);
      for (const node of order) expect(counter.count(node), `seed ${seed}, ${node}`).toBe(referenceCount(g, node));
    }
    expect(cyclicGraphs).toBeGreaterThan(100);
  });

  it('keeps counting past the call stack: a chain 100,000 long has one path', () => {
    const edges: [string, string][] = [['root', 'c0']];
    for (let i = 1; i < 100_000; i++) edges.push([`c${i - 1}`, `c${i}`]);
    const counter = new PathCounter(graph(edges));
    expect(counter.count('c99999')).toBe(1);
    expect(counter.count('c50000')).toBe(1);
  });

  it('saturates instead of overflowing: 60 layers of two nodes is 2^60 paths (a node of layer i has 2^i)', () => {
    const edges: [string, string][] = [['root', 'a0'], ['root', 'b0']];
    for (let i = 1; i < 60; i++) for (const x of ['a', 'b']) for (const y of ['a', 'b']) edges.push([`${x}${i - 1}`, `${y}${i}`]);
    for (const x of ['a', 'b']) edges.push([`${x}59`, 't']);
    const counter = new PathCounter(graph(edges));
    expect(counter.count('a10')).toBe(2 ** 10);
    expect(counter.count('t')).toBe(Number.MAX_SAFE_INTEGER);
  });
});
