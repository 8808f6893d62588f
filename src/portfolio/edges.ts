/**
 * The dependency edges of stored project versions, read from version_components' `parents`
 * (db/parents.ts: the edges are no longer rows of their own). Edges come back as the edges table
 * gave them — { version_id, parent_id, child_id }, parent_id -1-i for the version's root i — in
 * one order: by version, then child, then parent.
 */
import { sql } from 'kysely';
import { type Db, inList, isPostgres } from '../db/index.js';
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

/**
 * The edges into exact (version, child) pairs — every parent of each; one statement per 10,000
 * pairs, each pair a lookup on version_components' primary key, so a level of a walk costs what it
 * finds, not versions × children. The shape of the re-match's own `parentsOf` on branch rematch,
 * whose body this replaces.
 */
export async function parentsOfPairs(db: Db, pairs: readonly { version: number; child: number }[]): Promise<{ version: number; parent: number; child: number }[]> {
  const out: { version: number; parent: number; child: number }[] = [];
  for (let i = 0; i < pairs.length; i += 10_000) {
    const part = pairs.slice(i, i + 10_000);
    const rows = isPostgres(db)
      ? await sql<{ version_id: number; component_id: number; parents: string }>`SELECT vc.version_id, vc.component_id, vc.parents
          FROM unnest(${part.map((p) => p.version)}::int4[], ${part.map((p) => p.child)}::int4[]) AS p(v, c)
          JOIN version_components AS vc ON vc.version_id = p.v AND vc.component_id = p.c
          WHERE vc.parents <> ''`.execute(db)
      : await sql<{ version_id: number; component_id: number; parents: string }>`SELECT vc.version_id, vc.component_id, vc.parents
          FROM json_each(${JSON.stringify(part.map((p) => [p.version, p.child]))}) AS p
          CROSS JOIN version_components AS vc ON vc.version_id = json_extract(p.value, '$[0]') AND vc.component_id = json_extract(p.value, '$[1]')
          WHERE vc.parents <> ''`.execute(db);
    for (const r of rows.rows) {
      const version = Number(r.version_id);
      const child = Number(r.component_id);
      for (const parent of decodeParents(r.parents)) out.push({ version, parent, child });
    }
  }
  return out;
}
