import type { Inventory } from '../model/inventory.js';

/** Everything an Inventory holds, as plain data (Maps and Sets in their insertion order), to compare two reads. */
export function plainInventory(inv: Inventory): unknown {
  const g = inv.graph;
  return {
    source: inv.source,
    components: [...g.components.entries()],
    edges: [...g.edges.entries()].map(([from, tos]) => [from, [...tos]]),
    roots: [...g.roots.entries()],
    rootIdentities: [...g.rootIdentities.entries()],
    unresolved: inv.unresolved,
    warnings: inv.warnings,
    lost: inv.lost,
  };
}
