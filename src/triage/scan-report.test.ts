/**
 * The triage side of the scan report: merging aliasing records into one finding (real records from
 * ../shared/osv), KEV / EPSS through aliases, the priority order and its reasons, the suppression
 * hook, path counts, and how the table and SARIF show them.
 */
import { describe, expect, it } from 'vitest';
import type { Advisory } from '../model/advisory.js';
import type { Component, Scope } from '../model/component.js';
import type { Finding } from '../model/finding.js';
import { DependencyGraph } from '../model/graph.js';
import { openZip } from '../io/zip.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { type ExploitLookup, buildScanReport } from './scan-report.js';
import type { EpssInfo, KevInfo } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import { renderTable } from '../report/table.js';
import { renderSarif } from '../report/sarif.js';
import { colorEnabled } from '../report/display.js';

async function sharedRecords(ecosystem: string, ids: string[]): Promise<Advisory[]> {
  const zip = await openZip(shared('osv', ecosystem, 'all.zip'), ecosystem);
  const out = new Map<string, Advisory>();
  try {
    for await (const e of zip.entries()) {
      if (e.kind === 'file' && ids.includes(e.name.replace(/\.json$/, ''))) out.set(e.name.replace(/\.json$/, ''), JSON.parse(e.data.toString('utf8')) as Advisory);
    }
  } finally {
    zip.close();
  }
  return ids.map((id) => {
    const a = out.get(id);
    if (!a) throw new Error(`${id} not in ../shared/osv/${ecosystem}`);
    return a;
  });
}

interface Pkg {
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
  scope?: Scope;
  direct?: boolean;
}

function setup(pkgs: Pkg[]): { graph: DependencyGraph; comps: Map<string, Component> } {
  const graph = new DependencyGraph();
  graph.addRoot('root:app', 'app');
  const comps = new Map<string, Component>();
  for (const p of pkgs) {
    const c = graph.add({ purl: p.purl, ecosystem: p.ecosystem, name: p.name, version: p.version, scope: p.scope ?? 'prod', direct: p.direct ?? true, locations: [{ path: 'lock', line: 3 }] });
    graph.addEdge('root:app', p.purl);
    comps.set(p.purl, c);
  }
  return { graph, comps };
}

function finding(graph: DependencyGraph, c: Component, advisory: Advisory, fixed: string[] = []): Finding {
  return {
    component: c,
    advisory,
    reasons: [{ affectedIndex: 0, kind: 'range', rangeType: 'ECOSYSTEM', introduced: '0', ...(fixed[0] ? { fixed: fixed[0] } : {}) }],
    fixedVersions: fixed,
    paths: graph.pathsTo(c.purl, 20),
    locations: c.locations,
  };
}

function report(graph: DependencyGraph, findings: Finding[], extra: Partial<Parameters<typeof buildScanReport>[0]> = {}): ScanReport {
  return buildScanReport({
    inventory: { graph, inputs: [{ path: 'lock', extractor: 'x', status: 'ok', components: graph.components.size, warnings: [] }], unresolved: [] },
    findings,
    stats: { componentsChecked: graph.components.size, componentsNotChecked: [], advisoriesConsidered: findings.length, gitRangesSkipped: 0, malformedRanges: [] },
    store: [],
    failOn: 'any',
    now: new Date('2026-01-01T00:00:00Z'),
    ...extra,
  });
}

function lookup(kev: Record<string, Partial<KevInfo>>, epss: Record<string, number>): ExploitLookup {
  return {
    kev: (cve) => (kev[cve] ? { cve, dateAdded: '2022-01-01', knownRansomwareUse: false, ...kev[cve] } : undefined),
    epss: (cve): EpssInfo | undefined => (epss[cve] !== undefined ? { cve, score: epss[cve], percentile: 0.5 } : undefined),
  };
}

function adv(id: string, extra: Partial<Advisory> = {}): Advisory {
  return { id, modified: '2024-01-01T00:00:00Z', aliases: [], ...extra };
}

const CVSS_98 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const CVSS_75 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'; // 7.5
const CVSS_53 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'; // 5.3

