#!/usr/bin/env node
// Re-measures the portfolio's two "who" queries on a database bench/portfolio.mjs already filled
// (its ingest takes hours on this machine; the queries do not need it run again):
//   - `affected` for a vulnerability hitting about 10% of the projects, first page of 100;
//   - `componentsUsing` (GET /components?purl=&range=) for the most used package below a version;
// each as a function and through `vouch serve --role api` as a process (HTTP on 127.0.0.1), and on
// PostgreSQL with the plan of every statement they issue (EXPLAIN (ANALYZE, BUFFERS), written to
// bench/.work/portfolio/explain-*.txt; sequential scans are listed in the output).
// The database is migrated first (a new index is part of what is measured), nothing else is written.
//
//   BENCH_SQLITE  the SQLite file (default bench/.work/portfolio/portfolio.sqlite)
//   BENCH_PG      a PostgreSQL URL whose search_path is the bench schema (none: SQLite only)
//   BENCH_AFFECTED_SQLITE / BENCH_AFFECTED_POSTGRES   the vulnerability (default: nearest 10% of the versions)
//   BENCH_PURL, BENCH_RANGE (per database: _SQLITE / _POSTGRES)  the package and range (default: most used, below its median version)
//   BENCH_RUNS (default 50)   BENCH_HEADING (default "## Portfolio server — the queries re-measured")
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';
import { loadLib, pct, root } from './portfolio-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.join(here, '.work', 'portfolio');
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const HEADING = process.env.BENCH_HEADING ?? '## Portfolio server — the queries re-measured';
const targets = [
  ...(process.env.BENCH_SQLITE !== '' ? [{ kind: 'sqlite', arg: process.env.BENCH_SQLITE ?? path.join(work, 'portfolio.sqlite') }] : []),
  ...(process.env.BENCH_PG ? [{ kind: 'postgres', arg: process.env.BENCH_PG }] : []),
];

execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
const started = new Date();
const load0 = os.loadavg();
const lib = await loadLib(work);
const { default: pg } = await import('pg');

const msOf = (xs) => `${pct(xs, 50).toFixed(1)} ms / ${pct(xs, 95).toFixed(1)} ms`;
const env = (name, kind) => process.env[`${name}_${kind.toUpperCase()}`] ?? process.env[name];

// every statement the pg driver is given while `capture` is set (the queries' own, in order)
let capture;
const query0 = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  const q = args[0];
  if (capture && typeof q === 'string') capture.push({ text: q, values: Array.isArray(args[1]) ? args[1] : [] });
  else if (capture && q && typeof q.text === 'string') capture.push({ text: q.text, values: q.values ?? [] });
  return query0.apply(this, args);
};

const vouchBin = path.join(root, 'bin', 'vouch');
const agent = new http.Agent({ keepAlive: true });
function get(url, token) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, timeout: 60_000, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const parts = [];
      res.on('data', (b) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in 60 s`)));
    req.on('error', reject);
    req.end();
  });
}
async function timedGet(base, token, url) {
  const xs = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const res = await get(`${base}${url}`, token);
    xs.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.body.slice(0, 300)}`);
  }
  return xs;
}
async function timed(fn) {
  await fn(); // warm
  const xs = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return xs;
}

