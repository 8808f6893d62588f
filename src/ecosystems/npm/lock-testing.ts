/** Test helpers shared by the npm lockfile tests (graph checks); the conformance cases are in src/testing/lockfile-conformance.ts. */
import { expect } from 'vitest';
import type { Component } from '../../model/component.js';
import type { Inventory } from '../../model/inventory.js';
import type { ExpectedPackage } from '../../testing/lockfile-conformance.js';
import { npmPurl } from './common.js';

export { errorOf } from '../../testing/lockfile-conformance.js';

export const P = (name: string, version: string): string => npmPurl(name, version);

export function comp(inv: Inventory, name: string, version: string): Component {
  const c = inv.graph.components.get(P(name, version));
  if (!c) throw new Error(`no component ${name}@${version}; have ${[...inv.graph.components.keys()].join(', ')}`);
  return c;
}

export function nameVersions(inv: Inventory): string[] {
  return [...new Set([...inv.graph.components.values()].map((c) => `${c.name}@${c.version}`))].sort();
}

export function expectedSet(pkgs: readonly ExpectedPackage[]): string[] {
  for (const p of pkgs) expect(p.ecosystem ?? 'npm').toBe('npm');
  return [...new Set(pkgs.map((p) => `${p.name}@${p.version}`))].sort();
}

export function edgesFrom(inv: Inventory, from: string): string[] {
  return [...(inv.graph.edges.get(from) ?? [])].sort();
}

export function reachableFromRoots(inv: Inventory): Set<string> {
  const queue = [...inv.graph.roots.keys()];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    for (const to of inv.graph.edges.get(queue[i]!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** Every component located in `file` on a positive line. */
export function expectLocated(inv: Inventory, file: string): void {
  for (const c of inv.graph.components.values()) {
    expect(c.locations.length).toBeGreaterThan(0);
    for (const loc of c.locations) {
      expect(loc.path).toBe(file);
      expect(loc.line, c.purl).toBeGreaterThan(0);
    }
  }
}
