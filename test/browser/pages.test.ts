/**
 * The dashboard's pages by keyboard alone, its OpenID Connect sign-in button, and a failed advisory
 * refresh shown in Settings — Debian's headless Chromium (playwright-core) against the seeded
 * `vouch serve` of seed.ts, started here with an OpenID Connect provider (the stub of
 * src/server/oidc-testing.ts on 127.0.0.1) and an OSV source that does not exist (so the refresh
 * job fails, as a refresh with a broken mirror would).
 *
 * Keyboard: on every page, Tab from the page's content reaches every control in it, in the
 * document's order (no positive tabindex), each with a visible focus ring (`:focus-visible` and an
 * outline); then the page's actions are run with Enter or Space only (no click, no programmatic
 * focus). As in dashboard.test.ts, any request to another origin (but the provider's, in the sign-in
 * test), console error, page error or failed request fails a test, and axe-core checks each page.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handHealthReport } from '../../src/server/marketplace-testing.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider } from '../../src/server/oidc-testing.js';
import { HAS_SHARED, REPO_ROOT } from '../../src/testing/shared.js';
import { tempDir } from '../acceptance/helpers.js';
import { type Seeded, signIn, startSeededServer } from './seed.js';
import { HAS_CHROMIUM, type Watched, axe, launchChromium, poll, watchedPage } from './chromium.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A free loopback port: the server's public URL (the provider sends the browser back to it) must be known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Stop {
  /** the control's data-kb index (document order), or -1 for one rendered after the walk began */
  index: number;
  label: string;
  ring: boolean;
}

/** What a person hears for the focused element: its aria-label, its label, its text, its placeholder. */
const LABEL_OF = `(el) => (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || el.getAttribute('placeholder') || el.tagName).trim().replace(/\\s+/g, ' ')`;

