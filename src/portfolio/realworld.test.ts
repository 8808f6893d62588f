/**
 * The portfolio against the engine on real lockfiles and real advisories (../shared): what ingest
 * stores, what the queries answer and what a first re-match changes must agree with what
 * `vouch scan` computes on the same file — independently, through the engine's own graph.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryStore } from '../advisories/store.js';
import { updateStore } from '../advisories/import.js';
import { scanInventory, storeContext } from '../engine/scan.js';
import { inventoryOfDocument } from '../inventory/collect.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import type { ReportFinding } from '../model/triage.js';
import { processUpload, submitDocument } from './ingest.js';
import { TestStore } from './portfolio-testing.js';
import { affected, projectReport } from './queries.js';
import { refreshAndRematch } from './rematch.js';

const ALL = { all: true } as const;
// deliberately vulnerable apps (npm lockfile v2, Gemfile.lock), and npm workspaces (several roots)
// and a composer.lock the excerpt of advisories in ../shared/osv has nothing for
const FILES = [
  ['nodegoat', 'OWASP__NodeGoat/package-lock.json', true],
  ['goof', 'snyk-labs__nodejs-goof/package-lock.json', true],
  ['railsgoat', 'OWASP__railsgoat/Gemfile.lock', true],
  ['insomnia', 'Kong__insomnia/package-lock.json', false],
  ['bookstack', 'BookStackApp__BookStack/composer.lock', false],
] as const;

describe.skipIf(!HAS_SHARED).each(testDbs())('the portfolio on real lockfiles on $name', (kind) => {
  const store = new TestStore();
  let adv: AdvisoryStore;
  let t: TestDb;
  beforeAll(async () => {
    for (const eco of ['npm', 'Packagist', 'RubyGems']) await updateStore({ home: store.home, source: shared('osv', eco, 'all.zip') });
    adv = store.open();
    t = await freshDb(kind);
    for (const [project, file] of FILES) {
      const { uploadId } = await submitDocument(t.db, { project, version: 'main', fileName: file.split('/').pop()!, bytes: readFileSync(shared('realworld', file)), createProject: true });
      await processUpload(t.db, storeContext(adv), uploadId);
    }
  });
  afterAll(async () => {
    await t?.close();
    store.close();
  });

  it.each(FILES)('%s: the stored report is the engine report; each affected path is a shortest path of the engine graph', async (project, file, vulnerable) => {
    const bytes = readFileSync(shared('realworld', file));
    const inventory = await inventoryOfDocument(file.split('/').pop()!, bytes);
    const engine = scanInventory(inventory, storeContext(adv), { failOn: 'any' });
    const stored = (await projectReport(t.db, project, ALL))!;
    const key = (f: { purl: string; id: string }) => `${f.purl} ${f.id}`;
    expect(engine.findings.length > 0).toBe(vulnerable);
    expect(stored.findings.map(key).sort()).toEqual(engine.findings.map(key).sort());
    expect(stored.summary.components).toBe(inventory.graph.components.size);
    expect(stored.summary.bySeverity).toEqual(engine.summary.bySeverity);
    // the same work order
    expect(stored.findings.map(key)).toEqual(engine.findings.map(key));

    const graph = inventory.graph;
    const labels = new Map([...graph.roots].map(([id, label]) => [label, id]));
    for (const f of engine.findings.slice(0, 15)) {
      const items = (await affected(t.db, f.id, ALL, { limit: 1000 })).items.filter((i) => i.project === project && i.purl === f.purl);
      expect(items).toHaveLength(1);
      const path = items[0]!.path;
      const want = graph.shortestPath(f.purl)!;
      expect(path.length).toBe(want.length);
      // a chain of the graph's edges from a root to the component
      expect(labels.has(path[0]!)).toBe(true);
      const ids = [labels.get(path[0]!)!, ...path.slice(1)];
      for (let i = 1; i < ids.length; i++) expect(graph.edges.get(ids[i - 1]!)?.has(ids[i]!)).toBe(true);
      expect(path[path.length - 1]).toBe(f.purl);
    }
  });

  it('a first re-match against the same store finds what ingest found: nothing new, nothing gone', async () => {
    const before = await t.db.selectFrom('findings').select(['version_id', 'component_id', 'vuln_id', 'priority', 'data']).orderBy('id').execute();
    // the versions' reports as if made against another load of the store: the first re-match then
    // matches them all again (one made against this very store status would be skipped)
    for (const v of await t.db.selectFrom('project_versions').select(['id', 'meta']).execute()) {
      const meta = JSON.parse(v.meta) as { store: { loadedAt: string }[] };
      for (const s of meta.store) s.loadedAt = '2000-01-01T00:00:00.000Z';
      await t.db.updateTable('project_versions').set({ meta: JSON.stringify(meta) }).where('id', '=', v.id).execute();
    }
    const r = await refreshAndRematch(t.db, storeContext(adv), adv);
    expect(r).toMatchObject({ ran: true, newFindings: 0, goneFindings: 0 });
    expect(r.versions).toBeGreaterThan(0);
    const after = await t.db.selectFrom('findings').select(['version_id', 'component_id', 'vuln_id', 'priority', 'data']).orderBy('id').execute();
    // the same rows, the same data — priorities too: a version's findings are ranked as one list —
    // but for which of many equally short paths are listed (the first 20 of a search whose order among
    // equals follows the order edges were read in): their lengths and number are the same
    const strip = (rows: typeof before) =>
      rows.map((x) => {
        const f = JSON.parse(x.data) as ReportFinding;
        return { ...x, priority: Number(x.priority), data: { ...f, paths: f.paths.map((p) => p.length) } };
      });
    expect(strip(after)).toEqual(strip(before));
    expect(await t.db.selectFrom('events').select('id').execute()).toEqual([]);
  });
});
