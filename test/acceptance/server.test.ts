/**
 * Issue 13's "Done when", through bin/vouch as a user runs it: `vouch serve` as a process, two
 * projects pushed with `vouch push` (log4j-core 2.14.1 and 2.17.1), `vouch query affected
 * CVE-2021-44228` naming only the 2.14.1 one; then a `vouch db update` adding an advisory for
 * 2.17.1 and an advisory refresh make the other project appear without any new upload; SIGTERM
 * stops the server with exit 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG4J_ADVISORIES, osvRecord, osvRecords } from '../../src/portfolio/portfolio-testing.js';
import { TEST_PG_URL, testDbs, withSearchPath } from '../../src/testing/db.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { VOUCH, log4jCycloneDx, tempDir, vouch, vouchAsync } from './helpers.js';
import { pgAdmin } from './server-helpers.js';

/** An advisory that does not exist: log4j-core from 2.17.0 up to 2.17.2 (2.17.1 inside, 2.14.1 outside). */
const NEW_ID = 'VOUCH-TEST-2026-0001';
const NEW_CVE = 'CVE-2026-0999001';

describe.skipIf(!HAS_SHARED).each(testDbs())('vouch serve, push and query (issue 13) on $name', (kind) => {
  let home = '';
  let work = '';
  let server: ChildProcess | undefined;
  let url = '';
  let stderr = '';
  let admin = '';
  /** PostgreSQL: a schema of this test's own (search_path in the URL), and one for its job queue. */
  let database: Record<string, string> = {};
  let schema = '';
  const local = (): Record<string, string> => ({ VOUCH_HOME: home, VOUCH_SERVER: '', ...database });
  const env = (): Record<string, string> => ({ VOUCH_HOME: home, VOUCH_SERVER: url, ...database });

  beforeAll(async () => {
    home = tempDir('server-home');
    work = tempDir('server-work');
    if (kind.name === 'postgres') {
      schema = `acc_${process.pid}_${Date.now().toString(36)}`;
      await pgAdmin(`CREATE SCHEMA ${schema}`);
      database = { VOUCH_DATABASE_URL: withSearchPath(TEST_PG_URL!, schema) };
    }
    const records = await osvRecords('Maven', LOG4J_ADVISORIES);
    const first = path.join(work, 'osv-1');
    mkdirSync(first);
    for (const [id, text] of records) writeFileSync(path.join(first, `${id}.json`), text);
    const load = vouch(['db', 'update', '--source', first, '--quiet'], { VOUCH_HOME: home });
    expect(load.code, load.stderr).toBe(0);

    const tok = vouch(['token', 'create', '--name', 'ops', '--role', 'admin', '--json'], local());
    expect(tok.code, tok.stderr).toBe(0);
    admin = (JSON.parse(tok.stdout) as { token: string }).token;
    expect(admin).toMatch(/^vouch_[A-Za-z0-9_-]{43}$/);

    const jobs = schema ? ['--jobs-schema', `${schema}_boss`] : [];
    server = spawn(process.execPath, [VOUCH, 'serve', '--port', '0', '--log-level', 'warn', ...jobs], { env: { ...process.env, ...local() }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vouch serve did not start: ${stderr}`)), 60_000);
      server!.stderr!.on('data', () => {
        const m = /serving (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      server!.on('exit', (code) => reject(new Error(`vouch serve exited ${code}: ${stderr}`)));
    });
  });

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    if (schema) {
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
    }
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('pushes two projects and answers who runs the vulnerable log4j-core', async () => {
    writeFileSync(path.join(work, 'billing.cdx.json'), log4jCycloneDx('2.14.1'));
    writeFileSync(path.join(work, 'payments.cdx.json'), log4jCycloneDx('2.17.1'));
    const pushEnv = { ...env(), VOUCH_TOKEN: admin };
    const billing = await vouchAsync(['push', path.join(work, 'billing.cdx.json'), '--project', 'billing', '--version', '1.0.0', '--wait', '-f', 'json'], pushEnv);
    // --wait exits like vouch scan: findings → 1
    expect(billing.code, billing.stderr).toBe(1);
    expect((JSON.parse(billing.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id)).toContain('GHSA-jfh8-c2jp-5v3q');
    const payments = await vouchAsync(['push', path.join(work, 'payments.cdx.json'), '--project', 'payments', '--version', '1.0.0', '--wait', '-f', 'json'], pushEnv);
    expect(payments.code, payments.stderr).toBe(0);
    expect((JSON.parse(payments.stdout) as { findings: unknown[] }).findings).toEqual([]);

    const q = await vouchAsync(['query', 'affected', 'CVE-2021-44228', '-f', 'json'], { ...env(), VOUCH_TOKEN: admin });
    expect(q.code, q.stderr).toBe(0);
    const rows = JSON.parse(q.stdout) as { project: string; version: string; purl: string; path: string[] }[];
    expect(rows.map((r) => [r.project, r.version, r.purl])).toEqual([['billing', '1.0.0', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']]);

    const table = await vouchAsync(['query', 'affected', 'CVE-2021-44228'], { ...env(), VOUCH_TOKEN: admin });
    expect(table.stdout).toMatch(/billing/);
    expect(table.stdout).not.toMatch(/payments/);
  });

  it('finds the other project after an advisory update, without a new upload', async () => {
    const second = path.join(work, 'osv-2');
    mkdirSync(second);
    for (const [id, text] of await osvRecords('Maven', LOG4J_ADVISORIES)) writeFileSync(path.join(second, `${id}.json`), text);
    writeFileSync(
      path.join(second, `${NEW_ID}.json`),
      osvRecord(NEW_ID, { aliases: [NEW_CVE], ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '2.17.0', fixed: '2.17.2', modified: '2026-12-01T00:00:00Z' }),
    );
    const update = vouch(['db', 'update', '--source', second, '--quiet'], { VOUCH_HOME: home });
    expect(update.code, update.stderr).toBe(0);
    const before = await vouchAsync(['query', 'affected', NEW_CVE, '-f', 'json'], { ...env(), VOUCH_TOKEN: admin });
    expect(JSON.parse(before.stdout)).toEqual([]);

    // the store was updated by hand on the node's home: re-match against it, nothing downloaded
    const r = await fetch(`${url}/api/v1/advisories/update`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"rematchOnly":true}' });
    expect(r.status).toBe(202);

    let rows: { project: string; version: string; purl: string }[] = [];
    for (let i = 0; i < 120 && rows.length === 0; i++) {
      const q = await vouchAsync(['query', 'affected', NEW_CVE, '-f', 'json'], { ...env(), VOUCH_TOKEN: admin });
      expect(q.code, q.stderr).toBe(0);
      rows = JSON.parse(q.stdout) as typeof rows;
      if (!rows.length) await new Promise((res) => setTimeout(res, 500));
    }
    expect(rows.map((x) => [x.project, x.purl])).toEqual([['payments', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1']]);
    // the re-match recorded it as an event
    const ev = await fetch(`${url}/api/v1/events?type=finding.new`, { headers: { authorization: `Bearer ${admin}` } });
    const events = ((await ev.json()) as { items: { project: string; vuln: string; purl: string }[] }).items.filter((e) => e.vuln === NEW_ID);
    expect(events.map((e) => [e.project, e.purl])).toEqual([['payments', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1']]);
    // nothing was uploaded again: each project still has its one version
    for (const p of ['billing', 'payments']) {
      const v = await fetch(`${url}/api/v1/projects/${p}/versions`, { headers: { authorization: `Bearer ${admin}` } });
      expect(((await v.json()) as { items: unknown[] }).items).toHaveLength(1);
    }
    // and Log4Shell still names only billing
    const q = await vouchAsync(['query', 'affected', 'CVE-2021-44228', '-f', 'json'], { ...env(), VOUCH_TOKEN: admin });
    expect((JSON.parse(q.stdout) as { project: string }[]).map((x) => x.project)).toEqual(['billing']);
  });

  it('makes, lists and revokes tokens through the API; a viewer of one project sees only that project', async () => {
    const asAdmin = { ...env(), VOUCH_TOKEN: admin };
    const mk = await vouchAsync(['token', 'create', '--name', 'payments-team', '--role', 'viewer', '--project', 'payments'], asAdmin);
    expect(mk.code, mk.stderr).toBe(0);
    const viewer = mk.stdout.trim();
    expect(viewer).toMatch(/^vouch_[A-Za-z0-9_-]{43}$/);
    const id = /^vouch: token ([0-9a-f-]{36}) \(viewer, projects payments\) created/.exec(mk.stderr)?.[1];
    expect(id, mk.stderr).toBeDefined();
    const list = await vouchAsync(['token', 'list'], asAdmin);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+payments-team\\s+viewer\\s+projects payments\\s`, 'm'));
    expect(list.stdout).not.toContain(viewer);

    const asViewer = { ...env(), VOUCH_TOKEN: viewer };
    // Log4Shell is billing's, which this viewer cannot see; the new advisory is payments'
    expect(JSON.parse((await vouchAsync(['query', 'affected', 'CVE-2021-44228', '-f', 'json'], asViewer)).stdout)).toEqual([]);
    expect((JSON.parse((await vouchAsync(['query', 'affected', NEW_CVE, '-f', 'json'], asViewer)).stdout) as { project: string }[]).map((r) => r.project)).toEqual(['payments']);
    // a viewer makes no tokens
    const denied = await vouchAsync(['token', 'create', '--name', 'x', '--role', 'admin'], asViewer);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/^vouch: server answered 403 forbidden: a viewer token may not POST \/api\/v1\/tokens$/m);

    const rv = await vouchAsync(['token', 'revoke', id!], asAdmin);
    expect(rv.code, rv.stderr).toBe(0);
    const after = await vouchAsync(['query', 'affected', NEW_CVE], asViewer);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^vouch: server answered 401 unauthorized: the token is not known or was revoked$/m);
    // straight from the database (no server): the revoked token is listed as revoked
    const direct = await vouchAsync(['token', 'list', '--json'], local());
    const rows = JSON.parse(direct.stdout) as { id: string; revokedAt?: string }[];
    expect(rows.find((r) => r.id === id)?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('answers the same question from the database without a server', async () => {
    const q = await vouchAsync(['query', 'affected', 'CVE-2021-44228', '-f', 'json'], local());
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { project: string }[]).map((x) => x.project)).toEqual(['billing']);
    const c = await vouchAsync(['query', 'component', 'pkg:maven/org.apache.logging.log4j/log4j-core', '--range', 'vers:maven/<2.17.1', '-f', 'json'], local());
    expect(c.code, c.stderr).toBe(0);
    expect((JSON.parse(c.stdout) as { project: string; purl: string }[]).map((x) => [x.project, x.purl])).toEqual([['billing', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']]);
  });

  it('pushes a folder as the CycloneDX SBOM vouch sbom writes for it, read as vouch scan reads it', async () => {
    const dir = shared('realworld', 'OWASP__NodeGoat');
    const sbom = vouch(['sbom', dir, '-f', 'cyclonedx-json', '--deterministic', '-o', path.join(work, 'nodegoat.cdx.json')], local());
    expect(sbom.code, sbom.stderr).toBe(0);
    // what vouch scan counts in that SBOM (its components and the project it describes)
    const scan = vouch(['scan', path.join(work, 'nodegoat.cdx.json'), '-f', 'json', '--quiet'], local());
    const expected = (JSON.parse(scan.stdout) as { summary: { components: number } }).summary.components;
    expect(expected).toBeGreaterThan(1000);
    const r = await vouchAsync(['push', dir, '--project', 'nodegoat', '--version', 'main'], { ...env(), VOUCH_TOKEN: admin });
    expect(r.code, r.stderr).toBe(0);
    const upload = JSON.parse(r.stdout) as { id: string; state: string; fileName: string };
    expect(upload.fileName).toBe('bom.cdx.json');
    let view: { state: string; components?: number } = upload;
    for (let i = 0; i < 240 && view.state !== 'done' && view.state !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 250));
      view = (await (await fetch(`${url}/api/v1/uploads/${upload.id}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as typeof view;
    }
    expect(view.state).toBe('done');
    expect(view.components).toBe(expected);
  });

  it('exits 2 with the server\'s one line when a pushed document cannot be read', async () => {
    writeFileSync(path.join(work, 'broken.cdx.json'), '{"bomFormat": "CycloneDX",\n "components": [ }');
    const r = await vouchAsync(['push', path.join(work, 'broken.cdx.json'), '--project', 'billing', '--version', 'broken', '--wait'], { ...env(), VOUCH_TOKEN: admin });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vouch: .*broken\.cdx\.json.*not valid JSON/m);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    // billing's current version is still the good one
    const v = await fetch(`${url}/api/v1/projects/billing`, { headers: { authorization: `Bearer ${admin}` } });
    expect(((await v.json()) as { currentVersion: string }).currentVersion).toBe('1.0.0');
  });

  it('refuses a push without a valid token, with one line', async () => {
    const r = await vouchAsync(['push', path.join(work, 'billing.cdx.json'), '--project', 'billing'], { ...env(), VOUCH_TOKEN: 'vouch_not-a-real-token' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vouch: server answered 401 unauthorized: /m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('stops on SIGTERM with exit 0', async () => {
    const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)));
    server!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/vouch: stopped/);
    expect(stderr).not.toContain(admin);
  });
});
