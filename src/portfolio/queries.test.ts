import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryContext } from '../engine/scan.js';
import { renderReport } from '../report/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { processUpload, submitDocument } from './ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from './portfolio-testing.js';
import { createProject } from './projects.js';
import { affected, componentsUsing, portfolioSummary, projectReport } from './queries.js';

const ALL = { all: true } as const;
const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';
const WRAPPER = 'pkg:maven/com.example/logging-wrapper@1.0.0';

describe.skipIf(!HAS_SHARED).each(testDbs())('portfolio queries on $name', (kind) => {
  const store = new TestStore();
  let ctx: AdvisoryContext;
  let t: TestDb;
  async function ingest(project: string, version: string, log4j: string, service: string): Promise<void> {
    const { uploadId } = await submitDocument(t.db, { project, version, fileName: 'bom.json', bytes: log4jSbom(log4j, service), createProject: true });
    await processUpload(t.db, ctx, uploadId);
  }
  beforeAll(async () => {
    await store.load((await osvRecords('Maven', LOG4J_ADVISORIES)).values());
    ctx = store.context();
    t = await freshDb(kind);
    await createProject(t.db, { name: 'billing', tags: ['team-a'], owners: ['a@example.com'] });
    await createProject(t.db, { name: 'search', tags: ['team-b'], owners: ['b@example.com'] });
    await createProject(t.db, { name: 'payments', tags: ['team-c'] });
    await createProject(t.db, { name: 'payments-api', parent: 'payments' });
    await ingest('billing', '1', '2.14.1', 'billing-service');
    await ingest('billing', '2', '2.17.1', 'billing-service');
    await ingest('search', '7', '2.14.1', 'search-service');
    await ingest('payments-api', '3', '2.16.0', 'payments-api');
  });
  afterAll(async () => {
    await t.close();
    store.close();
  });

  it('affected: by alias or OSV id, any case; every version with the shortest path and first-seen time', async () => {
    const r = await affected(t.db, 'cve-2021-44228', ALL);
    // GHSA-jfh8-c2jp-5v3q hits [2.13.0, 2.15.0): billing 1 and search 7 (2.14.1), not 2.16.0 or 2.17.1
    expect(r.items).toEqual([
      { project: 'billing', version: '1', current: false, purl: `${LOG4J}@2.14.1`, vuln: 'GHSA-jfh8-c2jp-5v3q', path: ['billing-service', WRAPPER, `${LOG4J}@2.14.1`], firstSeen: expect.any(String), severity: 'CRITICAL', kev: false },
      { project: 'search', version: '7', current: true, purl: `${LOG4J}@2.14.1`, vuln: 'GHSA-jfh8-c2jp-5v3q', path: ['search-service', WRAPPER, `${LOG4J}@2.14.1`], firstSeen: expect.any(String), severity: 'CRITICAL', kev: false },
    ]);
    expect(r.next).toBeUndefined();
    expect((await affected(t.db, 'GHSA-jfh8-c2jp-5v3q', ALL)).items).toEqual(r.items);
    expect((await affected(t.db, 'CVE-2099-0000', ALL)).items).toEqual([]);
    // CVE-2021-44832 ([2.13.0, 2.17.1)) also hits 2.16.0
    expect((await affected(t.db, 'CVE-2021-44832', ALL)).items.map((i) => `${i.project}@${i.version}`)).toEqual(['billing@1', 'payments-api@3', 'search@7']);
  });

  it('affected: current versions only, by tag, by owner, within the scope, page by page', async () => {
    const at = async (opts: Parameters<typeof affected>[3], scope: Parameters<typeof affected>[2] = ALL) =>
      (await affected(t.db, 'CVE-2021-44228', scope, opts)).items.map((i) => `${i.project}@${i.version}`);
    expect(await at({ currentOnly: true })).toEqual(['search@7']);
    expect(await at({ tag: 'team-a' })).toEqual(['billing@1']);
    expect(await at({ owner: 'b@example.com' })).toEqual(['search@7']);
    expect(await at({}, { tag: 'team-b' })).toEqual(['search@7']);
    expect(await at({}, { projects: ['payments'] })).toEqual([]);
    const p1 = await affected(t.db, 'CVE-2021-44832', ALL, { limit: 2 });
    expect(p1.items.map((i) => i.project)).toEqual(['billing', 'payments-api']);
    const p2 = await affected(t.db, 'CVE-2021-44832', ALL, { limit: 2, cursor: p1.next! });
    expect(p2.items.map((i) => i.project)).toEqual(['search']);
    expect(p2.next).toBeUndefined();
  });

  it('componentsUsing: every use of a package, or only versions inside a vers range (maven version order)', async () => {
    const uses = async (range?: string, scope: Parameters<typeof componentsUsing>[2] = ALL) =>
      (await componentsUsing(t.db, LOG4J, scope, range ? { range } : {})).items.map((i) => `${i.project}@${i.version}:${i.version_}`);
    expect(await uses()).toEqual(['billing@1:2.14.1', 'billing@2:2.17.1', 'payments-api@3:2.16.0', 'search@7:2.14.1']);
    expect(await uses('vers:maven/<2.17.1')).toEqual(['billing@1:2.14.1', 'payments-api@3:2.16.0', 'search@7:2.14.1']);
    expect(await uses('vers:maven/>=2.15.0|<2.17.0')).toEqual(['payments-api@3:2.16.0']);
    // 2.17.1 > 2.17.0 > 2.16.0 > 2.14.1 in Maven's order, though "2.17.1" < "2.9" as text
    expect(await uses('vers:maven/>2.9')).toEqual(['billing@1:2.14.1', 'billing@2:2.17.1', 'payments-api@3:2.16.0', 'search@7:2.14.1']);
    expect(await uses(undefined, { tag: 'team-a' })).toEqual(['billing@1:2.14.1', 'billing@2:2.17.1']);
    // a version in the purl is ignored: the question is about the package
    expect((await componentsUsing(t.db, `${LOG4J}@2.14.1`, ALL)).items).toHaveLength(4);
    await expect(componentsUsing(t.db, LOG4J, ALL, { range: '<2.17.1' })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(componentsUsing(t.db, LOG4J, ALL, { range: 'vers:nosuch/<1' })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('portfolioSummary: current versions only, nothing from outside the scope', async () => {
    const s = await portfolioSummary(t.db, ALL);
    // search 2.14.1: jfh8 CVSS 10.0, 7rjr 9.0, p6xc 8.6, 8489 6.6; payments-api 2.16.0: p6xc, 8489; billing's current 2.17.1: none
    expect(s).toEqual({
      projects: 4,
      bySeverity: { CRITICAL: 2, HIGH: 2, MEDIUM: 2, LOW: 0, NONE: 0, UNKNOWN: 0 },
      kev: { findings: 0, projects: 0 },
      mostAffected: [{ purl: LOG4J, projects: 2, findings: 6 }],
      oldestCritical: [{ project: 'search', version: '7', vuln: 'GHSA-7rjr-3q55-vv33', purl: `${LOG4J}@2.14.1`, firstSeen: expect.any(String) }],
    });
    const a = await portfolioSummary(t.db, { tag: 'team-a' });
    expect(a).toEqual({ projects: 1, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NONE: 0, UNKNOWN: 0 }, kev: { findings: 0, projects: 0 }, mostAffected: [], oldestCritical: [] });
  });

  it('projectReport: the stored state as a scan report; a collection includes its children', async () => {
    const r = (await projectReport(t.db, 'search', ALL))!;
    expect(r.findings.map((f) => f.id)).toEqual(['GHSA-jfh8-c2jp-5v3q', 'GHSA-7rjr-3q55-vv33', 'GHSA-p6xc-xr62-6r2g', 'GHSA-8489-44mv-ggj8']);
    expect(r.summary).toMatchObject({ components: 2, findings: 4, vulnerablePackages: 1, bySeverity: { CRITICAL: 2, HIGH: 1, MEDIUM: 1 } });
    expect(r.failed).toBe(true);
    expect(r.inputs).toEqual([expect.objectContaining({ path: 'bom.json', status: 'ok', components: 2 })]);
    expect((await projectReport(t.db, 'billing', ALL))!.findings).toEqual([]);
    expect((await projectReport(t.db, 'billing', ALL, { version: '1' }))!.findings).toHaveLength(4);
    expect(await projectReport(t.db, 'billing', ALL, { version: '9' })).toBeUndefined();
    const coll = (await projectReport(t.db, 'payments', ALL))!;
    expect(coll.findings.map((f) => [f.id, f.priority?.rank])).toEqual([
      ['GHSA-p6xc-xr62-6r2g', 1],
      ['GHSA-8489-44mv-ggj8', 2],
    ]);
    expect(await projectReport(t.db, 'search', { tag: 'team-a' })).toBeUndefined();
    // every renderer of `vouch scan` takes it
    const sarif = JSON.parse(await renderReport('sarif', r)) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results).toHaveLength(4);
    expect(await renderReport('markdown', r)).toContain('GHSA-jfh8-c2jp-5v3q');
  });
});
