/**
 * Rows written straight into a portfolio database, for tests of the queries that count them (the
 * per-project counts, the trend): a project (with a tag), a version, a finding on a component of its
 * own, a finished upload. Nothing here runs the engine.
 */
import type { Db } from '../db/index.js';

export async function insertProject(db: Db, name: string, createdAt: Date, tag?: string): Promise<number> {
  const { id } = await db.insertInto('projects').values({ name, parent_id: null, created_at: createdAt.toISOString() }).returning('id').executeTakeFirstOrThrow();
  if (tag) await db.insertInto('project_tags').values({ project_id: id, tag }).execute();
  return id;
}

export async function insertVersion(db: Db, projectId: number, v: string, current: boolean, at: Date): Promise<number> {
  const { id } = await db
    .insertInto('project_versions')
    .values({ project_id: projectId, version: v, current: current ? 1 : 0, upload_id: null, roots: '[]', meta: '{}', created_at: at.toISOString(), updated_at: at.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

let componentN = 0;
/** An open (or resolved) finding of `severity` on a new component of the version. */
export async function insertFinding(db: Db, versionId: number, severity: string, at: Date, o: { kev?: boolean; epss?: number; resolved?: boolean } = {}): Promise<void> {
  const n = ++componentN;
  const { id } = await db
    .insertInto('components')
    .values({ purl: `pkg:npm/c${n}@1.0.0`, purl_base: `pkg:npm/c${n}`, ecosystem: 'npm', ecosystem_base: 'npm', name: `c${n}`, name_norm: `c${n}`, version: '1.0.0', data: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('findings')
    .values({ version_id: versionId, component_id: id, vuln_id: `GHSA-${n}`, aliases: '[]', severity, score: null, priority: null, kev: o.kev ? 1 : 0, epss: o.epss ?? null, first_seen: at.toISOString(), resolved_at: o.resolved ? at.toISOString() : null, data: '{}' })
    .execute();
}

/** A finished upload of the project at `at` (what "last upload" and freshness read). */
export async function insertUpload(db: Db, projectId: number, version: string, at: Date): Promise<void> {
  const sha = `${projectId}-${at.getTime()}`.padEnd(64, '0');
  await db.insertInto('documents').values({ sha256: sha, bytes: Buffer.from('x'), size: 1, file_name: 'bom.json', created_at: at.toISOString() }).execute();
  await db.insertInto('uploads').values({ id: `u-${sha}`, project_id: projectId, version, document_sha256: sha, file_name: 'bom.json', state: 'done', error: null, components: 0, findings: 0, created_at: at.toISOString(), finished_at: at.toISOString() }).execute();
}
