/**
 * Projects and their versions. A project has a unique name, an optional parent (a collection: the
 * parent's findings include its children's), tags and owners; a version is free text (a release,
 * a branch, a deployment) and one per project is current. Every read takes the caller's Scope: a
 * project outside it is answered exactly as one that does not exist.
 */
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { type Scope, descendantsOf, scopedProjectIds } from './access.js';
import { PortfolioError } from './errors.js';
import { RATINGS_DESC, type Rating } from '../model/triage.js';

/** Open findings of a project's current version, by severity, and how many of them KEV lists. */
export type OpenCounts = Record<Rating, number> & { kev: number };

export interface ProjectView {
  name: string;
  parent?: string;
  /** direct children visible in the scope */
  children: string[];
  tags: string[];
  owners: string[];
  currentVersion?: string;
  createdAt: string;
  /** open findings of the current version (its own components, not its children's) */
  open: OpenCounts;
  /** when its last document was uploaded */
  lastUpload?: string;
}

export interface VersionView {
  version: string;
  current: boolean;
  uploadId?: string;
  components: number;
  findings: number;
  createdAt: string;
  updatedAt: string;
}

const NAME_MAX = 200;

/** A project name: 1–200 characters, no control characters, no leading or trailing space. */
export function checkProjectName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name) || name.trim() !== name) {
    throw new PortfolioError('invalid', `a project name is 1–${NAME_MAX} characters without control characters or surrounding spaces`);
  }
}

function checkLabels(kind: string, list: readonly string[] | undefined): string[] {
  const out = [...new Set(list ?? [])];
  for (const t of out) {
    // eslint-disable-next-line no-control-regex
    if (!t || t.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(t)) throw new PortfolioError('invalid', `${kind} must be 1–${NAME_MAX} characters without control characters`);
  }
  return out.sort();
}

export async function createProject(
  db: Db,
  opts: { name: string; parent?: string; tags?: readonly string[]; owners?: readonly string[] },
): Promise<ProjectView> {
  checkProjectName(opts.name);
  const tags = checkLabels('a tag', opts.tags);
  const owners = checkLabels('an owner', opts.owners);
  await db.transaction().execute(async (tx) => {
    let parentId: number | null = null;
    if (opts.parent !== undefined) {
      const p = await tx.selectFrom('projects').select('id').where('name', '=', opts.parent).executeTakeFirst();
      if (!p) throw new PortfolioError('not_found', `no project named "${opts.parent}" to be the parent`);
      parentId = p.id;
    }
    const r = await tx
      .insertInto('projects')
      .values({ name: opts.name, parent_id: parentId, created_at: nowIso() })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!r) throw new PortfolioError('conflict', `a project named "${opts.name}" exists`);
    if (tags.length) await tx.insertInto('project_tags').values(tags.map((tag) => ({ project_id: r.id, tag }))).execute();
    if (owners.length) await tx.insertInto('project_owners').values(owners.map((owner) => ({ project_id: r.id, owner }))).execute();
  });
  return (await getProject(db, opts.name, { all: true }))!;
}

/** The project's id when it exists and is in the scope. */
export async function projectIdInScope(db: Db, name: string, scope: Scope): Promise<number | undefined> {
  const row = await db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
  if (!row) return undefined;
  const ids = await scopedProjectIds(db, scope);
  return ids === undefined || ids.includes(row.id) ? row.id : undefined;
}

export async function getProject(db: Db, name: string, scope: Scope): Promise<ProjectView | undefined> {
  const id = await projectIdInScope(db, name, scope);
  if (id === undefined) return undefined;
  const ids = await scopedProjectIds(db, scope);
  return (await projectViews(db, [id], ids))[0];
}

/** Projects in the scope, by name; `cursor` is the `next` of the page before. */
export async function listProjects(
  db: Db,
  scope: Scope,
  opts: { cursor?: string; limit?: number } = {},
): Promise<{ items: ProjectView[]; next?: string }> {
  const limit = clampLimit(opts.limit);
  const ids = await scopedProjectIds(db, scope);
  if (ids !== undefined && ids.length === 0) return { items: [] };
  let q = db.selectFrom('projects').select(['id', 'name']).orderBy('name').limit(limit + 1);
  if (ids !== undefined) q = q.where('id', 'in', ids);
  const after = opts.cursor !== undefined ? decodeCursor<{ name: string }>(opts.cursor).name : undefined;
  if (after !== undefined) q = q.where('name', '>', after);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const items = await projectViews(
    db,
    page.map((r) => r.id),
    ids,
  );
  return { items, ...(rows.length > limit ? { next: encodeCursor({ name: page[page.length - 1]!.name }) } : {}) };
}

export interface ProjectPatch {
  /** null: no parent any more */
  parent?: string | null;
  tags?: readonly string[];
  owners?: readonly string[];
}

