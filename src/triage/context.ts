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
  // a depth-first walk with its own stack (a chain 100,000 long would overflow the call stack)
  interface Frame {
    node: string;
    parents: readonly string[];
    next: number;
    count: number;
  }
  /** A node's count when known at once (a root, or memoised), else its frame, now on the path. */
  const enter = (node: string): number | Frame => {
    if (graph.roots.has(node)) return 1;
    const m = memo.get(node);
    if (m !== undefined) return m;
    onPath.add(node);
    return { node, parents: parents.get(node) ?? [], next: 0, count: 0 };
  };
  const add = (a: number, b: number): number => Math.min(Number.MAX_SAFE_INTEGER, a + b);
  const first = enter(purl);
  if (typeof first === 'number') return first;
  const stack: Frame[] = [first];
  for (;;) {
    const f = stack[stack.length - 1]!;
    if (f.next < f.parents.length) {
      const p = f.parents[f.next++]!;
      if (onPath.has(p)) continue;
      const r = enter(p);
      if (typeof r === 'number') f.count = add(f.count, r);
      else stack.push(r);
      continue;
    }
    stack.pop();
    onPath.delete(f.node);
    memo.set(f.node, f.count);
    const below = stack[stack.length - 1];
    if (!below) return f.count;
    below.count = add(below.count, f.count);
  }
}
