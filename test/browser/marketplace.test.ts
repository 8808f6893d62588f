/**
 * The dashboard's Marketplace page (issue 16) in Debian's headless Chromium against the seeded
 * `vouch serve` of seed.ts, plus one health report pushed through the API: the needs ranked as the
 * API ranks them, the skill filter, "I can help" for the signed-in token, and the engagements
 * board. As in dashboard.test.ts, any request to another origin, console error, failed request or
 * unexpected HTTP error fails the test, and axe-core checks the page.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handHealthReport } from '../../src/server/marketplace-testing.js';
import { HAS_SHARED, REPO_ROOT } from '../../src/testing/shared.js';
import { type Seeded, signIn, startSeededServer } from './seed.js';
import { HAS_CHROMIUM, axe, launchChromium, poll, watchedPage } from './chromium.js';

interface Need {
  id: string;
  title: string;
  priority: number;
  project: { ecosystem: string; name: string };
}

describe.skipIf(!HAS_SHARED || !HAS_CHROMIUM)('the Marketplace page in Chromium (issue 16)', () => {
  let browser: Browser;
  let seeded: Seeded;

  beforeAll(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is not built: run `npm run build:web` (npm test does)');
    seeded = await startSeededServer();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await seeded?.stop();
  });

  const api = async <T>(method: string, p: string, body?: object): Promise<T> => {
    const r = await fetch(`${seeded.url}${p}`, { method, headers: { authorization: `Bearer ${seeded.admin}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(r.status, `${method} ${p}: ${r.status}`).toBeLessThan(300);
    return (await r.json()) as T;
  };

  it('ranks the needs as the API does, filters by skill, proposes the signed-in token on "I can help", shows it on the board', async () => {
    // lodash (nodegoat's) without a security policy, as `vouch health --push` would say
    await api('POST', '/api/v1/health/results', { ecosystem: 'npm', name: 'lodash', report: handHealthReport({ 'Security-Policy': 0, License: 10 }, 0.6, '/clones/lodash') });
    const all = (await api<{ needs: Need[] }>('GET', '/api/v1/marketplace/needs?limit=1000')).needs;
    const policy = (await api<{ needs: Need[] }>('GET', '/api/v1/marketplace/needs?skill=security-policy&limit=1000')).needs;
    expect(policy.map((n) => n.id)).toContain('npm/lodash#security-policy');
    expect(all.length).toBeGreaterThan(policy.length);

    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await signIn(context, seeded.url, seeded.admin);
    const { page, problems, apiErrors } = await watchedPage(context, new URL(seeded.url).origin);
    await page.goto(`${seeded.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }).click();
    await page.waitForURL(/\/marketplace$/);

    const rows = (): Promise<(string | null)[]> => page.getByTestId('needs-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-need')));
    await poll(rows).toEqual(all.map((n) => n.id));
    expect(await page.getByTestId('needs-table').locator('tbody tr').first().locator('td').first().textContent()).toBe(all[0]!.priority.toFixed(3));

    await page.getByLabel('Skill').selectOption('security-policy');
    await page.waitForURL(/\/marketplace\?skill=security-policy$/);
    await poll(rows).toEqual(policy.map((n) => n.id));

    await page.getByRole('button', { name: 'I can help: Add a security policy (lodash)' }).click();
    await poll(() => page.getByTestId('market-said').textContent()).toBe('Proposed: ops → Add a security policy (npm/lodash).');
    const engagements = (await api<{ items: { id: string; volunteer: string; state: string; need: { id: string } }[] }>('GET', '/api/v1/marketplace/engagements')).items;
    expect(engagements.map((e) => [e.need.id, e.volunteer, e.state])).toEqual([['npm/lodash#security-policy', 'ops', 'proposed']]);
    const proposed = page.getByRole('region', { name: 'Proposed' });
    await poll(() => proposed.locator('li').count()).toBe(1);
    expect(await proposed.locator(`li[data-engagement="${engagements[0]!.id}"]`).textContent()).toMatch(/^Add a security policy — npm\/lodashops · 0 h logged$/);
    // the need now says who is on it instead of offering help
    await poll(() => page.locator('tr[data-need="npm/lodash#security-policy"] .tag').textContent()).toBe('ops: proposed');

    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(apiErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
