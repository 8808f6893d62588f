/**
 * The HTML report in a real browser: Debian's headless Chromium (/usr/bin/chromium, or $CHROMIUM)
 * driven by playwright-core. Each report is written to a temporary file and opened from file://;
 * the page must log nothing, throw nothing and request nothing but the file itself (every other
 * request is caught by a route, recorded and aborted). Then the page is used as a person would:
 * sort by a column, filter by text, severity and KEV, show suppressed findings, expand rows.
 *
 * Expected orders and counts are worked out by hand from the fixture
 * (src/report/__fixtures__/log4j-goof.report.json, described in __fixtures__/reports.ts):
 *
 *   rank  package     version  advisory               severity  KEV  EPSS
 *    1    log4j-core  2.14.1   GHSA-jfh8-c2jp-5v3q    10.0      yes  0.99999
 *    2    log4j-core  2.14.1   GHSA-7rjr-3q55-vv33     9.0      yes  0.99977
 *    3    log4j-core  2.14.1   GHSA-p6xc-xr62-6r2g     8.6           0.99999
 *    4    log4j-core  2.14.1   GHSA-8489-44mv-ggj8     6.6           0.97906
 *    5    minimist    0.0.8    GHSA-xvch-5gv4-984h     9.8
 *    6    minimist    1.2.5    GHSA-xvch-5gv4-984h     9.8
 *    7    adm-zip     0.4.7    NSWG-ECO-458            8.2
 *    8    lodash      4.17.4   GHSA-p6mc-m468-83gw     7.4
 *    9    lodash      4.17.4   GHSA-35jh-r3h4-6jhm     7.2
 *   10    jquery      2.2.4    NSWG-ECO-328            7.2
 *   11    handlebars  4.0.11   NSWG-ECO-519            6.5
 *   12    semver      1.1.4    NSWG-ECO-31             5.3
 *   13    negotiator  0.2.8    NSWG-ECO-106            7.5   suppressed (ignore rule)
 *   14    lodash      4.17.4   NSWG-ECO-368            1.8   suppressed (VEX not_affected)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import type { ScanReport } from '../../src/model/report.js';
import { hostileReport, largeReport, realReport, sampleReport } from '../../src/report/__fixtures__/reports.js';
import { HAS_SHARED } from '../../src/testing/shared.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`[vouch tests] ${CHROMIUM} is absent: the HTML report browser tests are skipped (CI installs chromium in .ci/run).`);

interface Opened {
  page: Page;
  url: string;
  console: string[];
  errors: string[];
  /** Every request the page made other than the report file itself. */
  foreign: string[];
  dialogs: string[];
}

