/**
 * Triage end to end on real data: a store loaded from ../shared/osv/Maven/all.zip with the real CISA
 * KEV catalog and the real EPSS sample, then `vouch scan` of a CycloneDX SBOM holding log4j-core
 * 2.14.1. Expected values were read off the files by hand: CVE-2021-44228 is in the KEV catalog
 * (dateAdded 2021-12-10, dueDate 2021-12-24, ransomware "Known"), its EPSS row is
 * `CVE-2021-44228,0.99999,1.0`, and GHSA-jfh8-c2jp-5v3q publishes
 * CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H (10.0).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_SHARED, REPO_ROOT, osvCorpus, shared } from '../../src/testing/shared.js';
import { log4jCycloneDx, tempDir, vouch } from './helpers.js';

interface JsonFinding {
  id: string;
  ids: string[];
  aliases: string[];
  severity: { rating: string; score?: number };
  kev?: { cve: string; dateAdded: string; dueDate?: string; knownRansomwareUse: boolean };
  epss?: { cve: string; score: number; percentile: number; date?: string };
  priority: { rank: number; reason: string };
}

describe.skipIf(!HAS_SHARED)('triage on real KEV, EPSS and OSV data', () => {
  let home: string;
  let work: string;
  let sbom: string;
  // FORCE_COLOR=0: the test runner may set FORCE_COLOR for itself, and piped output must be plain anyway
  const env = (): Record<string, string> => ({ VOUCH_HOME: home, FORCE_COLOR: '0' });
  const KEV = shared('kev', 'known_exploited_vulnerabilities.json');
  const EPSS = shared('epss', 'epss_scores-2026-09-29-sample.csv');

  beforeAll(() => {
    home = tempDir('triage-home');
    work = tempDir('triage-work');
    const r = vouch(['db', 'update', '--source', shared('osv', 'Maven', 'all.zip'), '--kev', KEV, '--epss', EPSS], env());
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/KEV: 1404 entries \(catalog 2025\.08\.25\); EPSS: 1077 scores \(2026-09-29\)/);
    sbom = path.join(work, 'billing.cdx.json');
    writeFileSync(sbom, log4jCycloneDx('2.14.1'));
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('JSON: CVE-2021-44228 first, flagged KEV, CRITICAL 10.0, with its EPSS score; valid against the schema', () => {
    const r = vouch(['scan', sbom, '--format', 'json'], env());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { schemaVersion: string; findings: JsonFinding[]; summary: { kev: number; suppressed: number }; feeds: { feed: string }[] };
    expect(report.schemaVersion).toBe('1.4');
    const first = report.findings[0]!;
    expect(first.id).toBe('GHSA-jfh8-c2jp-5v3q');
    expect(first.aliases).toContain('CVE-2021-44228');
    expect(first.severity).toMatchObject({ rating: 'CRITICAL', score: 10 });
    expect(first.kev).toMatchObject({ cve: 'CVE-2021-44228', dateAdded: '2021-12-10', dueDate: '2021-12-24', knownRansomwareUse: true });
    expect(first.epss).toEqual({ cve: 'CVE-2021-44228', score: 0.99999, percentile: 1, date: '2026-09-29' });
    expect(first.priority.rank).toBe(1);
    expect(first.priority.reason).toMatch(/^known exploited \(KEV since 2021-12-10, ransomware\); EPSS 99\.9% \(high\); CRITICAL 10\.0/);
    // CVE-2021-45046 is in KEV too (dateAdded 2023-05-01): second; the other two are not in KEV
    expect(report.findings.map((f) => f.kev?.cve ?? '-')).toEqual(['CVE-2021-44228', 'CVE-2021-45046', '-', '-']);
    expect(report.findings.map((f) => f.priority.rank)).toEqual([1, 2, 3, 4]);
    expect(report.summary.kev).toBe(2);
    expect(report.summary.suppressed).toBe(0);
    expect(report.feeds.map((f) => f.feed).sort()).toEqual(['epss', 'kev']);
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'scan-report.schema.json'), 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it('table: the first row is Log4Shell with the KEV mark and EPSS; no colour when piped, colour with FORCE_COLOR', () => {
    const r = vouch(['scan', sbom, '--format', 'table'], env());
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PACKAGE\s+VERSION\s+ADVISORY\s+SEVERITY\s+KEV\s+EPSS\s+FIXED IN\s+VIA$/);
    expect(lines[1]).toMatch(/^org\.apache\.logging\.log4j:log4j-core\s+2\.14\.1\s+GHSA-jfh8-c2jp-5v3q \(CVE-2021-44228\)\s+CRITICAL 10\.0\s+KEV\s+99\.9%\s+2\.15\.0\s+billing-service$/);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/4 findings in 1 package \(2 critical, 1 high, 1 medium, 2 known exploited\)/);
    const coloured = vouch(['scan', sbom, '--format', 'table'], { ...env(), FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[1;31mCRITICAL 10.0\u001b[0m');
    const forced = vouch(['scan', sbom, '--format', 'table'], { ...env(), FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b['); // FORCE_COLOR wins over NO_COLOR, as in Node itself
  });

  it('SARIF: valid 2.1.0, KEV and EPSS in the result properties, security-severity on the rule', () => {
    const r = vouch(['scan', sbom, '--format', 'sarif'], env());
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as {
      runs: { tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } }; results: { ruleId: string; properties: Record<string, unknown> }[] }[];
    };
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const run = log.runs[0]!;
    expect(run.results[0]!.ruleId).toBe('GHSA-jfh8-c2jp-5v3q');
    expect(run.results[0]!.properties).toMatchObject({ kev: true, kevDateAdded: '2021-12-10', epss: 0.99999, priority: 1 });
    expect(run.tool.driver.rules.find((x) => x.id === 'GHSA-jfh8-c2jp-5v3q')!.properties['security-severity']).toBe('10.0');
  });

  it('db show lists the KEV entry and EPSS score of the advisory\'s CVE', () => {
    const r = vouch(['db', 'show', 'GHSA-jfh8-c2jp-5v3q'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  KEV:       CVE-2021-44228 added 2021-12-10, due 2021-12-24, known ransomware use\n');
    expect(r.stdout).toContain('  EPSS:      CVE-2021-44228 0.99999 (percentile 1, 2026-09-29)\n');
  });

  it('db status shows the feeds; a feeds-only update keeps the advisories; a missing feed file is one line, exit 2, store unchanged', () => {
    const st = vouch(['db', 'status', '--json'], env());
    expect(st.code).toBe(0);
    const doc = JSON.parse(st.stdout) as { advisories: number; kev: { count: number; version: string; date: string }; epss: { count: number; version: string; date: string } };
    expect(doc.advisories).toBe(osvCorpus().advisories['Maven']);
    expect(doc.kev).toMatchObject({ count: 1404, version: '2025.08.25', date: '2025-08-25T17:04:19.9796Z' });
    expect(doc.epss).toMatchObject({ count: 1077, version: 'v2026.06.15', date: '2026-09-29T12:00:22Z' });
    const table = vouch(['db', 'status'], env());
    expect(table.stdout).toMatch(/^KEV: {2}1404 entries \(catalog 2025\.08\.25, released 2025-08-25T17:04:19\.9796Z\)/m);
    expect(table.stdout).toMatch(/^EPSS: 1077 scores \(model v2026\.06\.15, score date 2026-09-29T12:00:22Z\)/m);

    const missing = path.join(work, 'nope.json');
    const bad = vouch(['db', 'update', '--no-osv', '--kev', missing], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`vouch: ${missing}: KEV catalog file not found (ENOENT)`);

    const only = vouch(['db', 'update', '--no-osv', '--epss', EPSS], env());
    expect(only.code).toBe(0);
    expect(only.stderr).toMatch(/no advisories loaded \(--no-osv\); EPSS: 1077 scores .*kept KEV; kept 2 other ecosystems/);
    const after = JSON.parse(vouch(['db', 'status', '--json'], env()).stdout) as { advisories: number; kev: { count: number } };
    expect(after.advisories).toBe(osvCorpus().advisories['Maven']);
    expect(after.kev.count).toBe(1404);
  });
});
