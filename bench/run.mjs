#!/usr/bin/env node
// vouch benchmarks. Each result is a ratio against a baseline measured in the same run, so
// numbers from different machines compare. Run with `npm run bench` (after `npm ci`).
//
// (a) scan: `vouch scan LOCKFILE` with a warm store, whole process, vs `node` merely starting,
//     reading and JSON.parse-ing the same file (also a whole process). Target ≤ 3×, aim 2×.
// (b) db update: loading all of ../shared/osv — advisories per second and peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const work = path.join(here, '.work');
mkdirSync(work, { recursive: true });

if (!existsSync(path.join(shared, 'osv'))) {
  console.error(`bench: ${shared}/osv is absent; the benchmarks need the shared OSV corpus.`);
  process.exit(2);
}
if (!existsSync(path.join(root, 'dist', 'vouch.mjs'))) {
  console.error('bench: dist/ is missing; run `npm ci` (or `npm run build`) first.');
  process.exit(2);
}

function time(cmd, args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: r.stderr, stdout: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The largest npm lockfile we can have: one resolved from the registry for bench/big-app (cached), else the largest in ../shared/realworld. */
function largestLockfile() {
  const big = path.join(work, 'big-app');
  const lock = path.join(big, 'package-lock.json');
  if (!existsSync(lock) && process.env.BENCH_NO_REGISTRY !== '1') {
    mkdirSync(big, { recursive: true });
    spawnSync('cp', [path.join(here, 'big-app', 'package.json'), big]);
    console.error('bench: resolving bench/big-app from the npm registry once (cached in bench/.work; BENCH_NO_REGISTRY=1 skips)...');
    spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: big, stdio: 'ignore' });
  }
  const candidates = existsSync(lock) ? [lock] : [];
  for (const d of ['Kong__insomnia', 'OWASP__NodeGoat', 'snyk-labs__nodejs-goof', 'BookStackApp__BookStack']) {
    const f = path.join(shared, 'realworld', d, 'package-lock.json');
    if (existsSync(f)) candidates.push(f);
  }
  return candidates.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

const vouch = path.join(root, 'bin', 'vouch');
const home = mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-'));
const env = { VOUCH_HOME: home };
const lines = [];
const out = (s) => {
  lines.push(s);
  console.log(s);
};

try {
  // (b) db update, measured first (it also warms the store for (a)).
  const advisories = Number(
    readFileSync(path.join(shared, 'osv', 'README.md'), 'utf8').match(/Total: ([\d,]+) advisories/)?.[1].replace(/,/g, '') ?? NaN,
  );
  const updates = [];
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    const r = time(process.execPath, [path.join(here, 'measure.mjs'), 'db', 'update', '--source', path.join(shared, 'osv'), '--quiet'], env);
    updates.push(r.ms);
    rss = Math.max(rss, Number(r.stderr.match(/BENCH_MAXRSS_KB=(\d+)/)?.[1] ?? 0));
  }
  const upd = median(updates);

  // (a) scan vs start+read+parse, interleaved so drift hits both alike.
  const lockfile = largestLockfile();
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'));
  const entries = Object.keys(lock.packages ?? lock.dependencies ?? {}).filter((k) => k.includes('node_modules/')).length;
  const parseScript = `JSON.parse(require('fs').readFileSync(${JSON.stringify(lockfile)}, 'utf8'))`;
  time(vouch, ['scan', lockfile, '--format', 'json'], env); // warm the page cache
  const base = [];
  const scan = [];
  for (let i = 0; i < runs; i++) {
    base.push(time(process.execPath, ['-e', parseScript]).ms);
    scan.push(time(process.execPath, [vouch, 'scan', lockfile, '--format', 'json'], env).ms);
  }
  const findings = JSON.parse(time(process.execPath, [vouch, 'scan', lockfile, '--format', 'json'], env).stdout).findings.length;
  const b = median(base);
  const s = median(scan);

  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  out(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`);
  out(`date: ${new Date().toISOString()}`);
  out('');
  out(`(a) scan ${path.relative(root, lockfile)} (${entries} package entries, ${findings} findings), warm store, median of ${runs}:`);
  out(`    node start+read+JSON.parse: ${b.toFixed(0)} ms   vouch scan: ${s.toFixed(0)} ms   ratio: ${(s / b).toFixed(2)}×  (target ≤ 3×, aim 2×)`);
  out(`(b) db update from ../shared/osv (${advisories} advisories), median of 3: ${(upd / 1000).toFixed(2)} s, ${Math.round(advisories / (upd / 1000))} advisories/s, peak RSS ${(rss / 1024).toFixed(0)} MiB  (target < 60 s)`);
  replaceSection('## Scan and advisory store', ['## Scan and advisory store', '', '```', ...lines, '```'].join('\n'));
} finally {
  rmSync(home, { recursive: true, force: true });
}
