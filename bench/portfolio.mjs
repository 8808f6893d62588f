#!/usr/bin/env node
// The portfolio server at scale (issue 13's benchmark), on SQLite and on PostgreSQL:
// N synthetic projects built from the real lockfiles in ../shared/realworld (each a random subset
// of 200–3,000 of the real packages, each at a version of it seen in the corpus), ingested with the
// engine; then:
//   - ingest rows/s, the engine (read, match, triage) and the store (the version's rows written)
//     apart, against a bare bulk insert of the same version_components rows into the same database
//     (SQLite: one prepared INSERT in one transaction; PostgreSQL: COPY FROM STDIN), once into a
//     table with version_components' keys and once into one without any;
//   - `affected` for the vulnerability hitting about 10% of the projects (first page of 100) and
//     `componentsUsing` with a vers range, as functions and through the HTTP API;
//   - upload → findings visible through `vouch serve` run as a process: a 3,000-component SBOM
//     pushed while 8 other uploads run, timed until GET /uploads/{id} says done; the server's peak RSS;
//   - the re-match after an update adding 100 advisories.
// Seeded: the same portfolio every run. Needs dist/ (it runs `npm run build` first unless BENCH_HTTP=0).
//
//   BENCH_PROJECTS (default 10000)  BENCH_DB=sqlite|postgres|both (default both when BENCH_PG is set)
//   BENCH_PG (default $VOUCH_TEST_PG)  BENCH_RUNS (query repetitions, default 50)
//   BENCH_UPLOADS (timed 3,000-component uploads, default 20)  BENCH_HTTP=0 (skip the server part)
//   BENCH_HEADING (default "## Portfolio server"; the section of bench/RESULTS.md this run replaces)
//   BENCH_PG_DATABASE (default vouch_bench_portfolio): the database created afresh on BENCH_PG's server
//   BENCH_SEED=1: save the portfolio as ingested as bench/rematch.mjs's seed for this N (SQLite
//     bench/.work/rematch/seed-N.sqlite; PostgreSQL <BENCH_SEED_PREFIX, default vouch_>bench_rematch_seed_N)
//   BENCH_MAX_MINUTES (default none): stop ingesting after this many minutes of ingest and measure the
//     rest on the projects reached — the report then says "N reached of N asked", never N
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';
import { generator, loadLib, pgAdmin as pgAdminOn, pgDatabaseUrl, pct, peakRssMb, request, root, shared, startServer, storeWithNewAdvisories, upload, vouchBin } from './portfolio-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.join(here, '.work', 'portfolio');
mkdirSync(work, { recursive: true });
const N = Number(process.env.BENCH_PROJECTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const PG = process.env.BENCH_PG ?? process.env.VOUCH_TEST_PG;
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 20);
const HTTP = process.env.BENCH_HTTP !== '0';
const HEADING = process.env.BENCH_HEADING ?? '## Portfolio server';
const MAX_MINUTES = process.env.BENCH_MAX_MINUTES ? Number(process.env.BENCH_MAX_MINUTES) : Infinity;
const SEED = process.env.BENCH_SEED === '1';
const SEED_PREFIX = process.env.BENCH_SEED_PREFIX ?? 'vouch_';
const PG_DB = process.env.BENCH_PG_DATABASE ?? 'vouch_bench_portfolio';
const DBS = (process.env.BENCH_DB ?? (PG ? 'both' : 'sqlite')) === 'both' ? ['sqlite', 'postgres'] : [process.env.BENCH_DB ?? 'sqlite'];

if (HTTP) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
const started = new Date();
const load0 = os.loadavg();

const lib = await loadLib(work);

const ms = (x) => `${x.toFixed(1)} ms`;

