/**
 * Issue 14 item 1 through the API, on SQLite and (VOUCH_TEST_PG) PostgreSQL: analyses recorded,
 * kept as an append-only history, surviving a new upload, shown in affected queries, suppressing
 * findings in the project's report, and applied portfolio-wide within the token's scope.
 * (The role × route rows of these routes are in app.test.ts's matrix.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { LOG4J, type ResponseWorld, responseWorld } from './response-testing.js';

const L4J_2141 = `${LOG4J}@2.14.1`;

describe.skipIf(!HAS_SHARED).each(testDbs())('analyses on $name', (kind) => {
  let w: ResponseWorld;
  let maint: Record<string, string>;

  beforeAll(async () => {
    w = await responseWorld(kind);
    await w.upload('alpha', '1.0', '2.14.1');
    await w.upload('beta', '1.0', '2.14.1');
    await w.upload('gamma', '1.0', '2.17.1');
    maint = await w.token('maintainer', 'bob');
  }, 120_000);
  afterAll(() => w?.close());

  const post = (project: string, body: object, headers = maint) => w.app.inject({ method: 'POST', url: `/api/v1/projects/${project}/analyses`, headers, payload: body });
  const get = async (url: string, headers = maint) => {
    const r = await w.app.inject({ method: 'GET', url, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };

  it('records an analysis by alias with its author, and the finding leaves the project\'s count', async () => {
    const before = (await get('/api/v1/projects/alpha/findings')).json() as { summary: { findings: number; suppressed: number } };
    // 2.14.1 is hit by four of the five log4j-core advisories (portfolio-testing.ts)
    expect(before.summary).toMatchObject({ findings: 4, suppressed: 0 });
    const r = await post('alpha', { purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', detail: 'JNDI lookups disabled by config' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ project: 'alpha', purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'not_affected', author: 'bob', source: 'api', response: [] });
    const after = (await get('/api/v1/projects/alpha/findings')).json() as { summary: { findings: number; suppressed: number }; findings: { id: string; aliases: string[]; suppressed?: { status: string; justification?: string } }[] };
    expect(after.summary).toMatchObject({ findings: 4, suppressed: 1 });
    const f = after.findings.find((x) => x.suppressed);
    expect(f?.id).toBe('GHSA-jfh8-c2jp-5v3q');
    expect(f?.suppressed).toMatchObject({ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
    // beta has the same finding and no analysis: untouched
    expect(((await get('/api/v1/projects/beta/findings')).json() as { summary: { suppressed: number } }).summary.suppressed).toBe(0);
  });

  it('shows the analysis in affected queries, for alpha only', async () => {
    const items = ((await get('/api/v1/vulnerabilities/GHSA-jfh8-c2jp-5v3q/affected')).json() as { items: { project: string; analysis?: { state: string; author: string } }[] }).items;
    expect(items.map((i) => [i.project, i.analysis?.state])).toEqual([
      ['alpha', 'not_affected'],
      ['beta', undefined],
    ]);
  });

  it('keeps every analysis: the latest is current, the history lists both, oldest first', async () => {
    const r = await post('alpha', { purl: L4J_2141, vuln: 'GHSA-jfh8-c2jp-5v3q', state: 'exploitable', response: ['update'], detail: 'config reverted' }, w.admin);
    expect(r.statusCode, r.body).toBe(201);
    const current = ((await get('/api/v1/projects/alpha/analyses')).json() as { items: { vuln: string; state: string }[] }).items;
    // the key is the vulnerability id as written: the CVE and the GHSA rows are two analyses of one finding, the newer one wins on the finding
    expect(current.map((a) => [a.vuln, a.state]).sort()).toEqual([
      ['CVE-2021-44228', 'not_affected'],
      ['GHSA-jfh8-c2jp-5v3q', 'exploitable'],
    ]);
    const report = (await get('/api/v1/projects/alpha/findings')).json() as { summary: { suppressed: number } };
    expect(report.summary.suppressed).toBe(0);
    const history = ((await get(`/api/v1/projects/alpha/analyses?history=true&purl=${encodeURIComponent(L4J_2141)}`)).json() as { items: { author: string; state: string }[] }).items;
    expect(history.map((h) => [h.author, h.state])).toEqual([
      ['bob', 'not_affected'],
      ['alice', 'exploitable'],
    ]);
    // nobody can edit the trail: there is no route to change or delete an analysis
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const x = await w.app.inject({ method, url: '/api/v1/projects/alpha/analyses', headers: w.admin, payload: {} });
      expect(x.statusCode).toBe(404);
    }
  });

  it('survives a new upload that still ships the same component version', async () => {
    await post('beta', { purl: L4J_2141, vuln: 'CVE-2021-45046', state: 'false_positive', detail: 'not reachable' });
    await w.upload('beta', '2.0', '2.14.1');
    const report = (await get('/api/v1/projects/beta/findings')).json() as { findings: { id: string; suppressed?: { status: string } }[] };
    expect(report.findings.filter((f) => f.suppressed).map((f) => [f.id, f.suppressed?.status])).toEqual([['GHSA-7rjr-3q55-vv33', 'false_positive']]);
  });

  it('refuses what is not an analysis with one line naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'not_affected' }, /\$\.justification: not_affected needs a justification or a detail/],
      [{ purl: LOG4J, vuln: 'CVE-2021-44228', state: 'in_triage' }, /\$\.purl: .* has no version/],
      [{ purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'exploitable', justification: 'code_not_reachable' }, /only not_affected and false_positive take a justification/],
      [{ purl: 'not a purl', vuln: 'CVE-2021-44228', state: 'in_triage' }, /\$\.purl/],
      [{ purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'fixed' }, /state/],
    ];
    for (const [body, msg] of cases) {
      const r = await post('alpha', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json().detail).toMatch(msg);
    }
    expect((await post('no-such', { purl: L4J_2141, vuln: 'CVE-2021-44228', state: 'in_triage' })).statusCode).toBe(404);
  });

  it('maps a CycloneDX justification to the OpenVEX one it stands for', async () => {
    const r = await post('gamma', { purl: `${LOG4J}@2.17.1`, vuln: 'CVE-2021-44832', state: 'not_affected', justification: 'code_not_reachable' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().justification).toBe('vulnerable_code_not_in_execute_path');
  });

  describe('portfolio-wide', () => {
    it('applies only inside a limited maintainer\'s projects', async () => {
      const limited = await w.token('maintainer', 'carol', ['beta']);
      const r = await w.app.inject({
        method: 'POST',
        url: '/api/v1/analyses/bulk',
        headers: limited,
        payload: { purl: LOG4J, range: 'vers:maven/<2.17.1', vuln: 'CVE-2021-45105', state: 'not_affected', justification: 'vulnerable_code_not_present', detail: 'patched build' },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().applied).toEqual([{ project: 'beta', purl: L4J_2141 }]);
      const alpha = ((await get('/api/v1/projects/alpha/analyses?vuln=CVE-2021-45105')).json() as { items: unknown[] }).items;
      expect(alpha).toEqual([]);
    });

    it('applies to every project below the version in one call, and not to 2.17.1', async () => {
      const r = await w.app.inject({
        method: 'POST',
        url: '/api/v1/analyses/bulk',
        headers: w.admin,
        payload: { purl: LOG4J, range: 'vers:maven/<2.17.1', vuln: 'CVE-2021-44832', state: 'not_affected', justification: 'vulnerable_code_cannot_be_controlled_by_adversary' },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().applied).toEqual([
        { project: 'alpha', purl: L4J_2141 },
        { project: 'beta', purl: L4J_2141 },
      ]);
      const items = ((await get('/api/v1/projects/alpha/analyses?vuln=CVE-2021-44832')).json() as { items: { source: string; author: string }[] }).items;
      expect(items).toMatchObject([{ source: 'bulk', author: 'alice' }]);
    });

    it('refuses a bad range or state before writing anything', async () => {
      const r = await w.app.inject({ method: 'POST', url: '/api/v1/analyses/bulk', headers: w.admin, payload: { purl: LOG4J, range: 'vers:nosuchscheme/<1', vuln: 'CVE-2021-44832', state: 'in_triage' } });
      expect(r.statusCode).toBe(400);
      const s = await w.app.inject({ method: 'POST', url: '/api/v1/analyses/bulk', headers: w.admin, payload: { purl: LOG4J, vuln: 'CVE-2021-44832', state: 'not_affected' } });
      expect(s.statusCode).toBe(400);
      expect(s.json().detail).toMatch(/justification/);
    });
  });
});
