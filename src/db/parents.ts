/**
 * The dependency edges of a project version, stored compactly on its version_components rows
 * instead of one row per edge:
 *
 *   parents      the component's parents in that version: component ids, or -1-i for the version's
 *                root i, ascending, comma-separated ('' when none)
 *   path_parent  the parent on the component's shortest path from a root (null when no root reaches
 *                it within PATH_DEPTH_MAX steps), so the shortest path is a chain walk
 *
 * The shortest path is the one the former breadth-first search upwards from the component found
 * (queries.ts before this column): of all shortest paths to a root, the one whose nodes, read from
 * the component upwards, are smallest by id first (roots, being negative, before components). That
 * path's first step is the smallest parent one step nearer a root, and the rest is that parent's
 * own path, so storing one parent per component gives it.
 *
 * Pure functions: ingest and the migration that replaced the edges table both use them.
 */

/** Paths longer than this many edges are not recorded (the former search stopped after 64 levels). */
export const PATH_DEPTH_MAX = 64;

/** `1,5,-1` → [-1, 1, 5]; '' → []. */
export function decodeParents(text: string): number[] {
  if (!text) return [];
  const out: number[] = [];
  for (const p of text.split(',')) out.push(Number(p));
  return out;
}

/** The stored text of a parent list (sorted ascending, duplicates dropped). */
export function encodeParents(parents: Iterable<number>): string {
  const sorted = [...new Set(parents)].sort((a, b) => a - b);
  return sorted.join(',');
}

/**
 * One version's compact rows from its edges: each child's sorted parent list and its shortest-path
 * parent. `edges` are [parent, child] (parent < 0 for a root); duplicates are allowed.
 */
export function compactEdges(edges: Iterable<readonly [number, number]>): Map<number, { parents: number[]; pathParent: number | null }> {
  // (a component has one or two parents as a rule: a list searched beats a Set per component)
  const parentsOf = new Map<number, number[]>();
  const childrenOf = new Map<number, number[]>();
  for (const [p, c] of edges) {
    const s = parentsOf.get(c);
    if (!s) parentsOf.set(c, [p]);
    else if (s.includes(p)) continue;
    else s.push(p);
    const l = childrenOf.get(p);
    if (!l) childrenOf.set(p, [c]);
    else l.push(c);
  }
  // distance from the nearest root, breadth-first downwards from every root at once
  const dist = new Map<number, number>();
  let frontier: number[] = [];
  for (const p of childrenOf.keys()) {
    if (p < 0) {
      dist.set(p, 0);
      frontier.push(p);
    }
  }
  for (let d = 1; d <= PATH_DEPTH_MAX && frontier.length; d++) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const c of childrenOf.get(n) ?? []) {
        if (dist.has(c)) continue;
        dist.set(c, d);
        next.push(c);
      }
    }
    frontier = next;
  }
  const out = new Map<number, { parents: number[]; pathParent: number | null }>();
  for (const [c, parents] of parentsOf) {
    if (parents.length > 1) parents.sort((a, b) => a - b);
    const d = dist.get(c);
    let pathParent: number | null = null;
    if (d !== undefined && d > 0) {
      // the smallest parent one step nearer a root (parents are sorted)
      for (const p of parents) {
        if (dist.get(p) === d - 1) {
          pathParent = p;
          break;
        }
      }
    }
    out.set(c, { parents, pathParent });
  }
  return out;
}