// the advisory store: every ecosystem of ../shared/osv, and the same plus 100 new advisories
const home = path.join(work, 'home');
const zips = readdirSync(path.join(shared, 'osv')).filter((e) => existsSync(path.join(shared, 'osv', e, 'all.zip')));
if (!existsSync(path.join(home, 'osv.sqlite'))) for (const e of zips) await lib.updateStore({ home, source: path.join(shared, 'osv', e, 'all.zip') });

// the synthetic projects: every (ecosystem, name) of the corpus with the versions seen, drawn from
const gen = await generator(lib);
const { sbom, packages } = gen;

const comps = (bytes) => JSON.parse(bytes.toString('utf8')).components.length;
const msOf = (xs) => `${ms(pct(xs, 50))} / ${ms(pct(xs, 95))}`;
const rowsPerS = (rows, t) => Math.round(rows / (t / 1000)).toLocaleString('en');
const lines = { ingest: [], growth: [], queries: [], server: [] };
const pgDbUrl = (name) => pgDatabaseUrl(PG, name);
const pgAdmin = (text) => pgAdminOn(PG, text);
/** projects ingested per database (fewer than N when BENCH_MAX_MINUTES stopped the ingest) */
const reached = {};

/** version_components' columns: the bare insert writes the rows as ingest stored them (the edges are on them: parents, path_parent) */
const VC_COLUMNS = 'version_id, component_id, scope, direct, locations, parents, path_parent';

/** The version_components rows as they are stored, read back once for the bare inserts. */
async function bareRows(kind, db, sqliteFile, pgUrl) {
  if (kind === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const raw = new SQLite(sqliteFile, { readonly: true });
    const n = raw.prepare('SELECT count(*) AS n FROM version_components').get().n;
    const v = new Int32Array(n);
    const c = new Int32Array(n);
    const d = new Uint8Array(n);
    const scope = new Uint32Array(n);
    const loc = new Uint32Array(n);
    const parents = new Array(n);
    const pathParent = new Array(n);
    const texts = [];
    const intern = new Map();
    const id = (t) => {
      let k = intern.get(t);
      if (k === undefined) intern.set(t, (k = texts.push(t) - 1));
      return k;
    };
    let i = 0;
    for (const r of raw.prepare(`SELECT ${VC_COLUMNS} FROM version_components`).raw().iterate()) {
      v[i] = r[0];
      c[i] = r[1];
      scope[i] = id(r[2]);
      d[i] = r[3];
      loc[i] = id(r[4]);
      parents[i] = r[5];
      pathParent[i] = r[6];
      i++;
    }
    raw.close();
    return { n, v, c, d, scope, loc, parents, pathParent, texts };
  }
  // PostgreSQL: the rows as COPY's text, replayed as they are
  const { default: pg } = await import('pg');
  const { to } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const chunks = [];
  const out = client.query(to(`COPY version_components (${VC_COLUMNS}) TO STDOUT`));
  for await (const b of out) chunks.push(b);
  const n = Number((await client.query('SELECT count(*) AS n FROM version_components')).rows[0].n);
  await client.end();
  return { n, chunks };
}

