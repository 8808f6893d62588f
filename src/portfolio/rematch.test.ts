import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdvisoryStore } from '../advisories/store.js';
import { storeContext } from '../engine/scan.js';
import { TEST_PG_URL, type TestDb, type TestDbKind, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { processUpload, submitDocument } from './ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecord, osvRecords } from './portfolio-testing.js';
import { affected, listEvents, projectReport } from './queries.js';
import { type RematchOptions, lastRematchRuns, refreshAndRematch, storeGeneration } from './rematch.js';
import { wideSbom } from '../testing/wide-sbom.js';

const ALL = { all: true } as const;
const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';
const ZERO_DAY = osvRecord('TEST-2026-0001', {
  aliases: ['CVE-2026-0001'],
  ecosystem: 'Maven',
  name: 'org.apache.logging.log4j:log4j-core',
  introduced: '2.17.0',
});

describe('storeGeneration', () => {
  it('changes with any id, modified time or withdrawal, not with order', () => {
    const a = { id: 'A', modified: '2024-01-01T00:00:00Z', withdrawn: false };
    const b = { id: 'B', modified: '2024-01-01T00:00:00Z', withdrawn: false };
    expect(storeGeneration([a, b])).toBe(storeGeneration([b, a]));
    expect(storeGeneration([a, b])).not.toBe(storeGeneration([a, { ...b, modified: '2024-01-02T00:00:00Z' }]));
    expect(storeGeneration([a, b])).not.toBe(storeGeneration([a, { ...b, withdrawn: true }]));
    expect(storeGeneration([a, b])).not.toBe(storeGeneration([a]));
  });
});

/** Two projects (log4j-core 2.14.1 and 2.17.1) ingested against a store of the five log4j-core records. */
function useRematchFixture(kind: TestDbKind) {
  let records = new Map<string, string>();
  let store: TestStore;
  let t: TestDb;
  let open: AdvisoryStore[] = [];
  beforeAll(async () => {
    records = await osvRecords('Maven', LOG4J_ADVISORIES);
  });
  beforeEach(async () => {
    store = new TestStore();
    await store.load(records.values());
    t = await freshDb(kind);
    const ctx = store.context();
    for (const [project, version] of [
      ['billing', '2.14.1'],
      ['search', '2.17.1'],
    ] as const) {
      const { uploadId } = await submitDocument(t.db, { project, version: '1', fileName: 'bom.json', bytes: log4jSbom(version, project), createProject: true });
      await processUpload(t.db, ctx, uploadId);
    }
  });
  afterEach(async () => {
    for (const s of open) s.close();
    open = [];
    store.close();
    await t.close();
  });
  return {
    t: () => t,
    records: () => records,
    load: (list: Iterable<string>) => store.load(list),
    rematch(db?: TestDb['db'], opts?: RematchOptions) {
      const s = store.open();
      open.push(s);
      return refreshAndRematch(db ?? t.db, storeContext(s), s, opts);
    },
    /** ingests `bytes` as a new project against the store as it is now */
    async ingest(project: string, bytes: Buffer) {
      const { uploadId } = await submitDocument(t.db, { project, version: '1', fileName: 'bom.json', bytes, createProject: true });
      const s = store.open();
      open.push(s);
      await processUpload(t.db, storeContext(s), uploadId);
    },
    events: () => t.db.selectFrom('events').select(['type', 'project', 'version', 'vuln', 'purl']).orderBy('type').orderBy('project').execute(),
    affectedBy: async (id: string) => (await affected(t.db, id, ALL)).items.map((i) => `${i.project}@${i.version}`),
  };
}

describe.skipIf(!HAS_SHARED).each(testDbs())('re-match after an advisory update on $name', (kind) => {
  const { t, records, load, rematch, ingest, events, affectedBy } = useRematchFixture(kind);

  it('the first run takes the store as seen, finds what ingest found, and runs once per generation', async () => {
    const first = await rematch();
    // five records; they name log4j-core, GHSA-jfh8 three other packages, GHSA-vwqq log4j (1.x): 5 pairs; both versions
    // hold log4j-core, but both were ingested against this very store: neither is matched again
    expect(first).toMatchObject({ ran: true, changed: 5, pairs: 5, versions: 0, newFindings: 0, goneFindings: 0 });
    expect(await events()).toEqual([]);
    expect(await rematch()).toMatchObject({ ran: false, generation: first.generation });
    expect(await t().db.selectFrom('advisory_seen').select('id').orderBy('id').execute()).toEqual([...LOG4J_ADVISORIES].sort().map((id) => ({ id })));
  });

  it('a new advisory adds findings without a new upload; a withdrawn or removed one resolves them; each is an event', async () => {
    await rematch();
    expect(await affectedBy('CVE-2026-0001')).toEqual([]);
    // the update: a zero-day for log4j-core >= 2.17.0, Log4Shell withdrawn, CVE-2020-9488's record gone
    const jfh8 = JSON.parse(records().get('GHSA-jfh8-c2jp-5v3q')!) as Record<string, unknown>;
    const withdrawn = JSON.stringify({ ...jfh8, modified: '2026-02-01T00:00:00Z', withdrawn: '2026-02-01T00:00:00Z' });
    const next = [...records()].filter(([id]) => id !== 'GHSA-jfh8-c2jp-5v3q' && id !== 'GHSA-vwqq-5vrc-xw9h').map(([, r]) => r);
    await load([...next, withdrawn, ZERO_DAY]);
    const r = await rematch();
    // changed: the zero-day (new), jfh8 (withdrawn), vwqq (gone)
    expect(r).toMatchObject({ ran: true, changed: 3, newFindings: 1, goneFindings: 1 });
    expect(await affectedBy('CVE-2026-0001')).toEqual(['search@1']);
    expect(await affectedBy('CVE-2021-44228')).toEqual([]);
    expect(await events()).toEqual([
      { type: 'finding.new', project: 'search', version: '1', vuln: 'TEST-2026-0001', purl: `${LOG4J}@2.17.1` },
      { type: 'finding.resolved', project: 'billing', version: '1', vuln: 'GHSA-jfh8-c2jp-5v3q', purl: `${LOG4J}@2.14.1` },
    ]);
    // the new finding has its path from the stored edges, in the report as in the query
    const report = await projectReport(t().db, 'search', ALL);
    expect(report?.findings.map((f) => [f.id, f.paths])).toEqual([['TEST-2026-0001', [['search', 'pkg:maven/com.example/logging-wrapper@1.0.0', `${LOG4J}@2.17.1`]]]]);
    expect((await affected(t().db, 'TEST-2026-0001', ALL)).items[0]?.path).toEqual(['search', 'pkg:maven/com.example/logging-wrapper@1.0.0', `${LOG4J}@2.17.1`]);
    // the withdrawal undone: the finding comes back (reopened, first seen kept), one more event
    const firstSeen = await t().db.selectFrom('findings').select('first_seen').where('vuln_id', '=', 'GHSA-jfh8-c2jp-5v3q').executeTakeFirstOrThrow();
    await load([...next, records().get('GHSA-jfh8-c2jp-5v3q')!.replace('2024-07-25T20:12:08Z', '2026-03-01T00:00:00Z'), ZERO_DAY]);
    expect(await rematch()).toMatchObject({ ran: true, changed: 1, newFindings: 1, goneFindings: 0 });
    expect(await affectedBy('CVE-2021-44228')).toEqual(['billing@1']);
    expect(await t().db.selectFrom('findings').select('first_seen').where('vuln_id', '=', 'GHSA-jfh8-c2jp-5v3q').executeTakeFirstOrThrow()).toEqual(firstSeen);
    expect(await events()).toHaveLength(3);
    // the event list: in the order recorded (versions re-matched by id: billing's first), paged, only the scope's projects
    const all = await listEvents(t().db, ALL, { limit: 2 });
    expect(all.items.map((e) => `${e.type} ${e.project}`)).toEqual(['finding.resolved billing', 'finding.new search']);
    expect((await listEvents(t().db, ALL, { cursor: all.next! })).items).toEqual([expect.objectContaining({ type: 'finding.new', project: 'billing', vuln: 'GHSA-jfh8-c2jp-5v3q' })]);
    expect((await listEvents(t().db, { projects: ['search'] })).items.map((e) => e.project)).toEqual(['search']);
    expect((await listEvents(t().db, { projects: [] })).items).toEqual([]);
  });

  it('a crash between chunks is resumed: the same findings, each event once, the counts of the whole run', async () => {
    await rematch();
    const jfh8 = JSON.parse(records().get('GHSA-jfh8-c2jp-5v3q')!) as Record<string, unknown>;
    const withdrawn = JSON.stringify({ ...jfh8, modified: '2026-02-01T00:00:00Z', withdrawn: '2026-02-01T00:00:00Z' });
    await load([...[...records()].filter(([id]) => id !== 'GHSA-jfh8-c2jp-5v3q').map(([, r]) => r), withdrawn, ZERO_DAY]);
    // one version per transaction; the process "dies" after the first (billing's: its finding resolved)
    const crash = new Error('killed');
    await expect(rematch(undefined, { versionChunk: 1, onChunk: (done) => { if (done === 1) throw crash; } })).rejects.toBe(crash);
    expect(await events()).toEqual([{ type: 'finding.resolved', project: 'billing', version: '1', vuln: 'GHSA-jfh8-c2jp-5v3q', purl: `${LOG4J}@2.14.1` }]);
    // the unfinished run is not what the findings reflect yet, and the store is not taken as seen
    expect((await lastRematchRuns(t().db)).map((r) => r.newFindings)).toEqual([0]);
    const r = await rematch(undefined, { versionChunk: 1 });
    expect(r).toMatchObject({ ran: true, changed: 2, newFindings: 1, goneFindings: 1 });
    expect(await events()).toEqual([
      { type: 'finding.new', project: 'search', version: '1', vuln: 'TEST-2026-0001', purl: `${LOG4J}@2.17.1` },
      { type: 'finding.resolved', project: 'billing', version: '1', vuln: 'GHSA-jfh8-c2jp-5v3q', purl: `${LOG4J}@2.14.1` },
    ]);
    // one run, one time: the resumed part carries the claim's time
    expect(new Set((await t().db.selectFrom('events').select('at').execute()).map((e) => e.at)).size).toBe(1);
    expect((await lastRematchRuns(t().db))[0]).toMatchObject({ generation: r.generation, changed: 2, newFindings: 1, goneFindings: 1 });
    expect(await affectedBy('CVE-2026-0001')).toEqual(['search@1']);
    expect(await affectedBy('CVE-2021-44228')).toEqual([]);
    expect(await rematch()).toMatchObject({ ran: false });
  });

  it('a version uploaded again while the re-match runs keeps what its ingest stored', async () => {
    await rematch();
    await load([...records().values(), ZERO_DAY]);
    // between the chunks (billing's, then search's) search@1 is uploaded again, now with 2.14.1, and
    // ingested against the new store: the re-match must neither resolve nor duplicate what it stored
    const r = await rematch(undefined, {
      versionChunk: 1,
      onChunk: async (n) => {
        if (n === 1) await ingest('search', log4jSbom('2.14.1', 'search'));
      },
    });
    expect(r).toMatchObject({ ran: true, newFindings: 0, goneFindings: 0 });
    expect(await events()).toEqual([]);
    await ingest('search-fresh', log4jSbom('2.14.1', 'search'));
    const rows = await openFindings(t().db, 'search');
    expect(rows.map((f) => f.purl)).toContain(`${LOG4J}@2.14.1`);
    expect(rows).toEqual(await openFindings(t().db, 'search-fresh'));
  });

  it('requests are answered between chunks', async () => {
    await rematch();
    await load([...records().values(), ZERO_DAY]);
    let done = 0;
    let answeredAfter: number | undefined;
    let asked: Promise<unknown> | undefined;
    const r = await rematch(undefined, {
      versionChunk: 1,
      onChunk: (n) => {
        done = n;
        // a request arriving while the re-match runs (on SQLite: the same one connection)
        if (n === 1) asked = t().db.selectFrom('projects').select('id').execute().then(() => (answeredAfter = done));
      },
    });
    await asked;
    expect(r.versions).toBe(2);
    expect(answeredAfter).toBe(1);
  });

  it('the first re-match of a portfolio matches the versions ingested against another store', async () => {
    // both versions were ingested against the five records; the store changed before any re-match
    await load([...records().values(), ZERO_DAY]);
    expect(await rematch()).toMatchObject({ ran: true, changed: 6, versions: 2, newFindings: 1, goneFindings: 0 });
    expect(await affectedBy('CVE-2026-0001')).toEqual(['search@1']);
    expect(await events()).toEqual([{ type: 'finding.new', project: 'search', version: '1', vuln: 'TEST-2026-0001', purl: `${LOG4J}@2.17.1` }]);
  });

  it('a version re-matched stores what a fresh ingest of its document against the new store stores', async () => {
    await rematch();
    // 22 wrappers each holding log4j-core 2.14.1 (22 paths, 20 listed), w3 optional
    const wide = wideSbom('2.14.1');
    await ingest('wide', wide);
    const ranksBefore = new Map((await openFindings(t().db, 'wide')).map((f) => [f.vuln_id, Number(f.priority)]));
    const jfh8 = JSON.parse(records().get('GHSA-jfh8-c2jp-5v3q')!) as Record<string, unknown>;
    const withdrawn = JSON.stringify({ ...jfh8, modified: '2026-02-01T00:00:00Z', withdrawn: '2026-02-01T00:00:00Z' });
    const p6xc = JSON.parse(records().get('GHSA-p6xc-xr62-6r2g')!) as Record<string, unknown>;
    const changed = JSON.stringify({ ...p6xc, modified: '2026-02-02T00:00:00Z', summary: 'summary changed by the update' });
    const update = [
      ...[...records()].filter(([id]) => id !== 'GHSA-jfh8-c2jp-5v3q' && id !== 'GHSA-p6xc-xr62-6r2g').map(([, r]) => r),
      withdrawn,
      changed,
      // a critical one for every log4j-core 2.x: the first in each version's work order, the others move down
      osvRecord('TEST-2026-0002', { aliases: ['CVE-2026-0002'], ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '2.0' }),
      // one for a wrapper that had no finding: its paths walked from the stored edges
      osvRecord('TEST-2026-0003', { ecosystem: 'Maven', name: 'com.example:w3', introduced: '0' }),
    ];
    await load(update);
    const r = await rematch(undefined, { versionChunk: 2 });
    expect(r).toMatchObject({ ran: true, newFindings: 4, goneFindings: 2 });
    for (const [project, bytes] of [
      ['wide', wide],
      ['billing', log4jSbom('2.14.1', 'billing')],
      ['search', log4jSbom('2.17.1', 'search')],
    ] as const) {
      await ingest(`${project}-fresh`, bytes);
      const rematched = await openFindings(t().db, project);
      expect(rematched.length).toBeGreaterThan(0);
      expect(rematched).toEqual(await openFindings(t().db, `${project}-fresh`));
    }
    // what makes the comparison worth doing: ranks moved, paths walked and counted, a record's change kept
    const wideRows = (await openFindings(t().db, 'wide')).map((f) => JSON.parse(f.data) as { id: string; priority: { rank: number }; paths: string[][]; pathsTotal?: number; scope: string; summary?: string });
    const critical = wideRows.find((f) => f.id === 'TEST-2026-0002');
    expect(critical).toMatchObject({ pathsTotal: 22 });
    expect(critical!.paths).toHaveLength(20);
    // the new critical (a rating, no CVSS score) ranks after the scored criticals and before the rest, which moved down a place
    const moved = wideRows.filter((f) => f.priority.rank > critical!.priority.rank && f.id.startsWith('GHSA-'));
    expect(moved.length).toBeGreaterThan(0);
    for (const f of moved) expect(f.priority.rank).toBe(ranksBefore.get(f.id)! + 1);
    expect(wideRows.find((f) => f.id === 'TEST-2026-0003')).toMatchObject({ scope: 'optional', paths: [['wide-service', 'pkg:maven/com.example/w3@1.0.0']] });
    expect(wideRows.find((f) => f.id === 'GHSA-p6xc-xr62-6r2g')?.summary).toBe('summary changed by the update');
    expect(wideRows.map((f) => f.id)).not.toContain('GHSA-jfh8-c2jp-5v3q');
  });

  it('an advisory for a package nobody uses re-matches nothing', async () => {
    await rematch();
    await load([...records().values(), osvRecord('TEST-2', { ecosystem: 'Maven', name: 'com.example:unused', introduced: '0' })]);
    expect(await rematch()).toMatchObject({ ran: true, changed: 1, pairs: 1, versions: 0, newFindings: 0 });
  });
});

// several nodes share one PostgreSQL (SQLite is one process's)
describe.skipIf(!HAS_SHARED || !TEST_PG_URL)('re-match with two nodes on one PostgreSQL', () => {
  const { t, records, load, rematch, events } = useRematchFixture({ name: 'postgres' });

  it('two nodes at once: exactly one re-matches the generation, its events are recorded once', async () => {
    await rematch();
    await load([...records().values(), ZERO_DAY]);
    const other = await t().reopen();
    try {
      const [a, b] = await Promise.all([rematch(t().db), rematch(other.db)]);
      expect([a.ran, b.ran].sort()).toEqual([false, true]);
      expect(a.generation).toBe(b.generation);
      expect(await events()).toEqual([{ type: 'finding.new', project: 'search', version: '1', vuln: 'TEST-2026-0001', purl: `${LOG4J}@2.17.1` }]);
      expect(await t().db.selectFrom('findings').select('id').where('vuln_id', '=', 'TEST-2026-0001').execute()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

/** A project's open findings as stored, in their stored order, without what differs between two ingests (ids, versions, times). */
async function openFindings(db: TestDb['db'], project: string) {
  return db
    .selectFrom('findings as f')
    .innerJoin('project_versions as v', 'v.id', 'f.version_id')
    .innerJoin('projects as p', 'p.id', 'v.project_id')
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select(['c.purl', 'f.vuln_id', 'f.aliases', 'f.severity', 'f.score', 'f.priority', 'f.kev', 'f.epss', 'f.data'])
    .where('p.name', '=', project)
    .where('f.resolved_at', 'is', null)
    .orderBy('f.priority')
    .orderBy('f.vuln_id')
    .execute();
}
