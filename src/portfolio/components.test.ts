/**
 * Issue 15: a project version's components with licences, and the version as SPDX 2.3 — on SQLite
 * and (VOUCH_TEST_PG) PostgreSQL, over rows written here:
 *
 *   shop (current 2.0)  root "shop" → express@4.18.2 (prod, direct, MIT) → qs@6.11.0 (prod, "BSD-3-Clause")
 *                       root "shop" → jest@29.7.0 (dev, direct, no licence given)
 *   shop 1.0 (old)      lodash@4.17.20 only
 *   other               out of a tag scope
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { projectComponents, projectSpdx } from './components.js';

const AT = '2026-12-07T12:00:00.000Z';

async function component(db: Db, name: string, version: string, licenses?: string[]): Promise<number> {
  const purl = `pkg:npm/${name}@${version}`;
  const { id } = await db
    .insertInto('components')
    .values({ purl, purl_base: `pkg:npm/${name}`, ecosystem: 'npm', ecosystem_base: 'npm', name, name_norm: name, version, data: JSON.stringify({ ecosystem: 'npm', name, version, ...(licenses ? { licenses } : {}) }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function version(db: Db, projectId: number, v: string, current: boolean, links: [number, string, boolean][], edges: [number, number][]): Promise<void> {
  const { id } = await db
    .insertInto('project_versions')
    .values({ project_id: projectId, version: v, current: current ? 1 : 0, upload_id: null, roots: JSON.stringify([{ ref: 'root:package-lock.json', label: 'package-lock.json' }]), meta: '{}', created_at: AT, updated_at: AT })
    .returning('id')
    .executeTakeFirstOrThrow();
  // each component's parents as ingest stores them: ids ascending, comma-separated (db/parents.ts)
  const parents = (cid: number) => edges.filter(([, c]) => c === cid).map(([p]) => p).sort((a, b) => a - b).join(',');
  await db.insertInto('version_components').values(links.map(([cid, scope, direct]) => ({ version_id: id, component_id: cid, scope, direct: direct ? 1 : 0, locations: '[{"path":"package-lock.json"}]', parents: parents(cid) }))).execute();
}

describe.each(testDbs())('project components and SPDX on $name', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(kind);
    const { id: shop } = await t.db.insertInto('projects').values({ name: 'shop', parent_id: null, created_at: AT }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('project_tags').values({ project_id: shop, tag: 'web' }).execute();
    await t.db.insertInto('projects').values({ name: 'other', parent_id: null, created_at: AT }).execute();
    const express = await component(t.db, 'express', '4.18.2', ['MIT']);
    const qs = await component(t.db, 'qs', '6.11.0', ['BSD-3-Clause']);
    const jest = await component(t.db, 'jest', '29.7.0');
    const lodash = await component(t.db, 'lodash', '4.17.20', ['MIT']);
    await version(t.db, shop, '2.0', true, [[express, 'prod', true], [qs, 'prod', false], [jest, 'dev', true]], [[-1, express], [express, qs], [-1, jest]]);
    await version(t.db, shop, '1.0', false, [[lodash, 'prod', true]], [[-1, lodash]]);
  });
  afterEach(() => t.close());

  it('lists the current version\'s components by purl with scope, direct and the licences given', async () => {
    expect(await projectComponents(t.db, 'shop', { all: true })).toEqual({
      version: '2.0',
      items: [
        { purl: 'pkg:npm/express@4.18.2', name: 'express', version: '4.18.2', ecosystem: 'npm', scope: 'prod', direct: true, licenses: ['MIT'] },
        { purl: 'pkg:npm/jest@29.7.0', name: 'jest', version: '29.7.0', ecosystem: 'npm', scope: 'dev', direct: true, licenses: [] },
        { purl: 'pkg:npm/qs@6.11.0', name: 'qs', version: '6.11.0', ecosystem: 'npm', scope: 'prod', direct: false, licenses: ['BSD-3-Clause'] },
      ],
    });
    expect((await projectComponents(t.db, 'shop', { all: true }, { version: '1.0' }))?.items.map((c) => c.purl)).toEqual(['pkg:npm/lodash@4.17.20']);
    expect(await projectComponents(t.db, 'shop', { all: true }, { version: '9' })).toBeUndefined();
    expect(await projectComponents(t.db, 'other', { all: true })).toBeUndefined();
    expect(await projectComponents(t.db, 'shop', { tag: 'nope' })).toBeUndefined();
  });

  it('writes the version as SPDX 2.3 with declared licences and the dependency edges', async () => {
    const doc = JSON.parse((await projectSpdx(t.db, 'shop', { all: true }))!) as {
      spdxVersion: string;
      name: string;
      packages: { SPDXID: string; name: string; versionInfo?: string; licenseDeclared?: string; externalRefs?: { referenceLocator: string }[] }[];
      relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
    };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.name).toContain('shop@2.0');
    const byPurl = new Map(doc.packages.map((p) => [p.externalRefs?.[0]?.referenceLocator, p]));
    expect(byPurl.get('pkg:npm/express@4.18.2')?.licenseDeclared).toBe('MIT');
    expect(byPurl.get('pkg:npm/qs@6.11.0')?.licenseDeclared).toBe('BSD-3-Clause');
    expect(byPurl.get('pkg:npm/jest@29.7.0')?.licenseDeclared).toBe('NOASSERTION');
    expect(byPurl.has('pkg:npm/lodash@4.17.20')).toBe(false);
    const id = (purl: string): string => byPurl.get(purl)!.SPDXID;
    const rel = doc.relationships.map((r) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`);
    expect(rel).toContain(`${id('pkg:npm/express@4.18.2')} DEPENDS_ON ${id('pkg:npm/qs@6.11.0')}`);
    // the root's edge to a dev component is written the other way round (spdx-write.ts)
    expect(rel.some((r) => r.startsWith(`${id('pkg:npm/jest@29.7.0')} DEV_DEPENDENCY_OF `))).toBe(true);
    expect(await projectSpdx(t.db, 'shop', { tag: 'nope' })).toBeUndefined();
  });
});
