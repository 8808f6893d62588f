/**
 * Issue 13 item 9 and "Bad input and faults", with `vouch serve` processes as an operator runs them:
 *
 *   PostgreSQL — two `vouch serve --role all` nodes on one database (and one job queue), 200 uploads
 *     spread over both, one node killed with SIGKILL in the middle and started again: every upload
 *     ends done, no duplicate components, findings or events; then one advisory re-match asked of
 *     both nodes at once is run once (one rematch_runs row, one set of events).
 *   SQLite — the single node killed with SIGKILL while it ingests a large real SBOM: after a restart
 *     the upload ends done with the same rows as an uninterrupted ingest on a fresh database.
 *
 * The counts expected are computed here from the documents sent (and Log4Shell's affected range,
 * < 2.15.0, from its advisory), not read back from the server.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG4J_ADVISORIES, osvRecord, osvRecords } from '../../src/portfolio/portfolio-testing.js';
import { TEST_PG_URL, withSearchPath } from '../../src/testing/db.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { inPool, tempDir, vouch } from './helpers.js';
import { type ServeProcess, pgAdmin, startServe } from './server-helpers.js';

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Polls `check` every `everyMs` until it returns true (at most `seconds`). */
async function until(seconds: number, check: () => Promise<boolean>, everyMs = 250): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still not so after ${seconds} s`);
    await sleep(everyMs);
  }
}

function killHard(p: ServeProcess | undefined): Promise<unknown> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  p.child.kill('SIGKILL');
  return p.exited;
}

/** An advisory that does not exist: log4j-core from 2.17.0 up to 2.17.2 (2.17.1 inside, the others outside). */
const NEW_ID = 'VOUCH-TEST-2026-0002';

async function writeRecords(dir: string, extra: Record<string, string> = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [id, text] of await osvRecords('Maven', LOG4J_ADVISORIES)) writeFileSync(path.join(dir, `${id}.json`), text);
  for (const [id, text] of Object.entries(extra)) writeFileSync(path.join(dir, `${id}.json`), text);
}

const LOG4J_VERSIONS = ['2.14.1', '2.15.0', '2.16.0', '2.17.1'] as const;
const LIBS = 150;
const POOL = 400;

/** Document i: service svc-i with log4j-core at LOG4J_VERSIONS[i % 4] and 150 libraries of a shared pool of 400. */
function serviceSbom(i: number): { text: string; purls: string[]; log4j: string } {
  const log4j = LOG4J_VERSIONS[i % LOG4J_VERSIONS.length]!;
  const libs = Array.from({ length: LIBS }, (_, j) => {
    const k = (i * 37 + j * 13) % POOL;
    return { ref: `lib-${k}`, purl: `pkg:maven/com.example.nodes/lib-${k}@1.${k % 5}.0`, name: `lib-${k}`, version: `1.${k % 5}.0` };
  });
  const components = [
    { type: 'library', 'bom-ref': 'log4j-core', group: 'org.apache.logging.log4j', name: 'log4j-core', version: log4j, purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${log4j}` },
    ...libs.map((l) => ({ type: 'library', 'bom-ref': l.ref, group: 'com.example.nodes', name: l.name, version: l.version, purl: l.purl })),
  ];
  const text = JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: `svc-${i}`, 'bom-ref': 'app' } },
    components,
    dependencies: [{ ref: 'app', dependsOn: ['log4j-core', ...libs.map((l) => l.ref)] }, { ref: 'log4j-core' }, ...libs.map((l) => ({ ref: l.ref }))],
  });
  return { text, purls: components.map((c) => c.purl), log4j };
}

interface Planned {
  project: string;
  version: string;
  doc: number;
}

/**
 * 200 uploads: 170 distinct (85 projects × versions 1.0 and 2.0, each its own document), 15 that
 * send an earlier upload's bytes again to the same project version (the same upload), and 15 that
 * send an earlier document to a project of its own (a new upload of stored bytes).
 */
function plan(): Planned[] {
  const out: Planned[] = [];
  for (let i = 0; i < 170; i++) out.push({ project: `svc-${i % 85}`, version: `${1 + Math.floor(i / 85)}.0`, doc: i });
  for (let i = 0; i < 15; i++) out.push({ ...out[i * 11]! });
  for (let i = 0; i < 15; i++) out.push({ project: `copy-${i}`, version: '1.0', doc: i * 7 });
  return out;
}

