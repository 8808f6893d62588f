/** What the directory walker and the rootfs walker share. */
import type { Inventory } from '../model/inventory.js';
import type { CollectedInventory } from '../model/inventory.js';

/** Folders never descended into: installed trees, VCS metadata, vendored copies. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'vendor', '.hg', '.svn', 'bower_components']);

/** Adds one extractor's inventory to a walk's result (the first graph is adopted, not copied). */
export function addInventory(result: CollectedInventory, inv: Inventory): void {
  if (result.graph.components.size === 0 && result.graph.roots.size === 0) result.graph = inv.graph;
  else result.graph.merge(inv.graph);
  result.inputs.push({
    path: inv.source.path,
    extractor: inv.source.extractor,
    status: inv.lost?.length ? 'partial' : 'ok',
    components: inv.graph.components.size,
    warnings: inv.warnings,
    ...(inv.lost?.length ? { lost: [...inv.lost] } : {}),
  });
  for (const u of inv.unresolved) result.unresolved.push({ ...u, path: inv.source.path });
}
