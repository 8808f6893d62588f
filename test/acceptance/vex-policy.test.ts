/**
 * Issue 4's "done when" for VEX and policy, end to end through the built CLI on real data: a store
 * from ../shared/osv/Maven/all.zip, a CycloneDX SBOM holding log4j-core 2.14.1 (four findings:
 * CVE-2021-44228, -45046, -45105, -44832, see scan.test.ts). A VEX saying not_affected for all of
 * them turns exit 1 into exit 0 and lists them as suppressed with the justification; the same
 * with a CycloneDX VEX; the VEX written by `vouch vex create` works the same; an expired ignore
 * rule fails naming the rule and its expiry date.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';
import { tempDir, vouch } from './helpers.js';

const PURL = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
const CVES = ['CVE-2021-44228', 'CVE-2021-44832', 'CVE-2021-45046', 'CVE-2021-45105'];

interface JsonFinding {
  id: string;
  aliases: string[];
  suppressed?: { by: string; status: string; justification?: string; source: string; expires?: string };
}
interface JsonReport {
  failed: boolean;
  findings: JsonFinding[];
  summary: { findings: number; suppressed: number };
  policy?: { file: string; failed: boolean; violations: { rule: string; level: string; id?: string; source: string }[] };
}

describe.skipIf(!HAS_SHARED)('VEX and policy on real data (log4j-core 2.14.1)', () => {
  let home: string;
  let work: string;
  let sbom: string;
  const env = (): Record<string, string> => ({ VOUCH_HOME: home, FORCE_COLOR: '0' });
  const file = (name: string, data: unknown): string => {
    const p = path.join(work, name);
    writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
    return p;
  };
  const scan = (...args: string[]): { code: number | null; report: JsonReport; stderr: string } => {
    const r = vouch(['scan', sbom, '--format', 'json', '--no-vex-discovery', ...args], env());
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    return { code: r.code, report: r.stdout ? (JSON.parse(r.stdout) as JsonReport) : ({} as JsonReport), stderr: r.stderr };
  };
  const cvesOf = (fs: JsonFinding[]): string[] => [...new Set(fs.flatMap((f) => f.aliases.filter((a) => a.startsWith('CVE-'))))].sort();

  beforeAll(() => {
    home = tempDir('vexpol-home');
    work = tempDir('vexpol-work');
    const r = vouch(['db', 'update', '--source', shared('osv', 'Maven', 'all.zip'), '--quiet'], env());
    expect(r.code, r.stderr).toBe(0);
    sbom = file('app.cdx.json', {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: 'billing-service', 'bom-ref': 'app' } },
      components: [{ type: 'library', 'bom-ref': 'log4j-core', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl: PURL }],
      dependencies: [{ ref: 'app', dependsOn: ['log4j-core'] }],
    });
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('without VEX: four findings, exit 1', () => {
    const r = scan();
    expect(r.code).toBe(1);
    expect(cvesOf(r.report.findings)).toEqual(CVES);
    expect(r.report.findings.every((f) => !f.suppressed)).toBe(true);
  });

  it('an OpenVEX not_affected statement per CVE: exit 0, all four suppressed with the justification', () => {
    const vex = file('log4j.openvex.json', {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/log4j-1',
      author: 'Billing team',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2021-44228' },
          products: [{ '@id': PURL }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'JndiLookup.class removed from the jar',
        },
        ...CVES.slice(1).map((cve) => ({
          vulnerability: { name: cve },
          products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }], // every version
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        })),
      ],
    });
    const r = scan('--vex', vex);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.failed).toBe(false);
    expect(r.report.summary.suppressed).toBe(4);
    for (const f of r.report.findings) {
      expect(f.suppressed, f.id).toMatchObject({ by: 'vex', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
      expect(f.suppressed!.source).toContain('log4j.openvex.json');
    }
    // the table says so too
    const t = vouch(['scan', sbom, '--format', 'table', '--no-vex-discovery', '--vex', vex], env());
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/not_affected/);
    expect(t.stdout).toMatch(/vulnerable_code_not_in_execute_path/);
  });

  it('a later OpenVEX statement saying affected takes the suppression back (exit 1 again)', () => {
    const vex = file('later.openvex.json', {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/log4j-2',
      author: 'Billing team',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [
        { vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': PURL }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', timestamp: '2026-11-01T00:00:00Z' },
        { vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': PURL }], status: 'affected', action_statement: 'upgrade to 2.17.1', timestamp: '2026-11-20T00:00:00Z' },
      ],
    });
    const r = scan('--vex', vex);
    expect(r.code).toBe(1);
    expect(r.report.findings.find((f) => f.aliases.includes('CVE-2021-44228'))!.suppressed).toBeUndefined();
  });

  it('the same with a CycloneDX VEX (analysis.state not_affected, affects by bom-ref)', () => {
    const vex = file('log4j.vex.cdx.json', {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ type: 'library', 'bom-ref': 'log4j', name: 'log4j-core', group: 'org.apache.logging.log4j', version: '2.14.1', purl: PURL }],
      vulnerabilities: CVES.map((id) => ({
        id,
        source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` },
        analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'lookups disabled' },
        affects: [{ ref: 'log4j' }],
      })),
    });
    const r = scan('--vex', vex);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.summary.suppressed).toBe(4);
    // CycloneDX's code_not_reachable is OpenVEX's vulnerable_code_not_in_execute_path (docs/vex.md)
    for (const f of r.report.findings) expect(f.suppressed).toMatchObject({ by: 'vex', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
  });

  it('a VEX beside the input is found without --vex; --no-vex-discovery ignores it', () => {
    const dir = tempDir('vexpol-beside');
    try {
      const input = path.join(dir, 'app.cdx.json');
      writeFileSync(input, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'log4j-core', group: 'org.apache.logging.log4j', version: '2.14.1', purl: PURL }] }));
      for (const cve of CVES) {
        const args = ['vex', 'create', '--vuln', cve, '--product', PURL, '--status', 'not_affected', '--justification', 'component_not_present', '--author', 'sec'];
        const vexPath = path.join(dir, 'vex.json');
        const r = vouch(cve === CVES[0] ? [...args, '-o', vexPath] : [...args, '--append', vexPath], env());
        expect(r.code, r.stderr).toBe(0);
      }
      const found = vouch(['scan', input, '--format', 'json'], env());
      expect(found.code, found.stderr).toBe(0);
      expect((JSON.parse(found.stdout) as JsonReport).summary.suppressed).toBe(4);
      const ignored = vouch(['scan', input, '--format', 'json', '--no-vex-discovery'], env());
      expect(ignored.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a policy ignore rule suppresses until its expiry date; an expired one fails naming the rule and the date', () => {
    const live = file(
      'live.policy.yaml',
      `version: 1\nignore:\n  - id: CVE-2021-44228\n    package: pkg:maven/org.apache.logging.log4j/log4j-core\n    reason: JndiLookup removed, see SEC-1\n    expires: 2999-01-31\n`,
    );
    const r = scan('--policy', live);
    expect(r.code).toBe(1); // the other three still fail
    const log4shell = r.report.findings.find((f) => f.aliases.includes('CVE-2021-44228'))!;
    expect(log4shell.suppressed).toMatchObject({ by: 'ignore', justification: 'JndiLookup removed, see SEC-1', expires: '2999-01-31' });

    const expired = file(
      'expired.policy.yaml',
      `version: 1\nfail:\n  severity: critical\nignore:\n  - id: CVE-2021-44228\n    reason: JndiLookup removed, see SEC-1\n    expires: 2026-10-31\n`,
    );
    const e = scan('--policy', expired);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/expired\.policy\.yaml:5.*ignore\[0\].*CVE-2021-44228.*expired on 2026-10-31/);
    expect(e.report.findings.find((f) => f.aliases.includes('CVE-2021-44228'))!.suppressed).toBeUndefined();
    // the JSON carries the verdict too (schema 1.2 `policy`)
    expect(e.report.policy).toMatchObject({ file: expired, failed: true });
    expect(e.report.policy!.violations.find((v) => v.rule === 'ignore[0]')).toMatchObject({ level: 'fail', id: 'CVE-2021-44228', source: `${expired}:5` });
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'scan-report.schema.json'), 'utf8')) as object);
    expect(validate(e.report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a policy whose fail section does not reach the findings passes; --fail-on beside it is a usage error', () => {
    const lenient = file('lenient.policy.yaml', `version: 1\nfail:\n  kev: true\n`);
    const r = scan('--policy', lenient); // no KEV data in this store: nothing is known exploited
    expect(r.code, r.stderr).toBe(0);
    const both = vouch(['scan', sbom, '--policy', lenient, '--fail-on', 'high', '--no-vex-discovery'], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--fail-on cannot be combined/);
  });

  it('scan --attest: the report written with -o and a vulns attestation about the input that vouch verify accepts', () => {
    const prefix = path.join(work, 'signer');
    expect(vouch(['key', 'generate', '--out', prefix], env()).code).toBe(0);
    const out = path.join(work, 'report.json');
    const r = vouch(['scan', sbom, '--format', 'json', '--no-vex-discovery', '-o', out, '--attest', '--key', `${prefix}.key`], env());
    expect(r.code, r.stderr).toBe(1); // the findings still decide the exit code
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as JsonReport).findings.length).toBe(4);
    const bundle = `${out}.sigstore.json`;
    const statement = JSON.parse(Buffer.from((JSON.parse(readFileSync(bundle, 'utf8')) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString('utf8')) as {
      predicateType: string;
      subject: { name: string }[];
    };
    expect(statement.predicateType).toMatch(/^https:\/\/in-toto\.io\/attestation\/vulns\//);
    expect(statement.subject.map((s) => path.basename(s.name))).toEqual(['app.cdx.json']);
    const v = vouch(['verify', sbom, '--bundle', bundle, '--key', `${prefix}.pub`], env());
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK/m);
    // no key, no attestation: a usage error before any work
    expect(vouch(['scan', sbom, '--attest', '-o', out], env()).code).toBe(2);
  });
});