describe.skipIf(!HAS_SHARED || !TEST_PG_URL)('two vouch serve nodes on one PostgreSQL (issue 13 item 9; needs VOUCH_TEST_PG, which CI sets)', () => {
  let work = '';
  const homes: string[] = [];
  let schema = '';
  let database = '';
  let admin = '';
  const nodes: (ServeProcess | undefined)[] = [undefined, undefined];
  let pg: PgClient;

  const rows = async <T>(text: string, values: unknown[] = []): Promise<T[]> => (await pg.query(text, values)).rows as T[];
  const start = (n: number) => startServe(['--role', 'all', '--jobs-schema', `${schema}_boss`], { VOUCH_HOME: homes[n]!, VOUCH_DATABASE_URL: database, VOUCH_SERVER: '' });

  beforeAll(async () => {
    work = tempDir('nodes-work');
    schema = `nodes_${process.pid}_${Date.now().toString(36)}`;
    await pgAdmin(`CREATE SCHEMA ${schema}`);
    database = withSearchPath(TEST_PG_URL!, schema);
    // each node its own home (advisory store): they share the database and nothing else
    await writeRecords(path.join(work, 'osv-1'));
    for (const n of [0, 1]) {
      homes.push(tempDir(`node-${n}`));
      const load = vouch(['db', 'update', '--source', path.join(work, 'osv-1'), '--quiet'], { VOUCH_HOME: homes[n]! });
      expect(load.code, load.stderr).toBe(0);
    }
    const tok = vouch(['token', 'create', '--name', 'ops', '--role', 'admin', '--json'], { VOUCH_HOME: homes[0]!, VOUCH_DATABASE_URL: database, VOUCH_SERVER: '' });
    expect(tok.code, tok.stderr).toBe(0);
    admin = (JSON.parse(tok.stdout) as { token: string }).token;
    const { default: PG } = await import('pg');
    pg = new PG.Client({ connectionString: database });
    await pg.connect();
    // both at once: two nodes migrating and creating the job queue together
    [nodes[0], nodes[1]] = await Promise.all([start(0), start(1)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map(killHard));
    await pg?.end();
    if (schema) {
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
    }
    for (const d of [work, ...homes]) rmSync(d, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${admin}` });

  it('ends every one of 200 uploads done with one node killed in the middle, without duplicates', async () => {
    const uploads = plan();
    const docs = new Map<number, ReturnType<typeof serviceSbom>>();
    for (const u of uploads) if (!docs.has(u.doc)) docs.set(u.doc, serviceSbom(u.doc));

    let acknowledged = 0;
    let killedAt: { unfinished: number } | undefined;
    let killing: Promise<unknown> | undefined;
    const post = async (u: Planned, n: number): Promise<{ id: string; state: string }> => {
      const r = await fetch(`${nodes[n]!.url}/api/v1/projects/${u.project}/versions/${u.version}/documents?file=bom.cdx.json`, { method: 'POST', headers: auth(), body: docs.get(u.doc)!.text });
      expect(r.status).toBe(202);
      return ((await r.json()) as { upload: { id: string; state: string } }).upload;
    };
    const ids = await inPool(uploads.map((u, i) => ({ u, i })), 6, async ({ u, i }) => {
      const target = killing ? 1 : i % 2;
      let up: { id: string; state: string };
      try {
        up = await post(u, target);
      } catch (e) {
        // node 0 died with this request in flight: not acknowledged, so a client sends it again
        if (target !== 0 || !killing) throw e;
        up = await post(u, 1);
      }
      acknowledged++;
      if (acknowledged === 70 && !killing) {
        const [c] = await rows<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE state IN ('queued', 'running')`);
        killedAt = { unfinished: Number(c!.n) };
        killing = killHard(nodes[0]);
        await killing;
      }
      return up.id;
    });
    expect(await nodes[0]!.exited).toBe('SIGKILL');
    // the kill came while uploads were waiting or being ingested
    expect(killedAt!.unfinished).toBeGreaterThan(0);

    // a repeat of the same bytes to the same project version is the same upload
    for (let i = 0; i < 15; i++) expect(ids[170 + i]).toBe(ids[i * 11]);
    const distinct = new Set(ids);
    expect(distinct.size).toBe(185);

    // the killed node comes back; the work it held is finished (by it or the other node)
    nodes[0] = await start(0);
    await until(300, async () => {
      const [c] = await rows<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE state <> 'done'`);
      return Number(c!.n) === 0;
    });
    const states = await rows<{ id: string; state: string; components: number }>(`SELECT id, state, components FROM uploads`);
    expect(states).toHaveLength(185);
    expect(new Set(states.map((s) => s.id))).toEqual(distinct);
    expect(states.every((s) => s.state === 'done' && s.components === LIBS + 1)).toBe(true);

    // components: one row per purl, exactly the purls sent
    const purls = new Set([...docs.values()].flatMap((d) => d.purls));
    expect(await rows(`SELECT purl FROM components GROUP BY purl HAVING count(*) > 1`)).toEqual([]);
    expect(Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM components`))[0]!.n)).toBe(purls.size);
    // every version links each of its components once
    expect(Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM project_versions`))[0]!.n)).toBe(185);
    expect(Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM version_components`))[0]!.n)).toBe(185 * (LIBS + 1));
    expect(await rows(`SELECT version_id, component_id FROM version_components GROUP BY version_id, component_id HAVING count(*) > 1`)).toEqual([]);
    // findings: none twice; Log4Shell (< 2.15.0) on exactly the versions sent log4j-core 2.14.1
    expect(await rows(`SELECT version_id, component_id, vuln_id FROM findings GROUP BY version_id, component_id, vuln_id HAVING count(*) > 1`)).toEqual([]);
    const log4shell = await rows<{ project: string; version: string }>(
      `SELECT p.name AS project, v.version FROM findings f JOIN project_versions v ON v.id = f.version_id JOIN projects p ON p.id = v.project_id WHERE f.vuln_id = 'GHSA-jfh8-c2jp-5v3q' AND f.resolved_at IS NULL`,
    );
    const want = new Set(uploads.filter((u) => docs.get(u.doc)!.log4j === '2.14.1').map((u) => `${u.project}@${u.version}`));
    expect(log4shell.map((r) => `${r.project}@${r.version}`).sort()).toEqual([...want].sort());
    // ingest records no events, and the start-up re-matches (three starts, one store) ran once
    expect(await rows(`SELECT id FROM events`)).toEqual([]);
    expect(await rows(`SELECT generation FROM rematch_runs`)).toHaveLength(1);
  }, 600_000);

  it('re-matches once when both nodes are asked at the same time', async () => {
    const records = path.join(work, 'osv-2');
    await writeRecords(records, { [NEW_ID]: osvRecord(NEW_ID, { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '2.17.0', fixed: '2.17.2', modified: '2026-12-01T00:00:00Z' }) });
    for (const home of homes) {
      const update = vouch(['db', 'update', '--source', records, '--quiet'], { VOUCH_HOME: home });
      expect(update.code, update.stderr).toBe(0);
    }
    const asked = await Promise.all(
      nodes.map((n) => fetch(`${n!.url}/api/v1/advisories/update`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"rematchOnly":true}' })),
    );
    expect(asked.map((r) => r.status)).toEqual([202, 202]);
    const jobs = (await Promise.all(asked.map((r) => r.json() as Promise<{ job: string }>))).map((j) => j.job);
    // both jobs have run to the end (one re-matched, the other found the generation taken)
    await until(120, async () => {
      const done = await rows<{ state: string }>(`SELECT state FROM ${schema}_boss.job WHERE id = ANY($1::uuid[])`, [jobs]);
      return done.length === 2 && done.every((j) => j.state === 'completed');
    });

    const runs = await rows<{ generation: string; new_findings: number }>(`SELECT generation, new_findings FROM rematch_runs ORDER BY at`);
    expect(runs).toHaveLength(2);
    // the versions sent log4j-core 2.17.1, each with one new finding and one event
    const want = plan()
      .filter((u) => serviceSbom(u.doc).log4j === '2.17.1')
      .map((u) => `${u.project}@${u.version}`);
    const expected = [...new Set(want)].sort();
    expect(expected.length).toBeGreaterThan(40);
    expect(runs[1]!.new_findings).toBe(expected.length);
    const events = await rows<{ type: string; project: string; version: string; vuln: string; purl: string; generation: string }>(`SELECT type, project, version, vuln, purl, generation FROM events`);
    expect(events.every((e) => e.type === 'finding.new' && e.vuln === NEW_ID && e.purl === 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1' && e.generation === runs[1]!.generation)).toBe(true);
    expect(events.map((e) => `${e.project}@${e.version}`).sort()).toEqual(expected);
    const found = await rows<{ n: string }>(`SELECT count(*) AS n FROM findings WHERE vuln_id = $1`, [NEW_ID]);
    expect(Number(found[0]!.n)).toBe(expected.length);
  }, 300_000);
});

describe.skipIf(!HAS_SHARED)('vouch serve on SQLite killed during an ingest (issue 13 "Bad input and faults")', () => {
  let work = '';
  let home = '';
  let sbom = '';
  let server: ServeProcess | undefined;

  beforeAll(() => {
    work = tempDir('sqlite-kill');
    home = path.join(work, 'home');
    const load = vouch(['db', 'update', '--source', shared('osv'), '--quiet'], { VOUCH_HOME: home });
    expect(load.code, load.stderr).toBe(0);
    // every lockfile of ../shared/realworld in one SBOM (about 7,800 components): its ingest takes
    // long enough to be killed half-way (one project's, about 1,000, is done before a poll sees it)
    sbom = path.join(work, 'realworld.cdx.json');
    const r = vouch(['sbom', shared('realworld'), '-f', 'cyclonedx-json', '--deterministic', '-o', sbom], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await killHard(server);
    rmSync(work, { recursive: true, force: true });
  });

  /** Row counts of a portfolio database (the SQLite file of a vouch home). */
  async function counts(file: string): Promise<Record<string, number>> {
    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(file, { readonly: true });
    try {
      const out: Record<string, number> = {};
      for (const t of ['uploads', 'project_versions', 'components', 'version_components', 'findings', 'vuln_aliases', 'events']) {
        out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      }
      // the dependency edges: each component row's parents (comma-separated ids)
      out['edges'] = (db.prepare(`SELECT coalesce(sum(length(parents) - length(replace(parents, ',', '')) + 1), 0) AS n FROM version_components WHERE parents != ''`).get() as { n: number }).n;
      out['open_findings'] = (db.prepare(`SELECT count(*) AS n FROM findings WHERE resolved_at IS NULL`).get() as { n: number }).n;
      return out;
    } finally {
      db.close();
    }
  }

  async function serveIn(dir: string): Promise<{ node: ServeProcess; token: string }> {
    const env = { VOUCH_HOME: home, VOUCH_SERVER: '', VOUCH_DATABASE_URL: '' };
    // the state in `dir`, the advisory store of the shared home
    const tok = vouch(['token', 'create', '--name', 'ops', '--role', 'admin', '--json', '--database', path.join(dir, 'portfolio.sqlite')], env);
    expect(tok.code, tok.stderr).toBe(0);
    const node = await startServe(['--database', path.join(dir, 'portfolio.sqlite')], env);
    return { node, token: (JSON.parse(tok.stdout) as { token: string }).token };
  }

  async function uploadState(node: ServeProcess, token: string, id: string): Promise<{ state: string; components?: number; findings?: number }> {
    const r = await fetch(`${node.url}/api/v1/uploads/${id}`, { headers: { authorization: `Bearer ${token}` } });
    return (await r.json()) as { state: string; components?: number; findings?: number };
  }

  it('resumes the ingest after a restart and ends as an uninterrupted run', async () => {
    const bytes = readFileSync(sbom);
    // the uninterrupted run, on a database of its own
    const cleanDir = path.join(work, 'clean');
    const clean = await serveIn(cleanDir);
    const up = await fetch(`${clean.node.url}/api/v1/projects/realworld/versions/main/documents?file=bom.cdx.json`, { method: 'POST', headers: { authorization: `Bearer ${clean.token}` }, body: bytes });
    expect(up.status).toBe(202);
    const cleanId = ((await up.json()) as { upload: { id: string } }).upload.id;
    let view = await uploadState(clean.node, clean.token, cleanId);
    await until(180, async () => ['done', 'failed'].includes((view = await uploadState(clean.node, clean.token, cleanId)).state));
    expect(view.state).toBe('done');
    clean.node.child.kill('SIGTERM');
    expect(await clean.node.exited).toBe(0);
    const expected = await counts(path.join(cleanDir, 'portfolio.sqlite'));
    expect(expected['components']).toBeGreaterThan(5000);
    expect(expected['findings']).toBeGreaterThan(0);

    // the same document, the server killed while it ingests
    const crashDir = path.join(work, 'crash');
    const first = await serveIn(crashDir);
    server = first.node;
    const sent = await fetch(`${server.url}/api/v1/projects/realworld/versions/main/documents?file=bom.cdx.json`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` }, body: bytes });
    expect(sent.status).toBe(202);
    const id = ((await sent.json()) as { upload: { id: string } }).upload.id;
    // read from the database file, not the API: the node answers no request while its job holds the
    // event loop (the engine's scan and better-sqlite3 are synchronous), so the API shows queued, then done
    const { default: SQLite } = await import('better-sqlite3');
    const watch = new SQLite(path.join(crashDir, 'portfolio.sqlite'), { readonly: true });
    const stateOf = watch.prepare('SELECT state FROM uploads WHERE id = ?');
    let seen = '';
    try {
      await until(60, async () => (seen = (stateOf.get(id) as { state: string }).state) !== 'queued', 5);
      await killHard(server);
    } finally {
      watch.close();
    }
    // killed while the job ran (not after it was done)
    expect(seen).toBe('running');
    expect(server.child.signalCode).toBe('SIGKILL');
    const mid = await counts(path.join(crashDir, 'portfolio.sqlite'));
    expect(mid['uploads']).toBe(1);
    // nothing of the version was stored: the ingest was cut before its transaction committed
    expect(mid['project_versions']).toBe(0);

    server = await startServe(['--database', path.join(crashDir, 'portfolio.sqlite')], { VOUCH_HOME: home, VOUCH_SERVER: '', VOUCH_DATABASE_URL: '' });
    await until(180, async () => ['done', 'failed'].includes((view = await uploadState(server!, first.token, id)).state));
    expect(view.state).toBe('done');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await counts(path.join(crashDir, 'portfolio.sqlite'))).toEqual(expected);
  }, 600_000);
});