/** Changes a project's parent, tags or owners; undefined when it does not exist (or is out of `scope`). */
export async function updateProject(db: Db, name: string, patch: ProjectPatch, scope: Scope = { all: true }): Promise<ProjectView | undefined> {
  const id = await projectIdInScope(db, name, scope);
  if (id === undefined) return undefined;
  const tags = patch.tags !== undefined ? checkLabels('a tag', patch.tags) : undefined;
  const owners = patch.owners !== undefined ? checkLabels('an owner', patch.owners) : undefined;
  await db.transaction().execute(async (tx) => {
    if (patch.parent !== undefined) {
      let parentId: number | null = null;
      if (patch.parent !== null) {
        const p = await tx.selectFrom('projects').select('id').where('name', '=', patch.parent).executeTakeFirst();
        const visible = await scopedProjectIds(tx, scope);
        if (!p || (visible !== undefined && !visible.includes(p.id))) throw new PortfolioError('not_found', `no project named "${patch.parent}" to be the parent`);
        if ((await descendantsOf(tx, [id])).includes(p.id)) throw new PortfolioError('conflict', `"${patch.parent}" is "${name}" or one of its descendants: a collection cannot contain itself`);
        parentId = p.id;
      }
      await tx.updateTable('projects').set({ parent_id: parentId }).where('id', '=', id).execute();
    }
    if (tags !== undefined) {
      await tx.deleteFrom('project_tags').where('project_id', '=', id).execute();
      if (tags.length) await tx.insertInto('project_tags').values(tags.map((tag) => ({ project_id: id, tag }))).execute();
    }
    if (owners !== undefined) {
      await tx.deleteFrom('project_owners').where('project_id', '=', id).execute();
      if (owners.length) await tx.insertInto('project_owners').values(owners.map((owner) => ({ project_id: id, owner }))).execute();
    }
  });
  return getProject(db, name, scope);
}

/** The project's versions, newest first; undefined when the project is absent or out of scope. */
export async function listVersions(db: Db, name: string, scope: Scope): Promise<VersionView[] | undefined> {
  const id = await projectIdInScope(db, name, scope);
  if (id === undefined) return undefined;
  const rows = await db
    .selectFrom('project_versions as v')
    .select((eb) => [
      'v.id',
      'v.version',
      'v.current',
      'v.upload_id',
      'v.created_at',
      'v.updated_at',
      eb.selectFrom('version_components as vc').select(eb.fn.countAll<number>().as('n')).whereRef('vc.version_id', '=', 'v.id').as('components'),
      eb
        .selectFrom('findings as f')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('f.version_id', '=', 'v.id')
        .where('f.resolved_at', 'is', null)
        .as('findings'),
    ])
    .where('v.project_id', '=', id)
    .orderBy('v.updated_at', 'desc')
    .orderBy('v.id', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    current: r.current === 1,
    ...(r.upload_id !== null ? { uploadId: r.upload_id } : {}),
    components: Number(r.components ?? 0),
    findings: Number(r.findings ?? 0),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

async function projectViews(db: Db, ids: readonly number[], visible: readonly number[] | undefined): Promise<ProjectView[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('projects as p')
    .leftJoin('projects as parent', 'parent.id', 'p.parent_id')
    .leftJoin('project_versions as v', (j) => j.onRef('v.project_id', '=', 'p.id').on('v.current', '=', 1))
    .select((eb) => [
      'p.id',
      'p.name',
      'p.created_at',
      'parent.id as parent_id',
      'parent.name as parent_name',
      'v.version as current_version',
      eb.selectFrom('uploads as u').select((e) => e.fn.max('u.created_at').as('last')).whereRef('u.project_id', '=', 'p.id').as('last_upload'),
    ])
    .where('p.id', 'in', [...ids])
    .execute();
  // one grouped query for the whole page: open findings of each current version by severity and KEV
  const counts = await db
    .selectFrom('findings as f')
    .innerJoin('project_versions as v', 'v.id', 'f.version_id')
    .select((eb) => ['v.project_id', 'f.severity', eb.fn.countAll().as('n'), eb.fn.sum<number | string | null>('f.kev').as('kev')])
    .where('v.project_id', 'in', [...ids])
    .where('v.current', '=', 1)
    .where('f.resolved_at', 'is', null)
    .groupBy(['v.project_id', 'f.severity'])
    .execute();
  const open = new Map<number, OpenCounts>();
  const openOf = (id: number): OpenCounts => {
    let o = open.get(id);
    if (!o) open.set(id, (o = { ...(Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>), kev: 0 }));
    return o;
  };
  for (const c of counts) {
    const o = openOf(c.project_id);
    if (c.severity in o && c.severity !== 'kev') o[c.severity as Rating] += Number(c.n);
    o.kev += Number(c.kev ?? 0);
  }
  const tags = await db.selectFrom('project_tags').select(['project_id', 'tag']).where('project_id', 'in', [...ids]).orderBy('tag').execute();
  const owners = await db.selectFrom('project_owners').select(['project_id', 'owner']).where('project_id', 'in', [...ids]).orderBy('owner').execute();
  const children = await db.selectFrom('projects').select(['id', 'parent_id', 'name']).where('parent_id', 'in', [...ids]).orderBy('name').execute();
  const canSee = (pid: number | null): boolean => pid !== null && (visible === undefined || visible.includes(pid));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r) => r !== undefined)
    .map((r) => ({
      name: r.name,
      ...(r.parent_name !== null && canSee(r.parent_id) ? { parent: r.parent_name } : {}),
      children: children.filter((c) => c.parent_id === r.id && canSee(c.id)).map((c) => c.name),
      tags: tags.filter((t) => t.project_id === r.id).map((t) => t.tag),
      owners: owners.filter((o) => o.project_id === r.id).map((o) => o.owner),
      ...(r.current_version !== null ? { currentVersion: r.current_version } : {}),
      createdAt: r.created_at,
      open: openOf(r.id),
      ...(r.last_upload != null ? { lastUpload: String(r.last_upload) } : {}),
    }));
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function clampLimit(n: number | undefined): number {
  if (n === undefined || !Number.isFinite(n)) return DEFAULT_LIMIT;
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(n)));
}

/** Opaque page cursors: base64url JSON. A cursor that does not decode is an `invalid` error. */
export function encodeCursor(v: object): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string): T {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as T;
  } catch {
    // falls through
  }
  throw new PortfolioError('invalid', 'the cursor is not one this server gave out');
}