describe.skipIf(!HAS_SHARED)('one finding per vulnerability, on real aliasing records', () => {
  it('PyPI: PYSEC-2021-871 and PYSEC-2021-872 (both CVE-2021-42343 on distributed) are one finding', async () => {
    const recs = await sharedRecords('PyPI', ['PYSEC-2021-872', 'PYSEC-2021-871']);
    const { graph, comps } = setup([{ ecosystem: 'PyPI', name: 'distributed', version: '2021.9.1', purl: 'pkg:pypi/distributed@2021.9.1' }]);
    const c = comps.get('pkg:pypi/distributed@2021.9.1')!;
    // both records: ECOSYSTEM introduced 0, fixed 2021.10.0
    const r = report(graph, recs.map((a) => finding(graph, c, a, ['2021.10.0'])));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.id).toBe('PYSEC-2021-871'); // no GHSA or CVE record among them: the smallest ecosystem-native id
    expect(f.ids).toEqual(['PYSEC-2021-871', 'PYSEC-2021-872']);
    // 871 aliases CVE-2021-42343, GHSA-hwqr-f3v9-hwxr; 872 adds GHSA-j8fq-86c5-5v2r
    expect([...f.aliases].sort()).toEqual(['CVE-2021-42343', 'GHSA-hwqr-f3v9-hwxr', 'GHSA-j8fq-86c5-5v2r', 'PYSEC-2021-872']);
    expect(f.fixed).toEqual(['2021.10.0']);
    expect(f.modified).toBe('2023-05-25T05:07:00Z'); // 872's, the later one
    expect(r.summary.findings).toBe(1);
  });

  it('crates.io: RUSTSEC-2019-0036 and RUSTSEC-2020-0036 (failure) merge; the severity is the highest score; KEV/EPSS via either CVE', async () => {
    const recs = await sharedRecords('crates.io', ['RUSTSEC-2019-0036', 'RUSTSEC-2020-0036']);
    const { graph, comps } = setup([{ ecosystem: 'crates.io', name: 'failure', version: '0.1.8', purl: 'pkg:cargo/failure@0.1.8' }]);
    const c = comps.get('pkg:cargo/failure@0.1.8')!;
    // both list CVE-2019-25010 and CVE-2020-25575; the KEV entry and the higher EPSS are on different CVEs
    const r = report(
      graph,
      recs.map((a) => finding(graph, c, a)),
      { exploits: lookup({ 'CVE-2020-25575': { dateAdded: '2023-03-03' } }, { 'CVE-2019-25010': 0.3, 'CVE-2020-25575': 0.02 }) },
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.ids).toEqual(['RUSTSEC-2019-0036', 'RUSTSEC-2020-0036']);
    // both publish CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8
    expect(f.severity).toMatchObject({ rating: 'CRITICAL', score: 9.8, source: 'CVSS_V3' });
    expect(f.kev?.cve).toBe('CVE-2020-25575');
    expect(f.epss).toEqual({ cve: 'CVE-2019-25010', score: 0.3, percentile: 0.5 });
  });

  it('Maven: the four Log4j GHSA records name different CVEs and stay four findings; a GHSA gets its CVE alias\'s KEV', async () => {
    const ids = ['GHSA-jfh8-c2jp-5v3q', 'GHSA-7rjr-3q55-vv33', 'GHSA-p6xc-xr62-6r2g', 'GHSA-8489-44mv-ggj8'];
    const recs = await sharedRecords('Maven', ids);
    const purl = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
    const { graph, comps } = setup([{ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', purl }]);
    const r = report(
      graph,
      recs.map((a) => finding(graph, comps.get(purl)!, a)),
      { exploits: lookup({ 'CVE-2021-44228': { dateAdded: '2021-12-10', knownRansomwareUse: true } }, { 'CVE-2021-44228': 0.97, 'CVE-2021-44832': 0.6 }) },
    );
    // KEV first; then CVE-2021-44832 (EPSS 0.6: high band) although MEDIUM 6.6; then 45046 (CRITICAL 9.0), 45105 (HIGH 8.6)
    expect(r.findings.map((f) => f.id)).toEqual(['GHSA-jfh8-c2jp-5v3q', 'GHSA-8489-44mv-ggj8', 'GHSA-7rjr-3q55-vv33', 'GHSA-p6xc-xr62-6r2g']);
    expect(r.findings[0]!.kev).toMatchObject({ cve: 'CVE-2021-44228', knownRansomwareUse: true });
    expect(r.findings[0]!.priority!.reason).toBe('known exploited (KEV since 2021-12-10, ransomware); EPSS 97.0% (high); CRITICAL 10.0; prod, direct');
    expect(r.findings).toHaveLength(4);
  });

  it('a published rating without a vector is marked in the table (ua-parser-js GHSA-pjwm-rvh2-c87w: CRITICAL, no CVSS)', async () => {
    const [a] = await sharedRecords('npm', ['GHSA-pjwm-rvh2-c87w']);
    const purl = 'pkg:npm/ua-parser-js@0.7.29';
    const { graph, comps } = setup([{ ecosystem: 'npm', name: 'ua-parser-js', version: '0.7.29', purl }]);
    const r = report(graph, [finding(graph, comps.get(purl)!, a!, ['0.7.30'])]);
    expect(r.findings[0]!.severity).toEqual({ rating: 'CRITICAL', source: 'database_specific' });
    const table = renderTable(r);
    expect(table).toMatch(/GHSA-pjwm-rvh2-c87w\s+CRITICAL\*\s/);
    expect(table).toContain('* published rating of the advisory (database_specific.severity)');
  });
});

describe('merge rules on hand-written records', () => {
  const { graph, comps } = setup([
    { ecosystem: 'npm', name: 'a', version: '1.0.0', purl: 'pkg:npm/a@1.0.0' },
    { ecosystem: 'npm', name: 'b', version: '1.0.0', purl: 'pkg:npm/b@1.0.0' },
  ]);
  const a = comps.get('pkg:npm/a@1.0.0')!;
  const b = comps.get('pkg:npm/b@1.0.0')!;

  it('prefers the GHSA record, then ecosystem-native, then CVE; merges transitively through aliases only', () => {
    const r = report(graph, [
      finding(graph, a, adv('CVE-2020-1000', { severity: [{ type: 'CVSS_V3', score: CVSS_53 }] }), ['1.2.0']),
      finding(graph, a, adv('NSWG-ECO-1', { aliases: ['CVE-2020-1000'], severity: [{ type: 'CVSS_V3', score: CVSS_98 }] }), ['1.1.0']),
      finding(graph, a, adv('GHSA-aaaa-bbbb-cccc', { aliases: ['NSWG-ECO-1'] }), ['1.1.0']),
      // related is not an alias: stays apart
      finding(graph, a, adv('GHSA-zzzz-zzzz-zzzz', { related: ['CVE-2020-1000'] } as Partial<Advisory>)),
      // the same records on another package are that package's own finding
      finding(graph, b, adv('CVE-2020-1000')),
    ]);
    const onA = r.findings.filter((f) => f.name === 'a');
    expect(onA.map((f) => f.id).sort()).toEqual(['GHSA-aaaa-bbbb-cccc', 'GHSA-zzzz-zzzz-zzzz']);
    const merged = onA.find((f) => f.id === 'GHSA-aaaa-bbbb-cccc')!;
    expect(merged.ids).toEqual(['GHSA-aaaa-bbbb-cccc', 'NSWG-ECO-1', 'CVE-2020-1000']);
    expect(merged.severity.score).toBe(9.8);
    expect(merged.fixed).toEqual(['1.1.0', '1.2.0']);
    expect(r.findings.filter((f) => f.name === 'b').map((f) => f.ids)).toEqual([['CVE-2020-1000']]);
  });

  it('the primary does not depend on input order', () => {
    const recs = [adv('PYSEC-2021-2', { aliases: ['CVE-2021-9'] }), adv('CVE-2021-9'), adv('PYSEC-2021-10', { aliases: ['CVE-2021-9'] })];
    const one = report(graph, recs.map((x) => finding(graph, a, x)));
    const two = report(graph, [...recs].reverse().map((x) => finding(graph, a, x)));
    expect(one.findings[0]!.ids).toEqual(['PYSEC-2021-10', 'PYSEC-2021-2', 'CVE-2021-9']);
    expect(two.findings[0]!.ids).toEqual(one.findings[0]!.ids);
  });
});

describe('priority order', () => {
  const pk = (name: string, scope: Scope = 'prod', direct = true): Pkg => ({ ecosystem: 'npm', name, version: '1.0.0', purl: `pkg:npm/${name}@1.0.0`, scope, direct });
  const { graph, comps } = setup([pk('kev-low'), pk('epss-high'), pk('crit'), pk('crit-dev', 'dev'), pk('crit-trans', 'prod', false), pk('medium'), pk('unknown')]);
  const at = (n: string): Component => comps.get(`pkg:npm/${n}@1.0.0`)!;
  const findings = [
    finding(graph, at('medium'), adv('GHSA-0000-0000-0006', { severity: [{ type: 'CVSS_V3', score: CVSS_53 }] })),
    finding(graph, at('crit-dev'), adv('GHSA-0000-0000-0003', { severity: [{ type: 'CVSS_V3', score: CVSS_98 }] })),
    finding(graph, at('unknown'), adv('GHSA-0000-0000-0007')),
    finding(graph, at('crit-trans'), adv('GHSA-0000-0000-0004', { severity: [{ type: 'CVSS_V3', score: CVSS_98 }] })),
    finding(graph, at('crit'), adv('GHSA-0000-0000-0002', { severity: [{ type: 'CVSS_V3', score: CVSS_98 }] })),
    finding(graph, at('epss-high'), adv('GHSA-0000-0000-0005', { aliases: ['CVE-2000-0005'], severity: [{ type: 'CVSS_V3', score: CVSS_75 }] })),
    finding(graph, at('kev-low'), adv('GHSA-0000-0000-0001', { aliases: ['CVE-2000-0001'], severity: [{ type: 'CVSS_V3', score: CVSS_53 }] })),
  ];
  const exploits = lookup({ 'CVE-2000-0001': { dateAdded: '2024-05-01', dueDate: '2024-05-22' } }, { 'CVE-2000-0005': 0.62, 'CVE-2000-0001': 0.01 });

  it('KEV, then EPSS band, then severity (UNKNOWN after MEDIUM), then scope and directness', () => {
    const r = report(graph, findings, { exploits });
    expect(r.findings.map((f) => f.name)).toEqual(['kev-low', 'epss-high', 'crit', 'crit-trans', 'crit-dev', 'medium', 'unknown']);
    expect(r.findings.map((f) => f.priority!.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.findings[0]!.priority!.reason).toBe('known exploited (KEV since 2024-05-01); EPSS 1.0% (low); MEDIUM 5.3; prod, direct');
    expect(r.findings[1]!.priority!.reason).toBe('EPSS 62.0% (high); HIGH 7.5; prod, direct');
    expect(r.findings[4]!.priority!.reason).toBe('no EPSS score; CRITICAL 9.8; dev, direct');
    expect(r.findings[6]!.priority!.reason).toBe('no EPSS score; severity unknown; prod, direct');
    expect(r.summary.kev).toBe(1);
  });

  it('suppressed findings keep their data, sort last, and do not fail the scan', () => {
    const r = report(graph, findings, {
      exploits,
      failOn: 'HIGH',
      suppress: (f) =>
        f.purl.startsWith('pkg:npm/crit') || f.name === 'kev-low' || f.name === 'epss-high'
          ? { by: 'vex', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', source: 'vex.json' }
          : undefined,
    });
    expect(r.findings.map((f) => f.name)).toEqual(['medium', 'unknown', 'kev-low', 'epss-high', 'crit', 'crit-trans', 'crit-dev']);
    const kevLow = r.findings.find((f) => f.name === 'kev-low')!;
    expect(kevLow.kev?.cve).toBe('CVE-2000-0001');
    expect(kevLow.suppressed?.status).toBe('not_affected');
    expect(r.summary.suppressed).toBe(5);
    expect(r.summary.kev).toBe(0);
    expect(r.summary.bySeverity).toMatchObject({ CRITICAL: 0, HIGH: 0, MEDIUM: 1, UNKNOWN: 1 });
    // UNKNOWN meets every threshold (unknown is not safe): still failed at HIGH
    expect(r.failed).toBe(true);
    const onlyMedium = report(graph, findings.filter((f) => f.component.name !== 'unknown'), {
      failOn: 'HIGH',
      suppress: (f) => (f.name === 'medium' ? undefined : { by: 'ignore', status: 'ignored', source: 'vouch.yaml' }),
    });
    expect(onlyMedium.failed).toBe(false);
    const table = renderTable(r);
    expect(table).toContain('Suppressed (5):');
    expect(table).toContain('  kev-low 1.0.0  GHSA-0000-0000-0001 (CVE-2000-0001)  suppressed: not_affected — vulnerable_code_not_in_execute_path (vex.json)');
    expect(table).toMatch(/^2 findings in 2 packages \(1 medium, 1 unknown\)/m);
  });
});

describe('paths', () => {
  it('lists 20 paths and counts them all', () => {
    const graph = new DependencyGraph();
    graph.addRoot('root:app', 'app');
    const target = graph.add({ purl: 'pkg:npm/t@1.0.0', ecosystem: 'npm', name: 't', version: '1.0.0', scope: 'prod', direct: false, locations: [] });
    for (let i = 0; i < 25; i++) {
      const m = `pkg:npm/m${i}@1.0.0`;
      graph.add({ purl: m, ecosystem: 'npm', name: `m${i}`, version: '1.0.0', scope: 'prod', direct: true, locations: [] });
      graph.addEdge('root:app', m);
      graph.addEdge(m, target.purl);
    }
    // and one more through two levels: root > m0 > x > t
    graph.add({ purl: 'pkg:npm/x@1.0.0', ecosystem: 'npm', name: 'x', version: '1.0.0', scope: 'prod', direct: false, locations: [] });
    graph.addEdge('pkg:npm/m0@1.0.0', 'pkg:npm/x@1.0.0');
    graph.addEdge('pkg:npm/x@1.0.0', target.purl);
    const r = report(graph, [finding(graph, target, adv('GHSA-1111-2222-3333'))]);
    expect(r.findings[0]!.paths).toHaveLength(20);
    expect(r.findings[0]!.pathsTotal).toBe(26);
    expect(renderTable(r)).toMatch(/app > m\d+@1\.0\.0 \(\+25 more paths\)/);
  });
});

describe('table and SARIF rendering', () => {
  const purl = 'pkg:npm/lodash@4.17.15';
  const { graph, comps } = setup([{ ecosystem: 'npm', name: 'lodash', version: '4.17.15', purl }]);
  const base = report(
    graph,
    [
      finding(graph, comps.get(purl)!, adv('GHSA-p6mc-m468-83gw', { aliases: ['CVE-2020-8203'], summary: 'Prototype Pollution in lodash', details: 'Versions of lodash prior to 4.17.19 are vulnerable.', severity: [{ type: 'CVSS_V3', score: CVSS_75 }], references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-8203' }] }), ['4.17.19']),
      finding(graph, comps.get(purl)!, adv('GHSA-35jh-r3h4-6jhm', { aliases: ['CVE-2021-23337'], severity: [{ type: 'CVSS_V3', score: CVSS_53 }] }), ['4.17.21']),
    ],
    {
      exploits: lookup({ 'CVE-2020-8203': { dateAdded: '2023-01-02' } }, { 'CVE-2020-8203': 0.0123, 'CVE-2021-23337': 0.00043 }),
      suppress: (f) => (f.id === 'GHSA-35jh-r3h4-6jhm' ? { by: 'vex', status: 'not_affected', justification: 'inline_mitigations_already_exist', source: 'app.vex.json' } : undefined),
    },
  );

  it('the table has KEV and EPSS columns and colours only when asked', () => {
    const plain = renderTable(base);
    expect(plain.split('\n')[0]).toBe('PACKAGE  VERSION  ADVISORY' + ' '.repeat(29) + 'SEVERITY  KEV  EPSS  FIXED IN  VIA');
    expect(plain.split('\n')[1]).toBe('lodash   4.17.15  GHSA-p6mc-m468-83gw (CVE-2020-8203)  HIGH 7.5  KEV  1.2%  4.17.19   app');
    expect(plain).not.toContain('\u001b[');
    const coloured = renderTable(base, { color: true });
    expect(coloured).toContain('\u001b[31mHIGH 7.5\u001b[0m');
    expect(coloured).toContain('\u001b[1;31mKEV\u001b[0m');
  });

  it('SARIF: rule help, security-severity, KEV/EPSS properties, external suppressions', () => {
    const log = JSON.parse(renderSarif(base, { cwd: '/' })) as {
      runs: { tool: { driver: { rules: { id: string; help: { text: string; markdown: string }; properties: Record<string, unknown> }[] } }; results: { ruleId: string; properties: Record<string, unknown>; suppressions?: { kind: string; justification: string }[]; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[];
    };
    const run = log.runs[0]!;
    const rule = run.tool.driver.rules.find((r) => r.id === 'GHSA-p6mc-m468-83gw')!;
    expect(rule.properties['security-severity']).toBe('7.5');
    expect(rule.help.text).toContain('Versions of lodash prior to 4.17.19 are vulnerable.');
    expect(rule.help.text).toContain('- lodash: 4.17.19');
    expect(rule.help.text).toContain('- https://nvd.nist.gov/vuln/detail/CVE-2020-8203');
    const res = run.results.find((r) => r.ruleId === 'GHSA-p6mc-m468-83gw')!;
    expect(res.properties).toMatchObject({ kev: true, kevDateAdded: '2023-01-02', epss: 0.0123, priority: 1 });
    expect(res.locations[0]!.physicalLocation.region).toEqual({ startLine: 3 });
    expect(res.suppressions).toBeUndefined();
    const sup = run.results.find((r) => r.ruleId === 'GHSA-35jh-r3h4-6jhm')!;
    expect(sup.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'vex: not_affected — inline_mitigations_already_exist — (app.vex.json)' }]);
    expect(sup.properties['epss']).toBe(0.00043);
  });

  it.each([
    [{}, true, true],
    [{}, false, false],
    [{}, undefined, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
  ] as const)('colorEnabled(%o, tty=%s) = %s', (env, tty, want) => {
    expect(colorEnabled(env, tty)).toBe(want);
  });
});
