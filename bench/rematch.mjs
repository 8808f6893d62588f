#!/usr/bin/env node
// Re-match after an advisory update, and upload → findings through `vouch serve` (issue 13's
// benchmark, the parts bench/portfolio.mjs measures at full size), at a small N that can be re-run:
// the portfolio is ingested once into a seed database (SQLite file bench/.work/rematch/seed-N.sqlite /
// PostgreSQL database <prefix>bench_rematch_seed_N) and every run works on a fresh copy of it, so runs
// of different code are compared on the same data. A seed made elsewhere (bench/portfolio.mjs, the same
// schema) is used as it is when it is there under that name; its ingest rate is then unknown.
//   - re-match: the store as ingested, then an update adding 100 advisories (every version
//     affected) for the first 100 used packages; time until refreshAndRematch returned (all new
//     findings stored). Baseline in the same run: re-ingesting those same versions from scratch
//     would cost (engine + store) per row × the rows re-matched — shown as the ingest rate.
//   - BENCH_SERVER=1: `vouch serve` (dist/: run `npm run build` first) over the copy; BENCH_UPLOADS
//     3,000-component uploads polled until done and as many sent with ?wait, alternately, while 8
//     others run back to back; the server's peak RSS.
//
//   BENCH_PROJECTS (default 300)  BENCH_DB=sqlite|postgres|both (default both when BENCH_PG is set)
//   BENCH_PG (a server URL without database; default postgres://postgres@127.0.0.1:5432)
//   BENCH_PG_PREFIX (default vouch_): the PostgreSQL databases are <prefix>bench_rematch_seed_N and
//     <prefix>bench_rematch_N, so runs of several people on one server keep apart
//   BENCH_LIB_ROOT: measure another checkout's code (its bench/portfolio-entry.ts bundled), e.g. a
//     worktree of main for the "before" of a change; the seed is made with it when there is none
//   BENCH_REMATCH_CHUNK: versions per re-match transaction (default: the code's)
//   BENCH_SERVER=1  BENCH_UPLOADS (default 10)  BENCH_LABEL (a word for the RESULTS line)
//   BENCH_WRITE=1 appends the lines printed to bench/.work/rematch/results.txt
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pgAdmin as pgAdminOn, pgDatabaseUrl, generator, getText, loadLib, pct, peakRssMb, shared, startServer, storeWithNewAdvisories, upload, vouchBin } from './portfolio-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.join(here, '.work', 'rematch');
mkdirSync(work, { recursive: true });
const N = Number(process.env.BENCH_PROJECTS ?? 300);
const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const DBS = (process.env.BENCH_DB ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [process.env.BENCH_DB];
const SERVER = process.env.BENCH_SERVER === '1';
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 10);
const LABEL = process.env.BENCH_LABEL ?? '';
const PG_PREFIX = process.env.BENCH_PG_PREFIX ?? 'vouch_';
if (!/^[a-z_][a-z0-9_]*$/.test(PG_PREFIX)) throw new Error(`BENCH_PG_PREFIX must be a lower-case SQL identifier prefix: ${PG_PREFIX}`);

const lib = await loadLib(work, process.env.BENCH_LIB_ROOT ? path.resolve(process.env.BENCH_LIB_ROOT) : undefined);
const gen = await generator(lib);
const load0 = os.loadavg();
const out = [];
const say = (s) => {
  console.log(s);
  out.push(s);
};

// the advisory stores: ../shared/osv as is, and the same plus 100 new advisories (made per kind)
const home = path.join(work, 'home');
const zips = readdirSync(path.join(shared, 'osv')).filter((e) => existsSync(path.join(shared, 'osv', e, 'all.zip')));
if (!existsSync(path.join(home, 'osv.sqlite'))) for (const e of zips) await lib.updateStore({ home, source: path.join(shared, 'osv', e, 'all.zip') });

const pgUrl = (name) => pgDatabaseUrl(PG, name);
const pgAdmin = (text) => pgAdminOn(PG, text);

