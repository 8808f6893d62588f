/**
 * A `vouch serve` process with a seeded portfolio for the dashboard's browser tests (and its
 * screenshots): the advisory store loaded from ../shared (OSV, KEV, EPSS), then through the API as
 * CI would — billing (log4j-core 2.14.1: Log4Shell), billing 0.9.0 (an older version), payments
 * (log4j-core 2.17.1), nodegoat and goof (real npm lockfiles from ../shared/realworld) — tags and
 * owners set, a viewer token limited to billing; then an advisory update that gives payments a
 * new finding (NEW_ADVISORY) without a new upload. Then the response side: an incident for
 * log4j-core below 2.17.2 (a task for billing, owned by alice, and one for payments, unowned) and a
 * webhook notification rule (to a closed loopback port: its deliveries fail and are logged).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { BrowserContext } from 'playwright-core';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VOUCH, log4jCycloneDx, tempDir, vouch } from '../acceptance/helpers.js';
import { shared } from '../../src/testing/shared.js';
import { LOG4J_ADVISORIES, osvRecord, osvRecords } from '../../src/portfolio/portfolio-testing.js';

/** An advisory that does not exist, added after the uploads: log4j-core 2.17.0 up to 2.17.2 (payments' 2.17.1 inside). */
export const NEW_ADVISORY = {
  id: 'VOUCH-TEST-2026-0001',
  cve: 'CVE-2026-0999001',
  summary: 'Injection <img src=x onerror="window.__pwned=1"> in log4j-core',
  details: '<script>window.__pwned=2</script>\n\n**Impact**: [click](javascript:window.__pwned=3) <img src=x onerror="window.__pwned=5"> and [the fix](https://example.org/fix)',
  references: [
    { type: 'WEB', url: 'javascript:window.__pwned=4' },
    { type: 'WEB', url: 'data:text/html,<script>alert(1)</script>' },
    { type: 'ADVISORY', url: 'https://example.org/advisories/VOUCH-TEST-2026-0001' },
  ],
};

export const LOG4J_PURL = 'pkg:maven/org.apache.logging.log4j/log4j-core';
export const INCIDENT_RANGE = 'vers:maven/<2.17.2';

export interface Seeded {
  url: string;
  admin: string;
  /** the incident for log4j-core below 2.17.2: billing's and payments' tasks */
  incident: number;
  /** the webhook rule's name */
  rule: string;
  /** VOUCH_HOME of the server: `vouch push` from the tests runs with it */
  home: string;
  /** a viewer limited to the project billing */
  viewerBilling: string;
  stop(): Promise<void>;
}

