/**
 * Issue 14's first "Done when", with processes, through bin/vouch as a team runs it: `vouch serve`
 * started as a process; three projects pushed with `vouch push` (two on log4j-core 2.14.1, one on
 * 2.17.1); `vouch incident open` for CVE-2021-44228 opens two tasks; a notification rule's receiver
 * (an HTTP server here, failing the first two deliveries) gets every change, each signature checked
 * here; one project pushes 2.17.1 and its task is patched by itself; the other records
 * not_affected with a justification, whose exported OpenVEX, pushed with `vouch vex push` into a
 * SECOND server process, gives the same analysis there; the burndown reaches zero and
 * `vouch incident status -f markdown` lists both outcomes with their times. Then CISA's KEV catalogue
 * loaded with `vouch db update --kev` turns into finding.kev notifications. SQLite, and PostgreSQL
 * when VOUCH_TEST_PG is set.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG4J_ADVISORIES, osvRecords } from '../../src/portfolio/portfolio-testing.js';
import { TEST_PG_URL, testDbs, withSearchPath } from '../../src/testing/db.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { log4jCycloneDx, tempDir, vouch, vouchAsync } from './helpers.js';
import { type ServeProcess, pgAdmin, startServe } from './server-helpers.js';

const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** One `vouch serve` with its own home (advisory store, SQLite) or PostgreSQL schema, and an admin token. */
interface Node {
  home: string;
  database: Record<string, string>;
  schema: string;
  serve?: ServeProcess;
  admin: string;
}

