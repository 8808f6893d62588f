/**
 * Issue 15: GET /api/v1/projects carries each project's open findings by severity, its KEV count
 * and its last upload time — on SQLite and (VOUCH_TEST_PG) PostgreSQL, over rows written here so
 * every expected count is known by hand:
 *
 *   pay-api  (tag payments)  current 2.0: CRITICAL kev · HIGH · HIGH · MEDIUM resolved (not counted)
 *                            old 1.0: CRITICAL kev (not current, not counted)
 *                            uploads 3 days ago and 1 day ago (the last: 1 day ago)
 *   web      (no tag)        current 1.0: LOW · UNKNOWN kev · UNKNOWN; no upload
 *   idle     (tag payments)  no version, no finding, no upload
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { getProject, listProjects } from './projects.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysAgo = (n: number): string => new Date(NOW.getTime() - n * 86_400_000).toISOString();

async function project(db: Db, name: string, tag?: string): Promise<number> {
  const { id } = await db.insertInto('projects').values({ name, parent_id: null, created_at: daysAgo(30) }).returning('id').executeTakeFirstOrThrow();
  if (tag) await db.insertInto('project_tags').values({ project_id: id, tag }).execute();
  return id;
}

async function version(db: Db, projectId: number, v: string, current: boolean): Promise<number> {
  const at = NOW.toISOString();
  const { id } = await db
    .insertInto('project_versions')
    .values({ project_id: projectId, version: v, current: current ? 1 : 0, upload_id: null, roots: '[]', meta: '{}', created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

let n = 0;
async function finding(db: Db, versionId: number, severity: string, o: { kev?: boolean; resolved?: boolean } = {}): Promise<void> {
  const i = ++n;
  const { id } = await db
    .insertInto('components')
    .values({ purl: `pkg:npm/k${i}@1.0.0`, purl_base: `pkg:npm/k${i}`, ecosystem: 'npm', ecosystem_base: 'npm', name: `k${i}`, name_norm: `k${i}`, version: '1.0.0', data: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('findings')
    .values({ version_id: versionId, component_id: id, vuln_id: `GHSA-k${i}`, aliases: '[]', severity, score: null, priority: null, kev: o.kev ? 1 : 0, epss: null, first_seen: NOW.toISOString(), resolved_at: o.resolved ? NOW.toISOString() : null, data: '{}' })
    .execute();
}

async function upload(db: Db, projectId: number, at: string): Promise<void> {
  const sha = `${projectId}-${at}`.replace(/[^0-9a-z-]/gi, '').padEnd(64, '0');
  await db.insertInto('documents').values({ sha256: sha, bytes: Buffer.from('x'), size: 1, file_name: 'bom.json', created_at: at }).execute();
  await db.insertInto('uploads').values({ id: `u-${sha}`, project_id: projectId, version: '2.0', document_sha256: sha, file_name: 'bom.json', state: 'done', error: null, components: 0, findings: 0, created_at: at, finished_at: at }).execute();
}

const zero = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NONE: 0, UNKNOWN: 0, kev: 0 };

describe.each(testDbs())('per-project open finding counts on $name', (kind) => {
  let t: TestDb;

  beforeEach(async () => {
    t = await freshDb(kind);
    const pay = await project(t.db, 'pay-api', 'payments');
    const web = await project(t.db, 'web');
    await project(t.db, 'idle', 'payments');
    const pay2 = await version(t.db, pay, '2.0', true);
    const pay1 = await version(t.db, pay, '1.0', false);
    await finding(t.db, pay2, 'CRITICAL', { kev: true });
    await finding(t.db, pay2, 'HIGH');
    await finding(t.db, pay2, 'HIGH');
    await finding(t.db, pay2, 'MEDIUM', { resolved: true });
    await finding(t.db, pay1, 'CRITICAL', { kev: true });
    const web1 = await version(t.db, web, '1.0', true);
    await finding(t.db, web1, 'LOW');
    await finding(t.db, web1, 'UNKNOWN', { kev: true });
    await finding(t.db, web1, 'UNKNOWN');
    await upload(t.db, pay, daysAgo(3));
    await upload(t.db, pay, daysAgo(1));
  });
  afterEach(() => t.close());

  it('counts the current version\'s open findings only, by severity and KEV, with the last upload', async () => {
    const { items } = await listProjects(t.db, { all: true });
    const by = Object.fromEntries(items.map((p) => [p.name, p]));
    expect(Object.keys(by).sort()).toEqual(['idle', 'pay-api', 'web']);
    expect(by['pay-api']!.open).toEqual({ ...zero, CRITICAL: 1, HIGH: 2, kev: 1 });
    expect(by['pay-api']!.lastUpload).toBe(daysAgo(1));
    expect(by['web']!.open).toEqual({ ...zero, LOW: 1, UNKNOWN: 2, kev: 1 });
    expect(by['web']!.lastUpload).toBeUndefined();
    expect(by['idle']!.open).toEqual(zero);
    expect(by['idle']!.lastUpload).toBeUndefined();
    expect((await getProject(t.db, 'pay-api', { all: true }))?.open).toEqual({ ...zero, CRITICAL: 1, HIGH: 2, kev: 1 });
  });

  it('a scoped token sees only its projects\' counts, page by page', async () => {
    const scoped = await listProjects(t.db, { tag: 'payments' });
    expect(scoped.items.map((p) => [p.name, p.open.CRITICAL, p.open.HIGH, p.open.kev])).toEqual([
      ['idle', 0, 0, 0],
      ['pay-api', 1, 2, 1],
    ]);
    const p1 = await listProjects(t.db, { all: true }, { limit: 2 });
    const p2 = await listProjects(t.db, { all: true }, { limit: 2, cursor: p1.next! });
    expect(p2.items.map((p) => [p.name, p.open.LOW, p.open.UNKNOWN])).toEqual([['web', 1, 2]]);
  });
});
