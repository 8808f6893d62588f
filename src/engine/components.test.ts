/**
 * The engine's per-component entry points (what the server's re-match uses) against scanInventory:
 * each component's findings matched once, placed in the graph and ranked as one list are the scan's
 * findings, field for field and in the same JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryOfDocument } from '../inventory/collect.js';
import { LOG4J_ADVISORIES, TestStore, osvRecord, osvRecords } from '../portfolio/portfolio-testing.js';
import { HAS_SHARED } from '../testing/shared.js';
import { countPaths } from '../triage/context.js';
import type { ReportFinding } from '../model/triage.js';
import { byCodePoint } from '../model/order.js';
import { wideSbom } from '../testing/wide-sbom.js';
import { MAX_PATHS, componentFindings, placeFinding, rankFindings, scanInventory } from './scan.js';

describe.skipIf(!HAS_SHARED)('componentFindings + placeFinding + rankFindings', () => {
  const store = new TestStore();
  beforeAll(async () => {
    const records = await osvRecords('Maven', LOG4J_ADVISORIES);
    await store.load([
      ...records.values(),
      osvRecord('TEST-2026-0003', { ecosystem: 'Maven', name: 'com.example:w3', introduced: '0' }),
      osvRecord('TEST-2026-0004', { aliases: ['CVE-2026-0004'], ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-api', introduced: '2.0' }),
    ]);
  });
  afterAll(() => store.close());

  it('give what scanInventory gives for the same graph', async () => {
    const inventory = await inventoryOfDocument('bom.json', wideSbom('2.14.1', { api: true }));
    const graph = inventory.graph;
    const ctx = store.context();
    const now = new Date('2026-12-08T00:00:00Z');
    const report = scanInventory(inventory, ctx, { failOn: 'any', now });
    expect(report.findings.length).toBeGreaterThan(5);

    const byPurl = componentFindings(graph.components.values(), ctx);
    const placed: ReportFinding[] = [];
    for (const c of [...graph.components.values()].sort((a, b) => byCodePoint(a.purl, b.purl))) {
      for (const f of byPurl.get(c.purl) ?? []) {
        // nothing of the version in what was matched once: no paths yet
        expect(f.paths).toEqual([]);
        const paths = graph.pathsTo(c.purl, MAX_PATHS).map((p) => p.map((n, i) => (i === 0 ? (graph.roots.get(n) ?? n) : n)));
        placed.push(placeFinding(f, { scope: c.scope, direct: c.direct, locations: c.locations, paths, pathsTotal: countPaths(graph, c.purl) }));
      }
    }
    const ranked = rankFindings(placed);
    // the same findings, the same JSON (fields and their order), the same ranks
    expect(ranked.map((f) => JSON.stringify(f))).toEqual(report.findings.map((f) => JSON.stringify(f)));
    // what the comparison covers: a path count above the listed paths, a direct and an optional one
    expect(ranked.find((f) => f.purl.includes('log4j-core'))).toMatchObject({ pathsTotal: 22 });
    expect(ranked.find((f) => f.id === 'TEST-2026-0004')).toMatchObject({ direct: true, pathsTotal: 23 });
    expect(ranked.find((f) => f.id === 'TEST-2026-0003')).toMatchObject({ scope: 'optional' });
  });
});
