/**
 * The dependency edges of stored project versions, read from version_components' `parents`
 * (db/parents.ts: the edges are no longer rows of their own). Edges come back as the edges table
 * gave them — { version_id, parent_id, child_id }, parent_id -1-i for the version's root i — in
 * one order: by version, then child, then parent.
 */
import { type Db, inList } from '../db/index.js';
import { decodeParents } from '../db/parents.js';

export interface EdgeRow {
  version_id: number;
  /** a component id, or -1-i for the version's root i */
  parent_id: number;
  child_id: number;
}

/** Ids per IN list (inList binds each list as one parameter; this bounds the rows read at once). */
const CHUNK = 20_000;

function expand(rows: readonly { version_id: number; component_id: number; parents: string }[], out: EdgeRow[]): void {
  for (const r of rows) {
    if (!r.parents) continue;
    for (const p of decodeParents(r.parents)) out.push({ version_id: r.version_id, parent_id: p, child_id: r.component_id });
  }
}

/**
 * One level of the graph: the edges into `childIds` in `versionIds` (every version × every child
 * asked, as `edges WHERE version_id IN … AND child_id IN …` did).
 */
export async function parentsOf(db: Db, versionIds: readonly number[], childIds: readonly number[]): Promise<EdgeRow[]> {
  const out: EdgeRow[] = [];
  if (!versionIds.length || !childIds.length) return out;
  const versions = [...new Set(versionIds)];
  const children = [...new Set(childIds)];
  for (let i = 0; i < children.length; i += CHUNK) {
    const rows = await db
      .selectFrom('version_components')
      .select(['version_id', 'component_id', 'parents'])
      .where(inList(db, 'version_id', versions))
      .where(inList(db, 'component_id', children.slice(i, i + CHUNK)))
      .where('parents', '!=', '')
      .orderBy('version_id')
      .orderBy('component_id')
      .execute();
    expand(rows, out);
  }
  if (children.length > CHUNK) out.sort((a, b) => a.version_id - b.version_id || a.child_id - b.child_id || a.parent_id - b.parent_id);
  return out;
}

/** Every edge of the given versions. */
export async function versionEdges(db: Db, versionIds: readonly number[]): Promise<EdgeRow[]> {
  const out: EdgeRow[] = [];
  const versions = [...new Set(versionIds)].sort((a, b) => a - b);
  for (let i = 0; i < versions.length; i += CHUNK) {
    const rows = await db
      .selectFrom('version_components')
      .select(['version_id', 'component_id', 'parents'])
      .where(inList(db, 'version_id', versions.slice(i, i + CHUNK)))
      .where('parents', '!=', '')
      .orderBy('version_id')
      .orderBy('component_id')
      .execute();
    expand(rows, out);
  }
  return out;
}