for (const kind of DBS) {
  const seedFile = path.join(work, `seed-${N}.sqlite`);
  const seedDb = `${PG_PREFIX}bench_rematch_seed_${N}`;
  const hasSeed = kind === 'sqlite' ? existsSync(seedFile) : (await pgAdmin(`SELECT 1 FROM pg_database WHERE datname = '${seedDb}'`)).rowCount > 0;
  if (!hasSeed) {
    if (kind === 'postgres') await pgAdmin(`CREATE DATABASE ${seedDb}`);
    const opened = await lib.openDb(kind === 'sqlite' ? { sqliteFile: seedFile } : { url: pgUrl(seedDb) });
    await lib.migrate(opened.db);
    const store = lib.AdvisoryStore.open(home);
    const timings = { engineMs: 0, storeMs: 0 };
    let rows = 0;
    gen.reseed(20261207);
    for (let i = 0; i < N; i++) {
      const bytes = gen.sbom(i);
      const { uploadId } = await lib.submitDocument(opened.db, { project: `service-${i}`, version: '1', fileName: 'bom.cdx.json', bytes, createProject: true });
      await lib.processUpload(opened.db, lib.storeContext(store), uploadId, { timings });
      rows += JSON.parse(bytes.toString('utf8')).components.length;
      if ((i + 1) % 50 === 0) console.error(`${kind}: ${i + 1} projects, ${rows} rows`);
    }
    const ingestRowsPerS = rows / ((timings.engineMs + timings.storeMs) / 1000);
    writeFileSync(path.join(work, `seed-${kind}-${N}.json`), JSON.stringify({ rows, ingestRowsPerS }));
    await lib.refreshAndRematch(opened.db, lib.storeContext(store), store);
    store.close();
    await opened.close();
  }
  const seedInfoFile = path.join(work, `seed-${kind}-${N}.json`);
  // a seed made elsewhere: its rows are counted below, its ingest rate is unknown
  const seedInfo = existsSync(seedInfoFile) ? JSON.parse(readFileSync(seedInfoFile, 'utf8')) : undefined;

  // a fresh copy of the seed
  let dbArg;
  if (kind === 'sqlite') {
    dbArg = path.join(work, `run-${N}.sqlite`);
    for (const f of ['', '-wal', '-shm']) rmSync(`${dbArg}${f}`, { force: true });
    copyFileSync(seedFile, dbArg);
  } else {
    const runDb = `${PG_PREFIX}bench_rematch_${N}`;
    await pgAdmin(`DROP DATABASE IF EXISTS ${runDb}`);
    await pgAdmin(`CREATE DATABASE ${runDb} TEMPLATE ${seedDb}`);
    dbArg = pgUrl(runDb);
  }
  const opened = await lib.openDb(kind === 'sqlite' ? { sqliteFile: dbArg } : { url: dbArg });
  const db = opened.db;
  // a seed made by older code (or by bench/portfolio.mjs at another commit) is brought to this code's
  // schema first, as `vouch serve --migrate-only` would; timed apart, not part of the re-match
  const m0 = performance.now();
  await lib.migrate(db);
  const migrateMs = performance.now() - m0;
  if (migrateMs > 1000) say(`${LABEL} ${kind} N=${N}: migrating the seed's copy to this code's schema took ${(migrateMs / 1000).toFixed(1)} s`);
  const rows = seedInfo?.rows ?? Number((await db.selectFrom('version_components').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  if (!(await db.selectFrom('advisory_seen').select('id').limit(1).executeTakeFirst())) {
    // a seed never re-matched (bench/portfolio.mjs does not): its first re-match against the store it
    // was ingested with, untimed, so the timed one below is the update's alone
    const store1 = lib.AdvisoryStore.open(home);
    const t0 = performance.now();
    const first = await lib.refreshAndRematch(db, lib.storeContext(store1), store1);
    store1.close();
    console.error(`${kind}: the seed's first re-match (not timed below): ${((performance.now() - t0) / 1000).toFixed(1)} s, ${first.versions} versions, ${first.newFindings} new findings`);
  }

  // re-match of 100 new advisories
  const home2 = path.join(work, `home-${kind}-${N}`);
  if (!existsSync(path.join(home2, 'osv.sqlite'))) {
    await storeWithNewAdvisories(lib, db, zips, home2, path.join(work, `src-${kind}-${N}`));
  }
  const store2 = lib.AdvisoryStore.open(home2);
  const r0 = performance.now();
  // the longest stretch between two chunk commits: what a request waits at most on SQLite's one
  // connection (code without chunks never calls onChunk: the whole run is then one stretch)
  let last = r0;
  let longest = 0;
  let chunks = 0;
  const onChunk = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    chunks++;
  };
  const rematch = await lib.refreshAndRematch(db, lib.storeContext(store2), store2, { onChunk, ...(process.env.BENCH_REMATCH_CHUNK ? { versionChunk: Number(process.env.BENCH_REMATCH_CHUNK) } : {}) });
  const rematchMs = performance.now() - r0;
  longest = Math.max(longest, performance.now() - last);
  store2.close();
  say(
    `${LABEL} ${kind} N=${N} (${rows} component rows): re-match of 100 new advisories ${(rematchMs / 1000).toFixed(2)} s — ${rematch.newFindings} new findings in ${rematch.versions} versions (${chunks ? `${chunks} chunks, the longest ${(longest / 1000).toFixed(2)} s` : 'one transaction'}), ${Math.round(rematch.newFindings / (rematchMs / 1000))} findings/s; ingest of the seed ${seedInfo ? `${Math.round(seedInfo.ingestRowsPerS)} rows/s` : 'not measured (a seed made elsewhere)'}; peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  await opened.close();

  if (SERVER) {
    // the store the copy was just re-matched against: the server's start finds nothing to re-match (on
    // SQLite a re-match is one transaction on the one connection, which every request waits for)
    const token = execFileSync(process.execPath, [vouchBin, 'token', 'create', '--name', 'bench', '--role', 'admin', '--database', dbArg, '--home', home2], { encoding: 'utf8' }).trim();
    const extra = kind === 'postgres' ? ['--jobs-schema', 'bench_pgboss'] : [];
    const server = await startServer(dbArg, home2, extra, { NODE_ARGS: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean) });
    // what the server's memory is: its own /metrics (prom-client's process and V8 heap gauges), each second
    const peaks = {};
    const sampler = setInterval(() => {
      getText(`${server.base}/metrics`, token)
        .then((text) => {
          for (const m of text.matchAll(/^vouch_(process_resident_memory_bytes|nodejs_heap_size_used_bytes|nodejs_heap_size_total_bytes|nodejs_external_memory_bytes) (\S+)$/gm)) peaks[m[1]] = Math.max(peaks[m[1]] ?? 0, Number(m[2]) / 2 ** 20);
        })
        .catch(() => undefined);
    }, 1000);
    try {
      let stop = false;
      let bgDone = 0;
      gen.reseed(424242);
      const background = Array.from({ length: 8 }, async (_, k) => {
        for (let j = 0; !stop; j++) {
          await upload(server.base, token, `bench-bg-${k}`, gen.sbom(N + 1000 * k + j));
          bgDone++;
        }
      });
      await sleep(1000); // the 8 are running
      // the same 3,000-component uploads, alternately polled (as bench/portfolio.mjs does: queued with
      // the background ones) and sent with ?wait=60 (a waiting client: ingested first)
      const lat = { polled: [], waited: [] };
      for (let j = 0; j < 2 * UPLOADS; j++) {
        const wait = j % 2 === 1;
        lat[wait ? 'waited' : 'polled'].push(await upload(server.base, token, `bench-fg-${j}`, gen.sbom(N + 100_000 + j, 3000), { wait }));
      }
      stop = true;
      await Promise.all(background);
      clearInterval(sampler);
      const p = (xs) => `${pct(xs, 50).toFixed(0)} / ${pct(xs, 95).toFixed(0)} ms`;
      say(
        `${LABEL} ${kind} N=${N}: upload → findings p50 / p95, polled ${p(lat.polled)}, with ?wait ${p(lat.waited)} (${UPLOADS} uploads of 3,000 components each way; ${bgDone} background uploads done meanwhile); peak RSS of vouch serve ${peakRssMb(server.child.pid).toFixed(0)} MB${process.env.BENCH_SERVER_NODE_ARGS ? ` (node ${process.env.BENCH_SERVER_NODE_ARGS})` : ''}; sampled each second, the largest: ${Object.entries(peaks).map(([k, v]) => `${k.replace(/_bytes$/, '')} ${v.toFixed(0)} MB`).join(', ')}`,
      );
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
    }
  }
}
const load1 = os.loadavg();
say(`  (${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load average ${load0[0].toFixed(1)} → ${load1[0].toFixed(1)})`);
if (process.env.BENCH_WRITE === '1') appendFileSync(path.join(work, 'results.txt'), out.join('\n') + '\n');
