/**
 * Test helpers for the report renderers: the realistic report in __fixtures__ and variants of it.
 *
 * __fixtures__/log4j-goof.report.json is a trimmed real ScanReport: `vouch scan` of a CycloneDX SBOM
 * naming log4j-core 2.14.1 (the one in test/acceptance/scan.test.ts) and
 * ../shared/realworld/snyk-labs__nodejs-goof/package-lock.json against ../shared/osv (Maven and
 * npm), with 14 of its 33 findings kept, at most 3 paths and 4 references each. The schema 1.2
 * triage fields were added by hand: `kev` from ../shared/kev (catalog 2025.08.25: CVE-2021-44228
 * added 2021-12-10, due 2021-12-24; CVE-2021-45046 added 2023-05-01, due 2023-05-22; both
 * "Known" ransomware use), `epss` from ../shared/epss (2026-09-29 sample: CVE-2021-44228 0.99999 /
 * 1.0, CVE-2021-45046 0.99977 / 0.99979, CVE-2021-45105 0.99999 / 0.99991, CVE-2021-44832
 * 0.97906 / 0.99907; the sample has none of the npm CVEs), `priority` (KEV first, then EPSS, then
 * CVSS) and two `suppressed` findings (a VEX not_affected and a policy ignore rule).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateStore } from '../../advisories/import.js';
import { matchGraph } from '../../advisories/match.js';
import { AdvisoryStore } from '../../advisories/store.js';
import { collectInventory } from '../../inventory/collect.js';
import { baseEcosystem } from '../../model/advisory.js';
import type { DependencyGraph } from '../../model/graph.js';
import { shared } from '../../testing/shared.js';
import { buildScanReport } from '../../triage/scan-report.js';
import type { ReportFinding } from '../../model/triage.js';
import type { ScanReport } from '../../model/report.js';

export function sampleReport(): ScanReport {
  return JSON.parse(readFileSync(new URL('./log4j-goof.report.json', import.meta.url), 'utf8')) as ScanReport;
}

/** The sample with its first finding's summary and package name made hostile. */
export function hostileReport(): ScanReport {
  const r = sampleReport();
  const f = r.findings[0]!;
  f.summary = 'Pipes | and `backticks` and <script>alert(1)</script></script><img src=x onerror=alert(2)> & **bold** @octocat [x](javascript:alert(3))';
  f.name = 'evil|pkg<b>';
  f.purl = 'pkg:npm/evil%7Cpkg%3Cb%3E@1.0.0';
  f.version = '1.0.0';
  return r;
}

/** A report with `n` findings, each with a long summary and path (for size limits). */
export function largeReport(n: number): ScanReport {
  const r = sampleReport();
  const base = r.findings[4]!;
  const findings: ReportFinding[] = [];
  for (let i = 0; i < n; i++) {
    findings.push({
      ...base,
      id: `GHSA-test-${String(i).padStart(4, '0')}`,
      summary: `Advisory ${i}: ${'a long summary that goes on and on '.repeat(10)}`,
      name: `package-${i}`,
      purl: `pkg:npm/package-${i}@1.0.${i}`,
      version: `1.0.${i}`,
      priority: { rank: i + 1, reason: 'CVSS 9.8; prod, transitive' },
      ...(i % 10 === 9 ? { suppressed: { by: 'vex' as const, status: 'not_affected', justification: 'component_not_present', source: 'x.openvex.json' } } : {}),
    });
  }
  r.findings = findings;
  r.summary.findings = n;
  return r;
}

/** The sample without any schema 1.2 field (a 1.1 report). */
export function plainReport(): ScanReport {
  const r = sampleReport();
  r.schemaVersion = '1.1';
  r.findings = r.findings.map(({ kev: _k, epss: _e, priority: _p, suppressed: _s, ids: _i, ...f }) => f);
  return r;
}

/**
 * A real report from the real pipeline (for suites on ../shared): ../shared/osv Maven and npm
 * imported into a temporary store, then log4j-app.cdx.json (log4j-core 2.14.1) and
 * ../shared/realworld/snyk-labs__nodejs-goof/package-lock.json collected and matched.
 */
export async function realReport(home: string): Promise<{ report: ScanReport; graph: DependencyGraph }> {
  await updateStore({ home, source: shared('osv'), ecosystems: ['Maven', 'npm'] });
  const store = AdvisoryStore.open(home);
  try {
    const sbom = fileURLToPath(new URL('./log4j-app.cdx.json', import.meta.url));
    const inventory = await collectInventory([sbom, shared('realworld', 'snyk-labs__nodejs-goof', 'package-lock.json')]);
    const status = store.status();
    const { findings, stats } = matchGraph(inventory.graph, store, { loadedEcosystems: new Set(status.map((s) => baseEcosystem(s.ecosystem))) });
    return { report: buildScanReport({ inventory, findings, stats, store: status, failOn: 'HIGH' }), graph: inventory.graph };
  } finally {
    store.close();
  }
}
