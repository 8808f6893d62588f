import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdvisoryContext } from '../engine/scan.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { versionEdges } from './edges.js';
import { componentIds, getUpload, processUpload, purlBase, submitDocument } from './ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from './portfolio-testing.js';
import { createProject, getProject, listVersions } from './projects.js';

const ALL = { all: true } as const;
const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';
// by hand from the records' ranges: 2.14.1 is in [2.13.0, 2.15.0), [2.13.0, 2.16.0), [2.13.0, 2.17.0), [2.13.0, 2.17.1) — not in [2.13.0, 2.13.2)
const HITS_2_14_1 = ['GHSA-7rjr-3q55-vv33', 'GHSA-8489-44mv-ggj8', 'GHSA-jfh8-c2jp-5v3q', 'GHSA-p6xc-xr62-6r2g'];

function documents(version: string): [string, string][] {
  return [
    ['bom.cdx.json', log4jSbom(version).toString('utf8')],
    [
      'bom.xml',
      `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components>
    <component type="library" bom-ref="log4j"><group>org.apache.logging.log4j</group><name>log4j-core</name><version>${version}</version><purl>${LOG4J}@${version}</purl></component>
  </components>
</bom>`,
    ],
    [
      'app.spdx.json',
      JSON.stringify({
        spdxVersion: 'SPDX-2.3',
        dataLicense: 'CC0-1.0',
        SPDXID: 'SPDXRef-DOCUMENT',
        name: 'app',
        documentNamespace: 'https://example.com/app',
        creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: test'] },
        packages: [
          {
            SPDXID: 'SPDXRef-log4j',
            name: 'log4j-core',
            versionInfo: version,
            downloadLocation: 'NOASSERTION',
            externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `${LOG4J}@${version}` }],
          },
        ],
        relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-log4j' }],
      }),
    ],
    [
      'app.spdx',
      `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: app
DocumentNamespace: https://example.com/app-tv
Creator: Tool: test
Created: 2026-01-01T00:00:00Z

PackageName: log4j-core
SPDXID: SPDXRef-log4j
PackageVersion: ${version}
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl ${LOG4J}@${version}
`,
    ],
    ['gradle.lockfile', `# gradle\norg.apache.logging.log4j:log4j-core:${version}=compileClasspath,runtimeClasspath\nempty=\n`],
  ];
}

describe('purlBase', () => {
  it('drops version, qualifiers and subpath', () => {
    expect(purlBase(`${LOG4J}@2.14.1?type=jar#x`)).toBe(LOG4J);
    expect(purlBase('pkg:npm/%40babel/core@7.0.0')).toBe('pkg:npm/%40babel/core');
  });
});

