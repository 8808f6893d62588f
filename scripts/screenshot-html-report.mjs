// Renders the HTML report of the sample scan (src/report/__fixtures__/log4j-goof.report.json: log4j-core
// 2.14.1 and snyk-labs/nodejs-goof's package-lock.json, with KEV and EPSS) and screenshots it in
// headless Chromium into docs/img/html-report.png (first finding expanded), for docs/reports.md.
//   node scripts/screenshot-html-report.mjs [out.png] [--html out.html]
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM=/path). Nothing is fetched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const htmlAt = args.indexOf('--html');
const htmlOut = htmlAt >= 0 ? args.splice(htmlAt, 2)[1] : undefined;
const out = path.resolve(args[0] ?? path.join(root, 'docs', 'img', 'html-report.png'));
const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-shot-'));
try {
  // The renderer is TypeScript: bundle a two-line entry with esbuild (as scripts/build.mjs does).
  const entry = `import { renderHtml } from ${JSON.stringify(path.join(root, 'src/report/html.ts'))};
import { readFileSync } from 'node:fs';
export const html = renderHtml(JSON.parse(readFileSync(${JSON.stringify(path.join(root, 'src/report/__fixtures__/log4j-goof.report.json'))}, 'utf8')));`;
  const bundle = path.join(root, 'dist', '.screenshot-entry.mjs');
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  const { html } = await import(pathToFileURL(bundle).href);
  rmSync(bundle, { force: true });
  const file = path.join(tmp, 'report.html');
  writeFileSync(file, html);
  if (htmlOut) writeFileSync(htmlOut, html);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1200 }, deviceScaleFactor: 1, colorScheme: 'light' });
    await page.route('**/*', (r) => (r.request().url() === pathToFileURL(file).href ? r.continue() : r.abort()));
    await page.goto(pathToFileURL(file).href);
    await page.locator('tr.finding').first().locator('button.expand').click();
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
