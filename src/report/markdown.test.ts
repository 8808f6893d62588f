import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT, epssPercent, escapeMarkdown, renderMarkdown } from './markdown.js';
import { hostileReport, largeReport, plainReport, realReport, sampleReport } from './__fixtures__/reports.js';
import type { ScanReport } from '../model/report.js';
import { HAS_SHARED } from '../testing/shared.js';

/** The cells of a GFM table row: split on pipes not preceded by a backslash. */
const cells = (row: string): string[] => row.replace(/^\|\s?/, '').replace(/\s?\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
const tableRows = (md: string, header: string): string[] => {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${header}`));
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
  return rows;
};

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('opens with a verdict: 12 active findings in 8 packages, 2 KEV, 2 suppressed, failing the gate', () => {
    // Active (not suppressed) findings of the fixture: 4 log4j-core advisories, minimist 0.0.8 and
    // 1.2.5, adm-zip, lodash 4.17.4 twice, jquery, handlebars, semver = 12 in 8 purls.
    expect(md).toContain('**❌ 12 vulnerabilities in 8 packages (2 known exploited); 2 suppressed** — fails `--fail-on any`.');
  });

  it('counts severities of active findings only', () => {
    // critical: CVE-2021-44228 10.0, CVE-2021-45046 9.0, minimist x2 9.8; high: 8.6, 8.2, 7.4, 7.2, 7.2;
    // medium: 6.6, 6.5, 5.3. The suppressed high (negotiator) and low (lodash) are not counted.
    expect(md).toContain('🔴 4 critical · 🟠 5 high · 🟡 3 medium\n');
    expect(md).not.toMatch(/\d low/);
  });

  it('has one table row per active finding, in the report order, with 8 cells each', () => {
    const rows = tableRows(md, 'Package | Version | Advisory');
    expect(rows).toHaveLength(12);
    for (const r of rows) expect(cells(r)).toHaveLength(8);
    const first = cells(rows[0]!);
    expect(first[0]).toBe('org.apache.logging.log4j:log4j-core');
    expect(first[1]).toBe('2.14.1');
    expect(first[2]).toBe('[GHSA-jfh8-c2jp-5v3q](https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q) (CVE-2021-44228)<br>Remote code injection in Log4j');
    expect(first[3]).toBe('🔴 critical 10.0');
    expect(first[4]).toBe('**yes** (ransomware)');
    expect(first[5]).toBe('99.9%'); // EPSS 0.99999, never rounded up to 100%
    expect(first[6]).toBe('2.15.0');
    expect(first[7]).toBe('billing-service &gt; org.apache.logging.log4j:log4j-core@&#8203;2.14.1');
    // minimist 0.0.8 has 3 paths in the fixture: the first is shown, the others counted.
    const minimist = cells(rows[4]!);
    expect(minimist[0]).toBe('minimist');
    expect(minimist[4]).toBe('');
    expect(minimist[5]).toBe('');
    expect(minimist[7]).toMatch(/minimist@&#8203;0\.0\.8 \(\+2\)$/);
    // jquery: no fixed version, a last_affected bound
    expect(cells(rows[9]!)[6]).toBe('&gt; 2.2.4');
  });

  it('folds suppressed findings into <details> with status, justification and source', () => {
    const details = md.slice(md.indexOf('<details>'), md.indexOf('</details>'));
    expect(details).toContain('<summary>2 suppressed findings (VEX or ignore rules)</summary>\n\n');
    const rows = tableRows(details, 'Package | Version | Advisory | Severity | Status');
    expect(rows).toHaveLength(2);
    expect(cells(rows[0]!)).toEqual([
      'negotiator',
      '0.2.8',
      '[NSWG-ECO-106](https://osv.dev/vulnerability/NSWG-ECO-106)<br>Regular Expression Denial of Service',
      '🟠 high 7.5',
      'ignored until 2027-01-31',
      'only reached through the dev server; upgrade tracked in \\#412',
      'ignore: .vouch.yaml \\(ignore\\[0\\]\\)',
    ]);
    expect(cells(rows[1]!)[4]).toBe('not\\_affected');
    expect(cells(rows[1]!)[5]).toBe('vulnerable\\_code\\_not\\_in\\_execute\\_path: goof never calls lodash.merge / defaultsDeep on untrusted input');
  });

  it('ends with what was scanned and the store dates', () => {
    expect(md.trimEnd().split('\n').at(-1)).toBe(
      '<sub>vouch 0.1.0 · 981 components in 2 inputs · advisories up to: Maven 2024-07-25, npm 2024-06-21 · scanned 2026-11-28 02:30:00 UTC</sub>',
    );
  });

  it('escapes pipes, backticks, HTML and mentions in summaries and package names', () => {
    const out = renderMarkdown(hostileReport());
    const row = tableRows(out, 'Package | Version | Advisory')[0]!;
    expect(cells(row)).toHaveLength(8);
    expect(out).not.toMatch(/<script|<img|<b>|onerror=alert\(2\)>/);
    expect(out).not.toContain('@octocat');
    expect(out).not.toContain('](javascript:');
    expect(cells(row)[0]).toBe('evil\\|pkg&lt;b&gt;');
    expect(cells(row)[2]).toContain('Pipes \\| and \\`backticks\\` and &lt;script&gt;alert\\(1\\)&lt;/script&gt;');
  });

  it('escapeMarkdown makes one inert line', () => {
    expect(escapeMarkdown('a|b\nc`d`<e>&f @g _h_ *i* [j](k) #1 ~l~ \\')).toBe(
      'a\\|b c\\`d\\`&lt;e&gt;&amp;f @&#8203;g \\_h\\_ \\*i\\* \\[j\\]\\(k\\) \\#1 \\~l\\~ \\\\',
    );
    expect(escapeMarkdown('x'.repeat(500))).toHaveLength(160);
  });

  it('caps rows with "and N more"', () => {
    const out = renderMarkdown(sampleReport(), { maxRows: 3, maxSuppressedRows: 1 });
    expect(tableRows(out, 'Package | Version | Advisory')).toHaveLength(3);
    expect(out).toContain('… and 9 more findings (the JSON or HTML report lists them all).');
    expect(out).toContain('… and 1 more suppressed.');
  });

  it('stays under the GitHub comment limit for a very large report, counting every finding', () => {
    const big = largeReport(5000); // 4500 active, 500 suppressed
    const out = renderMarkdown(big, { maxRows: 10_000, maxSuppressedRows: 10_000 });
    expect(out.length).toBeLessThanOrEqual(60_000);
    expect(out.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const shown = tableRows(out, 'Package | Version | Advisory').length;
    const more = Number(/… and (\d+) more findings/.exec(out)?.[1]);
    expect(shown).toBeGreaterThan(50);
    expect(shown + more).toBe(4500);
    expect(out).toContain('<summary>500 suppressed findings');
    expect(out.trimEnd().endsWith('</sub>')).toBe(true); // the footer survived
    // with the default caps
    const def = renderMarkdown(big);
    expect(tableRows(def, 'Package | Version | Advisory')).toHaveLength(50);
    expect(def).toContain('… and 4450 more findings');
    expect(def).toContain('… and 475 more suppressed.');
  });

  it('reports a clean scan in one line', () => {
    const r = sampleReport();
    r.findings = [];
    r.failed = false;
    const out = renderMarkdown(r);
    expect(out).toContain('**✅ No known vulnerabilities** in 981 components checked.');
    expect(out).not.toContain('| Package');
  });

  it('says when findings stay below the --fail-on threshold', () => {
    const r = sampleReport();
    r.failOn = 'CRITICAL';
    r.findings = r.findings.filter((f) => f.severity.rating !== 'CRITICAL');
    r.failed = false;
    expect(renderMarkdown(r)).toContain('**⚠️ 8 vulnerabilities in 6 packages; 2 suppressed** — none at or above `--fail-on critical`.');
  });

  it('renders a schema 1.1 report (no KEV, EPSS, priority or suppression) with empty cells', () => {
    const out = renderMarkdown(plainReport());
    const rows = tableRows(out, 'Package | Version | Advisory');
    expect(rows).toHaveLength(14);
    expect(rows.every((r) => cells(r)[4] === '' && cells(r)[5] === '')).toBe(true);
    expect(out).not.toContain('<details>');
    expect(out).toContain('**❌ 14 vulnerabilities in 9 packages** — fails `--fail-on any`.');
  });

  it.each([
    [0.99999, '99.9%'],
    [0.97906, '97.9%'],
    [0.5, '50.0%'],
    [0.0004, '<0.1%'],
    [0, '0.0%'],
  ])('epssPercent(%s) = %s', (score, text) => {
    expect(epssPercent(score)).toBe(text);
  });
});

describe.skipIf(!HAS_SHARED)('renderMarkdown on a real scan (../shared)', () => {
  let home: string;
  let report: ScanReport;
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'vouch-md-'));
    report = (await realReport(home)).report;
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('has a well-formed row per finding of log4j + nodejs-goof', () => {
    const out = renderMarkdown(report);
    const rows = tableRows(out, 'Package | Version | Advisory');
    expect(rows).toHaveLength(report.findings.length);
    for (const r of rows) expect(cells(r)).toHaveLength(8);
    // --fail-on high with critical findings (log4j-core 2.14.1, CVE-2021-44228)
    expect(out).toMatch(/^\*\*❌ 33 vulnerabilities in 23 packages\*\* — fails `--fail-on high`\.$/m);
  });
});
