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
import { insertFinding, insertProject, insertUpload, insertVersion } from './rows-testing.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysAgo = (n: number): string => new Date(NOW.getTime() - n * 86_400_000).toISOString();

const project = (db: Db, name: string, tag?: string): Promise<number> => insertProject(db, name, new Date(daysAgo(30)), tag);
const version = (db: Db, projectId: number, v: string, current: boolean): Promise<number> => insertVersion(db, projectId, v, current, NOW);
const finding = (db: Db, versionId: number, severity: string, o: { kev?: boolean; resolved?: boolean } = {}): Promise<void> => insertFinding(db, versionId, severity, NOW, o);
const upload = (db: Db, projectId: number, at: string): Promise<void> => insertUpload(db, projectId, '2.0', new Date(at));

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