/** `serveArgs`: more options for `vouch serve` (pages.test.ts adds OpenID Connect); `port`: listen there instead of on any free port. */
export async function startSeededServer(opts: { serveArgs?: string[]; port?: number } = {}): Promise<Seeded> {
  const home = tempDir('dashboard-home');
  const load = vouch(['db', 'update', '--source', shared('osv'), '--kev', shared('kev', 'known_exploited_vulnerabilities.json'), '--epss', shared('epss', 'epss_scores-2026-09-29-sample.csv'), '--quiet'], { VOUCH_HOME: home });
  if (load.code !== 0) throw new Error(`vouch db update: ${load.stderr}`);
  const tok = vouch(['token', 'create', '--name', 'ops', '--role', 'admin', '--json'], { VOUCH_HOME: home });
  if (tok.code !== 0) throw new Error(`vouch token create: ${tok.stderr}`);
  const admin = (JSON.parse(tok.stdout) as { token: string }).token;

  const server: ChildProcess = spawn(process.execPath, [VOUCH, 'serve', '--port', String(opts.port ?? 0), '--log-level', 'warn', ...(opts.serveArgs ?? [])], { env: { ...process.env, VOUCH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vouch serve did not start: ${stderr}`)), 60_000);
    server.stderr!.on('data', () => {
      const m = /serving (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    server.on('exit', (code) => reject(new Error(`vouch serve exited ${code}: ${stderr}`)));
  });

  const api = async (method: string, path: string, body?: string | Buffer, type = 'application/json'): Promise<unknown> => {
    const r = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { 'content-type': type } : {}) }, ...(body !== undefined ? { body } : {}) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? undefined : r.json();
  };
  const push = (project: string, version: string, file: string, bytes: string | Buffer): Promise<unknown> =>
    api('POST', `/api/v1/projects/${project}/versions/${encodeURIComponent(version)}/documents?file=${encodeURIComponent(file)}&wait=60`, bytes, 'application/octet-stream');

  await push('billing', '0.9.0', 'bom.cdx.json', log4jCycloneDx('2.12.1'));
  await push('billing', '1.0.0', 'bom.cdx.json', log4jCycloneDx('2.14.1'));
  await push('payments', '1.0.0', 'bom.cdx.json', log4jCycloneDx('2.17.1'));
  await push('nodegoat', 'main', 'package-lock.json', readFileSync(shared('realworld', 'OWASP__NodeGoat', 'package-lock.json')));
  await push('goof', 'main', 'package-lock.json', readFileSync(shared('realworld', 'snyk-labs__nodejs-goof', 'package-lock.json')));
  await api('PATCH', '/api/v1/projects/billing', JSON.stringify({ tags: ['payments-team'], owners: ['alice'] }));
  await api('PATCH', '/api/v1/projects/nodegoat', JSON.stringify({ tags: ['training'], owners: ['bob'] }));
  const viewer = (await api('POST', '/api/v1/tokens', JSON.stringify({ name: 'billing-viewer', role: 'viewer', projects: ['billing'] }))) as { token: string };

  // an advisory update after the uploads: the Maven advisories reloaded with one more, then a
  // re-match — payments gets a new finding without any new upload (an event on the Portfolio)
  const osv = tempDir('dashboard-osv');
  for (const [id, text] of await osvRecords('Maven', LOG4J_ADVISORIES)) writeFileSync(path.join(osv, `${id}.json`), text);
  // its text is hostile, as an advisory's may be: markup in the summary and details, a javascript: reference
  const record = JSON.parse(osvRecord(NEW_ADVISORY.id, { aliases: [NEW_ADVISORY.cve], ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '2.17.0', fixed: '2.17.2', modified: '2026-12-01T00:00:00Z' })) as Record<string, unknown>;
  writeFileSync(path.join(osv, `${NEW_ADVISORY.id}.json`), JSON.stringify({ ...record, summary: NEW_ADVISORY.summary, details: NEW_ADVISORY.details, references: NEW_ADVISORY.references }));
  const update = vouch(['db', 'update', '--source', osv, '--ecosystem', 'Maven', '--quiet'], { VOUCH_HOME: home });
  rmSync(osv, { recursive: true, force: true });
  if (update.code !== 0) throw new Error(`vouch db update (Maven): ${update.stderr}`);
  await api('POST', '/api/v1/advisories/update', JSON.stringify({ rematchOnly: true }));
  for (let i = 0; ; i++) {
    const ev = (await api('GET', '/api/v1/events?type=finding.new')) as { items: { project: string; vuln: string }[] };
    if (ev.items.some((e) => e.project === 'payments' && e.vuln === NEW_ADVISORY.id)) break;
    if (i >= 120) throw new Error('the re-match after the advisory update did not record the new finding');
    await new Promise((r) => setTimeout(r, 500));
  }

  // the response: an incident (a zero-day style package and range) and a webhook rule
  const incident = (await api('POST', '/api/v1/incidents', JSON.stringify({ title: 'log4j-core before 2.17.2', purl: LOG4J_PURL, range: INCIDENT_RANGE }))) as { id: number };
  const rule = 'security-channel';
  await api('POST', '/api/v1/notification-rules', JSON.stringify({ name: rule, events: ['incident.opened', 'incident.updated'], url: 'http://127.0.0.1:9/vouch-hook' }));

  return {
    url,
    admin,
    incident: incident.id,
    rule,
    home,
    viewerBilling: viewer.token,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Signs a browser context in as the app does it: the token traded for the session cookie and its
 * marker (POST /api/v1/session), the page never holding the token.
 */
export async function signIn(context: BrowserContext, url: string, token: string): Promise<void> {
  const r = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (r.status !== 201) throw new Error(`POST /api/v1/session: ${r.status} ${await r.text()}`);
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]!.split('='));
  await context.addCookies(cookies.map(([name, value]) => ({ name: name!, value: value!, url, sameSite: 'Strict' as const, httpOnly: name === 'vouch_session' })));
}