describe.skipIf(!HAS_SHARED).each(testDbs())('ingest on $name', (kind) => {
  const store = new TestStore();
  let ctx: AdvisoryContext;
  let t: TestDb;
  beforeAll(async () => {
    await store.load((await osvRecords('Maven', LOG4J_ADVISORIES)).values());
    ctx = store.context();
  });
  afterAll(() => store.close());
  beforeEach(async () => (t = await freshDb(kind)));
  afterEach(() => t.close());

  async function ingest(project: string, version: string, fileName: string, bytes: Buffer): Promise<string> {
    const { uploadId } = await submitDocument(t.db, { project, version, fileName, bytes, createProject: true });
    await processUpload(t.db, ctx, uploadId);
    return uploadId;
  }

  async function openFindings(project: string, version: string): Promise<string[]> {
    const rows = await t.db
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .innerJoin('projects as p', 'p.id', 'v.project_id')
      .select('f.vuln_id')
      .where('p.name', '=', project)
      .where('v.version', '=', version)
      .where('f.resolved_at', 'is', null)
      .orderBy('f.vuln_id')
      .execute();
    return rows.map((r) => r.vuln_id);
  }

  it.each(documents('2.14.1'))('reads %s with the engine and stores its log4j-core findings', async (fileName, text) => {
    const id = await ingest('svc', '1.0', fileName, Buffer.from(text));
    const up = await getUpload(t.db, id, ALL);
    expect(up).toMatchObject({ project: 'svc', version: '1.0', state: 'done', fileName });
    expect(up?.findings).toBe(4);
    expect(await openFindings('svc', '1.0')).toEqual(HITS_2_14_1);
    const comps = await t.db.selectFrom('components').select(['purl', 'purl_base', 'ecosystem', 'name_norm']).where('purl_base', '=', LOG4J).execute();
    expect(comps).toEqual([{ purl: `${LOG4J}@2.14.1`, purl_base: LOG4J, ecosystem: 'Maven', name_norm: 'org.apache.logging.log4j:log4j-core' }]);
    expect((await getProject(t.db, 'svc', ALL))?.currentVersion).toBe('1.0');
  });

  it('the same bytes for the same project version are one upload; running it twice changes nothing', async () => {
    const bytes = log4jSbom('2.14.1');
    const a = await submitDocument(t.db, { project: 'svc', version: '1.0', fileName: 'bom.json', bytes, createProject: true });
    const b = await submitDocument(t.db, { project: 'svc', version: '1.0', fileName: 'bom.json', bytes, createProject: true });
    expect(b).toEqual({ uploadId: a.uploadId, duplicate: true });
    // another version: another upload of the same document (stored once)
    const c = await submitDocument(t.db, { project: 'svc', version: '1.1', fileName: 'bom.json', bytes, createProject: true });
    expect(c.duplicate).toBe(false);
    expect(await t.db.selectFrom('documents').select('sha256').execute()).toHaveLength(1);

    await processUpload(t.db, ctx, a.uploadId);
    const count = async (table: 'components' | 'version_components' | 'edges' | 'findings' | 'vuln_aliases') =>
      table === 'edges'
        ? (await versionEdges(t.db, (await t.db.selectFrom('project_versions').select('id').execute()).map((v) => v.id))).length
        : Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = [await count('components'), await count('version_components'), await count('edges'), await count('findings'), await count('vuln_aliases')];
    // app → wrapper → log4j-core: 2 components, 2 edges; 4 findings; each finding's GHSA id and CVE alias
    expect(before).toEqual([2, 2, 2, 4, 8]);
    // a crash after the commit and a retried job: the upload is done, nothing is written twice
    await processUpload(t.db, ctx, a.uploadId);
    await t.db.updateTable('uploads').set({ state: 'running' }).where('id', '=', a.uploadId).execute();
    await processUpload(t.db, ctx, a.uploadId);
    expect([await count('components'), await count('version_components'), await count('edges'), await count('findings'), await count('vuln_aliases')]).toEqual(before);
    // the second version shares the components
    await processUpload(t.db, ctx, c.uploadId);
    expect(await count('components')).toBe(2);
    expect(await count('version_components')).toBe(4);
  });

  it('component ids remembered across uploads are only ones a committed transaction wrote: a rolled-back insert is not reused', async () => {
    // a transaction inserts log4j-core 2.14.1's component, then rolls back
    const rolledBack = new Error('rolled back');
    let uncommittedId: number | undefined;
    await expect(
      t.db.transaction().execute(async (tx) => {
        const ids = await componentIds(tx, [{ purl: `${LOG4J}@2.14.1`, name: 'log4j-core', version: '2.14.1', ecosystem: 'Maven', scope: 'prod', direct: true, locations: [] }]);
        uncommittedId = ids.get(`${LOG4J}@2.14.1`);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(uncommittedId).toBeTypeOf('number');
    expect(await t.db.selectFrom('components').select('id').execute()).toEqual([]);
    // two uploads naming it: each version links to the one row that exists, the second from the remembered ids
    await ingest('svc-a', '1.0', 'bom.json', log4jSbom('2.14.1'));
    await ingest('svc-b', '1.0', 'bom.json', log4jSbom('2.14.1'));
    const rows = await t.db
      .selectFrom('version_components as vc')
      .leftJoin('components as c', 'c.id', 'vc.component_id')
      .select(['vc.version_id', 'c.purl'])
      .where('vc.component_id', 'in', t.db.selectFrom('components').select('id').where('purl', '=', `${LOG4J}@2.14.1`))
      .execute();
    expect(rows.map((r) => r.purl)).toEqual([`${LOG4J}@2.14.1`, `${LOG4J}@2.14.1`]);
    const dangling = await t.db
      .selectFrom('version_components as vc')
      .leftJoin('components as c', 'c.id', 'vc.component_id')
      .select('vc.component_id')
      .where('c.id', 'is', null)
      .execute();
    expect(dangling).toEqual([]);
    expect(await openFindings('svc-b', '1.0')).toEqual(HITS_2_14_1);
  });

  it('a new version becomes current; a finding keeps the first time the project had it', async () => {
    await ingest('svc', '1.0', 'bom.json', log4jSbom('2.14.1'));
    const first = await t.db.selectFrom('findings').select(['vuln_id', 'first_seen']).orderBy('vuln_id').execute();
    await new Promise((r) => setTimeout(r, 5));
    await ingest('svc', '1.1', 'bom.json', log4jSbom('2.16.0'));
    // 2.16.0: only [2.13.0, 2.17.0) and [2.13.0, 2.17.1) are left
    expect(await openFindings('svc', '1.1')).toEqual(['GHSA-8489-44mv-ggj8', 'GHSA-p6xc-xr62-6r2g']);
    const v11 = await t.db
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .select(['f.vuln_id', 'f.first_seen', 'f.component_id'])
      .where('v.version', '=', '1.1')
      .orderBy('f.vuln_id')
      .execute();
    // another component (2.16.0 is another purl): first seen is now, later than the 1.0 findings
    expect(v11.every((f) => f.first_seen > first[0]!.first_seen)).toBe(true);
    expect((await listVersions(t.db, 'svc', ALL))?.map((v) => [v.version, v.current, v.components, v.findings])).toEqual([
      ['1.1', true, 2, 2],
      ['1.0', false, 2, 4],
    ]);
    // the same component again in a later version keeps its first-seen time
    await ingest('svc', '1.2', 'bom.json', log4jSbom('2.14.1'));
    const v12 = await t.db
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .select(['f.vuln_id', 'f.first_seen'])
      .where('v.version', '=', '1.2')
      .orderBy('f.vuln_id')
      .execute();
    expect(v12).toEqual(first);
  });

  it('a bad document fails the upload with its position; nothing is stored as a version; the current version stays', async () => {
    await ingest('svc', '1.0', 'bom.json', log4jSbom('2.14.1'));
    const broken = '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": {\n      "version": 5\n    }\n  }\n}\n';
    const id = await ingest('svc', '2.0', 'package-lock.json', Buffer.from(broken));
    const up = await getUpload(t.db, id, ALL);
    // the engine's message, as `vouch scan` prints it: file, the line of the package entry (4), JSON path
    expect(up).toMatchObject({
      state: 'failed',
      error: {
        title: 'the document could not be read',
        detail: 'package-lock.json:4 ($.packages["node_modules/a"].version): expected a string, found a number',
        line: 4,
        pointer: '$.packages["node_modules/a"].version',
      },
    });
    const partial = Buffer.from('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "x", "version": "1", "purl": "pkg:maven/a@1"}]}');
    expect(await getUpload(t.db, await ingest('svc', '2.3', 'bom.cdx.json', partial), ALL)).toMatchObject({
      state: 'failed',
      error: { title: 'the document was read only in part', pointer: '$.components[0].purl', detail: expect.stringMatching(/^bom\.cdx\.json: 1 entry could not be read: \$\.components\[0\]\.purl: invalid purl/) },
    });
    const truncated = await getUpload(t.db, await ingest('svc', '2.1', 'bom.cdx.json', Buffer.from('{"bomFormat": "CycloneDX", "components": [')), ALL);
    expect(truncated).toMatchObject({ state: 'failed', error: { title: 'the document could not be read', detail: expect.stringMatching(/^bom\.cdx\.json/) } });
    const notSbom = await getUpload(t.db, await ingest('svc', '2.2', 'notes.txt', Buffer.from('hello')), ALL);
    expect(notSbom).toMatchObject({ state: 'failed', error: { title: 'not a document vouch reads' } });
    expect((await listVersions(t.db, 'svc', ALL))?.map((v) => v.version)).toEqual(['1.0']);
    expect((await getProject(t.db, 'svc', ALL))?.currentVersion).toBe('1.0');
    // an engine bug on a document (here an extractor that throws a TypeError) fails the upload: retrying cannot help
    const crashing = { lookup: { advisoriesFor: () => { throw new TypeError('boom'); } }, store: [{ ecosystem: 'Maven', count: 1, newestModified: null, source: 'x', loadedAt: new Date().toISOString() }] };
    const { uploadId: bug } = await submitDocument(t.db, { project: 'svc', version: '2.4', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true });
    await processUpload(t.db, crashing, bug);
    expect(await getUpload(t.db, bug, ALL)).toMatchObject({ state: 'failed', error: { title: 'vouch could not process the document (internal error)', detail: 'bom.json: boom' } });
    // a failed upload is final: running it again does not store it
    await processUpload(t.db, ctx, id);
    expect((await listVersions(t.db, 'svc', ALL))?.length).toBe(1);
  });

  it('an upload to a missing project needs createProject; out-of-scope projects and uploads are absent', async () => {
    await expect(submitDocument(t.db, { project: 'nope', version: '1', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: false })).rejects.toMatchObject({
      kind: 'not_found',
    });
    await createProject(t.db, { name: 'team-b-svc', tags: ['team-b'] });
    const id = await ingest('team-a-svc', '1', 'bom.json', log4jSbom('2.14.1'));
    expect(await getUpload(t.db, id, { tag: 'team-b' })).toBeUndefined();
    expect(await getUpload(t.db, id, { projects: ['team-a-svc'] })).toBeDefined();
    await expect(
      submitDocument(t.db, { project: 'team-a-svc', version: '2', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true, scope: { tag: 'team-b' } }),
    ).rejects.toMatchObject({ kind: 'not_found' });
    // created under a scope: a project-limited token only its projects; a tag-limited one tags what it creates
    await expect(
      submitDocument(t.db, { project: 'other', version: '1', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true, scope: { projects: ['team-a-svc'] } }),
    ).rejects.toMatchObject({ kind: 'not_found' });
    const { uploadId } = await submitDocument(t.db, { project: 'new-b', version: '1', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true, scope: { tag: 'team-b' } });
    expect(await getUpload(t.db, uploadId, { tag: 'team-b' })).toMatchObject({ project: 'new-b' });
    expect((await getProject(t.db, 'new-b', ALL))?.tags).toEqual(['team-b']);
  });

  it('many uploads at once (several projects, versions of one project, shared components): all done, one row per purl, one current version', async () => {
    const versions = ['2.14.1', '2.16.0', '2.17.1'];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { uploadId } = await submitDocument(t.db, { project: i < 6 ? 'mono' : `svc-${i}`, version: String(i), fileName: 'bom.json', bytes: log4jSbom(versions[i % 3]!), createProject: true });
      ids.push(uploadId);
    }
    // PostgreSQL: another connection pool for half of them, as two nodes would have (SQLite is one process's)
    const other = kind.name === 'postgres' ? await t.reopen() : undefined;
    try {
      await Promise.all(ids.map((id, i) => processUpload(i % 2 && other ? other.db : t.db, ctx, id)));
    } finally {
      await other?.close();
    }
    for (const id of ids) expect((await getUpload(t.db, id, ALL))?.state).toBe('done');
    // the wrapper and three log4j-core versions
    expect(await t.db.selectFrom('components').select('purl').orderBy('purl').execute()).toHaveLength(4);
    expect(await t.db.selectFrom('project_versions').select('id').where('current', '=', 1).execute()).toHaveLength(7);
    const mono = await listVersions(t.db, 'mono', ALL);
    expect(mono?.filter((v) => v.current)).toHaveLength(1);
  });
});