describe.skipIf(!HAS_SHARED).each(testDbs())('the Log4Shell response, end to end with processes, on $name', (kind) => {
  const a: Node = { home: '', database: {}, schema: '', admin: '' };
  const b: Node = { home: '', database: {}, schema: '', admin: '' };
  let work = '';
  let receiver: Server | undefined;
  let receiverUrl = '';
  const received: Received[] = [];

  const local = (n: Node): Record<string, string> => ({ VOUCH_HOME: n.home, VOUCH_SERVER: '', ...n.database });
  const remote = (n: Node): Record<string, string> => ({ VOUCH_HOME: n.home, VOUCH_SERVER: n.serve!.url, VOUCH_TOKEN: n.admin });
  const api = async (n: Node, method: string, route: string, body?: object): Promise<Response> =>
    fetch(`${n.serve!.url}${route}`, { method, headers: { authorization: `Bearer ${n.admin}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const push = async (n: Node, project: string, version: string, log4j: string): Promise<void> => {
    const file = path.join(work, `${project}-${version}.cdx.json`);
    writeFileSync(file, log4jCycloneDx(log4j));
    const r = await vouchAsync(['push', file, '--project', project, '--version', version, '--wait', '-f', 'json', '--quiet'], remote(n));
    // --wait exits like vouch scan: 1 with findings (2.14.1), 0 without (2.17.1)
    expect(r.code, r.stderr).toBe(log4j === '2.14.1' ? 1 : 0);
  };

  const setUp = async (n: Node, label: string): Promise<void> => {
    n.home = tempDir(`respond-${label}`);
    if (kind.name === 'postgres') {
      n.schema = `acc_respond_${label}_${process.pid}_${Date.now().toString(36)}`;
      await pgAdmin(`CREATE SCHEMA ${n.schema}`);
      n.database = { VOUCH_DATABASE_URL: withSearchPath(TEST_PG_URL!, n.schema) };
    }
    const osv = path.join(work, `osv-${label}`);
    mkdirSync(osv);
    for (const [id, text] of await osvRecords('Maven', LOG4J_ADVISORIES)) writeFileSync(path.join(osv, `${id}.json`), text);
    const load = vouch(['db', 'update', '--source', osv, '--quiet'], { VOUCH_HOME: n.home });
    expect(load.code, load.stderr).toBe(0);
    const tok = vouch(['token', 'create', '--name', `ops-${label}`, '--role', 'admin', '--json'], local(n));
    expect(tok.code, tok.stderr).toBe(0);
    n.admin = (JSON.parse(tok.stdout) as { token: string }).token;
    const jobs = n.schema ? ['--jobs-schema', `${n.schema}_boss`] : [];
    // notifications sent every 0.2 s and retried after 0.3 s, 0.6 s … so that three attempts fit in a test
    n.serve = await startServe(['--notify-every', '0.2', '--retry-after', '0.3', ...jobs], local(n));
  };

  beforeAll(async () => {
    work = tempDir('respond-work');
    // the rule's receiver: answers 500 to the first two requests, then 204; keeps every request as sent
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        const answered = received.length < 2 ? 500 : 204;
        received.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/vouch`;
    await setUp(a, 'a');
    await setUp(b, 'b');
  }, 240_000);

  afterAll(async () => {
    for (const n of [a, b]) {
      if (n.serve && n.serve.child.exitCode === null) n.serve.child.kill('SIGKILL');
      if (n.schema) {
        await pgAdmin(`DROP SCHEMA IF EXISTS ${n.schema} CASCADE`);
        await pgAdmin(`DROP SCHEMA IF EXISTS ${n.schema}_boss CASCADE`);
      }
      if (n.home) rmSync(n.home, { recursive: true, force: true });
    }
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the response: incident, tasks, notifications, patched by itself, not_affected carried as VEX, burndown to zero', async () => {
    // an admin's rule: every incident change to the receiver
    const ruleRes = await api(a, 'POST', '/api/v1/notification-rules', { name: 'security-team', events: ['incident.opened', 'incident.updated'], url: receiverUrl });
    expect(ruleRes.status).toBe(201);
    const rule = (await ruleRes.json()) as { id: number; secret: string };

    await push(a, 'checkout', '1.0', '2.14.1');
    await push(a, 'billing', '1.0', '2.14.1');
    await push(a, 'search', '1.0', '2.17.1');

    const opened = await vouchAsync(['incident', 'open', '--vuln', 'CVE-2021-44228', '--title', 'Log4Shell'], remote(a));
    expect(opened.code, opened.stderr).toBe(0);
    const incident = JSON.parse(opened.stdout) as { id: number; tasks: { id: number; project: string; version: string; state: string }[] };
    expect(incident.tasks.map((t) => [t.project, t.version, t.state])).toEqual([
      ['billing', '1.0', 'open'],
      ['checkout', '1.0', 'open'],
    ]);
    // open tasks: status exits 1
    expect((await vouchAsync(['incident', 'status', String(incident.id), '--json'], remote(a))).code).toBe(1);

    // checkout ships the fix: its task is patched by itself (no one touches it)
    await push(a, 'checkout', '1.1', '2.17.1');
    // billing is not affected (lookups disabled), recorded on its task: a not_affected analysis
    const billingTask = incident.tasks.find((t) => t.project === 'billing')!;
    const moved = await api(a, 'PATCH', `/api/v1/incidents/${incident.id}/tasks/${billingTask.id}`, { state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', note: 'log4j2.formatMsgNoLookups=true' });
    expect(moved.status, await moved.clone().text()).toBe(200);

    const json = await vouchAsync(['incident', 'status', String(incident.id), '--json'], remote(a));
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as { tasks: { project: string; state: string; version: string; createdAt: string; closedAt: string }[]; burndown: { at: string; open: number }[]; timeline: { type: string; actor: string }[] };
    expect(view.tasks.map((t) => [t.project, t.state])).toEqual([
      ['billing', 'not_affected'],
      ['checkout', 'patched'],
    ]);
    // the burndown: 2 open at the opening (the tasks open with the incident), then one closes, then the other
    expect(view.burndown.map((p) => p.open)).toEqual([2, 1, 0]);
    expect(view.burndown.at(-1)!.at).toBe([...view.tasks.map((t) => t.closedAt)].sort().at(-1));
    expect(view.timeline.find((e) => e.type === 'task.patched')?.actor).toBe('vouch');

    // the review lists both outcomes with their times
    const md = await vouchAsync(['incident', 'status', String(incident.id), '-f', 'markdown'], remote(a));
    expect(md.code, md.stderr).toBe(0);
    const [billing, checkout] = view.tasks;
    expect(billing!.closedAt > billing!.createdAt).toBe(true);
    // (the review escapes Markdown in names and notes: `_` as `\_`, an invisible break after `@`)
    const row = (t: { project: string; state: string; createdAt: string; closedAt: string }): RegExp => new RegExp(`^\\| ${t.project} \\| 1\\.0 \\| pkg:maven/org\\.apache\\.logging\\.log4j/log4j-core@.*2\\.14\\.1 \\| — \\| ${t.state} \\| ${t.createdAt} \\| ${t.closedAt} \\|`, 'm');
    expect(md.stdout).toMatch(row(billing!));
    expect(md.stdout).toMatch(row(checkout!));
    expect(md.stdout).toContain(`- ${billing!.closedAt} — task.not_affected by ops-a: billing; 1.0; vulnerable\\_code\\_not\\_in\\_execute\\_path; log4j2.formatMsgNoLookups=true`);
    expect(md.stdout).toContain(`- ${checkout!.closedAt} — task.patched by vouch: checkout; 1.0 → 1.1; a new upload without the finding`);

    // billing's OpenVEX, pushed into a second server process whose project ships the same component
    const vex = await api(a, 'GET', '/api/v1/projects/billing/vex?format=openvex');
    expect(vex.status).toBe(200);
    const vexFile = path.join(work, 'billing.openvex.json');
    writeFileSync(vexFile, await vex.text());
    await push(b, 'billing-mirror', '1.0', '2.14.1');
    const vp = await vouchAsync(['vex', 'push', vexFile, '--project', 'billing-mirror'], remote(b));
    expect(vp.code, vp.stderr).toBe(0);
    expect(JSON.parse(vp.stdout)).toMatchObject({ format: 'openvex', statements: 1, applied: 1, notApplied: [] });
    type A = { purl: string; vuln: string; state: string; justification?: string; detail?: string; author: string };
    const pick = (x: A) => ({ purl: x.purl, vuln: x.vuln, state: x.state, justification: x.justification, detail: x.detail });
    const here = ((await (await api(a, 'GET', '/api/v1/projects/billing/analyses')).json()) as { items: A[] }).items;
    const there = ((await (await api(b, 'GET', '/api/v1/projects/billing-mirror/analyses')).json()) as { items: A[] }).items;
    expect(there.map(pick)).toEqual(here.map(pick));
    expect(there.map(pick)).toEqual([{ purl: `${LOG4J}@2.14.1`, vuln: 'CVE-2021-44228', state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', detail: 'log4j2.formatMsgNoLookups=true' }]);
    expect(there[0]!.author).toBe('ops-b');

    // the receiver: every change, in order, after two failed deliveries of the first one
    const wanted = ['incident.opened', 'task.opened billing', 'task.opened checkout', 'task.patched checkout', 'task.not_affected billing'];
    const delivered = (): Received[] => received.filter((r) => r.answered === 204);
    for (let i = 0; i < 150 && delivered().length < wanted.length; i++) await new Promise((r) => setTimeout(r, 200));
    const changes = delivered().map((r) => JSON.parse(r.body) as { id: string; change: string; incident: number; detail: { project?: string } });
    expect(changes.map((c) => `${c.change} ${c.detail.project ?? ''}`.trim())).toEqual(wanted);
    expect(changes.every((c) => c.incident === incident.id)).toBe(true);
    // the first event was refused twice and sent a third time: the same event id each time
    expect(received.slice(0, 3).map((r) => [r.answered, r.headers['x-vouch-event-id']])).toEqual([
      [500, changes[0]!.id],
      [500, changes[0]!.id],
      [204, changes[0]!.id],
    ]);
    // every request signed with the rule's secret over timestamp.body, the timestamp recent
    for (const r of received) {
      const ts = String(r.headers['x-vouch-timestamp']);
      expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(600);
      expect(r.headers['x-vouch-signature']).toBe(`sha256=${createHmac('sha256', rule.secret).update(`${ts}.${r.body}`).digest('hex')}`);
      expect(r.headers['x-vouch-event']).toBe(JSON.parse(r.body).type);
    }
    // and the delivery log shows each attempt with its answer
    const log = (await (await api(a, 'GET', `/api/v1/notification-rules/${rule.id}/deliveries`)).json()) as { items: { eventId: string; attempt: number; status: number; state: string }[] };
    expect(log.items.filter((d) => d.eventId === changes[0]!.id).map((d) => [d.attempt, d.status])).toEqual([
      [3, 204],
      [2, 500],
      [1, 500],
    ]);
  }, 240_000);

  it('announces the KEV entries a `vouch db update` brings for findings the portfolio already had', async () => {
    const base = receiverUrl.replace(/\/hooks\/vouch$/, '');
    const made = await api(a, 'POST', '/api/v1/notification-rules', { name: 'kev-watch', events: ['finding.kev'], filters: { kevOnly: true }, url: `${base}/hooks/kev` });
    expect(made.status).toBe(201);
    const rule = (await made.json()) as { secret: string };
    // CISA's catalogue loaded into the running node's store (the advisories kept), then a re-match
    const load = vouch(['db', 'update', '--no-osv', '--kev', shared('kev', 'known_exploited_vulnerabilities.json'), '--quiet'], { VOUCH_HOME: a.home });
    expect(load.code, load.stderr).toBe(0);
    expect((await api(a, 'POST', '/api/v1/advisories/update', { rematchOnly: true })).status).toBe(202);
    let events: { project: string; version: string; vuln: string; purl: string }[] = [];
    for (let i = 0; i < 120 && !events.length; i++) {
      events = ((await (await api(a, 'GET', '/api/v1/events?type=finding.kev')).json()) as { items: typeof events }).items;
      if (!events.length) await new Promise((r) => setTimeout(r, 250));
    }
    // billing's current version still ships 2.14.1 (not affected, but the finding is open); checkout's and search's do not
    expect(events).toContainEqual(expect.objectContaining({ project: 'billing', version: '1.0', vuln: 'GHSA-jfh8-c2jp-5v3q', purl: `${LOG4J}@2.14.1` }));
    expect(new Set(events.map((e) => e.project))).toEqual(new Set(['billing']));
    const kev = (): Received[] => received.filter((r) => r.headers['x-vouch-event'] === 'finding.kev' && r.answered === 204);
    for (let i = 0; i < 100 && kev().length < events.length; i++) await new Promise((r) => setTimeout(r, 200));
    const bodies = kev().map((r) => JSON.parse(r.body) as { type: string; project: string; vuln: string; kev: boolean });
    expect(bodies.map((x) => x.vuln).sort()).toEqual(events.map((e) => e.vuln).sort());
    expect(bodies.every((x) => x.type === 'finding.kev' && x.project === 'billing' && x.kev === true)).toBe(true);
    for (const r of kev()) expect(r.headers['x-vouch-signature']).toBe(`sha256=${createHmac('sha256', rule.secret).update(`${String(r.headers['x-vouch-timestamp'])}.${r.body}`).digest('hex')}`);
  }, 120_000);

  it('stops both servers on SIGTERM with exit 0, no token in their logs', async () => {
    for (const n of [a, b]) {
      n.serve!.child.kill('SIGTERM');
      expect(await n.serve!.exited).toBe(0);
      expect(n.serve!.stderr()).not.toContain(n.admin);
    }
  });
});
