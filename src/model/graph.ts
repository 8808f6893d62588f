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
   * Bounded by `limit` so a dense graph cannot explode.
   */
  pathsTo(purl: string, limit = 100): string[][] {
    const parents = this.reverseEdges();
    const out: string[][] = [];
    // BFS over partial paths backwards from the target gives shortest-first order.
    let frontier: string[][] = [[purl]];
    const maxDepth = this.components.size + 1;
    for (let depth = 0; frontier.length && out.length < limit && depth <= maxDepth; depth++) {
      const next: string[][] = [];
      for (const partial of frontier) {
        const head = partial[0]!;
        if (this.roots.has(head)) {
          out.push(partial);
          if (out.length >= limit) break;
          continue;
        }
        for (const p of parents.get(head) ?? []) {
          if (partial.includes(p)) continue;
          next.push([p, ...partial]);
        }
      }
      // keep the frontier bounded: a dense graph has exponentially many partial paths
      frontier = next.length > limit * 50 ? next.slice(0, limit * 50) : next;
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
