/**
 * Context of a finding beyond its own record: how many dependency paths lead to the component.
 * The report lists a capped number of paths (match.ts asks the graph for at most 20); this counts
 * them all so the report can say how many were left out.
 *
 * The work is done once per graph (`PathCounter`), not once per finding: the reverse edges are
 * built once, and the count of every node whose ancestry has no cycle — the same whichever
 * finding's walk reaches it — is kept for the next finding. A scan of a large SBOM with many
 * findings used to rebuild and re-walk the whole graph for each of them (findings × edges).
 */
import type { DependencyGraph } from '../model/graph.js';

const add = (a: number, b: number): number => Math.min(Number.MAX_SAFE_INTEGER, a + b);

const NONE: ReadonlySet<string> = new Set();

/**
 * Path counts over one graph, which must not change while the counter is used. `count(purl)` is
 * what `countPaths(graph, purl)` returns; asking for many purls costs about one walk of the graph.
 */
export class PathCounter {
  /** The graph's own reverse edges (a second copy here was the size of the graph's edges again). */
  private readonly parents: ReadonlyMap<string, ReadonlySet<string>>;
  /** Nodes with a cycle in their ancestry (or on one): their counts depend on the walk, so they are not kept across walks. */
  private readonly cyclic = new Set<string>();
  /** Counts of the other nodes, which are the same for every walk that reaches them. */
  private readonly kept = new Map<string, number>();

  constructor(private readonly graph: DependencyGraph) {
    this.parents = graph.parentsOf();
    // Kahn's order: what it cannot take is on a cycle or below one (an ancestor on a cycle).
    // `left` counts the parents not yet taken, for the nodes reached so far.
    const left = new Map<string, number>();
    const ready: string[] = [];
    for (const from of graph.edges.keys()) if (!this.parents.has(from)) ready.push(from);
    while (ready.length) {
      const n = ready.pop()!;
      const tos = graph.edges.get(n);
      if (!tos) continue;
      for (const to of tos) {
        const d = (left.get(to) ?? this.parents.get(to)!.size) - 1;
        left.set(to, d);
        if (d === 0) ready.push(to);
      }
    }
    for (const n of this.parents.keys()) if (left.get(n) !== 0) this.cyclic.add(n);
  }

  /**
   * The number of dependency paths from a root to `purl`, counted as `pathsTo` walks them (a path
   * stops at the first root it meets; an edge back into the path is not followed). Exact for an
   * acyclic graph; with cycles, a lower bound. Saturates at Number.MAX_SAFE_INTEGER.
   */
  count(purl: string): number {
    const { graph, parents, cyclic, kept } = this;
    // A node's count within this walk: kept ones are shared (no cycle above them, so no node on
    // the current path can be among their ancestors); the others are memoised for this walk only,
    // exactly as a walk of its own would.
    const memo = new Map<string, number>();
    const onPath = new Set<string>();
    // a depth-first walk with its own stack (a chain 100,000 long would overflow the call stack)
    interface Frame {
      node: string;
      parents: Iterator<string>;
      count: number;
    }
    /** A node's count when known at once (a root, or memoised), else its frame, now on the path. */
    const enter = (node: string): number | Frame => {
      if (graph.roots.has(node)) return 1;
      const m = kept.get(node) ?? memo.get(node);
      if (m !== undefined) return m;
      onPath.add(node);
      return { node, parents: (parents.get(node) ?? NONE).values(), count: 0 };
    };
    const first = enter(purl);
    if (typeof first === 'number') return first;
    const stack: Frame[] = [first];
    for (;;) {
      const f = stack[stack.length - 1]!;
      const next = f.parents.next();
      if (!next.done) {
        const p = next.value;
        if (onPath.has(p)) continue;
        const r = enter(p);
        if (typeof r === 'number') f.count = add(f.count, r);
        else stack.push(r);
        continue;
      }
      stack.pop();
      onPath.delete(f.node);
      if (cyclic.has(f.node)) memo.set(f.node, f.count);
      else kept.set(f.node, f.count);
      const below = stack[stack.length - 1];
      if (!below) return f.count;
      below.count = add(below.count, f.count);
    }
  }
}

/** `new PathCounter(graph).count(purl)`: for one purl; for many, keep the counter. */
export function countPaths(graph: DependencyGraph, purl: string): number {
  return new PathCounter(graph).count(purl);
}