describe.skipIf(!HAS_SHARED || !HAS_CHROMIUM)('the dashboard by keyboard, OpenID Connect sign-in and the refresh status in Chromium (issue 15)', () => {
  let browser: Browser;
  let seeded: Seeded;
  let idp: Awaited<ReturnType<typeof startProvider>>;
  let origin = '';

  beforeAll(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is not built: run `npm run build:web` (npm test does)');
    idp = await startProvider();
    const port = await freePort();
    const secretFile = path.join(tempDir('dashboard-oidc'), 'client-secret');
    writeFileSync(secretFile, CLIENT_SECRET);
    const missing = path.join(tempDir('dashboard-osv-missing'), 'no-such-osv');
    seeded = await startSeededServer({
      port,
      serveArgs: [
        '--public-url', `http://127.0.0.1:${port}`,
        '--oidc-issuer', idp.issuer, '--oidc-client-id', CLIENT_ID, '--oidc-client-secret-file', secretFile,
        '--oidc-roles', 'secteam=admin,devs=viewer:tag=payments-team',
        '--osv-source', missing,
      ],
    });
    origin = new URL(seeded.url).origin;
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await seeded?.stop();
    await idp?.close();
  });

  async function open(token: string | undefined, url: string, allow: string[] = []): Promise<Watched> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    if (token) await signIn(context, seeded.url, token);
    const w = await watchedPage(context, origin, allow);
    await w.page.goto(`${seeded.url}${url}`);
    return w;
  }

  /** The focused element: its data-kb index, label, and whether its focus is drawn; null outside the page's content. */
  const focused = (page: Page): Promise<Stop | null> =>
    page.evaluate(`(() => {
      const el = document.activeElement;
      const main = document.getElementById('main');
      if (!el || !main || el === main || !main.contains(el)) return null;
      const cs = getComputedStyle(el);
      const ring = el.matches(':focus-visible') && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
      return { index: el.hasAttribute('data-kb') ? Number(el.getAttribute('data-kb')) : -1, label: (${LABEL_OF})(el), ring };
    })()`);

  /**
   * Every control of the page's content a keyboard user should reach (shown, enabled; of a group of
   * radio buttons the checked one, as Tab goes), numbered in document order; then Tab from the
   * content's start until the focus leaves it. Returns the stops and the controls never reached.
   */
  async function walk(page: Page): Promise<{ stops: Stop[]; missed: string[]; positive: number }> {
    const { positive } = (await page.evaluate(`(() => {
      for (const el of document.querySelectorAll('[data-kb]')) el.removeAttribute('data-kb');
      const sel = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
      let i = 0;
      for (const el of document.getElementById('main').querySelectorAll(sel)) {
        // shown: laid out, not hidden, and not inside a closed <details> (but its own <summary>)
        if (el.getClientRects().length === 0 || !el.checkVisibility({ visibilityProperty: true }) || el.closest('[inert]')) continue;
        const closed = el.closest('details:not([open])');
        if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) continue;
        if (el.type === 'radio' && !el.checked && [...document.getElementsByName(el.name)].some((r) => r.checked)) continue;
        el.setAttribute('data-kb', String(i++));
      }
      return { positive: [...document.querySelectorAll('[tabindex]')].filter((el) => el.tabIndex > 0).length };
    })()`)) as { positive: number };
    await page.evaluate('document.getElementById("main").focus()');
    const stops: Stop[] = [];
    for (let i = 0; i < 400; i++) {
      await page.keyboard.press('Tab');
      const s = await focused(page);
      if (!s) break;
      stops.push(s);
    }
    const reached = new Set(stops.map((s) => s.index));
    const missed = (await page.evaluate(`[...document.querySelectorAll('[data-kb]')].map((el) => [Number(el.getAttribute('data-kb')), (${LABEL_OF})(el)])`)) as [number, string][];
    return { stops, missed: missed.filter(([i]) => !reached.has(i)).map(([, l]) => l), positive };
  }

  /** Checks a walk: everything reached, in document order, each with its focus drawn. */
  async function expectKeyboardWalk(page: Page): Promise<Stop[]> {
    const { stops, missed, positive } = await walk(page);
    expect(positive, 'no positive tabindex').toBe(0);
    expect(missed, 'controls Tab never reached').toEqual([]);
    const order = stops.map((s) => s.index).filter((i) => i >= 0);
    expect(order, 'Tab follows the document order').toEqual([...order].sort((a, b) => a - b));
    expect(stops.filter((s) => !s.ring).map((s) => s.label), 'controls whose focus is not drawn').toEqual([]);
    return stops;
  }

  /** Tab (or Shift+Tab) until the focused control's label matches: the keyboard's own way there. */
  async function tabTo(page: Page, label: string | RegExp, back = false): Promise<void> {
    const matches = (l: string): boolean => (typeof label === 'string' ? l === label : label.test(l));
    for (let i = 0; i < 400; i++) {
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      const l = (await page.evaluate(`(() => { const el = document.activeElement; return el && el !== document.body ? (${LABEL_OF})(el) : ''; })()`)) as string;
      if (matches(l)) return;
    }
    throw new Error(`Tab never reached ${String(label)}`);
  }

  const activeLabel = (page: Page): Promise<string> => page.evaluate(`(() => { const el = document.activeElement; return el ? (${LABEL_OF})(el) : ''; })()`);

  const apiGet = async <T>(token: string, p: string): Promise<T> => {
    const r = await fetch(`${seeded.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status, p).toBe(200);
    return (await r.json()) as T;
  };

  it('Portfolio by keyboard: every link reached with its focus drawn; Enter on a most affected package opens its component search', async () => {
    const w = await open(seeded.admin, '/');
    await poll(() => w.page.getByTestId('projects-count').textContent()).toBe('4');
    const stops = await expectKeyboardWalk(w.page);
    expect(stops.length).toBeGreaterThan(3);
    const most = await apiGet<{ mostAffected: { purl: string }[] }>(seeded.admin, '/api/v1/portfolio');
    const first = most.mostAffected[0]!.purl.replace(/@[^@/]*$/, '');
    await w.page.evaluate('document.getElementById("main").focus()');
    const link = await w.page.locator(`a[href^="/components?purl="]`).first().textContent();
    await tabTo(w.page, link!.trim());
    await w.page.keyboard.press('Enter');
    await w.page.waitForURL((u) => u.pathname === '/components' && u.searchParams.get('purl') === first);
    // the route change moves the focus to the new page's content
    await poll(() => w.page.evaluate('document.activeElement.id')).toBe('main');
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Project by keyboard: filter typed, a finding\'s paths expanded with Enter, its triage dialog opened with Space and closed with Escape, a download and the components opened', async () => {
    interface F { id: string; name: string; version: string; paths?: string[][]; suppressed?: unknown }
    const report = await apiGet<{ findings: F[] }>(seeded.admin, '/api/v1/projects/nodegoat/findings?format=json');
    const open_ = report.findings.filter((f) => !f.suppressed);
    const target = open_.find((f) => (f.paths?.[0]?.length ?? 0) >= 3 && open_.filter((g) => g.id === f.id).length === 1)!;
    const w = await open(seeded.admin, '/projects/nodegoat');
    await poll(() => w.page.getByTestId('findings-shown').textContent()).toBe(`${open_.length} of ${report.findings.length} shown`);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Filter');
    await w.page.keyboard.type(target.id);
    await poll(() => w.page.getByTestId('findings-shown').textContent()).toBe(`1 of ${report.findings.length} shown`);
    await expectKeyboardWalk(w.page);

    await w.page.evaluate('document.getElementById("main").focus()');
    // the expander's name is its rank and, for screen readers, what it does
    await tabTo(w.page, new RegExp(`: show paths of ${esc(target.id)} in ${esc(target.name)}$`));
    await w.page.keyboard.press('Enter');
    await poll(() => w.page.getByRole('button', { name: `hide paths of ${target.id} in ${target.name}` }).getAttribute('aria-expanded')).toBe('true');
    expect(await w.page.locator('.paths li').count()).toBeGreaterThan(0);

    await tabTo(w.page, new RegExp(`^Triage ${esc(target.id)} in `));
    const opener = await activeLabel(w.page);
    await w.page.keyboard.press('Space');
    const dialog = w.page.getByRole('dialog');
    await dialog.waitFor();
    expect(await w.page.evaluate('document.activeElement.id')).toBe('t-state');
    await w.page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);
    expect(await activeLabel(w.page)).toBe(opener);

    // the Downloads menu: a <summary> opened with Enter, a download started with Enter
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Downloads');
    await w.page.keyboard.press('Enter');
    await tabTo(w.page, 'Download CycloneDX');
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toBe('nodegoat-main.cdx.json');
    // the components, opened with Space on their <summary>
    await tabTo(w.page, /^Components/);
    await w.page.keyboard.press('Space');
    await poll(() => w.page.getByTestId('components-shown').count()).toBe(1);
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Vulnerability by keyboard: the id typed and sent with Enter, every row reached, triage for all chosen with Space and applied with Enter', async () => {
    const w = await open(seeded.admin, '/vulnerabilities');
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'OSV id or alias');
    await w.page.keyboard.type('CVE-2021-44228');
    await w.page.keyboard.press('Enter');
    await w.page.waitForURL(/\/vulnerabilities\?id=CVE-2021-44228$/);
    const rows = w.page.getByTestId('analysis');
    await poll(() => rows.count()).toBe(2);
    await expectKeyboardWalk(w.page);

    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Select all');
    await w.page.keyboard.press('Space');
    await tabTo(w.page, 'Triage 2 selected');
    await w.page.keyboard.press('Enter');
    const dialog = w.page.getByRole('dialog');
    await dialog.waitFor();
    expect(await w.page.evaluate('document.activeElement.id')).toBe('t-state');
    // the state by keyboard: the closed select steps to the next option with the arrow key
    const before = await dialog.getByLabel('State').inputValue();
    await w.page.keyboard.press('ArrowDown');
    const state = await dialog.getByLabel('State').inputValue();
    expect(state).not.toBe(before);
    await tabTo(w.page, 'Detail');
    await w.page.keyboard.type('checked by keyboard');
    await tabTo(w.page, 'Apply to 2 selected');
    await w.page.keyboard.press('Enter');
    await poll(() => dialog.locator('.ok').textContent()).toMatch(/^Recorded “.+” on 2 components/);
    expect(await axe(w.page)).toEqual([]);
    await w.page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);
    // both versions' log4j-core (2.12.1 and 2.14.1) have the analysis
    const a = await apiGet<{ items: { purl: string; state: string; detail?: string }[] }>(seeded.admin, '/api/v1/projects/billing/analyses');
    expect(a.items.filter((x) => x.detail === 'checked by keyboard').map((x) => [x.purl, x.state]).sort()).toEqual([
      ['pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1', state],
      ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', state],
    ]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Component search by keyboard: purl and range typed, sent with Enter, each result reached', async () => {
    const w = await open(seeded.admin, '/components');
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Package (purl)');
    await w.page.keyboard.type('pkg:maven/org.apache.logging.log4j/log4j-core');
    await w.page.keyboard.press('Tab');
    expect(await activeLabel(w.page)).toBe('Range');
    await w.page.keyboard.type('vers:maven/<2.17.1');
    await w.page.keyboard.press('Enter');
    await w.page.waitForURL(/\/components\?purl=.*range=/);
    await poll(() => w.page.getByRole('link', { name: 'billing' }).count()).toBeGreaterThan(0);
    const stops = await expectKeyboardWalk(w.page);
    expect(stops.map((s) => s.label)).toContain('billing');
    expect(stops.map((s) => s.label)).not.toContain('payments');
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Incidents and an incident by keyboard: one opened from the form, the incident entered with Enter, a task\'s Move dialog opened and closed, an export', async () => {
    const w = await open(seeded.admin, '/incidents');
    await poll(() => w.page.locator('table.incidents tbody tr').count()).toBe(1);
    await expectKeyboardWalk(w.page);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Open an incident');
    await w.page.keyboard.press('Enter');
    // the form's fields are reachable now that it is open
    await expectKeyboardWalk(w.page);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Title');
    await w.page.keyboard.type('Log4Shell by keyboard');
    await tabTo(w.page, 'OSV id or alias');
    await w.page.keyboard.type('CVE-2021-44228');
    await w.page.keyboard.press('Enter');
    // opened: the new incident's page, the focus on its content
    await w.page.waitForURL((u) => /^\/incidents\/\d+$/.test(u.pathname) && u.pathname !== `/incidents/${seeded.incident}`);
    await poll(() => w.page.getByRole('heading', { name: /Log4Shell by keyboard$/ }).count()).toBe(1);
    await poll(() => w.page.evaluate('document.activeElement.id')).toBe('main');
    // back to the list by its breadcrumb, then into the seeded incident
    await tabTo(w.page, 'Incidents');
    await w.page.keyboard.press('Enter');
    await poll(() => w.page.locator('table.incidents tbody tr').count()).toBe(2);
    expect(await axe(w.page)).toEqual([]);
    await tabTo(w.page, /log4j-core before 2\.17\.2$/);
    await w.page.keyboard.press('Enter');
    await poll(() => w.page.getByTestId('total-open').textContent()).toBe('2');
    await expectKeyboardWalk(w.page);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Move the task of payments 1.0.0');
    await w.page.keyboard.press('Enter');
    const dialog = w.page.getByRole('dialog', { name: 'Move the task of payments 1.0.0' });
    await dialog.waitFor();
    expect(await w.page.evaluate('document.activeElement.id')).toBe('m-state');
    await w.page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);
    expect(await activeLabel(w.page)).toBe('Move the task of payments 1.0.0');
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Export Markdown');
    const [md] = await Promise.all([w.page.waitForEvent('download'), w.page.keyboard.press('Enter')]);
    expect(md.suggestedFilename()).toBe(`incident-${seeded.incident}.md`);
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Settings by keyboard: every form reached; a delivery log opened with Enter; a refresh queued with Space fails and the page says when and why', async () => {
    const w = await open(seeded.admin, '/settings');
    await poll(() => w.page.locator('[data-testid="tokens"] tbody tr').count()).toBeGreaterThan(0);
    await poll(() => w.page.locator('[data-testid="rules"] tbody tr').count()).toBe(1);
    await expectKeyboardWalk(w.page);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, `Delivery log of ${seeded.rule}`);
    await w.page.keyboard.press('Enter');
    await poll(() => w.page.getByRole('button', { name: `Delivery log of ${seeded.rule}` }).getAttribute('aria-expanded')).toBe('true');

    // the server's OSV source does not exist: the refresh job fails, and Settings shows its error
    await tabTo(w.page, 'Refresh advisories now');
    await w.page.keyboard.press('Space');
    await poll(() => w.page.getByRole('status').filter({ hasText: 'Queued as job' }).count()).toBe(1);
    const status = async (): Promise<{ refreshes: { ok: boolean; error?: string; source: string }[] }> => apiGet(seeded.admin, '/api/v1/advisories/status');
    await poll(async () => (await status()).refreshes[0]?.ok).toBe(false);
    const failed = (await status()).refreshes[0]!;
    expect(failed.source).toMatch(/no-such-osv$/);
    expect(failed.error).toMatch(/no-such-osv/);
    await poll(() => w.page.getByTestId('refresh-outcome').textContent()).toMatch(/^Last refresh failed (just now|\d+ minutes? ago) loading /);
    expect(await w.page.getByTestId('refresh-outcome').textContent()).toContain(`loading ${failed.source}: ${failed.error}`);
    expect(await w.page.getByTestId('refresh-outcome').getAttribute('class')).toBe('error-text');
    await w.page.getByTestId('advisory-status').scrollIntoViewIfNeeded();
    if (process.env['VOUCH_SCREENSHOTS']) await w.page.screenshot({ path: path.join(process.env['VOUCH_SCREENSHOTS'], 'settings-refresh-failed.png') });
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('Marketplace by keyboard: the skill filter changed with the arrow key, every need\'s "I can help" reached', async () => {
    // lodash (nodegoat's) without a security policy: at least one need to offer help for
    const pushed = await fetch(`${seeded.url}/api/v1/health/results`, { method: 'POST', headers: { authorization: `Bearer ${seeded.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ ecosystem: 'npm', name: 'lodash', report: handHealthReport({ 'Security-Policy': 0, License: 10 }, 0.6, '/clones/lodash') }) });
    expect(pushed.status).toBe(201);
    const w = await open(seeded.admin, '/marketplace');
    await poll(() => w.page.getByRole('region', { name: 'Proposed' }).count()).toBe(1);
    await poll(() => w.page.evaluate('document.querySelectorAll(".loading").length')).toBe(0);
    const stops = await expectKeyboardWalk(w.page);
    const needs = await apiGet<{ needs: { title: string; project: { name: string } }[] }>(seeded.admin, '/api/v1/marketplace/needs?limit=100');
    expect(needs.needs.length).toBeGreaterThan(0);
    for (const n of needs.needs) expect(stops.map((s) => s.label)).toContain(`I can help: ${n.title} (${n.project.name})`);
    await w.page.evaluate('document.getElementById("main").focus()');
    await tabTo(w.page, 'Skill');
    await w.page.keyboard.press('ArrowDown');
    await w.page.waitForURL(/\/marketplace\?skill=/);
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(w.apiErrors).toEqual([]);
    await w.context.close();
  });

  it('signs in with the organisation\'s provider by clicking its button, with the role the group claim maps to', async () => {
    // a developer: the group devs maps to a viewer of the projects tagged payments-team (billing)
    idp.state.user = { sub: 'dev-1', email: 'dev@example.org', groups: ['devs'] };
    const w = await open(undefined, '/projects', [idp.issuer]);
    await w.page.waitForURL(/\/sign-in\?next=/);
    await w.page.getByRole('link', { name: 'Sign in with your organisation' }).click();
    await w.page.waitForURL((u) => u.origin === origin && u.pathname === '/projects');
    await poll(() => w.page.getByTestId('projects-shown').textContent()).toBe('1 of 1 projects');
    expect(await w.page.locator('.vtable tbody tr td:first-child a').allTextContents()).toEqual(['billing']);
    // a viewer: no Settings link; the session is the httpOnly cookie, the page sees only the marker
    expect(await w.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await w.page.evaluate('document.cookie')).toBe('vouch_signed_in=1');
    expect(idp.state.tokenRequests).toBeGreaterThan(0);
    expect(await axe(w.page)).toEqual([]);
    expect(w.problems).toEqual([]);
    // besides the visitor's session check before signing in (401), a viewer's one question about the tokens (is it an admin?) is refused
    expect([...new Set(w.apiErrors)].filter((e) => e !== '401 /api/v1/session')).toEqual(['403 /api/v1/tokens']);
    await w.context.close();

    // the security team: admin, every project and Settings
    idp.state.user = { sub: 'sec-1', groups: ['secteam'] };
    const a = await open(undefined, '/', [idp.issuer]);
    await a.page.waitForURL(/\/sign-in/);
    await a.page.getByRole('link', { name: 'Sign in with your organisation' }).click();
    await a.page.waitForURL((u) => u.origin === origin && u.pathname === '/');
    await poll(() => a.page.getByTestId('projects-count').textContent()).toBe('4');
    await poll(() => a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(1);
    expect(a.problems).toEqual([]);
    expect(a.apiErrors.filter((e) => e !== '401 /api/v1/session')).toEqual([]);
    await a.context.close();
  });
});
