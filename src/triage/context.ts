/**
 * Context of a finding beyond its own record: how many dependency paths lead to the component.
 * The report lists a capped number of paths (match.ts asks the graph for at most 20); this counts
 * them all so the report can say how many were left out.
 */
import type { DependencyGraph } from '../model/graph.js';

const reverseCache = new WeakMap<DependencyGraph, { edges: number; map: Map<string, string[]> }>();

function reverse(graph: DependencyGraph): Map<string, string[]> {
  let edges = 0;
  for (const tos of graph.edges.values()) edges += tos.size;
  const cached = reverseCache.get(graph);
  if (cached && cached.edges === edges) return cached.map;
  const map = new Map<string, string[]>();
  for (const [from, tos] of graph.edges) {
    for (const to of tos) {
      let l = map.get(to);
      if (!l) map.set(to, (l = []));
      l.push(from);
    }
  }
  reverseCache.set(graph, { edges, map });
  return map;
}

/**
 * The number of dependency paths from a root to `purl`, counted as `pathsTo` walks them (a path
 * stops at the first root it meets; an edge back into the path is not followed). Exact for an
 * acyclic graph; with cycles, a lower bound. Saturates at Number.MAX_SAFE_INTEGER.
 */
export function countPaths(graph: DependencyGraph, purl: string): number {
  const parents = reverse(graph);
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (node: string): number => {
    if (graph.roots.has(node)) return 1;
    const m = memo.get(node);
    if (m !== undefined) return m;
    onPath.add(node);
    let n = 0;
    for (const p of parents.get(node) ?? []) {
      if (onPath.has(p)) continue;
      n = Math.min(Number.MAX_SAFE_INTEGER, n + visit(p));
    }
    onPath.delete(node);
    memo.set(node, n);
    return n;
  };
  return visit(purl);
}