/** The bare insert: SQLite one prepared INSERT in one transaction, PostgreSQL COPY FROM STDIN; ms. */
async function bareInsert(kind, rows, table, withKeys, sqliteFile, pgUrl) {
  if (kind === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const raw = new SQLite(sqliteFile);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(`DROP TABLE IF EXISTS ${table}`);
    raw.exec(
      `CREATE TABLE ${table} (version_id integer NOT NULL, component_id integer NOT NULL, scope text NOT NULL, direct integer NOT NULL, locations text NOT NULL, parents text NOT NULL DEFAULT '', path_parent integer${withKeys ? ', PRIMARY KEY (version_id, component_id)' : ''})`,
    );
    if (withKeys) raw.exec(`CREATE INDEX ${table}_by_component ON ${table} (component_id, version_id)`);
    const ins = raw.prepare(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const { n, v, c, d, scope, loc, parents, pathParent, texts } = rows;
    const t0 = performance.now();
    raw.transaction(() => {
      for (let i = 0; i < n; i++) ins.run(v[i], c[i], texts[scope[i]], d[i], texts[loc[i]], parents[i], pathParent[i]);
    })();
    const t = performance.now() - t0;
    raw.exec(`DROP TABLE ${table}`);
    raw.close();
    return t;
  }
  const { default: pg } = await import('pg');
  const { from } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (LIKE version_components${withKeys ? ' INCLUDING ALL' : ''})`);
  const t0 = performance.now();
  await client.query('BEGIN');
  await pipeline(Readable.from(rows.chunks), client.query(from(`COPY ${table} (${VC_COLUMNS}) FROM STDIN`)));
  await client.query('COMMIT');
  const t = performance.now() - t0;
  await client.query(`DROP TABLE ${table}`);
  await client.end();
  return t;
}

async function timedGet(base, token, url, runs) {
  const xs = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = await request(`${base}${url}`, { token });
    xs.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return xs;
}

for (const kind of DBS) {
  gen.reseed(20261207);
  let opened;
  let pgUrl;
  const sqliteFile = path.join(work, 'portfolio.sqlite');
  if (kind === 'postgres') {
    if (!PG) throw new Error('BENCH_DB=postgres needs BENCH_PG or VOUCH_TEST_PG');
    // a database of its own (BENCH_PG names the server; its database is only used to create this one), so
    // BENCH_SEED can copy it whole as bench/rematch.mjs's seed
    await pgAdmin(`DROP DATABASE IF EXISTS ${PG_DB}`);
    await pgAdmin(`CREATE DATABASE ${PG_DB}`);
    pgUrl = pgDbUrl(PG_DB);
    opened = await lib.openDb({ url: pgUrl });
  } else {
    for (const f of ['', '-wal', '-shm']) rmSync(`${sqliteFile}${f}`, { force: true });
    opened = await lib.openDb({ sqliteFile });
  }
  let db = opened.db;
  await lib.migrate(db);
  const store = lib.AdvisoryStore.open(home);
  const ctx = lib.storeContext(store);
  // the portfolio as a running server leaves it: matched against this store generation (a node
  // re-matches at start; on an empty portfolio that only records the generation). Without it the
  // server started below re-matched the whole portfolio at its start, in the middle of the upload
  // measurements, and the re-match timed below handled every record, not the 100 new advisories only
  await lib.refreshAndRematch(db, ctx, store);

  // ingest, with the rate of each stretch so growth with N shows
  let rows = 0;
  const timings = { engineMs: 0, storeMs: 0, steps: {} };
  const marks = [...new Set([100, 300, 1000, 3000, 10_000, 30_000, N].filter((m) => m <= N))];
  let last = { i: 0, rows: 0, engineMs: 0, storeMs: 0 };
  const ingestStart = performance.now();
  let n = N;
  for (let i = 0; i < N; i++) {
    const bytes = sbom(i);
    const { uploadId } = await lib.submitDocument(db, { project: `service-${i}`, version: '1', fileName: 'bom.cdx.json', bytes, createProject: true });
    await lib.processUpload(db, ctx, uploadId, { timings });
    rows += comps(bytes);
    const stopping = i + 1 < N && performance.now() - ingestStart > MAX_MINUTES * 60_000;
    if (stopping) n = i + 1;
    if (marks.includes(i + 1) || stopping) {
      const r = rows - last.rows;
      const e = timings.engineMs - last.engineMs;
      const st = timings.storeMs - last.storeMs;
      lines.growth.push(`| ${kind} | ${last.i + 1}–${i + 1} | ${rows.toLocaleString('en')} | ${rowsPerS(r, e + st)} | ${rowsPerS(r, st)} | ${(st / (i + 1 - last.i)).toFixed(1)} ms |`);
      console.error(lines.growth.at(-1));
      last = { i: i + 1, rows, ...timings };
    } else if ((i + 1) % 250 === 0) console.error(`${kind}: ${i + 1} projects, ${rows} rows, ${rowsPerS(rows, timings.engineMs + timings.storeMs)} rows/s`);
    if (stopping) {
      console.error(`${kind}: BENCH_MAX_MINUTES=${MAX_MINUTES} reached after ${n} of ${N} projects; the rest is measured on those`);
      break;
    }
  }
  reached[kind] = n;
  // the time of each step, per project (the engine's and the store's statements)
  console.error(`${kind}: per project: ${Object.entries(timings.steps).map(([k, t]) => `${k} ${(t / n).toFixed(1)} ms`).join(', ')}`);
  const nLabel = n < N ? `${n.toLocaleString('en')} (of ${N.toLocaleString('en')} asked; stopped by BENCH_MAX_MINUTES=${MAX_MINUTES})` : N.toLocaleString('en');
  const ingestMs = timings.engineMs + timings.storeMs;

  // BENCH_SEED=1: the portfolio as ingested becomes bench/rematch.mjs's seed for this N (SQLite file
  // seed-N.sqlite, PostgreSQL database <BENCH_SEED_PREFIX>bench_rematch_seed_N), so re-match and uploads can be
  // measured again at this N on fresh copies without ingesting it again
  if (SEED && n === N) {
    const seedDir = path.join(here, '.work', 'rematch');
    mkdirSync(seedDir, { recursive: true });
    const info = JSON.stringify({ rows, ingestRowsPerS: rows / (ingestMs / 1000), from: 'bench/portfolio.mjs' });
    if (kind === 'sqlite') {
      await opened.close();
      const seedFile = path.join(seedDir, `seed-${N}.sqlite`);
      for (const f of ['', '-wal', '-shm']) rmSync(`${seedFile}${f}`, { force: true });
      const { default: SQLite } = await import('better-sqlite3');
      const raw = new SQLite(sqliteFile);
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
      copyFileSync(sqliteFile, seedFile);
      opened = await lib.openDb({ sqliteFile });
    } else {
      await opened.close();
      const seedDb = `${SEED_PREFIX}bench_rematch_seed_${N}`;
      await pgAdmin(`DROP DATABASE IF EXISTS ${seedDb}`);
      await pgAdmin(`CREATE DATABASE ${seedDb} TEMPLATE ${PG_DB}`);
      opened = await lib.openDb({ url: pgUrl });
    }
    writeFileSync(path.join(seedDir, `seed-${kind}-${N}.json`), info);
    console.error(`${kind}: seed for bench/rematch.mjs at N=${N} saved`);
  }
  db = opened.db;

  // the bare inserts of the same rows, into the same database
  const bare = await bareRows(kind, db, sqliteFile, pgUrl);
  if (bare.n !== rows) throw new Error(`version_components holds ${bare.n} rows, the SBOMs ${rows}`);
  const bareKeysMs = await bareInsert(kind, bare, 'bench_bare_keys', true, sqliteFile, pgUrl);
  const bareMs = await bareInsert(kind, bare, 'bench_bare', false, sqliteFile, pgUrl);
  lines.ingest.push(
    `| ${kind} | ${nLabel} | ${rows.toLocaleString('en')} | ${rowsPerS(rows, ingestMs)} | ${rowsPerS(rows, timings.storeMs)} | ${rowsPerS(rows, bareKeysMs)} / ${rowsPerS(rows, bareMs)} | ${(bareKeysMs / timings.storeMs).toFixed(2)} / ${(bareMs / timings.storeMs).toFixed(2)} | ${(bareKeysMs / ingestMs).toFixed(2)} / ${(bareMs / ingestMs).toFixed(2)} |`,
  );
  console.error(lines.ingest.at(-1));

  // affected: the vulnerability whose project count is nearest 10% of N
  const byVuln = await db.selectFrom('findings').select(['vuln_id', (eb) => eb.fn.count('version_id').distinct().as('n')]).groupBy('vuln_id').execute();
  const target = byVuln.sort((a, b) => Math.abs(Number(a.n) - n / 10) - Math.abs(Number(b.n) - n / 10))[0];
  const aff = [];
  for (let r = 0; r < RUNS && target; r++) {
    const t0 = performance.now();
    await lib.affected(db, target.vuln_id, { all: true }, { limit: 100 });
    aff.push(performance.now() - t0);
  }
  // components: the most used package, within a range up to its median version
  const most = await db.selectFrom('components as c').innerJoin('version_components as vc', 'vc.component_id', 'c.id').select(['c.purl_base', 'c.ecosystem', (eb) => eb.fn.countAll().as('n')]).groupBy(['c.purl_base', 'c.ecosystem']).orderBy('n', 'desc').limit(1).executeTakeFirst();
  const comp = [];
  let range;
  if (most) {
    const versions = (await db.selectFrom('components').select('version').where('purl_base', '=', most.purl_base).execute()).map((v) => v.version);
    const eco = lib.ecosystemByOsvName(most.ecosystem);
    versions.sort((a, b) => eco.versioning.compare(a, b));
    const scheme = { golang: 'golang', pypi: 'pypi', maven: 'maven', npm: 'npm', gem: 'gem', cargo: 'cargo', composer: 'composer', nuget: 'nuget' }[eco.purlType] ?? eco.purlType;
    range = `vers:${scheme}/<${versions[Math.floor(versions.length / 2)]}`;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await lib.componentsUsing(db, most.purl_base, { all: true }, { range, limit: 100 });
      comp.push(performance.now() - t0);
    }
  }
  lines.queries.push(
    `| ${kind} | ${target ? `${target.vuln_id} (${target.n} of ${n} versions)` : '–'} | ${target ? msOf(aff) : '–'} | ${most ? `${most.purl_base} \`${range}\` (${most.n} uses)` : '–'} | ${most ? msOf(comp) : '–'} |`,
  );
  console.error(lines.queries.at(-1));

  // the server as a process: uploads under load, the queries over HTTP, its peak RSS
  if (HTTP) {
    const dbArg = kind === 'postgres' ? pgUrl : sqliteFile;
    const extra = kind === 'postgres' ? ['--jobs-schema', 'bench_pgboss'] : [];
    const token = execFileSync(process.execPath, [vouchBin, 'token', 'create', '--name', 'bench', '--role', 'admin', '--database', dbArg, '--home', home], { encoding: 'utf8' }).trim();
    const server = await startServer(dbArg, home, extra);
    try {
      let stop = false;
      let bgDone = 0;
      const background = Array.from({ length: 8 }, async (_, k) => {
        for (let j = 0; !stop; j++) {
          await upload(server.base, token, `bench-bg-${k}`, sbom(n + 1000 * k + j));
          bgDone++;
        }
      });
      await sleep(1000); // the 8 are running
      const lat = [];
      for (let j = 0; j < UPLOADS; j++) lat.push(await upload(server.base, token, `bench-fg-${j}`, sbom(n + 100_000 + j, 3000)));
      stop = true;
      await Promise.all(background);
      const httpAff = target ? await timedGet(server.base, token, `/api/v1/vulnerabilities/${encodeURIComponent(target.vuln_id)}/affected?limit=100`, RUNS) : [];
      const httpComp = most ? await timedGet(server.base, token, `/api/v1/components?purl=${encodeURIComponent(most.purl_base)}&range=${encodeURIComponent(range)}&limit=100`, RUNS) : [];
      const rss = peakRssMb(server.child.pid);
      lines.server.push(
        `| ${kind} | ${msOf(lat)} (${UPLOADS} uploads; ${bgDone} background uploads done meanwhile) | ${target ? msOf(httpAff) : '–'} | ${most ? msOf(httpComp) : '–'} | ${rss.toFixed(0)} MB |`,
      );
      console.error(lines.server.at(-1));
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
    }
  }

  // re-match: an update adding 100 advisories for used packages (the store as seen was matched at the start)
  const home2 = path.join(work, `home-${kind}`);
  rmSync(home2, { recursive: true, force: true });
  await storeWithNewAdvisories(lib, db, zips, home2, path.join(work, `src-${kind}`));
  const store2 = lib.AdvisoryStore.open(home2);
  const r0 = performance.now();
  const rematch = await lib.refreshAndRematch(db, lib.storeContext(store2), store2);
  const rematchMs = performance.now() - r0;
  store2.close();
  store.close();
  lines.queries[lines.queries.length - 1] += ` ${(rematchMs / 1000).toFixed(1)} s (${rematch.newFindings.toLocaleString('en')} new findings) |`;
  console.error(`re-match ${kind}: ${(rematchMs / 1000).toFixed(1)} s`);
  await opened.close();
}

const load1 = os.loadavg();
const cpus = os.cpus();
const section = [
  HEADING,
  '',
  `\`node bench/portfolio.mjs\` (\`npm run bench:portfolio\`), N = ${DBS.map((k) => (reached[k] !== undefined && reached[k] < N ? `${reached[k].toLocaleString('en')} reached on ${k} of ${N.toLocaleString('en')} asked (ingest stopped by BENCH_MAX_MINUTES=${MAX_MINUTES})` : `${N.toLocaleString('en')} on ${k}`)).join(', ')}, started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, took ${((Date.now() - started.getTime()) / 60_000).toFixed(0)} min. Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start, ${load1.map((x) => x.toFixed(1)).join(' ')} at the end (the machine is shared: absolute times are pessimistic, ratios are measured in the same run). Synthetic projects from ../shared/realworld (${packages.length.toLocaleString('en')} distinct packages), advisories of ../shared/osv.`,
  '',
  'Ingest (goal: ≥ 0.3 of a bare insert). "Engine" reads the SBOM, matches and triages it (what `vouch scan` does); "store" writes the version: components, version_components (with the edges into each component on its row), findings, aliases, in one transaction. Bare: the same version_components rows, read back, inserted by one prepared INSERT in one transaction (SQLite) or COPY (PostgreSQL), into a table with version_components\' keys / with none.',
  '',
  '| database | projects | component rows | ingest rows/s (engine + store) | store rows/s | bare rows/s (keys / none) | store ÷ bare (keys / none) | engine + store ÷ bare (keys / none) |',
  '|---|---|---|---|---|---|---|---|',
  ...lines.ingest,
  '',
  'Ingest as the portfolio grows (each stretch of projects on its own):',
  '',
  '| database | projects | rows so far | rows/s (engine + store) | store rows/s | store per project |',
  '|---|---|---|---|---|---|',
  ...lines.growth,
  '',
  `Queries as functions, ${RUNS} runs each (goals: affected p95 < 50 ms, components p95 < 100 ms, re-match of 100 new advisories < 10 s):`,
  '',
  '| database | affected: vulnerability | affected p50 / p95 | components: package and range | components p50 / p95 | re-match, 100 new advisories |',
  '|---|---|---|---|---|---|',
  ...lines.queries,
  '',
  ...(HTTP
    ? [
        `Through \`vouch serve\` as a process (HTTP on 127.0.0.1; goals: upload → findings p95 < 2 s, peak RSS < 400 MB). Upload: POST of a 3,000-component CycloneDX SBOM until GET /uploads/{id} says done (findings stored), while 8 other uploads of 200–3,000 components run back to back. Queries: ${RUNS} sequential GETs each.`,
        '',
        '| database | upload → findings p50 / p95 | affected p50 / p95 | components+range p50 / p95 | peak RSS of vouch serve |',
        '|---|---|---|---|---|',
        ...lines.server,
      ]
    : []),
].join('\n');
console.log(section);
if (process.env.BENCH_WRITE !== '0') replaceSection(HEADING, section);
