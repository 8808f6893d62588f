/** What the directory walker and the rootfs walker share. */
import path from 'node:path';
import type { Extractor } from '../ecosystems/types.js';
import type { InputStatus, Inventory } from '../model/inventory.js';
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

/**
 * The sibling of `file` (a path beside it) that the extractor's tool reads instead, when `exists`
 * says it is in the folder: npm's npm-shrinkwrap.json over package-lock.json. Undefined otherwise.
 */
export function shadowingSibling(extractor: Extractor, file: string, exists: (name: string) => boolean): string | undefined {
  const name = extractor.shadowedBy?.(file);
  return name !== undefined && exists(name) ? path.join(path.dirname(file), name) : undefined;
}

/** How a walk records a file it does not read because the tool reads `sibling` instead. */
export function shadowedInput(file: string, extractor: Extractor, sibling: string): InputStatus {
  return { path: file, extractor: extractor.id, status: 'ok', components: 0, warnings: [`skipped: ${shadowNote(extractor, sibling)} instead of this ${path.basename(file)}`] };
}

export function shadowNote(extractor: Extractor, sibling: string): string {
  return `${extractor.id.slice(0, extractor.id.indexOf('/'))} uses ${sibling}`;
}
