/**
 * What the browser tests share: Debian's headless Chromium started off the network, a page watched
 * for everything that should fail a test, and axe-core's serious and critical violations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`[vouch tests] ${CHROMIUM} is absent: the dashboard's browser tests are skipped (CI installs chromium in .ci/run).`);

/** Flags that keep Chromium off the network and its own update/sync machinery. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** Waits for the page (generous: the whole suite shares two cores with this browser). */
export const poll = <T>(f: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> => expect.poll(f, { timeout: 20_000, interval: 100 });

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** what fails a test: a request to another origin (aborted), a console or page error, a failed request, an HTTP error outside the API */
  problems: string[];
  /** HTTP error answers of the API (status + path): some flows expect them (a viewer's 404, signing in's 401) */
  apiErrors: string[];
}

/**
 * A new page of `context`, watched: a request to an origin other than `origin` (and `allow`) is
 * aborted and recorded; so are console errors (but Chromium's "Failed to load resource" line for
 * an HTTP error answer, which lands in apiErrors or problems by itself), page errors and failed
 * requests (but the favicon fetch a navigation cancels).
 */
export async function watchedPage(context: BrowserContext, origin: string, allow: readonly string[] = []): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  const apiErrors: string[] = [];
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin !== origin && !allow.includes(u.origin)) {
      problems.push(`request to another origin: ${u.href}`);
      return route.abort();
    }
    return route.continue();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/favicon.svg' && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    // another origin's request was aborted above, and is a problem already
    if (u.origin === origin || allow.includes(u.origin)) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const u = new URL(r.url());
    (u.origin === origin && u.pathname.startsWith('/api/') ? apiErrors : problems).push(`${r.status()} ${u.pathname}`);
  });
  return { page, context, problems, apiErrors };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core run in the page: its serious and critical violations, one line each (none is the goal). */
export async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate('axe.run()')) as { violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}
