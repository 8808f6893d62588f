// Pieces of the portfolio benchmarks as a module: the library bundle, the seeded synthetic-project
// generator over ../shared/realworld, and `vouch serve` as a process with its HTTP helpers.
// bench/portfolio.mjs, bench/portfolio-queries.mjs and bench/rematch.mjs use it.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..');
export const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');

/**
 * The portfolio's functions (bench/portfolio-entry.ts) bundled into `outDir` and imported; `fromRoot`:
 * another checkout's (e.g. a worktree of main, to measure the code before a change on the same seed).
 */
export async function loadLib(outDir, fromRoot = root) {
  const outfile = path.join(outDir, fromRoot === root ? 'lib.mjs' : 'lib-other.mjs');
  await build({
    entryPoints: [path.join(fromRoot, 'bench', 'portfolio-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    define: { __VOUCH_VERSION__: JSON.stringify(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version) },
  });
  return import(outfile);
}

/** A seeded pseudo-random source (mulberry32): numbers in [0, 1), the same sequence for the same seed; `reseed` starts it again. */
export function seededRandom(seed0) {
  let seed = seed0 >>> 0;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  rnd.reseed = (s) => (seed = s >>> 0);
  return rnd;
}

/** The seeded generator: N synthetic CycloneDX SBOMs of 200–3,000 real packages at versions seen in the corpus. */
export async function generator(lib, seed0 = 20261207) {
  const rnd = seededRandom(seed0);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const inventory = await lib.collectInventory([path.join(shared, 'realworld')]);
  const pool = new Map();
  for (const c of inventory.graph.components.values()) {
    const eco = c.ecosystem && lib.ecosystemByOsvName(c.ecosystem);
    if (!eco || !c.version) continue;
    const key = `${eco.osvName}\u0000${c.name}`;
    let p = pool.get(key);
    if (!p) pool.set(key, (p = { eco, name: c.name, versions: new Set() }));
    p.versions.add(c.version);
  }
  const packages = [...pool.values()].map((p) => ({ ...p, versions: [...p.versions] }));
  function sbom(i, fixedSize) {
    const size = fixedSize ?? 200 + Math.floor(rnd() * 2801);
    const chosen = new Set();
    while (chosen.size < Math.min(size, packages.length)) chosen.add(Math.floor(rnd() * packages.length));
    const comps = [...chosen].map((k, j) => {
      const p = packages[k];
      const version = pick(p.versions);
      return { type: 'library', 'bom-ref': `c${j}`, name: p.name, version, purl: lib.purlOf(p.eco, p.name, version) };
    });
    // a tree: the root holds the first 30, every other component one parent before it
    const deps = [{ ref: 'app', dependsOn: comps.slice(0, 30).map((c) => c['bom-ref']) }];
    const children = new Map();
    for (let j = 30; j < comps.length; j++) {
      const parent = `c${Math.floor(rnd() * j)}`;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(`c${j}`);
    }
    for (const [ref, dependsOn] of children) deps.push({ ref, dependsOn });
    return Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { component: { type: 'application', name: `service-${i}`, 'bom-ref': 'app' } }, components: comps, dependencies: deps }));
  }
  return { sbom, packages, reseed: rnd.reseed };
}

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const vouchBin = path.join(root, 'bin', 'vouch');
export { vouchBin };

/** `vouch serve` as a process, ready. */
export async function startServer(dbArg, home, extra = [], env = {}) {
  const port = 18000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, [...(env.NODE_ARGS ?? []), vouchBin, 'serve', '--port', String(port), '--database', dbArg, '--home', home, '--rate-limit', '10000000', '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VOUCH_HOME: home },
  });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`vouch serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await request(`${base}/readyz`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (i > 600) throw new Error(`vouch serve did not become ready: ${stderr}`);
    await sleep(100);
  }
  return { child, base, stderr: () => stderr };
}

export function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One HTTP request (kept-alive connections, as a client's), 60 s at most. */
const agent = new http.Agent({ keepAlive: true });
export function request(url, { method = 'GET', token, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, timeout: 60_000, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {}) } }, (res) => {
      const parts = [];
      res.on('data', (b) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** GET a text answer (/metrics). */
export function getText(url, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 10_000, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const parts = [];
      res.on('data', (b) => parts.push(b));
      res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in 10 s`)));
    req.on('error', reject);
  });
}

/** POST a document, then poll GET /uploads/{id} until done; the ms it took. `wait`: sent with ?wait=60 (done when answered 200). */
export async function upload(base, token, project, bytes, { wait = false } = {}) {
  const t0 = performance.now();
  const res = await request(`${base}/api/v1/projects/${encodeURIComponent(project)}/versions/1/documents?file=bom.cdx.json${wait ? '&wait=60' : ''}`, { method: 'POST', token, body: bytes });
  if (wait && res.status === 200 && res.body.upload.state === 'done') return performance.now() - t0;
  if (res.status !== 202) throw new Error(`upload ${project}: ${res.status} ${JSON.stringify(res.body)}`);
  const { id } = res.body.upload;
  for (;;) {
    const { status, body: u } = await request(`${base}/api/v1/uploads/${id}`, { token });
    if (status !== 200) throw new Error(`GET /api/v1/uploads/${id}: ${status} ${JSON.stringify(u)}`);
    if (u.state === 'done') return performance.now() - t0;
    if (u.state === 'failed') throw new Error(`upload ${project} failed: ${JSON.stringify(u.error)}`);
    await sleep(20);
  }
}

/**
 * An advisory store at `home`: every record of ../shared/osv's `zips` (folder names holding all.zip)
 * plus 100 new advisories, `BENCH-0` … `BENCH-99`, each affecting every version of one of the first
 * 100 packages (by ecosystem and name) the portfolio `db` uses — the update the re-match benchmarks time.
 * The records are written to `src` (removed afterwards).
 */
export async function storeWithNewAdvisories(lib, db, zips, home, src) {
  const used = await db.selectFrom('components').select(['ecosystem', 'name']).distinct().orderBy('ecosystem').orderBy('name').limit(100).execute();
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  for (const e of zips) {
    const zip = await lib.openZip(path.join(shared, 'osv', e, 'all.zip'), `${e}/all.zip`);
    for await (const item of zip.entries()) if (item.kind === 'file') writeFileSync(path.join(src, `${e}-${item.name}`), item.data);
    zip.close();
  }
  used.forEach((u, i) => writeFileSync(path.join(src, `BENCH-${i}.json`), JSON.stringify({ id: `BENCH-${i}`, modified: '2026-12-01T00:00:00Z', affected: [{ package: { ecosystem: u.ecosystem, name: u.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] })));
  await lib.updateStore({ home, source: src });
  rmSync(src, { recursive: true, force: true });
}

/** `url` (a PostgreSQL server, with or without a database) naming database `name`. */
export function pgDatabaseUrl(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on the server's `postgres` database (CREATE / DROP DATABASE, catalog reads). */
export async function pgAdmin(url, text) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: pgDatabaseUrl(url, 'postgres') });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}
