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
import { MAX_PATHS, componentFindings, placeFinding, rankFindings, scanInventory } from './scan.js';

/** app → 22 wrappers → log4j-core (22 paths, 20 listed); w3 optional and vulnerable itself; app → log4j-api directly. */
function sbom(): Buffer {
  const wrappers = Array.from({ length: 22 }, (_, i) => `w${i}`);
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: 'wide-service', 'bom-ref': 'app' } },
      components: [
        ...wrappers.map((w) => ({ type: 'library', 'bom-ref': w, group: 'com.example', name: w, version: '1.0.0', purl: `pkg:maven/com.example/${w}@1.0.0`, ...(w === 'w3' ? { scope: 'optional' } : {}) })),
        { type: 'library', 'bom-ref': 'core', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
        { type: 'library', 'bom-ref': 'api', group: 'org.apache.logging.log4j', name: 'log4j-api', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1' },
      ],
      dependencies: [{ ref: 'app', dependsOn: [...wrappers, 'api'] }, ...wrappers.map((w) => ({ ref: w, dependsOn: ['core'] })), { ref: 'core', dependsOn: ['api'] }],
    }),
  );
}

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
    const inventory = await inventoryOfDocument('bom.json', sbom());
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
