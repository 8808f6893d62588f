import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '../model/graph.js';
import { countPaths } from './context.js';

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
