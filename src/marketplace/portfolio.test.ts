/**
 * The database side of the server's marketplace, on SQLite and (VOUCH_TEST_PG) PostgreSQL:
 * engagements updated by compare-and-set, one open engagement per need kept by the database,
 * pledges replaced per quarter, and the path counts reliance is computed from.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import type { Engagement } from './engagements.js';
import { DbEngagementRepository, listPledges, pathCounts, recordPledge } from './portfolio.js';

function engagement(id: string, needId: string, state: Engagement['state'] = 'proposed'): Engagement {
  return {
    id,
    need: { id: needId, kind: 'health', title: 'Add a security policy', task: 'Add SECURITY.md.', project: { ecosystem: 'npm', name: 'mylib' }, priority: 1, hours: 8, criticality: 0.5, check: { name: 'Security-Policy', score: 0 } },
    volunteer: 'Ada',
    state,
    history: [{ at: '2026-12-01T00:00:00.000Z', to: state }],
    links: [],
    hours: [],
    baseline: { health: 5, criticality: 0.5 },
    revision: 1,
  };
}

describe.each(testDbs())('marketplace tables on $name', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(kind);
  });
  afterEach(() => t.close());

  it('stores an update only over the revision it was read at', async () => {
    const repo = new DbEngagementRepository(t.db);
    await repo.insert(engagement('eng-a', 'npm/mylib#security-policy'));
    const read = (await repo.get('eng-a'))!;
    await repo.update({ ...read, state: 'accepted', revision: 2 });
    // a second writer that read revision 1 too loses, and says so
    await expect(repo.update({ ...read, state: 'dropped', revision: 2 })).rejects.toThrow(/engagement eng-a was changed meanwhile/);
    expect((await repo.get('eng-a'))!.state).toBe('accepted');
  });

  it('keeps one open engagement per need even when two proposals race', async () => {
    const repo = new DbEngagementRepository(t.db);
    const results = await Promise.allSettled([repo.insert(engagement('eng-1', 'npm/mylib#fuzzing')), repo.insert(engagement('eng-2', 'npm/mylib#fuzzing'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/need npm\/mylib#fuzzing already has an open engagement/);
    // once the open one is dropped, the need can be proposed again
    const open = (await repo.list({ needId: 'npm/mylib#fuzzing' }))[0]!;
    await repo.update({ ...open, state: 'dropped', revision: open.revision + 1 });
    await repo.insert(engagement('eng-3', 'npm/mylib#fuzzing'));
    expect((await repo.list({ needId: 'npm/mylib#fuzzing' })).map((e) => e.state).sort()).toEqual(['dropped', 'proposed']);
  });

  it('replaces a company\'s pledge for the same quarter', async () => {
    await recordPledge(t.db, { company: 'Acme', quarter: '2026Q4', hours: 100 }, 'max');
    await recordPledge(t.db, { company: 'Acme', quarter: '2026Q4', hours: 120 }, 'max');
    await recordPledge(t.db, { company: 'Acme', quarter: '2027Q1', hours: 80 }, 'max');
    expect(await listPledges(t.db)).toEqual([
      { company: 'Acme', quarter: '2026Q4', hours: 120 },
      { company: 'Acme', quarter: '2027Q1', hours: 80 },
    ]);
  });
});

describe('pathCounts', () => {
  it('counts the paths from the roots, as a reader would on the graph', () => {
    // root(-1) → 1 → 3, root(-1) → 2 → 3, 1 → 2: paths to 3 are -1·1·3, -1·2·3, -1·1·2·3 = 3; to 2: -1·2, -1·1·2 = 2
    const counts = pathCounts([
      { parent_id: -1, child_id: 1 },
      { parent_id: -1, child_id: 2 },
      { parent_id: 1, child_id: 2 },
      { parent_id: 1, child_id: 3 },
      { parent_id: 2, child_id: 3 },
    ]);
    expect(Object.fromEntries(counts)).toEqual({ 1: 1, 2: 2, 3: 3 });
  });

  it('adds nothing for a cycle and stops at 100', () => {
    // 1 ⇄ 2 under the root: one path to each
    expect(Object.fromEntries(pathCounts([{ parent_id: -1, child_id: 1 }, { parent_id: 1, child_id: 2 }, { parent_id: 2, child_id: 1 }]))).toEqual({ 1: 1, 2: 1 });
    // a ladder of 8 diamonds doubles the paths each step: 2^8 = 256, capped at 100
    const edges: { parent_id: number; child_id: number }[] = [{ parent_id: -1, child_id: 0 }];
    for (let i = 0; i < 8; i++) {
      const top = i * 3;
      edges.push({ parent_id: top, child_id: top + 1 }, { parent_id: top, child_id: top + 2 }, { parent_id: top + 1, child_id: top + 3 }, { parent_id: top + 2, child_id: top + 3 });
    }
    const c = pathCounts(edges);
    expect(c.get(3)).toBe(2);
    expect(c.get(6)).toBe(4);
    expect(c.get(24)).toBe(100);
  });
});