const rows = [];
const scans = [];
for (const { kind, arg } of targets) {
  const opened = kind === 'postgres' ? await lib.openDb({ url: arg }) : await lib.openDb({ sqliteFile: arg });
  const db = opened.db;
  await lib.migrate(db);
  const versions = Number((await db.selectFrom('project_versions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  let vuln = env('BENCH_AFFECTED', kind);
  if (!vuln) {
    const byVuln = await db.selectFrom('findings').select(['vuln_id', (eb) => eb.fn.count('version_id').distinct().as('n')]).groupBy('vuln_id').execute();
    vuln = byVuln.sort((a, b) => Math.abs(Number(a.n) - versions / 10) - Math.abs(Number(b.n) - versions / 10))[0].vuln_id;
  }
  const hit = Number((await db.selectFrom('findings').select((eb) => eb.fn.count('version_id').distinct().as('n')).where('vuln_id', '=', vuln).executeTakeFirstOrThrow()).n);
  let purl = env('BENCH_PURL', kind);
  let range = env('BENCH_RANGE', kind);
  if (!purl || !range) {
    const most = await db.selectFrom('components as c').innerJoin('version_components as vc', 'vc.component_id', 'c.id').select(['c.purl_base', 'c.ecosystem', (eb) => eb.fn.countAll().as('n')]).groupBy(['c.purl_base', 'c.ecosystem']).orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow();
    const vs = (await db.selectFrom('components').select('version').where('purl_base', '=', most.purl_base).execute()).map((v) => v.version);
    const eco = lib.ecosystemByOsvName(most.ecosystem);
    vs.sort((a, b) => eco.versioning.compare(a, b));
    purl = most.purl_base;
    range = `vers:${eco.purlType}/<${vs[Math.floor(vs.length / 2)]}`;
  }
  const affectedPage = await lib.affected(db, vuln, { all: true }, { limit: 100 });
  const usesPage = await lib.componentsUsing(db, purl, { all: true }, { range, limit: 100 });
  const aff = await timed(() => lib.affected(db, vuln, { all: true }, { limit: 100 }));
  const comp = await timed(() => lib.componentsUsing(db, purl, { all: true }, { range, limit: 100 }));
  console.error(`${kind}: affected ${vuln} ${msOf(aff)}; components ${purl} ${range} ${msOf(comp)}`);

  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: arg });
    await client.connect();
    const report = [];
    for (const [name, fn] of [
      ['affected', () => lib.affected(db, vuln, { all: true }, { limit: 100 })],
      ['components', () => lib.componentsUsing(db, purl, { all: true }, { range, limit: 100 })],
    ]) {
      capture = [];
      await fn();
      const statements = capture;
      capture = undefined;
      for (const [i, s] of statements.entries()) {
        if (!/^\s*(select|with)\b/i.test(s.text)) continue;
        const plan = (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        report.push(`-- ${name} #${i + 1}\n${s.text}\n-- ${s.values.length} parameters\n${plan}\n`);
        for (const m of plan.matchAll(/Seq Scan on (\w+)[^\n]*\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+)/g)) scans.push(`${kind} ${name} #${i + 1}: Seq Scan on ${m[1]} (${m[3]} rows, ${m[2]} ms)`);
        const total = /Execution Time: ([\d.]+) ms/.exec(plan);
        console.error(`${name} #${i + 1}: ${total?.[1]} ms`);
      }
    }
    writeFileSync(path.join(work, `explain-${kind}.txt`), report.join('\n'));
    await client.end();
  }

  // through the server as a process (api only: no worker touches the bench data)
  const home = mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-home-'));
  const dbArg = arg;
  const token = execFileSync(process.execPath, [vouchBin, 'token', 'create', '--name', `bench-q-${Date.now()}`, '--role', 'admin', '--database', dbArg, '--home', home], { encoding: 'utf8' }).trim();
  const port = 18000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, [vouchBin, 'serve', '--role', 'api', '--port', String(port), '--database', dbArg, '--home', home, '--rate-limit', '10000000', '--log-level', 'warn', ...(kind === 'postgres' ? ['--jobs-schema', 'bench_pgboss'] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VOUCH_HOME: home },
  });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`vouch serve exited ${child.exitCode}: ${stderr}`);
      const ok = await get(`${base}/readyz`, token).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (i > 600) throw new Error(`vouch serve did not become ready: ${stderr}`);
      await sleep(100);
    }
    const affUrl = `/api/v1/vulnerabilities/${encodeURIComponent(vuln)}/affected?limit=100`;
    const compUrl = `/api/v1/components?purl=${encodeURIComponent(purl)}&range=${encodeURIComponent(range)}&limit=100`;
    await get(`${base}${affUrl}`, token);
    await get(`${base}${compUrl}`, token);
    const httpAff = await timedGet(base, token, affUrl);
    const httpComp = await timedGet(base, token, compUrl);
    rows.push(
      `| ${kind} | ${versions.toLocaleString('en')} | ${vuln} (${hit} versions; page of ${affectedPage.items.length}) | ${msOf(aff)} | ${msOf(httpAff)} | ${purl} \`${range}\` (page of ${usesPage.items.length}) | ${msOf(comp)} | ${msOf(httpComp)} |`,
    );
    console.error(rows.at(-1));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(home, { recursive: true, force: true });
  }
  await opened.close();
}
agent.destroy();

const load1 = os.loadavg();
const cpus = os.cpus();
const section = [
  HEADING,
  '',
  `\`node bench/portfolio-queries.mjs\` on the databases bench/portfolio.mjs filled (their project versions in the table: the projects ingested plus the timed uploads), started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, took ${((Date.now() - started.getTime()) / 60_000).toFixed(0)} min. Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start, ${load1.map((x) => x.toFixed(1)).join(' ')} at the end. ${RUNS} sequential runs each after one warm-up; HTTP through \`vouch serve --role api\` as a process on 127.0.0.1 (goals: affected p95 < 50 ms, components p95 < 100 ms).`,
  '',
  '| database | project versions | affected: vulnerability | affected p50 / p95 (function) | affected p50 / p95 (HTTP) | components: package and range | components p50 / p95 (function) | components p50 / p95 (HTTP) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  scans.length ? `Sequential scans in the PostgreSQL plans: ${scans.join('; ')}.` : 'No sequential scan in the PostgreSQL plans of either query (EXPLAIN (ANALYZE, BUFFERS) of every statement: bench/.work/portfolio/explain-postgres.txt).',
].join('\n');
console.log(section);
if (process.env.BENCH_WRITE !== '0') replaceSection(HEADING, section);