describe.skipIf(!HAS_CHROMIUM)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-html-'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: ScanReport | string, name: string): Promise<Opened> {
    const file = path.join(dir, `${name}.html`);
    writeFileSync(file, typeof report === 'string' ? report : renderHtml(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const o: Opened = { page, url, console: [], errors: [], foreign: [], dialogs: [] };
    page.on('console', (m) => o.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => o.errors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) o.foreign.push(r.url());
    });
    page.on('dialog', (d) => {
      o.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      o.foreign.push(u);
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    return o;
  }

  function expectQuiet(o: Opened): void {
    expect(o.errors, 'page errors').toEqual([]);
    expect(o.console, 'console messages (a CSP violation would show here)').toEqual([]);
    expect(o.foreign, 'requests other than the file').toEqual([]);
    expect(o.dialogs, 'dialogs').toEqual([]);
  }

  /** The rank column of the visible finding rows, top to bottom. */
  const visibleRanks = async (page: Page): Promise<number[]> =>
    (await page.locator('tr.finding:visible td.num:nth-child(2)').allTextContents()).map(Number);

  describe('the sample report', () => {
    let o: Opened;
    beforeAll(async () => {
      o = await open(sampleReport(), 'sample');
    }, 60_000);
    afterAll(async () => {
      await o?.page.close();
    });

    it('loads from file:// without errors, console output or any other request', async () => {
      expect(await o.page.title()).toBe('vouch scan report');
      await expect.poll(() => o.page.locator('#shown').textContent()).toBe('12 of 14 findings shown; 2 suppressed hidden.');
      expectQuiet(o);
    });

    it('shows the verdict, the counts and the severity chart', async () => {
      expect(await o.page.locator('.verdict').textContent()).toBe('Failed (--fail-on any): 12 vulnerabilities in 8 packages, 2 known to be exploited.');
      expect(await o.page.locator('svg title').textContent()).toBe('Open findings by severity: 4 critical, 5 high, 3 medium, 0 low');
      expect(await o.page.locator('svg rect.bar').count()).toBe(3);
    });

    it('lists the open findings in priority order, suppressed ones hidden', async () => {
      expect(await visibleRanks(o.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });

    it('sorts by a column header, both ways, and back by priority', async () => {
      const header = (key: string) => o.page.locator(`th[data-col="${key}"] button`);
      await header('pkg').click();
      // adm-zip, handlebars, jquery, lodash x2, minimist x2, org.apache.logging.log4j:log4j-core x4, semver (ties by rank)
      expect(await visibleRanks(o.page)).toEqual([7, 11, 10, 8, 9, 5, 6, 1, 2, 3, 4, 12]);
      expect(await o.page.locator('th[data-col="pkg"]').getAttribute('aria-sort')).toBe('ascending');
      expect(await o.page.locator('th[data-col="rank"]').getAttribute('aria-sort')).toBeNull();
      await header('pkg').click();
      expect(await visibleRanks(o.page)).toEqual([12, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 7]);
      expect(await o.page.locator('th[data-col="pkg"]').getAttribute('aria-sort')).toBe('descending');
      // severity sorts most severe first: 10.0, 9.8, 9.8, 9.0, 8.6, 8.2, 7.4, 7.2, 7.2, 6.6 (medium), 6.5, 5.3
      await header('sev').click();
      expect(await visibleRanks(o.page)).toEqual([1, 5, 6, 2, 3, 7, 8, 9, 10, 4, 11, 12]);
      // EPSS: highest first, findings without a score last (in priority order)
      await header('epss').click();
      expect(await visibleRanks(o.page)).toEqual([1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      await header('rank').click();
      expect(await visibleRanks(o.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      // every detail row still follows its finding
      const order = await o.page.locator('tbody tr').evaluateAll((trs) => trs.map((t) => t.id));
      for (let i = 0; i < 14; i++) expect(order.indexOf(`d-${i}`)).toBe(order.indexOf(`f-${i}`) + 1);
    });

    it('filters by text, KEV, severity and shows suppressed findings on request', async () => {
      const q = o.page.locator('#q');
      await q.fill('lodash');
      expect(await visibleRanks(o.page)).toEqual([8, 9]);
      await o.page.locator('#f-suppressed').check();
      expect(await visibleRanks(o.page)).toEqual([8, 9, 14]);
      expect(await o.page.locator('#shown').textContent()).toBe('3 of 14 findings shown.');
      await q.fill('cve-2021-44228');
      expect(await visibleRanks(o.page)).toEqual([1]);
      await q.fill('');
      expect(await visibleRanks(o.page)).toHaveLength(14);

      await o.page.locator('#f-kev').click();
      expect(await o.page.locator('#f-kev').getAttribute('aria-pressed')).toBe('true');
      expect(await visibleRanks(o.page)).toEqual([1, 2]);
      await o.page.locator('#f-kev').click();

      await o.page.locator('[data-filter-sev="CRITICAL"]').click();
      expect(await o.page.locator('[data-filter-sev="CRITICAL"]').getAttribute('aria-pressed')).toBe('false');
      expect(await visibleRanks(o.page)).toEqual([3, 4, 7, 8, 9, 10, 11, 12, 13, 14]);
      await o.page.locator('[data-filter-sev="CRITICAL"]').click();

      await q.fill('no such package anywhere');
      expect(await visibleRanks(o.page)).toEqual([]);
      expect(await o.page.locator('tr.empty').isVisible()).toBe(true);
      await q.fill('');
      await o.page.locator('#f-suppressed').uncheck();
      expect(await visibleRanks(o.page)).toHaveLength(12);
      expect(await o.page.locator('tr.empty').isVisible()).toBe(false);
    });

    it('expands a row to show paths, fix, references and the priority reason', async () => {
      const row = o.page.locator('#f-0');
      const detail = o.page.locator('#d-0');
      expect(await detail.isVisible()).toBe(false);
      await row.locator('button.expand').click();
      expect(await row.locator('button.expand').getAttribute('aria-expanded')).toBe('true');
      expect(await detail.isVisible()).toBe(true);
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain('#1: known exploited (KEV, due 2021-12-24, ransomware); EPSS 1.00; CVSS 10.0; direct');
      expect(text).toContain('Upgrade to 2.15.0');
      expect(text).toContain('billing-service › org.apache.logging.log4j:log4j-core@2.14.1');
      expect(text).toContain('added to the CISA KEV catalog 2021-12-10, due 2021-12-24');
      expect(await detail.locator('a[href="https://nvd.nist.gov/vuln/detail/CVE-2021-44228"]').count()).toBe(1);
      // a filter that hides the row hides its open details too, and brings them back
      await o.page.locator('#q').fill('minimist');
      expect(await detail.isVisible()).toBe(false);
      await o.page.locator('#q').fill('');
      expect(await detail.isVisible()).toBe(true);
      await row.locator('button.expand').click();
      expect(await detail.isVisible()).toBe(false);
    });

    it('shows the justification of a suppressed finding', async () => {
      await o.page.locator('#f-suppressed').check();
      await o.page.locator('#f-13 button.expand').click();
      const text = (await o.page.locator('#d-13').textContent()) ?? '';
      expect(text).toContain('by VEX: not_affected — vulnerable_code_not_in_execute_path');
      expect(text).toContain('goof never calls lodash.merge / defaultsDeep on untrusted input');
      await o.page.locator('#f-12 button.expand').click();
      expect(await o.page.locator('#d-12').textContent()).toContain('by an ignore rule: ignored — only reached through the dev server; upgrade tracked in #412');
      await o.page.locator('#f-suppressed').uncheck();
      expect(await o.page.locator('#d-13').isVisible()).toBe(false);
      expectQuiet(o);
    });

    it('has a real table and labelled controls', async () => {
      expect(await o.page.locator('table#findings thead th[scope="col"]').count()).toBe(9);
      expect(await o.page.getByRole('searchbox', { name: 'Filter findings' }).count()).toBe(1);
      expect(await o.page.getByRole('button', { name: 'Details of GHSA-jfh8-c2jp-5v3q in org.apache.logging.log4j:log4j-core 2.14.1' }).count()).toBe(1);
    });
  });

  it('catches what it must forbid: a request and a script blocked by the page policy are reported', async () => {
    // The guard itself: the report's own CSP header on a page that tries to load an image and run
    // an inline script that is not the report's.
    const html = renderHtml(sampleReport());
    const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>/.exec(html)![0];
    const o = await open(`<!doctype html><html><head>${csp}</head><body><img src="https://example.invalid/x.png"><script>console.log('ran')</script></body></html>`, 'guard');
    try {
      expect(o.console.some((m) => /Content Security Policy/.test(m))).toBe(true);
      expect(o.console).not.toContain('log: ran');
      const unguarded = await open('<!doctype html><img src="https://example.invalid/y.png">', 'unguarded');
      expect(unguarded.foreign).toContain('https://example.invalid/y.png');
      await unguarded.page.close();
    } finally {
      await o.page.close();
    }
  });

  it('renders hostile advisory text as text: no script runs, no element is injected', async () => {
    const o = await open(hostileReport(), 'hostile');
    try {
      const summary = await o.page.locator('#f-0 .summary').textContent();
      expect(summary).toBe(
        'Pipes | and `backticks` and <script>alert(1)</script></script><img src=x onerror=alert(2)> & **bold** @octocat [x](javascript:alert(3))',
      );
      expect(await o.page.locator('#f-0 .name').textContent()).toBe('evil|pkg<b>');
      expect(await o.page.locator('main img, main b').count()).toBe(0);
      expect(await o.page.locator('script').count()).toBe(1);
      expectQuiet(o);
    } finally {
      await o.page.close();
    }
  });

  it('stays usable with 1000 findings', async () => {
    const o = await open(largeReport(1000), 'large');
    try {
      expect(await o.page.locator('#shown').textContent()).toBe('900 of 1000 findings shown; 100 suppressed hidden.');
      await o.page.locator('#q').fill('package-999');
      expect(await o.page.locator('tr.finding:visible').count()).toBe(0); // package-999 is suppressed (every tenth is)
      await o.page.locator('#f-suppressed').check();
      expect(await o.page.locator('tr.finding:visible').count()).toBe(1);
      expectQuiet(o);
    } finally {
      await o.page.close();
    }
  }, 60_000);

  it('takes a screenshot of the sample report (first finding expanded)', async () => {
    const o = await open(sampleReport(), 'shot');
    try {
      await o.page.locator('#f-0 button.expand').click();
      const png = path.join(dir, 'html-report.png');
      await o.page.screenshot({ path: png, fullPage: true });
      const bytes = readFileSync(png);
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(statSync(png).size).toBeGreaterThan(10_000);
      expectQuiet(o);
    } finally {
      await o.page.close();
    }
  });

  describe.skipIf(!HAS_SHARED)('a real scan (../shared)', () => {
    let home: string;
    beforeAll(() => {
      home = mkdtempSync(path.join(tmpdir(), 'vouch-html-home-'));
    });
    afterAll(() => rmSync(home, { recursive: true, force: true }));

    it('renders every finding of log4j + nodejs-goof and loads cleanly', async () => {
      const { report } = await realReport(home);
      const o = await open(report, 'real');
      try {
        // 33 findings, none suppressed (the real pipeline has no VEX here)
        expect(report.findings.length).toBe(33);
        expect(await o.page.locator('tr.finding:visible').count()).toBe(33);
        expect(await o.page.locator('.verdict').textContent()).toMatch(/^Failed \(--fail-on high\): 33 vulnerabilities in 23 packages\.$/);
        await o.page.locator('#q').fill('log4j');
        expect(await o.page.locator('tr.finding:visible').count()).toBe(4);
        expectQuiet(o);
      } finally {
        await o.page.close();
      }
    }, 120_000);
  });
});
