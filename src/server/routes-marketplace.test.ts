/**
 * Issue 16 on the server, on SQLite and (VOUCH_TEST_PG) PostgreSQL: needs derived from uploaded
 * lockfiles, stored findings and health reports pushed by the built CLI (`vouch health --push`),
 * scope-limited reliance, volunteers matched by the exact solver, an engagement followed to a
 * "done" confirmed by a second push after a commit adding SECURITY.md, the quarter report and the
 * feed. (The role × route rows of these routes are in app.test.ts's matrix.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, healthyButForPolicyAndPins, commitIn } from '../marketplace/__fixtures__/portfolio.js';
import { GIT_ENV, cleanupRepos } from '../health/__fixtures__/git-repo.js';
import type { HealthReport } from '../health/run.js';
import { testDbs } from '../testing/db.js';
import { REPO_ROOT } from '../testing/shared.js';
import { osvRecord } from '../portfolio/portfolio-testing.js';
import { type MarketWorld, handHealthReport, marketWorld } from './marketplace-testing.js';
import { needsCacheStats } from '../marketplace/portfolio.js';

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The built CLI, run asynchronously (the server answering it lives in this process). */
function vouch(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'vouch'), ...args], { env: { ...process.env, ...GIT_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface NeedView {
  id: string;
  priority: number;
  reason: string;
  score: { reliance: number; criticality: number; gapWeight: number };
}

afterAll(cleanupRepos);

describe.each(testDbs())('the marketplace on the server ($name)', (kind) => {
  let w: MarketWorld;
  let base: string;
  let home: string;
  const h: Record<string, Record<string, string>> = {};
  const secret = (hdr: Record<string, string>): string => hdr['authorization']!.slice('Bearer '.length);

  beforeAll(async () => {
    w = await marketWorld(kind);
    // alpha uses mylib and oldlib 1.4.0 (the advisory is fixed on 2.x only), beta mylib only
    await w.upload('alpha', { mylib: '1.2.0', oldlib: '1.4.0' });
    await w.upload('beta', { mylib: '1.2.0' });
    h['maint'] = await w.token('maintainer', 'max');
    h['ada'] = await w.token('viewer', 'ada-lovelace');
    h['eve'] = await w.token('viewer', 'eve');
    h['viewerA'] = await w.token('viewer', 'val', ['alpha']);
    h['viewerB'] = await w.token('viewer', 'bea', ['beta']);
    h['ci'] = await w.token('uploader', 'ci');
    base = await w.app.listen({ port: 0, host: '127.0.0.1' });
    home = mkdtempSync(path.join(tmpdir(), 'vouch-market-home-'));
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const get = async <T>(url: string, headers: Record<string, string>): Promise<T> => {
    const r = await w.app.inject({ method: 'GET', url, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as T;
  };
  const post = (url: string, headers: Record<string, string>, payload?: object) => w.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const needs = async (who: Record<string, string>, q = ''): Promise<NeedView[]> => (await get<{ needs: NeedView[] }>(`/api/v1/marketplace/needs${q}`, who)).needs;

  it('derives the backport need from the stored findings, with reliance from the uploaded lockfiles', async () => {
    const list = await needs(w.admin);
    // oldlib: alpha only, direct prod, one path → reliance 2 × 1 × (1 + log2 1) = 2; no clone pushed → criticality 0.5; CRITICAL → 1
    expect(list.map((n) => [n.id, n.priority])).toEqual([['npm/oldlib#backport:GHSA-test-oldl-0001@1', 1]]);
    expect(list[0]!.reason).toMatch(/^GHSA-test-oldl-0001 affects oldlib 1\.4\.0 in our portfolio and is fixed only on the newer 2\.x line \(2\.0\.0\)/);
    // beta does not use oldlib: a viewer limited to beta sees no need (nor that alpha uses oldlib)
    const b = await get<{ needs: NeedView[]; empty?: string }>('/api/v1/marketplace/needs', h['viewerB']!);
    expect(b.needs).toEqual([]);
    expect(b.empty).toMatch(/^no needs: 1 package\(s\) in 1 project\(s\)/);
  });

  it('health pushed → need → volunteer matched → engagement → SECURITY.md committed → pushed again → done', async () => {
    const clone = healthyButForPolicyAndPins().dir;
    const env = { VOUCH_HOME: home, VOUCH_SERVER: base, VOUCH_TOKEN: secret(h['ci']!) };
    const first = await vouch(['health', clone, '--push', '--now', '2026-06-01T00:00:00Z', '-f', 'json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^vouch: pushed the health of npm\/mylib \(score [0-9.]+\) to http:\/\/127\.0\.0\.1:\d+$/m);
    const report1 = JSON.parse(first.stdout) as HealthReport;
    const crit = report1.criticality.score;

    // mylib: alpha 2 + beta 2 = reliance 4; Security-Policy 0, risk Medium: gap 5/10 × (10 − 0)/10 = 0.5
    const all = await needs(w.admin);
    const policy = all.find((n) => n.id === 'npm/mylib#security-policy')!;
    expect(policy.score).toMatchObject({ reliance: 4, criticality: crit, gapWeight: 0.5 });
    expect(policy.priority).toBe(round3(4 * crit * 0.5));
    expect(all.map((n) => n.id).sort()).toEqual(['npm/mylib#pinned-dependencies', 'npm/mylib#security-policy', 'npm/oldlib#backport:GHSA-test-oldl-0001@1']);
    // a viewer limited to alpha: only alpha's reliance (2) counts
    expect((await needs(h['viewerA']!)).find((n) => n.id === 'npm/mylib#security-policy')!.priority).toBe(round3(2 * crit * 0.5));
    // the skill filter
    expect((await needs(w.admin, '?skill=security-policy')).map((n) => n.id)).toEqual(['npm/mylib#security-policy']);

    // Ada signs in (a viewer token) and registers; Acme pledges 30 h for the quarter
    const reg = await post('/api/v1/marketplace/volunteers', h['ada']!, { company: 'Acme', languages: ['JavaScript'], ecosystems: ['npm'], skills: ['security-policy'], hoursPerMonth: 10 });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json()).toMatchObject({ name: 'ada-lovelace', company: 'Acme', hoursPerMonth: 10 });
    // eve may not rewrite Ada's registration
    expect((await post('/api/v1/marketplace/volunteers', h['eve']!, { name: 'ada-lovelace', skills: ['fuzzing'], hoursPerMonth: 0 })).statusCode).toBe(403);
    expect((await post('/api/v1/marketplace/pledges', h['maint']!, { company: 'Acme', quarter: '2026Q2', hours: 30 })).statusCode).toBe(201);

    // a viewer may match but not propose for others; the maintainer proposes
    expect((await post('/api/v1/marketplace/match', h['ada']!, { months: 1, propose: true })).statusCode).toBe(403);
    const m = await post('/api/v1/marketplace/match', h['maint']!, { months: 1, propose: true });
    expect(m.statusCode, m.body).toBe(200);
    const match = m.json() as { assignments: { needId: string; lead: { volunteer: string; hours: number } }[]; proposed: { engagement: string; need: string; volunteer: string }[] };
    // Ada has 10 h: the policy (8 h) is the one need she fits (pins are ci-security, the backport backporting)
    expect(match.assignments.map((a) => [a.needId, a.lead.volunteer, a.lead.hours])).toEqual([['npm/mylib#security-policy', 'ada-lovelace', 8]]);
    expect(match.proposed.map((p) => [p.need, p.volunteer])).toEqual([['npm/mylib#security-policy', 'ada-lovelace']]);
    const id = match.proposed[0]!.engagement;
    const url = `/api/v1/marketplace/engagements/${id}`;

    // someone else's engagement: 403; Ada moves hers along
    expect((await post(`${url}/state`, h['eve']!, { to: 'accepted' })).statusCode).toBe(403);
    expect((await post(`${url}/hours`, h['ada']!, { hours: 4, date: '2026-06-05' })).statusCode).toBe(409); // not accepted yet
    for (const to of ['accepted', 'in_progress']) expect((await post(`${url}/state`, h['ada']!, { to })).statusCode).toBe(200);
    expect((await post(`${url}/hours`, h['ada']!, { hours: 4, date: '2026-06-05' })).statusCode).toBe(200);
    expect((await post(`${url}/links`, h['ada']!, { url: 'https://github.com/example/mylib/pull/7' })).statusCode).toBe(200);
    const bad = await post(`${url}/links`, h['ada']!, { url: 'http://github.com/example/mylib/pull/7' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    // a second proposal for the same need: 409 while the first is open
    expect((await post('/api/v1/marketplace/engagements', h['eve']!, { need: 'npm/mylib#security-policy' })).statusCode).toBe(409);
    // "done" is never set by hand
    expect((await post(`${url}/state`, h['ada']!, { to: 'done' })).statusCode).toBe(400);

    // the re-check against the pushed report: still failing
    const early = await post(`${url}/check`, h['ada']!);
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json()).toMatchObject({ verdict: { passed: false }, engagement: { state: 'in_progress' } });
    expect((early.json() as { verdict: { detail: string } }).verdict.detail).toMatch(/^Security-Policy scores 0\/10 on /);

    commitIn(clone, { 'SECURITY.md': 'Report vulnerabilities privately to security@mylib.example; we answer within 3 days and disclose fixed vulnerabilities after 90 days.\n' }, 'Add SECURITY.md', '2026-06-06T00:00:00Z', BOB);
    const second = await vouch(['health', clone, '--push', '--now', '2026-06-07T00:00:00Z', '-f', 'json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`vouch: engagement ${id} done: Security-Policy scores 10/10 on `);
    const report2 = JSON.parse(second.stdout) as HealthReport;

    const done = (await get<{ items: { id: string; state: string; outcome?: { health: number | null }; baseline: { health: number | null } }[] }>('/api/v1/marketplace/engagements?state=done', w.admin)).items;
    expect(done.map((e) => [e.id, e.state])).toEqual([[id, 'done']]);
    expect(done[0]!.outcome?.health).toBe(report2.score);
    expect(done[0]!.baseline.health).toBe(report1.score);
    // the need is gone; the pins remain
    expect((await needs(w.admin)).map((n) => n.id).sort()).toEqual(['npm/mylib#pinned-dependencies', 'npm/oldlib#backport:GHSA-test-oldl-0001@1']);

    const q = await get<{ hours: number; byCompany: unknown[]; needsClosed: { engagement: string }[]; projects: { project: string; healthBefore: number | null; healthAfter: number | null }[] }>('/api/v1/marketplace/report?quarter=2026Q2', w.admin);
    expect(q.hours).toBe(4);
    expect(q.byCompany).toEqual([{ company: 'Acme', pledged: 30, given: 4 }]);
    expect(q.projects[0]).toMatchObject({ project: 'npm/mylib', healthBefore: report1.score, healthAfter: report2.score });
    // the need closed when the server confirmed it (its own clock, not the pushed report's): this quarter
    expect(q.needsClosed).toEqual([]);
    const d = new Date();
    const thisQuarter = `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const now = await get<{ needsClosed: { engagement: string; detail: string }[] }>(`/api/v1/marketplace/report?quarter=${thisQuarter}`, w.admin);
    expect(now.needsClosed.map((n) => n.engagement)).toEqual([id]);
    expect(now.needsClosed[0]!.detail).toMatch(/^Security-Policy scores 10\/10 on /);

    // the feed: needs, pledges, engagements — never a volunteer's name
    const feed = await get<{ schema: string; needs: { id: string }[]; engagements: { need: string; state: string; company?: string }[] }>('/api/v1/marketplace/feed?publisher=Acme', w.admin);
    expect(feed.schema).toBe('vouch-marketplace-feed/1');
    expect(feed.engagements).toEqual([expect.objectContaining({ need: 'npm/mylib#security-policy', state: 'done', company: 'Acme' })]);
    expect(JSON.stringify(feed)).not.toContain('ada-lovelace');
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/marketplace/feed?publisher=Acme', headers: h['viewerA']! })).statusCode).toBe(403);
    // published: signed by the CLI with the organisation's key (never sent to the server), read back by another organisation
    const key = path.join(home, 'org');
    expect((await vouch(['key', 'generate', '--out', key], env)).code).toBe(0);
    const feedFile = path.join(home, 'feed.json');
    const pub = await vouch(['marketplace', 'feed', 'publish', '--server', base, '--token', secret(w.admin), '--key', `${key}.key`, '--publisher', 'Acme', '-o', feedFile], env);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stderr).toBe(`vouch: wrote ${feedFile} and ${feedFile}.sigstore.json: 2 need(s), 1 pledge(s), 1 engagement(s)\n`);
    const read = await vouch(['marketplace', 'feed', 'read', feedFile, '--key', `${key}.pub`, '-f', 'json'], env);
    expect(read.code, read.stderr).toBe(0);
    const summary = JSON.parse(read.stdout) as { feeds: { publisher: string }[]; projects: { project: string }[] };
    expect(summary.feeds.map((f) => f.publisher)).toEqual(['Acme']);
    expect(summary.projects.map((p) => p.project).sort()).toEqual(['npm/mylib', 'npm/oldlib']);
    // beta's viewer sees the mylib engagement (beta uses mylib); nobody outside sees alpha's oldlib
    expect((await get<{ items: unknown[] }>('/api/v1/marketplace/engagements', h['viewerB']!)).items).toHaveLength(1);
  }, 120_000);

  it('a backport need is done once the advisory names a fix on our line: re-checked against the re-matched findings', async () => {
    const need = 'npm/oldlib#backport:GHSA-test-oldl-0001@1';
    const p = await post('/api/v1/marketplace/engagements', h['maint']!, { need, volunteer: 'ada-lovelace' });
    expect(p.statusCode, p.body).toBe(201);
    const url = `/api/v1/marketplace/engagements/${(p.json() as { id: string }).id}`;
    for (const to of ['accepted', 'in_progress']) expect((await post(`${url}/state`, h['ada']!, { to })).statusCode).toBe(200);
    const early = (await post(`${url}/check`, h['ada']!)).json() as { verdict: { passed: boolean; detail: string } };
    expect(early.verdict).toEqual({ passed: false, detail: 'GHSA-test-oldl-0001 still leaves oldlib 1.4.0: fixed only on the 2.x line (2.0.0)' });

    // upstream released 1.4.1 with the fix and the advisory says so; the server re-matches
    await w.store.load([osvRecord('GHSA-test-oldl-0001', { ecosystem: 'npm', name: 'oldlib', introduced: '0', fixed: '1.4.1', aliases: ['CVE-2026-0001'], modified: '2026-12-02T00:00:00Z' })]);
    expect((await post('/api/v1/advisories/update', w.admin, { rematchOnly: true })).statusCode).toBe(202);
    await expect
      .poll(async () => ((await get<{ findings: { id: string; fixedVersions: string[] }[] }>('/api/v1/projects/alpha/findings', w.admin)).findings.find((f) => f.id === 'GHSA-test-oldl-0001')?.fixedVersions), { timeout: 60_000, interval: 200 })
      .toEqual(['1.4.1']);
    const done = (await post(`${url}/check`, h['ada']!)).json() as { verdict: { passed: boolean; detail: string }; engagement: { state: string } };
    expect(done.verdict).toEqual({ passed: true, detail: 'GHSA-test-oldl-0001 now names a fixed version covering oldlib 1.4.0' });
    expect(done.engagement.state).toBe('done');
    // and the need is no longer derived: upgrading to 1.4.1 is ours to do (vouch fix)
    expect((await needs(w.admin)).map((n) => n.id)).not.toContain(need);
  }, 90_000);

  it('refuses a malformed health report with a problem naming the field', async () => {
    const r = await post('/api/v1/health/results', h['ci']!, { ecosystem: 'npm', name: 'mylib', report: { ...handHealthReport({ License: 10 }), checks: [{ name: 'License', score: 11 }] } });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((r.json() as { detail: string }).detail).toMatch(/body \$\.report\.checks\[0\]/);
    // the origin is host/owner/repo, never a URL of another scheme
    const u = await post('/api/v1/health/results', h['ci']!, { ecosystem: 'npm', name: 'mylib', repositoryUrl: 'javascript:alert(1)', report: handHealthReport({ License: 10 }) });
    expect(u.statusCode).toBe(400);
    expect((u.json() as { detail: string }).detail).toMatch(/^body \$\.repositoryUrl: /);
  });

  it('vouch health --push: one line and exit 2 without a server, with --portfolio, or when the server refuses the token', async () => {
    const clone = healthyButForPolicyAndPins().dir;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['health', clone, '--push'], { VOUCH_SERVER: '' }, /^vouch: --push needs a server: --server URL or VOUCH_SERVER\n$/],
      [['health', '--portfolio', clone, '--push'], {}, /^vouch: --push sends one repository's report; it does not go with --portfolio\n$/],
      [['health', clone, '--push', '--server', base, '--token', secret(h['ada']!)], {}, /^vouch: server answered 403 forbidden: a viewer token may not POST \/api\/v1\/health\/results\n$/],
    ];
    for (const [args, env, want] of cases) {
      const r = await vouch([...args, '-q'], { VOUCH_HOME: home, VOUCH_TOKEN: '', ...env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
    }
  }, 60_000);

  it('serves the needs from a cache while nothing they come from changes, and recomputes them after an upload, per scope', async () => {
    // the pins need of mylib (the health pushes of the test before; its policy need is done)
    const policyOf = async (who: Record<string, string>): Promise<NeedView | undefined> => (await needs(who)).find((n) => n.id === 'npm/mylib#pinned-dependencies');
    const before = await policyOf(w.admin);
    expect(before, 'mylib still fails Pinned-Dependencies').toBeDefined();
    const scoped = await policyOf(h['viewerA']!);
    const s0 = needsCacheStats(w.t.db);
    // asked again with nothing changed: no computation, the same answer, for the whole portfolio and for alpha's viewer
    expect(await policyOf(w.admin)).toEqual(before);
    expect(await policyOf(h['viewerA']!)).toEqual(scoped);
    expect(needsCacheStats(w.t.db)).toEqual({ computations: s0.computations, hits: s0.hits + 2 });
    // the engagements alpha's viewer may see (the packages alpha uses) come from the same entry: the marketplace page no longer reads the portfolio twice
    await get('/api/v1/marketplace/engagements', h['viewerA']!);
    expect(needsCacheStats(w.t.db)).toEqual({ computations: s0.computations, hits: s0.hits + 3 });
    // gamma uploads mylib too: the whole portfolio's reliance on mylib grows (2 + 2 + 2), alpha's viewer still counts alpha's alone
    await w.upload('gamma', { mylib: '1.2.0' });
    const after = await policyOf(w.admin);
    expect(after!.score.reliance).toBe(before!.score.reliance + 2);
    expect(await policyOf(h['viewerA']!)).toEqual(scoped);
    expect(needsCacheStats(w.t.db).computations).toBe(s0.computations + 2);
  }, 60_000);
});
