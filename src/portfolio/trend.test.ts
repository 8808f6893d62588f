/**
 * Daily metrics snapshots, the trend they add up to per scope, and upload freshness — on SQLite and
 * (VOUCH_TEST_PG) PostgreSQL, over rows written here so every expected count is known by hand:
 *
 *   pay-api  (tag payments)  current 2.0: CRITICAL kev epss .97 · HIGH epss .10 · HIGH epss .099 ·
 *                                          MEDIUM resolved (not counted) — old 1.0: CRITICAL (not current)
 *   web      (no tag)        current 1.0: LOW · UNKNOWN kev
 *   idle     (tag payments)  no finding, no upload, created 40 days ago
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { ALL } from './access.js';
import { dayOf, portfolioTrend, snapshotMetrics, uploadFreshness } from './trend.js';
import { insertFinding, insertProject, insertUpload, insertVersion } from './rows-testing.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysAgo = (n: number): Date => new Date(NOW.getTime() - n * 86_400_000);

const project = insertProject;
const version = (db: Db, projectId: number, v: string, current: boolean): Promise<number> => insertVersion(db, projectId, v, current, NOW);
const finding = (db: Db, versionId: number, severity: string, o: { kev?: boolean; epss?: number; resolved?: boolean } = {}): Promise<void> => insertFinding(db, versionId, severity, NOW, o);
const upload = (db: Db, projectId: number, at: Date): Promise<void> => insertUpload(db, projectId, '1.0', at);

describe.each(testDbs())('the portfolio trend on $name', (kind) => {
  let t: TestDb;
  let ids: { pay: number; web: number; idle: number };

  beforeEach(async () => {
    t = await freshDb(kind);
    const db = t.db;
    ids = { pay: await project(db, 'pay-api', daysAgo(100), 'payments'), web: await project(db, 'web', daysAgo(100)), idle: await project(db, 'idle', daysAgo(40), 'payments') };
    const pay2 = await version(db, ids.pay, '2.0', true);
    const pay1 = await version(db, ids.pay, '1.0', false);
    const web1 = await version(db, ids.web, '1.0', true);
    await finding(db, pay2, 'CRITICAL', { kev: true, epss: 0.97 });
    await finding(db, pay2, 'HIGH', { epss: 0.1 });
    await finding(db, pay2, 'HIGH', { epss: 0.099 });
    await finding(db, pay2, 'MEDIUM', { resolved: true });
    await finding(db, pay1, 'CRITICAL', { kev: true });
    await finding(db, web1, 'LOW');
    await finding(db, web1, 'UNKNOWN', { kev: true });
    await upload(db, ids.pay, daysAgo(45));
    await upload(db, ids.pay, daysAgo(2));
    await upload(db, ids.web, daysAgo(31));
  });
  afterEach(() => t.close());

  it('a snapshot counts each project\'s current open findings; taking it twice the same day changes nothing', async () => {
    expect(await snapshotMetrics(t.db, NOW)).toEqual({ day: '2026-12-07', projects: 2 });
    const rows = async () => (await t.db.selectFrom('metrics_daily').selectAll().orderBy('project_id').execute()).map(({ day, ...r }) => ({ ...r, day }));
    const first = await rows();
    expect(first).toEqual([
      { day: '2026-12-07', project_id: ids.pay, critical: 1, high: 2, medium: 0, low: 0, other: 0, kev: 1, epss10: 2 },
      { day: '2026-12-07', project_id: ids.web, critical: 0, high: 0, medium: 0, low: 1, other: 1, kev: 1, epss10: 0 },
    ]);
    await snapshotMetrics(t.db, new Date(NOW.getTime() + 3600_000));
    expect(await rows()).toEqual(first);
    expect(await t.db.selectFrom('metrics_days').select('day').execute()).toEqual([{ day: '2026-12-07' }]);
  });

  it('the trend is per day, oldest first, and counts only the caller\'s projects', async () => {
    await snapshotMetrics(t.db, daysAgo(2));
    // the critical is fixed the next day: resolved by a re-match
    await t.db.updateTable('findings').set({ resolved_at: daysAgo(1).toISOString() }).where('severity', '=', 'CRITICAL').where('epss', '=', 0.97).execute();
    await snapshotMetrics(t.db, daysAgo(1));
    // a day when everything was fixed: zeros, not a gap
    await t.db.updateTable('findings').set({ resolved_at: NOW.toISOString() }).execute();
    await snapshotMetrics(t.db, NOW);

    const all = await portfolioTrend(t.db, ALL, { days: 90, now: NOW });
    expect(all.from).toBe(dayOf(daysAgo(89)));
    expect(all.to).toBe('2026-12-07');
    expect(all.days).toEqual([
      { day: '2026-12-05', critical: 1, high: 2, medium: 0, low: 1, other: 1, open: 5, kev: 2, epss10: 2 },
      { day: '2026-12-06', critical: 0, high: 2, medium: 0, low: 1, other: 1, open: 4, kev: 1, epss10: 1 },
      { day: '2026-12-07', critical: 0, high: 0, medium: 0, low: 0, other: 0, open: 0, kev: 0, epss10: 0 },
    ]);
    // a payments viewer: pay-api (and idle) only — web's LOW and UNKNOWN are not counted
    const pay = await portfolioTrend(t.db, { tag: 'payments' }, { days: 90, now: NOW });
    expect(pay.days.map((d) => [d.day, d.open, d.kev, d.low, d.other])).toEqual([
      ['2026-12-05', 3, 1, 0, 0],
      ['2026-12-06', 2, 0, 0, 0],
      ['2026-12-07', 0, 0, 0, 0],
    ]);
    expect((await portfolioTrend(t.db, { projects: ['web'] }, { days: 90, now: NOW })).days[0]).toMatchObject({ open: 2, kev: 1 });
    // nothing visible: the days are there, all zero
    expect((await portfolioTrend(t.db, { projects: [] }, { days: 90, now: NOW })).days.map((d) => d.open)).toEqual([0, 0, 0]);
    // days=2: yesterday and today
    expect((await portfolioTrend(t.db, ALL, { days: 2, now: NOW })).days.map((d) => d.day)).toEqual(['2026-12-06', '2026-12-07']);
  });

  it('today is counted live: a finding since the last hourly snapshot is in the trend already', async () => {
    await snapshotMetrics(t.db, NOW);
    const web2 = await version(t.db, ids.web, '2.0', false);
    await t.db.updateTable('project_versions').set({ current: 0 }).where('project_id', '=', ids.web).execute();
    await t.db.updateTable('project_versions').set({ current: 1 }).where('id', '=', web2).execute();
    await finding(t.db, web2, 'CRITICAL', { kev: true, epss: 0.5 });
    // web's current version is now 2.0: one CRITICAL (was LOW + UNKNOWN); pay-api unchanged (1 CRITICAL, 2 HIGH)
    const live = (await portfolioTrend(t.db, ALL, { now: NOW })).days;
    expect(live).toEqual([{ day: '2026-12-07', critical: 2, high: 2, medium: 0, low: 0, other: 0, open: 4, kev: 2, epss10: 3 }]);
    const snap = (await portfolioTrend(t.db, ALL, { now: NOW, live: false })).days;
    expect(snap).toEqual([{ day: '2026-12-07', critical: 1, high: 2, medium: 0, low: 1, other: 1, open: 5, kev: 2, epss10: 2 }]);
  });

  it('upload freshness: projects without an upload for 30 days, stalest first, within the scope', async () => {
    const all = await uploadFreshness(t.db, ALL, { now: NOW });
    // web: last upload 31 days ago; idle: never, created 40 days ago; pay-api: 2 days ago (fresh)
    expect(all).toEqual({
      staleDays: 30,
      stale: 2,
      projects: [
        { project: 'idle', lastUpload: null, createdAt: daysAgo(40).toISOString() },
        { project: 'web', lastUpload: daysAgo(31).toISOString(), createdAt: daysAgo(100).toISOString() },
      ],
    });
    const pay = await uploadFreshness(t.db, { tag: 'payments' }, { now: NOW });
    expect(pay.projects.map((p) => p.project)).toEqual(['idle']);
    expect((await uploadFreshness(t.db, ALL, { now: NOW, staleDays: 35 })).projects.map((p) => p.project)).toEqual(['idle']);
  });
});
