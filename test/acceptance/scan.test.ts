/**
 * End to end on real data: the OSV corpus in ../shared/osv loaded with `vouch db update`, then
 * `vouch scan` on SBOMs and lockfiles. Expected advisories were read off the OSV records by hand
 * (see the comments), not copied from vouch's output.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';
import { log4jCycloneDx as cyclonedx, useOsvStore, vouch } from './helpers.js';

interface JsonFinding {
  id: string;
  aliases: string[];
  purl: string;
  fixed: string[];
  paths: string[][];
}

describe.skipIf(!HAS_SHARED)('vouch scan on real OSV data', () => {
  const store = useOsvStore();
  const env = store.env;

  function scanJson(file: string): { code: number | null; findings: JsonFinding[]; stderr: string } {
    const r = vouch(['scan', file, '--format', 'json'], env());
    expect(r.stderr, r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    return { code: r.code, findings: r.stdout ? (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings : [], stderr: r.stderr };
  }

  const cves = (fs: JsonFinding[]): string[] => [...new Set(fs.flatMap((f) => f.aliases.filter((a) => a.startsWith('CVE-'))))].sort();

  // Log4Shell and its follow-ups, as the GHSA records in shared/osv/Maven give them:
  //   CVE-2021-44228 GHSA-jfh8-c2jp-5v3q  [2.13.0, 2.15.0)   CVE-2021-45046 GHSA-7rjr-3q55-vv33 [2.13.0, 2.16.0)
  //   CVE-2021-45105 GHSA-p6xc-xr62-6r2g  [2.13.0, 2.17.0)   CVE-2021-44832 GHSA-8489-44mv-ggj8 [2.13.0, 2.17.1)
  const LOG4J: [string, string[]][] = [
    ['2.14.1', ['CVE-2021-44228', 'CVE-2021-44832', 'CVE-2021-45046', 'CVE-2021-45105']],
    ['2.17.0', ['CVE-2021-44832']],
    ['2.17.1', []],
  ];

  function spdx(version: string): string {
    return JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'billing-service',
      documentNamespace: 'https://example.invalid/spdx/billing-service',
      creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: hand-written'] },
      documentDescribes: ['SPDXRef-log4j-core'],
      packages: [
        {
          SPDXID: 'SPDXRef-log4j-core',
          name: 'log4j-core',
          versionInfo: version,
          downloadLocation: 'NOASSERTION',
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:maven/org.apache.logging.log4j/log4j-core@${version}` }],
        },
      ],
    });
  }

  it.each(LOG4J)('CycloneDX with log4j-core %s reports exactly %j', (version, expected) => {
    const file = path.join(store.work, `log4j-${version}.cdx.json`);
    writeFileSync(file, cyclonedx(version));
    const r = scanJson(file);
    expect(cves(r.findings)).toEqual(expected);
    expect(r.code).toBe(expected.length ? 1 : 0);
    for (const f of r.findings) expect(f.purl).toBe(`pkg:maven/org.apache.logging.log4j/log4j-core@${version}`);
  });

  it.each(LOG4J)('SPDX 2.3 with log4j-core %s reports exactly %j', (version, expected) => {
    const file = path.join(store.work, `log4j-${version}.spdx.json`);
    writeFileSync(file, spdx(version));
    const r = scanJson(file);
    expect(cves(r.findings)).toEqual(expected);
    expect(r.code).toBe(expected.length ? 1 : 0);
  });

  // lodash in shared/osv/npm: GHSA-35jh-r3h4-6jhm (command injection, <4.17.21), GHSA-p6mc-m468-83gw
  // (prototype pollution, [3.7.0, 4.17.19)), NSWG-ECO-516 ([4.17.15, 4.17.19)); NSWG-ECO-368 (<4.17.5)
  // and NSWG-ECO-493 (<4.17.11) do not cover 4.17.15.
  function lockV3(version: string): string {
    return JSON.stringify(
      {
        name: 'shop',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'shop', version: '1.0.0', dependencies: { lodash: `^${version}` } },
          'node_modules/lodash': { version, resolved: `https://registry.invalid/lodash/-/lodash-${version}.tgz` },
        },
      },
      null,
      2,
    );
  }

  it('lodash 4.17.15 in a package-lock v3 reports its prototype-pollution and command-injection advisories', () => {
    const file = path.join(store.work, 'package-lock.json');
    writeFileSync(file, lockV3('4.17.15'));
    const r = scanJson(file);
    expect(r.findings.map((f) => f.id).sort()).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'NSWG-ECO-516']);
    expect(r.code).toBe(1);
    const pp = r.findings.find((f) => f.id === 'GHSA-p6mc-m468-83gw')!;
    expect(pp.aliases).toContain('CVE-2020-8203');
    expect(pp.fixed).toEqual(['4.17.19']);
    expect(pp.paths[0]!.at(-1)).toBe('pkg:npm/lodash@4.17.15');
  });

  it('lodash 4.17.21 reports none of them and exits 0', () => {
    const file = path.join(store.work, 'package-lock.json');
    writeFileSync(file, lockV3('4.17.21'));
    const r = scanJson(file);
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('the table shows package, version, advisory with CVE, severity, fix and shortest path', () => {
    const file = path.join(store.work, 'log4j-2.14.1.cdx.json');
    writeFileSync(file, cyclonedx('2.14.1'));
    const r = vouch(['scan', file, '--format', 'table'], env());
    expect(r.code).toBe(1);
    const row = r.stdout.split('\n').find((l) => l.includes('GHSA-jfh8-c2jp-5v3q'))!;
    // KEV and EPSS columns read "-": this store has no KEV/EPSS data (test/acceptance/triage.test.ts loads them);
    // VIA is the shortest path without the component itself
    expect(row).toMatch(/^org\.apache\.logging\.log4j:log4j-core\s+2\.14\.1\s+GHSA-jfh8-c2jp-5v3q \(CVE-2021-44228\)\s+CRITICAL 10\.0\s+-\s+-\s+2\.15\.0\s+billing-service$/);
  });

  it('--fail-on critical passes a scan whose worst finding is below critical', () => {
    const file = path.join(store.work, 'log4j-2.17.0.cdx.json');
    writeFileSync(file, cyclonedx('2.17.0'));
    // CVE-2021-44832 is CVSS 6.6 (medium) in GHSA-8489-44mv-ggj8
    expect(vouch(['scan', file, '--format', 'json', '--fail-on', 'critical'], env()).code).toBe(0);
    expect(vouch(['scan', file, '--format', 'json', '--fail-on', 'medium'], env()).code).toBe(1);
  });

  function npmLockfiles(root: string): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = path.join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (e === 'package-lock.json' || e === 'npm-shrinkwrap.json') out.push(p);
      }
    };
    walk(root);
    return out;
  }

  it('every npm lockfile under ../shared/realworld scans without error', () => {
    const files = npmLockfiles(shared('realworld'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const r = vouch(['scan', f, '--format', 'json'], env());
      expect([0, 1], `${f}: ${r.stderr}`).toContain(r.code);
      const report = JSON.parse(r.stdout) as { inputs: { status: string }[] };
      expect(report.inputs.every((i) => i.status === 'ok')).toBe(true);
    }
  });

  it('every npm lockfile fixture under ../shared/conformance/lockfiles scans, and the broken ones fail with one clean line', () => {
    interface Case {
      fixture: string;
      fixtureExists?: boolean;
      expectError: unknown;
    }
    let checked = 0;
    for (const dir of [['osv-scanner-v1', 'npm'], ['osv-scalibr', 'javascript-packagelockjson']]) {
      const folder = shared('conformance', 'lockfiles', ...dir);
      const { cases } = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as { cases: Case[] };
      for (const c of cases.filter((x) => x.fixtureExists !== false)) {
        const f = path.join(folder, c.fixture);
        const r = vouch(['scan', f, '--format', 'json'], env());
        if (c.expectError) {
          // e.g. not-json.txt, a JSON `null`: exit 2, one line naming the file, no stack trace
          expect(r.code, f).toBe(2);
          expect(r.stderr.trim().split('\n'), f).toHaveLength(1);
          expect(r.stderr).toContain(f);
        } else {
          expect([0, 1], `${f}: ${r.stderr}`).toContain(r.code);
          expect((JSON.parse(r.stdout) as { inputs: { status: string }[] }).inputs[0]!.status).toBe('ok');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('--format json validates against the documented schema (docs/scan-report.schema.json)', () => {
    const file = shared('realworld', 'OWASP__NodeGoat', 'package-lock.json');
    const r = vouch(['scan', file, '--format', 'json'], env());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    expect(report.findings.length).toBeGreaterThan(10);
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'scan-report.schema.json'), 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it('--format sarif is valid SARIF 2.1.0 and points at lockfile lines', () => {
    const file = shared('realworld', 'OWASP__NodeGoat', 'package-lock.json');
    const r = vouch(['scan', file, '--format', 'sarif'], env());
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as { runs: { results: { locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    // the SARIF schema's language pattern is not valid as a unicode regular expression
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(log.runs[0]!.results.length).toBeGreaterThan(10);
    expect(log.runs[0]!.results.every((x) => (x.locations[0]!.physicalLocation.region?.startLine ?? 0) > 0)).toBe(true);
  });
});
