#!/usr/bin/env node
// The portfolio server's store at scale (issue 13's benchmark), on SQLite and on PostgreSQL:
// N synthetic projects built from the real lockfiles in ../shared/realworld (each a random subset
// of 200–3,000 of the real packages, each at a version of it seen in the corpus), ingested with the
// engine; then the questions, timed: `affected` for a vulnerability hitting about 10% of the
// projects (first page of 100), `componentsUsing` with a vers range, and the re-match after an
// update adding 100 advisories. Seeded: the same portfolio every run.
//
//   BENCH_PROJECTS (default 10000)  BENCH_DB=sqlite|postgres|both (default both when BENCH_PG is set)
//   BENCH_PG (default $VOUCH_TEST_PG)  BENCH_RUNS (query repetitions, default 50)
//
// Not measured here: upload → findings visible with concurrent HTTP uploads and the RSS of
// `vouch serve` (the server's own bench). The bare-insert baseline on PostgreSQL is a single
// `INSERT … SELECT FROM unnest(…)` of the same rows, not COPY (no COPY client is a dependency).
import { Buffer } from 'node:buffer';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { replaceSection } from './results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const work = path.join(here, '.work', 'portfolio');
mkdirSync(work, { recursive: true });
const N = Number(process.env.BENCH_PROJECTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const PG = process.env.BENCH_PG ?? process.env.VOUCH_TEST_PG;
const DBS = (process.env.BENCH_DB ?? (PG ? 'both' : 'sqlite')) === 'both' ? ['sqlite', 'postgres'] : [process.env.BENCH_DB ?? 'sqlite'];

await build({
  entryPoints: [path.join(here, 'portfolio-entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: path.join(work, 'lib.mjs'),
  logLevel: 'warning',
  define: { __VOUCH_VERSION__: JSON.stringify(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version) },
});
const lib = await import(path.join(work, 'lib.mjs'));

let seed = 20261207;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(rnd() * list.length)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`;

// the advisory store: every ecosystem of ../shared/osv, and the same plus 100 new advisories
const home = path.join(work, 'home');
const zips = readdirSync(path.join(shared, 'osv')).filter((e) => existsSync(path.join(shared, 'osv', e, 'all.zip')));
if (!existsSync(path.join(home, 'osv.sqlite'))) for (const e of zips) await lib.updateStore({ home, source: path.join(shared, 'osv', e, 'all.zip') });

// the package pool: every (ecosystem, name) of the corpus with the versions seen
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

function sbom(i) {
  const size = 200 + Math.floor(rnd() * 2801);
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

const lines = [];
for (const kind of DBS) {
  seed = 20261207;
  let opened;
  if (kind === 'postgres') {
    if (!PG) throw new Error('BENCH_DB=postgres needs BENCH_PG or VOUCH_TEST_PG');
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query('DROP SCHEMA IF EXISTS bench_portfolio CASCADE; CREATE SCHEMA bench_portfolio');
    await c.end();
    const u = new URL(PG);
    u.searchParams.set('options', '-c search_path=bench_portfolio');
    opened = await lib.openDb({ url: u.toString() });
  } else {
    rmSync(path.join(work, 'portfolio.sqlite'), { force: true });
    opened = await lib.openDb({ sqliteFile: path.join(work, 'portfolio.sqlite') });
  }
  const db = opened.db;
  await lib.migrate(db);
  const store = lib.AdvisoryStore.open(home);
  const ctx = lib.storeContext(store);

  // ingest
  let rows = 0;
  let ingestMs = 0;
  for (let i = 0; i < N; i++) {
    const bytes = sbom(i);
    const { uploadId } = await lib.submitDocument(db, { project: `service-${i}`, version: '1', fileName: 'bom.cdx.json', bytes, createProject: true });
    const t0 = performance.now();
    await lib.processUpload(db, ctx, uploadId);
    ingestMs += performance.now() - t0;
    rows += JSON.parse(bytes.toString('utf8')).components.length;
  }
  // the bare insert of as many project-component rows into the same database
  await db.schema.createTable('bench_bare').ifNotExists().addColumn('version_id', 'integer').addColumn('component_id', 'integer').addColumn('scope', 'text').addColumn('direct', 'integer').addColumn('locations', 'text').execute();
  const bare = Array.from({ length: rows }, (_, i) => [Math.floor(i / 1000), i, 'prod', 0, '[]']);
  const b0 = performance.now();
  if (kind === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const raw = new SQLite(path.join(work, 'portfolio.sqlite'));
    const ins = raw.prepare('INSERT INTO bench_bare VALUES (?, ?, ?, ?, ?)');
    raw.transaction(() => {
      for (const r of bare) ins.run(...r);
    })();
    raw.close();
  } else {
    await lib.bulkInsert(db, 'bench_bare', [['version_id', 'int'], ['component_id', 'int'], ['scope', 'text'], ['direct', 'int'], ['locations', 'text']], bare, { chunk: 100_000 });
  }
  const bareMs = performance.now() - b0;

  // affected: the vulnerability whose project count is nearest 10% of N
  const byVuln = await db.selectFrom('findings').select(['vuln_id', (eb) => eb.fn.count('version_id').distinct().as('n')]).groupBy('vuln_id').execute();
  const target = byVuln.sort((a, b) => Math.abs(Number(a.n) - N / 10) - Math.abs(Number(b.n) - N / 10))[0];
  const aff = [];
  for (let r = 0; r < RUNS && target; r++) {
    const t0 = performance.now();
    await lib.affected(db, target.vuln_id, { all: true }, { limit: 100 });
    aff.push(performance.now() - t0);
  }
  // components: the most used package, within a range up to its median version
  const most = await db.selectFrom('components as c').innerJoin('version_components as vc', 'vc.component_id', 'c.id').select(['c.purl_base', 'c.ecosystem', (eb) => eb.fn.countAll().as('n')]).groupBy(['c.purl_base', 'c.ecosystem']).orderBy('n', 'desc').limit(1).executeTakeFirst();
  const comp = [];
  if (most) {
    const versions = (await db.selectFrom('components').select('version').where('purl_base', '=', most.purl_base).execute()).map((v) => v.version);
    const eco = lib.ecosystemByOsvName(most.ecosystem);
    versions.sort((a, b) => eco.versioning.compare(a, b));
    const scheme = { golang: 'golang', pypi: 'pypi', maven: 'maven', npm: 'npm', gem: 'gem', cargo: 'cargo', composer: 'composer', nuget: 'nuget' }[eco.purlType] ?? eco.purlType;
    const range = `vers:${scheme}/<${versions[Math.floor(versions.length / 2)]}`;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await lib.componentsUsing(db, most.purl_base, { all: true }, { range, limit: 100 });
      comp.push(performance.now() - t0);
    }
  }
  // re-match: first the store as seen, then an update adding 100 advisories for used packages
  await lib.refreshAndRematch(db, ctx, store);
  const used = await db.selectFrom('components').select(['ecosystem', 'name']).distinct().orderBy('ecosystem').orderBy('name').limit(100).execute();
  const home2 = path.join(work, `home-${kind}`);
  rmSync(home2, { recursive: true, force: true });
  const src = path.join(work, `src-${kind}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  for (const e of zips) {
    const zip = await lib.openZip(path.join(shared, 'osv', e, 'all.zip'), `${e}/all.zip`);
    for await (const item of zip.entries()) if (item.kind === 'file') writeFileSync(path.join(src, `${e}-${item.name}`), item.data);
    zip.close();
  }
  used.forEach((u, i) => writeFileSync(path.join(src, `BENCH-${i}.json`), JSON.stringify({ id: `BENCH-${i}`, modified: '2026-12-01T00:00:00Z', affected: [{ package: { ecosystem: u.ecosystem, name: u.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] })));
  await lib.updateStore({ home: home2, source: src });
  const store2 = lib.AdvisoryStore.open(home2);
  const r0 = performance.now();
  const rematch = await lib.refreshAndRematch(db, lib.storeContext(store2), store2);
  const rematchMs = performance.now() - r0;
  store2.close();
  store.close();

  lines.push(
    `| ${kind} | ${N} | ${rows} | ${Math.round(rows / (ingestMs / 1000))} | ${(bareMs / ingestMs).toFixed(2)} (bare ${Math.round(rows / (bareMs / 1000))}/s) | ${target ? `${ms(pct(aff, 50))} / ${ms(pct(aff, 95))} (${target.n} versions)` : '–'} | ${most ? `${ms(pct(comp, 50))} / ${ms(pct(comp, 95))}` : '–'} | ${(rematchMs / 1000).toFixed(1)} s (${rematch.newFindings} new) |`,
  );
  await opened.close();
}

const section = [
  '## Portfolio server store',
  '',
  `\`node bench/portfolio.mjs\` on ${new Date().toISOString().slice(0, 10)}: synthetic projects from ../shared/realworld, advisories of ../shared/osv (goals: ingest ≥ 0.3 of a bare insert; affected p95 < 50 ms; components p95 < 100 ms; re-match of 100 new advisories < 10 s).`,
  '',
  '| database | projects | component rows | ingest rows/s (engine included) | ingest / bare insert | affected p50 / p95 | components+range p50 / p95 | re-match, 100 new advisories |',
  '|---|---|---|---|---|---|---|---|',
  ...lines,
].join('\n');
console.log(section);
if (process.env.BENCH_WRITE !== '0') replaceSection('## Portfolio server store', section);
