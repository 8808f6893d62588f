/**
 * The edges read back from version_components.parents, on SQLite and (VOUCH_TEST_PG) PostgreSQL,
 * over rows written here by hand:
 *
 *   version A: root 0 → c1 → c2; root 1 → c2; c1 → c3        version B: root 0 → c2 → c1
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { parentsOf, parentsOfPairs, versionEdges } from './edges.js';

const AT = '2026-12-08T00:00:00.000Z';

describe.each(testDbs())('stored edges on $name', (kind) => {
  let t: TestDb;
  let a: number;
  let b: number;
  let c1: number;
  let c2: number;
  let c3: number;
  beforeEach(async () => {
    t = await freshDb(kind);
    const { id: project } = await t.db.insertInto('projects').values({ name: 'shop', parent_id: null, created_at: AT }).returning('id').executeTakeFirstOrThrow();
    const version = async (v: string) =>
      (await t.db.insertInto('project_versions').values({ project_id: project, version: v, current: 0, upload_id: null, roots: '[]', meta: '{}', created_at: AT, updated_at: AT }).returning('id').executeTakeFirstOrThrow()).id;
    a = await version('A');
    b = await version('B');
    const ids: number[] = [];
    for (const n of ['one', 'two', 'three']) {
      ids.push((await t.db.insertInto('components').values({ purl: `pkg:npm/${n}@1.0.0`, purl_base: `pkg:npm/${n}`, ecosystem: 'npm', ecosystem_base: 'npm', name: n, name_norm: n, version: '1.0.0', data: '{}' }).returning('id').executeTakeFirstOrThrow()).id);
    }
    [c1, c2, c3] = ids as [number, number, number];
    const row = (v: number, c: number, parents: string) => ({ version_id: v, component_id: c, scope: 'prod', direct: 0, locations: '[]', parents });
    // parents as ingest writes them: ascending ids, roots (-1 - i) first
    const sorted = (...xs: number[]) => xs.sort((x, y) => x - y).join(',');
    await t.db
      .insertInto('version_components')
      .values([row(a, c1, '-1'), row(a, c2, sorted(-2, c1)), row(a, c3, String(c1)), row(b, c1, String(c2)), row(b, c2, '-1'), row(b, c3, '')])
      .execute();
  });
  afterEach(() => t.close());

  it('gives every edge of the versions, by version, child and parent', async () => {
    const want = [
      { version_id: a, parent_id: -1, child_id: c1 },
      { version_id: a, parent_id: -2, child_id: c2 },
      { version_id: a, parent_id: c1, child_id: c2 },
      { version_id: a, parent_id: c1, child_id: c3 },
      { version_id: b, parent_id: c2, child_id: c1 },
      { version_id: b, parent_id: -1, child_id: c2 },
    ].sort((x, y) => x.version_id - y.version_id || x.child_id - y.child_id || x.parent_id - y.parent_id);
    expect(await versionEdges(t.db, [b, a])).toEqual(want);
    expect(await versionEdges(t.db, [b])).toEqual(want.filter((e) => e.version_id === b));
    expect(await versionEdges(t.db, [])).toEqual([]);
  });

  it('gives one level: the parents of the children asked, in every version asked', async () => {
    expect(await parentsOf(t.db, [a, b], [c2])).toEqual([
      { version_id: a, parent_id: -2, child_id: c2 },
      { version_id: a, parent_id: c1, child_id: c2 },
      { version_id: b, parent_id: -1, child_id: c2 },
    ]);
    // c3 has no parent in B: nothing for it there
    expect(await parentsOf(t.db, [b], [c3, c1])).toEqual([{ version_id: b, parent_id: c2, child_id: c1 }]);
  });

  it('gives the parents of exact (version, child) pairs only', async () => {
    const got = await parentsOfPairs(t.db, [
      { version: a, child: c2 },
      { version: b, child: c1 },
      { version: b, child: c3 },
    ]);
    expect(got.sort((x, y) => x.version - y.version || x.child - y.child || x.parent - y.parent)).toEqual(
      [
        { version: a, parent: -2, child: c2 },
        { version: a, parent: c1, child: c2 },
        { version: b, parent: c2, child: c1 },
      ].sort((x, y) => x.version - y.version || x.child - y.child || x.parent - y.parent),
    );
  });
});
