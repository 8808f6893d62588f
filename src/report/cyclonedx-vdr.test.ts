import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CdxVdr, buildCycloneDxVdr, cvssMethod, renderCycloneDxVdr } from './cyclonedx-vdr.js';
import { hostileReport, plainReport, realReport, sampleReport } from './__fixtures__/reports.js';
import type { ScanReport } from '../model/report.js';
import type { DependencyGraph } from '../model/graph.js';
import { cycloneDxValidator } from '../sbom/sbom-write-testing.js';
import { HAS_SHARED } from '../testing/shared.js';

const prop = (props: { name: string; value: string }[] | undefined, name: string): string[] => (props ?? []).filter((p) => p.name === name).map((p) => p.value);

function expectValid(doc: unknown): void {
  const validate = cycloneDxValidator();
  const ok = validate(doc);
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
}

describe('renderCycloneDxVdr', () => {
  const vdr = JSON.parse(renderCycloneDxVdr(sampleReport())) as CdxVdr;
  const byRef = (id: string, purl: string) => vdr.vulnerabilities.find((v) => v['bom-ref'] === `${id}|${purl}`)!;
  const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';

  it('is a CycloneDX 1.6 BOM with vouch as the tool and the scan time', () => {
    expect(vdr.bomFormat).toBe('CycloneDX');
    expect(vdr.specVersion).toBe('1.6');
    expect(vdr.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(vdr.metadata.timestamp).toBe('2026-11-28T02:30:00Z');
    expect(vdr.metadata.tools.components).toEqual([{ type: 'application', name: 'vouch', version: '0.1.0' }]);
    expect(vdr.metadata.component).toEqual({ type: 'application', 'bom-ref': 'vouch:subject', name: 'log4j.cdx.json, snyk-labs__nodejs-goof/package-lock.json' });
    expect(prop(vdr.metadata.properties, 'vouch:input')).toEqual(['log4j.cdx.json', 'snyk-labs__nodejs-goof/package-lock.json']);
  });

  it('lists each vulnerable component once, bom-ref = purl, with group and name split', () => {
    // 14 findings in 9 distinct purls (log4j-core, minimist x2, adm-zip, lodash, jquery, handlebars, semver, negotiator)
    expect(vdr.components.map((c) => c['bom-ref'])).toHaveLength(9);
    for (const c of vdr.components) expect(c['bom-ref']).toBe(c.purl);
    const log4j = vdr.components.find((c) => c.purl === LOG4J)!;
    expect(log4j).toMatchObject({ type: 'library', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' });
  });

  it('has one vulnerability per finding, in priority order, each affecting a listed component', () => {
    expect(vdr.vulnerabilities.map((v) => v.id)).toEqual(sampleReport().findings.map((f) => f.id));
    expect(new Set(vdr.vulnerabilities.map((v) => v['bom-ref'])).size).toBe(14);
    const refs = new Set(vdr.components.map((c) => c['bom-ref']));
    for (const v of vdr.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
  });

  it('maps Log4Shell: OSV source, CVE reference to NVD, CVSS 3.1 rating, fix, affected range, KEV and EPSS', () => {
    const v = byRef('GHSA-jfh8-c2jp-5v3q', LOG4J);
    expect(v.source).toEqual({ name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q' });
    expect(v.references).toEqual([{ id: 'CVE-2021-44228', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228' } }]);
    // NVD scores CVE-2021-44228 10.0 with this CVSS 3.1 vector
    expect(v.ratings).toEqual([
      { source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q' }, score: 10, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' },
    ]);
    expect(v.description).toBe('Remote code injection in Log4j');
    expect(v.recommendation).toBe('Upgrade org.apache.logging.log4j:log4j-core to 2.15.0.');
    expect(v.published).toBe('2021-12-10T00:40:56Z');
    expect(v.updated).toBe('2024-07-25T20:12:08Z');
    // GHSA-jfh8-c2jp-5v3q: introduced 2.13.0, fixed 2.15.0; also fixed on the 2.3.x and 2.12.x lines
    expect(v.affects).toEqual([
      {
        ref: LOG4J,
        versions: [
          { version: '2.14.1', status: 'affected' },
          { range: 'vers:maven/>=2.13.0|<2.15.0', status: 'affected' },
          { version: '2.3.1', status: 'unaffected' },
          { version: '2.12.2', status: 'unaffected' },
          { version: '2.15.0', status: 'unaffected' },
        ],
      },
    ]);
    expect(v.advisories?.[0]).toEqual({ url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228' });
    expect(prop(v.properties, 'vouch:kev:dateAdded')).toEqual(['2021-12-10']);
    expect(prop(v.properties, 'vouch:kev:dueDate')).toEqual(['2021-12-24']);
    expect(prop(v.properties, 'vouch:kev:knownRansomwareUse')).toEqual(['true']);
    expect(prop(v.properties, 'vouch:epss:score')).toEqual(['0.99999']);
    expect(prop(v.properties, 'vouch:epss:percentile')).toEqual(['1']);
    expect(prop(v.properties, 'vouch:priority:rank')).toEqual(['1']);
    expect(prop(v.properties, 'vouch:path')).toEqual([`billing-service > ${LOG4J}`]);
    expect(v.analysis).toBeUndefined();
  });

  it('writes a last_affected bound as <= and the range from 0 without a lower bound', () => {
    // NSWG-ECO-328 (jquery): introduced 1.12.3, last_affected 2.2.4; GHSA-xvch-5gv4-984h for minimist 0.0.8: introduced 0, fixed 0.2.4
    expect(byRef('NSWG-ECO-328', 'pkg:npm/jquery@2.2.4').affects[0]!.versions[1]).toEqual({ range: 'vers:npm/>=1.12.3|<=2.2.4', status: 'affected' });
    expect(byRef('NSWG-ECO-328', 'pkg:npm/jquery@2.2.4').recommendation).toBe('Upgrade jquery to a version later than 2.2.4.');
    expect(byRef('GHSA-xvch-5gv4-984h', 'pkg:npm/minimist@0.0.8').affects[0]!.versions[1]).toEqual({ range: 'vers:npm/<0.2.4', status: 'affected' });
  });

  it('maps a VEX not_affected suppression to analysis with the CycloneDX justification', () => {
    const v = byRef('NSWG-ECO-368', 'pkg:npm/lodash@4.17.4');
    expect(v.analysis).toEqual({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'VEX not_affected (goof.openvex.json (statements[0])) [vulnerable_code_not_in_execute_path]. goof never calls lodash.merge / defaultsDeep on untrusted input',
    });
    expect(prop(v.properties, 'vouch:suppressed:by')).toEqual(['vex']);
    expect(prop(v.properties, 'vouch:suppressed:source')).toEqual(['goof.openvex.json (statements[0])']);
  });

  it('maps a policy ignore rule to in_triage, with the rule, its reason and expiry in the detail', () => {
    const v = byRef('NSWG-ECO-106', 'pkg:npm/negotiator@0.2.8');
    expect(v.analysis).toEqual({ state: 'in_triage', detail: 'Ignored by .vouch.yaml (ignore[0]) until 2027-01-31: only reached through the dev server; upgrade tracked in #412.' });
    expect(prop(v.properties, 'vouch:suppressed:expires')).toEqual(['2027-01-31']);
  });

  it.each([
    ['not_affected', 'component_not_present', 'not_affected', 'code_not_present'],
    ['not_affected', 'vulnerable_code_not_present', 'not_affected', 'code_not_present'],
    ['not_affected', 'vulnerable_code_cannot_be_controlled_by_adversary', 'not_affected', 'requires_environment'],
    ['not_affected', 'inline_mitigations_already_exist', 'not_affected', 'protected_by_mitigating_control'],
    ['not_affected', 'protected_at_perimeter', 'not_affected', 'protected_at_perimeter'], // a CycloneDX VEX's own term
    ['not_affected', 'some_unknown_reason', 'not_affected', undefined],
    ['fixed', undefined, 'resolved', undefined],
    ['false_positive', undefined, 'false_positive', undefined],
    ['under_investigation', undefined, 'in_triage', undefined],
  ])('VEX %s / %s → analysis %s / %s', (status, justification, state, cdxJustification) => {
    const r = sampleReport();
    r.findings = [{ ...r.findings[0]!, suppressed: { by: 'vex', status, ...(justification ? { justification } : {}), source: 'v.json' } }];
    const doc = buildCycloneDxVdr(r);
    expect(doc.vulnerabilities[0]!.analysis?.state).toBe(state);
    expect(doc.vulnerabilities[0]!.analysis?.justification).toBe(cdxJustification);
    if (justification && !cdxJustification) expect(doc.vulnerabilities[0]!.analysis?.detail).toContain(justification);
  });

  it('rates a qualitative severity with method other and an unknown one not at all', () => {
    const r = sampleReport();
    r.findings = [
      { ...r.findings[0]!, severity: { rating: 'MEDIUM', source: 'database_specific' } },
      { ...r.findings[1]!, severity: { rating: 'UNKNOWN' } },
    ];
    const doc = buildCycloneDxVdr(r);
    expect(doc.vulnerabilities[0]!.ratings).toEqual([{ source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q' }, severity: 'medium', method: 'other' }]);
    expect(doc.vulnerabilities[1]!.ratings).toBeUndefined();
  });

  it.each([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS_V4', 'CVSSv4'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS_V3', 'CVSSv31'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS_V3', 'CVSSv3'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS_V2', 'CVSSv2'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', undefined, 'CVSSv2'],
  ])('cvssMethod(%s, %s) = %s', (vector, type, method) => {
    expect(cvssMethod(vector, type)).toBe(method);
  });

  it('references every other id of a merged finding once, GHSA ids to GitHub', () => {
    const r = sampleReport();
    r.findings = [{ ...r.findings[0]!, id: 'CVE-2021-44228', ids: ['CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q'], aliases: ['GHSA-jfh8-c2jp-5v3q'] }];
    expect(buildCycloneDxVdr(r).vulnerabilities[0]!.references).toEqual([
      { id: 'GHSA-jfh8-c2jp-5v3q', source: { name: 'GitHub Advisories', url: 'https://github.com/advisories/GHSA-jfh8-c2jp-5v3q' } },
    ]);
  });

  it('leaves out KEV, EPSS, priority and analysis for a schema 1.1 report', () => {
    const doc = buildCycloneDxVdr(plainReport());
    for (const v of doc.vulnerabilities) {
      expect(v.analysis).toBeUndefined();
      expect((v.properties ?? []).filter((p) => /^vouch:(kev|epss|priority|suppressed):/.test(p.name))).toEqual([]);
    }
  });

  it('is reproducible with deterministic', () => {
    const a = renderCycloneDxVdr(sampleReport(), undefined, { deterministic: true });
    expect(renderCycloneDxVdr(sampleReport(), undefined, { deterministic: true })).toBe(a);
    expect(renderCycloneDxVdr(sampleReport())).not.toBe(a);
  });

  describe.skipIf(!HAS_SHARED)('against the CycloneDX 1.6 JSON schema', () => {
    it.each([
      ['the sample report', sampleReport],
      ['a schema 1.1 report', plainReport],
      ['a report with hostile text', hostileReport],
      ['an empty report', (): ScanReport => ({ ...sampleReport(), findings: [] })],
    ])('validates %s', (_name, make) => {
      expectValid(JSON.parse(renderCycloneDxVdr(make())));
    });
  });
});

describe.skipIf(!HAS_SHARED)('renderCycloneDxVdr on a real scan (../shared)', () => {
  let home: string;
  let real: { report: ScanReport; graph: DependencyGraph };
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'vouch-vdr-'));
    real = await realReport(home);
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('validates with the vulnerable components only', () => {
    const doc = JSON.parse(renderCycloneDxVdr(real.report)) as CdxVdr;
    expectValid(doc);
    expect(doc.vulnerabilities).toHaveLength(real.report.findings.length);
    // Log4Shell and its three follow-ups on log4j-core 2.14.1 (see test/acceptance/scan.test.ts)
    const log4j = doc.vulnerabilities.filter((v) => v.affects[0]!.ref === 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(log4j.flatMap((v) => v.references?.map((r) => r.id) ?? []).sort()).toEqual(['CVE-2021-44228', 'CVE-2021-44832', 'CVE-2021-45046', 'CVE-2021-45105']);
  });

  it('validates with the whole inventory and its dependency edges', () => {
    const doc = JSON.parse(renderCycloneDxVdr(real.report, real.graph)) as CdxVdr;
    expectValid(doc);
    expect(doc.components).toHaveLength(real.graph.components.size);
    expect(doc.dependencies.length).toBeGreaterThan(real.graph.components.size);
    const refs = new Set(doc.components.map((c) => c['bom-ref']));
    for (const v of doc.vulnerabilities) expect(refs.has(v.affects[0]!.ref)).toBe(true);
  });
});
