#!/usr/bin/env node
// The dashboard at portfolio scale (issue 15's "Fast" bar): every page renders in under 1 s after
// its data arrives on loopback, with 10,000 projects in the database. Not a timed test: a run
// that writes its section of bench/RESULTS.md.
//
// A `vouch serve` process (SQLite, its own temporary home) gets N projects through the API, as CI
// would push them: each a small CycloneDX SBOM of 3–12 real npm packages from the lockfiles in
// ../shared/realworld, and every tenth one log4j-core 2.14.1 (so a vulnerability page has a blast
// radius of N/10 rows, and the Log4Shell incident opened after the uploads N/10 tasks). Then
// Debian's Chromium (playwright-core, off the network) signs in with the session cookie and opens
// each page several times. For each load it records, in the page's own
// clock (Performance API): when the last API answer the page asked for finished arriving
// (responseEnd), and when the DOM last changed (a MutationObserver installed before the app
// runs) once the page's content is shown. "render" is the second minus the first: the time the app
// spends turning data into a page. The page's own wait for the server is reported apart ("data").
//
//   BENCH_PROJECTS (default 10000)   BENCH_RUNS (loads per page, default 5)   CHROMIUM (/usr/bin/chromium)
/* global window, document, MutationObserver, performance, fetch -- the page's own globals (page.evaluate, init script) and Node's fetch */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const N = Number(process.env.BENCH_PROJECTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const VOUCH = path.join(root, 'bin', 'vouch');

for (const [what, p] of [
  ['the shared corpus (../shared)', path.join(shared, 'osv')],
  ['dist/ (npm run build)', path.join(root, 'dist', 'vouch.mjs')],
  ['web/dist (npm run build:web)', path.join(root, 'web', 'dist', 'index.html')],
  ['Chromium (apt-get install chromium)', CHROMIUM],
]) {
  if (!existsSync(p)) {
    console.error(`bench/dashboard: ${what} is missing (${p})`);
    process.exit(2);
  }
}
const { chromium } = await import('playwright-core');

const home = mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-dashboard-'));
const env = { ...process.env, VOUCH_HOME: home };
function vouch(args) {
  const r = spawnSync(process.execPath, [VOUCH, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`vouch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// --- the packages: real npm (name, version) pairs from the realworld package-locks -----------------
function npmPackages() {
  const out = new Map();
  for (const dir of readdirSync(path.join(shared, 'realworld'))) {
    const f = path.join(shared, 'realworld', dir, 'package-lock.json');
    if (!existsSync(f)) continue;
    const lock = JSON.parse(readFileSync(f, 'utf8'));
    for (const [key, v] of Object.entries(lock.packages ?? {})) {
      const i = key.lastIndexOf('node_modules/');
      if (i < 0 || typeof v?.version !== 'string' || v.link) continue;
      const name = key.slice(i + 'node_modules/'.length);
      out.set(`${name}@${v.version}`, { name, version: v.version });
    }
  }
  return [...out.values()];
}
const pool = npmPackages();
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const purlOf = (p) => `pkg:npm/${p.name.startsWith('@') ? `%40${p.name.slice(1)}` : p.name}@${p.version}`;
function sbom(i) {
  const picked = new Map();
  const n = 3 + Math.floor(rand() * 10);
  while (picked.size < n) {
    const p = pool[Math.floor(rand() * pool.length)];
    picked.set(purlOf(p), { type: 'library', name: p.name, version: p.version, purl: purlOf(p) });
  }
  if (i % 10 === 0) {
    const purl = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
    picked.set(purl, { type: 'library', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl });
  }
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [...picked.values()] });
}

// --- the server ------------------------------------------------------------------------------------
vouch(['db', 'update', '--source', path.join(shared, 'osv'), '--no-kev', '--no-epss', '--quiet']);
const admin = JSON.parse(vouch(['token', 'create', '--name', 'bench', '--role', 'admin', '--json'])).token;
const server = spawn(process.execPath, [VOUCH, 'serve', '--port', '0', '--log-level', 'warn', '--rate-limit', '1000000'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let serverErr = '';
server.stderr.setEncoding('utf8').on('data', (d) => (serverErr += d));
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`vouch serve did not start: ${serverErr}`)), 60_000);
  server.stderr.on('data', () => {
    const m = /serving (http:\/\/\S+)/.exec(serverErr);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.on('exit', (code) => reject(new Error(`vouch serve exited ${code}: ${serverErr}`)));
});
let peakRss = 0;
const rssTimer = setInterval(() => {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb * 1024);
  } catch {
    /* gone */
  }
}, 1000);
const stop = () => {
  clearInterval(rssTimer);
  server.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
};

async function api(method, p, body, type = 'application/json') {
  const r = await fetch(`${url}${p}`, { method, headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { 'content-type': type } : {}) }, ...(body !== undefined ? { body } : {}) });
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json();
}

try {
  const name = (i) => `svc-${String(i).padStart(5, '0')}`;
  let next = 0;
  const seedStart = Date.now();
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      await api('POST', `/api/v1/projects/${name(i)}/versions/1.0.0/documents?file=bom.cdx.json&wait=120`, sbom(i), 'application/octet-stream');
      if (i % 1000 === 999) process.stderr.write(`bench/dashboard: ${i + 1} of ${N} projects pushed (${((Date.now() - seedStart) / 1000).toFixed(0)} s)\n`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  // an upload answered before its ingest finished (?wait ran out on a loaded machine) is still in
  // the queue: measuring then would time the server's ingest, not the pages, and the incident
  // below would miss the projects not yet stored
  for (const until = Date.now() + 30 * 60_000; ; ) {
    const { jobs } = await api('GET', '/api/v1/advisories/status');
    if (jobs.queued + jobs.running === 0) break;
    if (Date.now() > until) throw new Error(`jobs still queued after 30 min: ${JSON.stringify(jobs)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const portfolio = await api('GET', '/api/v1/portfolio');
  // an incident for Log4Shell: one task per affected project (N/10)
  const incident = await api('POST', '/api/v1/incidents', JSON.stringify({ vuln: 'CVE-2021-44228', title: 'Log4Shell' }));
  // the Marketplace's needs request on its own: the first computes them from every project's
  // components (nothing cached yet), the next ones find the data unchanged and answer from the cache
  const needsMs = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    await api('GET', '/api/v1/marketplace/needs');
    needsMs.push(performance.now() - t0);
  }
  process.stderr.write(`bench/dashboard: ${N} projects in ${seedSeconds.toFixed(0)} s; needs ${needsMs.map((x) => x.toFixed(0)).join(', ')} ms; measuring pages\n`);

  // --- the browser ---------------------------------------------------------------------------------
  const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.addInitScript(() => {
    window.__lastMutation = 0;
    new MutationObserver(() => (window.__lastMutation = performance.now())).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  // the page's API requests still on their way: a page is measured once all of them have answered
  // (the Marketplace's needs took longer than the quiet window below, and were not waited for)
  const inFlight = new Set();
  const isApi = (r) => new URL(r.url()).pathname.startsWith('/api/');
  page.on('request', (r) => isApi(r) && inFlight.add(r));
  page.on('requestfinished', (r) => inFlight.delete(r));
  page.on('requestfailed', (r) => inFlight.delete(r));
  const answered = async () => {
    const until = Date.now() + 120_000;
    while (inFlight.size > 0) {
      if (Date.now() > until) throw new Error(`${inFlight.size} API request(s) unanswered after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await page.route('**/*', (route) => (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
  // signed in as the app does it: the token traded for the session cookie (POST /api/v1/session)
  const session = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: admin }) });
  if (session.status !== 201) throw new Error(`POST /api/v1/session: ${session.status} ${await session.text()}`);
  await context.addCookies(session.headers.getSetCookie().map((c) => c.split(';')[0].split('=')).map(([n, v]) => ({ name: n, value: v, url, sameSite: 'Strict', httpOnly: n === 'vouch_session' })));

  const pages = [
    { name: 'Portfolio', path: '/', ready: 'main h1, main h2' },
    { name: 'Projects (all rows)', path: '/projects', ready: `text=${name(0)}` },
    { name: 'Project', path: `/projects/${name(0)}`, ready: 'text=log4j-core' },
    { name: 'Vulnerability (blast radius of N/10)', path: '/vulnerabilities?id=CVE-2021-44228', ready: `text=${name(0)}` },
    { name: `Incidents (one with ${incident.tasks?.length ?? '?'} tasks)`, path: '/incidents', ready: 'text=Log4Shell' },
    { name: 'Incident (its tasks, burndown, timeline)', path: `/incidents/${incident.id}`, ready: `text=${name(0)}` },
    { name: 'Settings (admin)', path: '/settings', ready: 'text=bench' },
    { name: 'Marketplace', path: '/marketplace', ready: 'text=Engagements' },
    { name: 'Component search (vers range)', path: `/components?purl=${encodeURIComponent('pkg:maven/org.apache.logging.log4j/log4j-core')}&range=${encodeURIComponent('vers:maven/<2.17.1')}`, ready: `text=${name(0)}` },
  ];
  const rows = [];
  for (const p of pages) {
    const render = [];
    const data = [];
    let failed;
    for (let run = 0; run < RUNS && failed === undefined; run++) {
      await page.goto(`${url}${p.path}`);
      try {
        await page.locator(p.ready).first().waitFor({ timeout: 120_000 });
      } catch (e) {
        failed = `not shown within 120 s (${String(e.message).split('\n')[0]})`;
        break;
      }
      // every API answer in, then quiet for 300 ms: the page is done changing (an answer that
      // arrives during the quiet window starts it again)
      for (;;) {
        await answered();
        await page.waitForFunction(() => performance.now() - window.__lastMutation > 300, undefined, { timeout: 60_000, polling: 50 });
        if (inFlight.size === 0) break;
      }
      const m = await page.evaluate(() => {
        const api = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/api/'));
        const nav = performance.getEntriesByType('navigation')[0];
        const dataEnd = Math.max(0, ...api.map((e) => e.responseEnd));
        const dataStart = Math.min(...api.map((e) => e.startTime));
        return { dataEnd, dataMs: api.length ? dataEnd - dataStart : 0, lastMutation: window.__lastMutation, nav: nav?.duration ?? 0, requests: api.length };
      });
      render.push(Math.max(0, m.lastMutation - m.dataEnd));
      data.push(m.dataMs);
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const max = (xs) => Math.max(...xs);
    if (failed !== undefined) {
      rows.push({ name: p.name, path: p.path, failed });
      process.stderr.write(`bench/dashboard: ${p.name}: ${failed}\n`);
      continue;
    }
    rows.push({ name: p.name, path: p.path, render: med(render), renderMax: max(render), data: med(data) });
    process.stderr.write(`bench/dashboard: ${p.name}: render ${med(render).toFixed(0)} ms (max ${max(render).toFixed(0)}), data ${med(data).toFixed(0)} ms\n`);
  }
  const chromiumVersion = browser.version();
  await browser.close();

  const load = os.loadavg()[0].toFixed(1);
  const cpus = os.cpus();
  const table = rows.map((r) => r.failed !== undefined ? `| ${r.name} | \`${r.path}\` | | | | **not met**: ${r.failed} |` : `| ${r.name} | \`${r.path.length > 60 ? `${r.path.slice(0, 57)}…` : r.path}\` | ${r.data.toFixed(0)} ms | ${r.render.toFixed(0)} ms | ${r.renderMax.toFixed(0)} ms | ${r.renderMax < 1000 ? 'met' : '**not met**'} |`);
  const heading = '## Dashboard: pages at portfolio scale';
  replaceSection(
    heading,
    [
      heading,
      '',
      `Produced by \`npm run bench:dashboard\` (bench/dashboard.mjs). Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, Chromium ${chromiumVersion}. Date: ${new Date().toISOString()}. Load average ${load} on ${cpus.length} CPUs when written.`,
      '',
      `${N} projects pushed through the API to one \`vouch serve\` (SQLite) in ${seedSeconds.toFixed(0)} s, each a CycloneDX SBOM of 3–12 real npm packages from ../shared/realworld, every tenth with log4j-core 2.14.1 (${portfolio.projects ?? N} projects in /api/v1/portfolio). Peak RSS of the server while pushing and serving: ${(peakRss / 2 ** 20).toFixed(0)} MiB. Each page opened ${RUNS} times in headless Chromium at 1366×768. **data**: from the first API request the page made to the end of the last answer (median); **render**: from the end of the last API answer to the page's last DOM change (median, and the slowest of the runs). Goal: render under 1 s after the data arrives.`,
      '',
      `GET /api/v1/marketplace/needs on its own (admin, the whole portfolio): ${needsMs[0].toFixed(0)} ms the first time (computed from every project's components), then ${[...needsMs.slice(1)].sort((a, b) => a - b)[2].toFixed(0)} ms (median of ${needsMs.length - 1}; nothing changed, answered from the cache after one query of counts) — ${(needsMs[0] / [...needsMs.slice(1)].sort((a, b) => a - b)[2]).toFixed(0)}× less.`,
      '',
      '| page | path | data | render (median) | render (slowest) | goal < 1 s |',
      '|---|---|---|---|---|---|',
      ...table,
    ].join('\n'),
  );
  console.log(table.join('\n'));
} finally {
  stop();
}
