import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdvisoryStore } from '../advisories/store.js';
import { storeContext } from '../engine/scan.js';
import { TEST_PG_URL, type TestDb, type TestDbKind, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { processUpload, submitDocument } from './ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecord, osvRecords } from './portfolio-testing.js';
import { affected, listEvents, projectReport } from './queries.js';
import { refreshAndRematch, storeGeneration } from './rematch.js';

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
    rematch(db?: TestDb['db']) {
      const s = store.open();
      open.push(s);
      return refreshAndRematch(db ?? t.db, storeContext(s), s);
    },
    events: () => t.db.selectFrom('events').select(['type', 'project', 'version', 'vuln', 'purl']).orderBy('type').orderBy('project').execute(),
    affectedBy: async (id: string) => (await affected(t.db, id, ALL)).items.map((i) => `${i.project}@${i.version}`),
  };
}

describe.skipIf(!HAS_SHARED).each(testDbs())('re-match after an advisory update on $name', (kind) => {
  const { t, records, load, rematch, events, affectedBy } = useRematchFixture(kind);

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
