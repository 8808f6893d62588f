#!/usr/bin/env node
/* global fetch, setTimeout */
// The marketplace's needs on the server: GET /api/v1/marketplace/needs computes them on every
// request (reliance from the stored SBOMs, vulnerability needs from the open findings, health needs
// from pushed reports). A `vouch serve` on SQLite with the npm advisories of ../shared/osv and the
// npm lockfiles of ../shared/realworld (nine projects) uploaded, plus one pushed health report;
// each route timed over HTTP (median of BENCH_RUNS, after one warm-up). Baseline in the same run:
// GET /api/v1/portfolio, the existing summary over the same stored data.
// Run with `node bench/marketplace-server.mjs` (after `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const vouch = path.join(root, 'bin', 'vouch');
const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** project folder → its lockfile (juice-shop has only a package.json: left out) */
const PROJECTS = { Kong__insomnia: 'package-lock.json', OWASP__NodeGoat: 'package-lock.json', 'snyk-labs__nodejs-goof': 'package-lock.json', BookStackApp__BookStack: 'package-lock.json', webpack__webpack: 'yarn.lock', 'openstreetmap__openstreetmap-website': 'yarn.lock', prettier__prettier: 'yarn.lock', vuejs__core: 'pnpm-lock.yaml', 'vuejs__core@ea494af9': 'pnpm-lock.yaml' };
if (!existsSync(path.join(root, 'dist', 'vouch.mjs'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}

const home = mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-market-'));
const run = (args) => {
  const r = spawnSync(process.execPath, [vouch, ...args], { encoding: 'utf8', env: { ...process.env, VOUCH_HOME: home } });
  if (r.status !== 0) throw new Error(`vouch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
run(['db', 'update', '--source', path.join(shared, 'osv'), '--ecosystem', 'npm', '--quiet']);
const admin = JSON.parse(run(['token', 'create', '--name', 'bench', '--role', 'admin', '--json'])).token;
const server = spawn(process.execPath, [vouch, 'serve', '--port', '0', '--log-level', 'warn'], { env: { ...process.env, VOUCH_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
try {
  const url = await new Promise((resolve, reject) => {
    server.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      const m = /serving (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`vouch serve exited ${code}: ${stderr}`)));
  });
  const api = async (method, p, body, type = 'application/json') => {
    const r = await fetch(`${url}${p}`, { method, headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': type } : {}) }, ...(body ? { body } : {}) });
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  let components = 0;
  for (const [p, file] of Object.entries(PROJECTS)) {
    const r = await api('POST', `/api/v1/projects/${encodeURIComponent(p.replace('@', '-'))}/versions/main/documents?file=${file}&wait=120`, readFileSync(path.join(shared, 'realworld', p, file)), 'application/octet-stream');
    let u = r.upload;
    for (let i = 0; u.state === 'queued' || u.state === 'running'; i++) {
      if (i > 1200) throw new Error(`upload of ${p} still ${u.state} after 10 minutes`);
      await new Promise((res) => setTimeout(res, 500));
      u = await api('GET', `/api/v1/uploads/${u.id}`);
    }
    if (u.state !== 'done') throw new Error(`upload of ${p}: ${u.state} ${JSON.stringify(u.error)}`);
    components += u.components ?? 0;
  }
  const report = { schema: 'vouch-health/1', repo: '/clones/semver', head: null, now: '2026-12-01T00:00:00.000Z', score: 5, checks: [{ name: 'Security-Policy', score: 0, risk: 'Medium', reason: 'no security policy file', evidence: [], remediation: 'Add SECURITY.md.' }], criticality: { score: 0.5 } };
  await api('POST', '/api/v1/health/results', JSON.stringify({ ecosystem: 'npm', name: 'semver', report }));

  const time = async (p) => {
    await api('GET', p);
    const xs = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      last = await api('GET', p);
      xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    xs.sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)], all: xs, last };
  };
  const load = os.loadavg()[0];
  const needs = await time('/api/v1/marketplace/needs?limit=1000');
  const portfolio = await time('/api/v1/portfolio');
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const lines = [
    `machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
    `date: ${new Date().toISOString()}; load average ${load.toFixed(2)} on ${os.cpus().length} cores when timing started`,
    `data: SQLite, ${Object.keys(PROJECTS).length} projects (the npm lockfiles of ../shared/realworld: package-lock, yarn.lock, pnpm-lock), ${components} components, npm advisories of ../shared/osv, one pushed health report`,
    '',
    `GET /api/v1/marketplace/needs: median ${needs.median.toFixed(0)} ms of ${RUNS} (${needs.all.map((x) => x.toFixed(0)).join(', ')}); ${needs.last.total} needs`,
    `GET /api/v1/portfolio (baseline, same data): median ${portfolio.median.toFixed(0)} ms of ${RUNS} (${portfolio.all.map((x) => x.toFixed(0)).join(', ')})`,
    `ratio needs / portfolio summary: ${(needs.median / portfolio.median).toFixed(1)}×`,
  ];
  for (const l of lines) console.log(l);
  replaceSection('## Marketplace needs on the server', ['## Marketplace needs on the server', '', 'Produced by `node bench/marketplace-server.mjs`: the needs are computed on every request (docs/marketplace.md, "The server").', '', '```', ...lines, '```'].join('\n'));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(home, { recursive: true, force: true });
}
