#!/usr/bin/env node
// vouch benchmarks. Each result is a ratio against a baseline measured in the same run, so
// numbers from different machines compare. Run with `npm run bench` (after `npm ci`).
//
// (a) scan: `vouch scan LOCKFILE` with a warm store, whole process, vs `node` merely starting,
//     reading and JSON.parse-ing the same file (also a whole process). Target ≤ 2× with
//     NODE_EXTRA_CA_CERTS unset. Measured twice: with that variable unset, and set (to the
//     machine's value, else the system CA bundle) — Node reads and parses the whole bundle at the
//     start of every process, a fixed cost that both sides pay and that hides vouch's own.
// (b) db update: loading all of ../shared/osv — advisories per second and peak RSS.
// (c) start-up: `vouch scan` of a one-package package-lock vs `node -e 0`, both environments as in
//     (a). Target ≤ 1.5× with the variable unset.
// (a) and (c) report the wall time and, below it, the CPU time of the same runs (bash's `times`):
// on a machine shared with other work the second follows the load far less.
// The first vouch run of each kind also warms the code cache (bin/vouch, dist/code-cache/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * `env` is added to this process's environment; a key set to undefined is removed from it. `ms` is
 * the wall time; `cpuMs` the CPU time (user + system) of the command, read from bash's `times`
 * (the children's line) — on a machine shared with other work the wall time follows the load,
 * the CPU time far less.
 */
function time(cmd, args, env = {}) {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  // the wall time is taken in bash around the command alone, so bash's own start counts for neither side
  const r = spawnSync('bash', ['-c', 't0=$EPOCHREALTIME; "$@" 3>&-; s=$?; t1=$EPOCHREALTIME; times >&3; echo "$t0 $t1" >&3; exit $s', 'bash', cmd, ...args], {
    encoding: 'utf8',
    env: merged,
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [, children = '', clock = ''] = (r.output[3] ?? '').trim().split('\n');
  const [t0, t1] = clock.replace(/,/g, '.').split(' ').map(Number); // a locale may write a decimal comma
  const ms = (t1 - t0) * 1000;
  if (!Number.isFinite(ms)) throw new Error(`bench: no timing from bash for ${cmd} (bash 5 is needed for EPOCHREALTIME)`);
  // `times` prints the shell's user and system time, then its children's: "0m0.031s 0m0.012s"
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
  return { ms, cpuMs, stderr: r.stderr, stdout: r.stdout };
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

  // (a) scan vs start+read+parse and (c) a one-package scan vs node -e 0, each pair interleaved so
  // drift hits both alike, in both environments.
  const lockfile = largestLockfile();
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'));
  const entries = Object.keys(lock.packages ?? lock.dependencies ?? {}).filter((k) => k.includes('node_modules/')).length;
  const parseScript = `JSON.parse(require('fs').readFileSync(${JSON.stringify(lockfile)}, 'utf8'))`;
  const one = path.join(work, 'one-package', 'package-lock.json');
  mkdirSync(path.dirname(one), { recursive: true });
  writeFileSync(
    one,
    JSON.stringify({
      name: 'one',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'one', version: '1.0.0', dependencies: { lodash: '4.17.20' } },
        'node_modules/lodash': { version: '4.17.20', resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz' },
      },
    }),
  );
  const caCerts = process.env.NODE_EXTRA_CA_CERTS ?? (existsSync('/etc/ssl/certs/ca-certificates.crt') ? '/etc/ssl/certs/ca-certificates.crt' : undefined);
  const environments = [['NODE_EXTRA_CA_CERTS unset', { NODE_EXTRA_CA_CERTS: undefined }]];
  if (caCerts !== undefined) environments.push([`NODE_EXTRA_CA_CERTS=${caCerts}`, { NODE_EXTRA_CA_CERTS: caCerts }]);
  /** [wall a, wall b, cpu a, cpu b], medians */
  const pairs = (a, b) => {
    time(...a); // warm the page cache and the code cache
    time(...b);
    const as = [];
    const bs = [];
    for (let i = 0; i < runs; i++) {
      as.push(time(...a));
      bs.push(time(...b));
    }
    return [median(as.map((r) => r.ms)), median(bs.map((r) => r.ms)), median(as.map((r) => r.cpuMs)), median(bs.map((r) => r.cpuMs))];
  };
  const results = environments.map(([label, extra]) => ({
    label,
    scan: pairs([process.execPath, ['-e', parseScript], extra], [process.execPath, [vouch, 'scan', lockfile, '--format', 'json'], { ...env, ...extra }]),
    start: pairs([process.execPath, ['-e', '0'], extra], [process.execPath, [vouch, 'scan', one, '--format', 'json'], { ...env, ...extra }]),
  }));
  const findings = JSON.parse(time(process.execPath, [vouch, 'scan', lockfile, '--format', 'json'], env).stdout).findings.length;

  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  out(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`);
  out(`date: ${new Date().toISOString()}`);
  out(`load average (1, 5, 15 min): ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`);
  out('');
  out(`(a) scan ${path.relative(root, lockfile)} (${entries} package entries, ${findings} findings), warm store, median of ${runs}:`);
  for (const { label, scan: [b, s, bc, sc] } of results) {
    out(`    ${label}: node start+read+JSON.parse: ${b.toFixed(0)} ms   vouch scan: ${s.toFixed(0)} ms   ratio: ${(s / b).toFixed(2)}×  (target ≤ 2× unset)`);
    out(`        CPU time: ${bc.toFixed(0)} ms vs ${sc.toFixed(0)} ms   ratio: ${(sc / bc).toFixed(2)}×`);
  }
  out(`(c) scan of a one-package package-lock vs node -e 0, median of ${runs}:`);
  for (const { label, start: [b, s, bc, sc] } of results) {
    out(`    ${label}: node -e 0: ${b.toFixed(0)} ms   vouch scan: ${s.toFixed(0)} ms   ratio: ${(s / b).toFixed(2)}×  (target ≤ 1.5× unset)`);
    out(`        CPU time: ${bc.toFixed(0)} ms vs ${sc.toFixed(0)} ms   ratio: ${(sc / bc).toFixed(2)}×`);
  }
  out(`(b) db update from ../shared/osv (${advisories} advisories), median of 3: ${(upd / 1000).toFixed(2)} s, ${Math.round(advisories / (upd / 1000))} advisories/s, peak RSS ${(rss / 1024).toFixed(0)} MiB  (target < 60 s)`);
  replaceSection('## Scan and advisory store', ['## Scan and advisory store', '', '```', ...lines, '```'].join('\n'));
} finally {
  rmSync(home, { recursive: true, force: true });
}
