/**
 * The dependency graph: components keyed by purl, edges between them, and roots (the projects or
 * documents that pull them in). Roots are plain string ids ("root:<path>") so a graph can hold
 * several projects at once.
 */
import { type Component, mergeComponent } from './component.js';

export interface RootIdentity {
  name: string;
  version: string;
  /** with version */
  purl: string;
}

export class DependencyGraph {
  readonly components = new Map<string, Component>();
  /** from id (root id or purl) → purls it depends on */
  readonly edges = new Map<string, Set<string>>();
  /** root id → a human label (the file or project it stands for) */
  readonly roots = new Map<string, string>();
  /**
   * root id → the project's own identity, when the input records one: a workspace member or the
   * lockfile's own package with its name and version (`pkg:npm/app@1.2.0`). Roots are the
   * software being described, not dependencies: they are never matched against advisories, but
   * SBOMs list them with their version and purl.
   */
  readonly rootIdentities = new Map<string, RootIdentity>();

  addRoot(id: string, label: string, identity?: RootIdentity): void {
    this.roots.set(id, label);
    if (identity) this.rootIdentities.set(id, identity);
  }

  /** Adds or merges a component; returns the stored one. */
  add(c: Component): Component {
    const existing = this.components.get(c.purl);
    if (existing) {
      mergeComponent(existing, c);
      return existing;
    }
    const copy: Component = { ...c, locations: [...c.locations] };
    this.components.set(c.purl, copy);
    return copy;
  }

  addEdge(from: string, to: string): void {
    if (from === to) return;
    let s = this.edges.get(from);
    if (!s) this.edges.set(from, (s = new Set()));
    if (!s.has(to)) {
      s.add(to);
      this.edgeCount++;
    }
  }

  /** Edges added through addEdge: the reverse index is rebuilt only when this changes. */
  private edgeCount = 0;

  /** Merge another graph (e.g. one input's inventory) into this one. */
  merge(other: DependencyGraph): void {
    for (const [id, label] of other.roots) this.addRoot(id, label, other.rootIdentities.get(id));
    for (const c of other.components.values()) this.add(c);
    for (const [from, tos] of other.edges) for (const to of tos) this.addEdge(from, to);
  }

  /**
   * Every path from a root to `purl` (root id first, `purl` last), shortest first, without cycles.
   * Bounded by `limit` so a dense graph cannot explode, and by a budget of steps linear in the
   * graph's size: where the paths fan out and cycle back (2^n of them), the walk stops with those
   * found so far — at least the shortest, when there is one.
   */
  pathsTo(purl: string, limit = 100): string[][] {
    const parents = this.reverseEdges();
    const out: string[][] = [];
    // BFS over partial paths backwards from the target gives shortest-first order. A partial path
    // is a linked list sharing its tail with the one it grew from, and the walk along it looking for
    // a cycle happens only for a node already met: a chain 100,000 long costs linear time, not the
    // quadratic time (and memory) of copying and scanning an array per step.
    let frontier: PathLink[] = [{ node: purl, rest: undefined }];
    const met = new Set<string>([purl]);
    const maxDepth = this.components.size + 1;
    let budget = PATH_BUDGET_BASE + 8 * (this.components.size + this.edgeCount);
    const spend = (n: number): boolean => (budget -= n) > 0;
    for (let depth = 0; frontier.length && out.length < limit && depth <= maxDepth && budget > 0; depth++) {
      const next: PathLink[] = [];
      for (const partial of frontier) {
        const head = partial.node;
        if (this.roots.has(head)) {
          out.push(linkToPath(partial));
          if (out.length >= limit) break;
          continue;
        }
        for (const p of parents.get(head) ?? []) {
          if (!spend(1)) break;
          if (met.has(p) && (!spend(depth) || onLink(partial, p))) continue;
          met.add(p);
          next.push({ node: p, rest: partial });
        }
        if (budget <= 0) break;
      }
      // keep the frontier bounded: a dense graph has exponentially many partial paths
      frontier = next.length > limit * 50 ? next.slice(0, limit * 50) : next;
    }
    if (out.length === 0 && budget <= 0) {
      const shortest = this.shortestPath(purl);
      if (shortest) out.push(shortest);
    }
    return out;
  }

  /** The shortest path from a root to `purl`, or undefined when none is recorded. */
  shortestPath(purl: string): string[] | undefined {
    const parents = this.reverseEdges();
    const prev = new Map<string, string>();
    const queue = [purl];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!;
      if (this.roots.has(node)) {
        const path = [node];
        let cur = node;
        while (cur !== purl) {
          cur = prev.get(cur)!;
          path.push(cur);
        }
        return path;
      }
      for (const p of parents.get(node) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        prev.set(p, node);
        queue.push(p);
      }
    }
    return undefined;
  }

  /**
   * node → the nodes with an edge to it, in the order of `edges`; built once for the graph as it
   * is (again after edges are added) and shared by pathsTo and the report's path counts.
   */
  parentsOf(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.reverseEdges();
  }

  private reverseCache: { size: number; map: Map<string, Set<string>> } | undefined;

  private reverseEdges(): Map<string, Set<string>> {
    const n = this.edgeCount;
    if (this.reverseCache?.size === n) return this.reverseCache.map;
    const map = new Map<string, Set<string>>();
    for (const [from, tos] of this.edges) {
      for (const to of tos) {
        let s = map.get(to);
        if (!s) map.set(to, (s = new Set()));
        s.add(from);
      }
    }
    this.reverseCache = { size: n, map };
    return map;
  }
}

/** Steps pathsTo may take beyond 8 per component and edge (the walk along a partial path counts its length). */
const PATH_BUDGET_BASE = 1_000_000;

/** A path from its first node on: `rest` is the path after `node` (shared between paths). */
interface PathLink {
  node: string;
  rest: PathLink | undefined;
}

function onLink(link: PathLink | undefined, node: string): boolean {
  for (let l = link; l; l = l.rest) if (l.node === node) return true;
  return false;
}

function linkToPath(link: PathLink): string[] {
  const out: string[] = [];
  for (let l: PathLink | undefined = link; l; l = l.rest) out.push(l.node);
  return out;
}
