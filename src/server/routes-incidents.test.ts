/**
 * Issue 14 item 3, incidents, through the API on SQLite and (VOUCH_TEST_PG) PostgreSQL: the
 * Log4Shell swarm of the "Done when" in one process — two projects on log4j-core 2.14.1
 * and one on 2.17.1, an incident for CVE-2021-44228 opens two tasks; one project uploads 2.17.1
 * and its task is patched by itself; the other records not_affected with a justification (a VEX
 * statement); the burndown reaches zero and the Markdown export lists both outcomes with times.
 * Also: a zero-day incident by purl and range, a project that becomes affected later, the task
 * state machine, and what a limited token sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import type { IncidentView } from '../response/incidents.js';
import { LOG4J, type ResponseWorld, responseWorld } from './response-testing.js';

describe.skipIf(!HAS_SHARED).each(testDbs())('incidents on $name', (kind) => {
  let w: ResponseWorld;
  let maint: Record<string, string>;
  let incident: IncidentView;

  beforeAll(async () => {
    w = await responseWorld(kind);
    await w.upload('alpha', '1.0', '2.14.1');
    await w.upload('beta', '1.0', '2.14.1');
    await w.upload('gamma', '1.0', '2.17.1');
    const r = await w.app.inject({ method: 'PATCH', url: '/api/v1/projects/alpha', headers: w.admin, payload: { owners: ['team-a@example.com'] } });
    expect(r.statusCode, r.body).toBe(200);
    maint = await w.token('maintainer', 'mia');
  }, 120_000);
  afterAll(() => w?.close());

  const read = async (id: number, headers = maint): Promise<IncidentView> => {
    const r = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as IncidentView;
  };
  const task = (v: IncidentView, project: string) => v.tasks.find((t) => t.project === project)!;

  it('opens an incident for CVE-2021-44228 with one task per affected project, for its owners', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: maint, payload: { vuln: 'CVE-2021-44228', title: 'Log4Shell' } });
    expect(r.statusCode, r.body).toBe(201);
    incident = r.json() as IncidentView;
    expect(r.headers['location']).toBe(`/api/v1/incidents/${incident.id}`);
    expect(incident).toMatchObject({ title: 'Log4Shell', vuln: 'CVE-2021-44228', openedBy: 'mia' });
    expect(incident.tasks.map((t) => [t.project, t.version, t.state, t.owners, t.purls])).toEqual([
      ['alpha', '1.0', 'open', ['team-a@example.com'], [`${LOG4J}@2.14.1`]],
      ['beta', '1.0', 'open', [], [`${LOG4J}@2.14.1`]],
    ]);
    expect(incident.timeline.map((e) => e.type)).toEqual(['incident.opened', 'task.opened', 'task.opened']);
    expect(incident.burndown.at(-1)!.open).toBe(2);
  });

  it('patches a task by itself when a new upload no longer has the finding', async () => {
    await w.upload('alpha', '2.0', '2.17.1');
    const v = await read(incident.id);
    const a = task(v, 'alpha');
    expect(a.state).toBe('patched');
    expect(a.closedAt! >= a.createdAt).toBe(true);
    expect(a.timeToPatch).toBeGreaterThanOrEqual(0);
    const e = v.timeline.find((x) => x.type === 'task.patched')!;
    expect(e).toMatchObject({ actor: 'vouch', taskId: a.id, detail: { project: 'alpha', from: '1.0', to: '2.0' } });
    // the time is the new version's arrival, not the read: reading again changes nothing
    const again = await read(incident.id);
    expect(task(again, 'alpha').closedAt).toBe(a.closedAt);
    expect(again.timeline.filter((x) => x.type === 'task.patched')).toHaveLength(1);
  });

  it('moves a task open → mitigated → not_affected, recording a VEX statement', async () => {
    const b = task(await read(incident.id), 'beta');
    const patch = (body: object) => w.app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}/tasks/${b.id}`, headers: maint, payload: body });
    const m = await patch({ state: 'mitigated', note: 'WAF rule blocks ${jndi:' });
    expect(m.statusCode, m.body).toBe(200);
    expect(task(m.json() as IncidentView, 'beta').state).toBe('mitigated');
    const noJust = await patch({ state: 'not_affected' });
    expect(noJust.statusCode).toBe(400);
    expect(noJust.json().detail).toMatch(/justification/);
    const n = await patch({ state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', note: 'lookups disabled' });
    expect(n.statusCode, n.body).toBe(200);
    const v = n.json() as IncidentView;
    expect(task(v, 'beta')).toMatchObject({ state: 'not_affected' });
    expect(task(v, 'beta').timeToMitigate).toBeLessThanOrEqual(task(v, 'beta').timeToPatch!);
    const back = await patch({ state: 'mitigated' });
    expect(back.statusCode).toBe(409);
    // the statement: beta's analysis of CVE-2021-44228 on log4j-core 2.14.1, and the finding leaves beta's count
    const an = (await w.app.inject({ method: 'GET', url: '/api/v1/projects/beta/analyses?vuln=CVE-2021-44228', headers: maint })).json() as { items: object[] };
    expect(an.items).toMatchObject([{ purl: `${LOG4J}@2.14.1`, state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', detail: 'lookups disabled', author: 'mia', source: `incident:${incident.id}` }]);
    const vex = JSON.parse((await w.app.inject({ method: 'GET', url: '/api/v1/projects/beta/vex?format=openvex', headers: maint })).body) as { statements: { vulnerability: { name: string }; status: string; justification?: string }[] };
    expect(vex.statements).toMatchObject([{ vulnerability: { name: 'CVE-2021-44228' }, status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }]);
  });

  it('burns down to zero, and the Markdown export lists both outcomes with times', async () => {
    const v = await read(incident.id);
    expect(v.totals).toMatchObject({ tasks: 2, open: 0, mitigated: 0, patched: 1, notAffected: 1 });
    // the tasks open with the incident (one point), then one closes at a time
    expect(v.burndown.map((b) => b.open)).toEqual([2, 1, 0]);
    expect(v.burndown[0]!.at).toBe(v.createdAt);
    const r = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}/export?format=markdown`, headers: maint });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/markdown/);
    const md = r.body;
    expect(md).toContain(`# Incident ${incident.id}: Log4Shell`);
    const row = (p: string) => md.split('\n').find((l) => l.startsWith(`| ${p} |`))!;
    expect(row('alpha')).toContain('| patched |');
    expect(row('alpha')).toContain(task(v, 'alpha').closedAt!);
    expect(row('beta')).toContain('| not_affected |');
    expect(row('beta')).toContain(task(v, 'beta').closedAt!);
    // free text is escaped for Markdown (underscores would format)
    expect(md).toContain('task.not_affected by mia: beta; 1.0; vulnerable\\_code\\_not\\_in\\_execute\\_path; lookups disabled');
    const html = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}/export?format=html`, headers: maint });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain(`<td>beta</td><td>1.0</td><td>${LOG4J}@2.14.1</td><td>—</td><td>not_affected</td><td>${task(v, 'beta').createdAt}</td><td>${task(v, 'beta').closedAt}</td>`);
    expect(html.body).not.toContain('<script');
  });

  it('opens a zero-day incident for a purl and range, and adds projects that become affected later', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: maint, payload: { purl: LOG4J, range: 'vers:maven/<2.17.1' } });
    expect(r.statusCode, r.body).toBe(201);
    const z = r.json() as IncidentView;
    // alpha is on 2.17.1 now, gamma always was: beta only
    expect(z.tasks.map((t) => t.project)).toEqual(['beta']);
    expect(z.title).toBe(`${LOG4J} vers:maven/<2.17.1`);
    await w.upload('delta', '1.0', '2.14.1');
    const v = await read(z.id);
    expect(v.tasks.map((t) => [t.project, t.state])).toEqual([
      ['beta', 'open'],
      ['delta', 'open'],
    ]);
    expect(v.timeline.filter((e) => e.type === 'task.opened').at(-1)).toMatchObject({ actor: 'vouch', detail: { project: 'delta' } });
  });

  it('refuses what cannot be an incident', async () => {
    const post = (payload: object) => w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: maint, payload });
    expect((await post({ vuln: 'CVE-2021-44228', purl: LOG4J })).statusCode).toBe(400);
    expect((await post({})).statusCode).toBe(400);
    const unknown = await post({ vuln: 'CVE-1999-0001' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toMatch(/zero-day/);
    expect((await post({ purl: LOG4J, range: 'vers:nosuchscheme/<1' })).statusCode).toBe(400);
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/incidents/99999', headers: maint })).statusCode).toBe(404);
    // a title is text in both exports, never markup
    const evil = (await post({ vuln: 'CVE-2021-45046', title: '<img src=x onerror=alert(1)> | x' })).json() as IncidentView;
    const md = (await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${evil.id}/export`, headers: maint })).body;
    expect(md.split('\n')[0]).toBe(`# Incident ${evil.id}: &lt;img src=x onerror=alert\\(1\\)&gt; \\| x`);
    const html = (await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${evil.id}/export?format=html`, headers: maint })).body;
    expect(html).toContain(`<h1>Incident ${evil.id}: &lt;img src=x onerror=alert(1)&gt; | x</h1>`);
    expect(html).not.toContain('<img');
    expect((await w.app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}/tasks/99999`, headers: maint, payload: { state: 'mitigated' } })).statusCode).toBe(404);
  });

  it('shows a limited token only its own projects\' tasks, and no incident without one', async () => {
    const betaOnly = await w.token('viewer', 'vb', ['beta']);
    const v = await read(incident.id, betaOnly);
    expect(v.tasks.map((t) => t.project)).toEqual(['beta']);
    expect(v.timeline.every((e) => e.taskId === undefined || e.taskId === task(v, 'beta').id)).toBe(true);
    // the opening counted the whole portfolio's blast radius (2 projects): a count of other teams' projects for this token
    expect((await read(incident.id)).timeline.find((e) => e.type === 'incident.opened')!.detail).toMatchObject({ affected: 2 });
    expect(v.timeline.find((e) => e.type === 'incident.opened')!.detail).not.toHaveProperty('affected');
    const gammaOnly = await w.token('viewer', 'vg', ['gamma']);
    expect((await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}`, headers: gammaOnly })).statusCode).toBe(404);
    expect(((await w.app.inject({ method: 'GET', url: '/api/v1/incidents', headers: gammaOnly })).json() as { items: unknown[] }).items).toEqual([]);
    const list = ((await w.app.inject({ method: 'GET', url: '/api/v1/incidents', headers: betaOnly })).json() as { items: { id: number }[] }).items;
    // the CVE incident, the zero-day one and the one with the hostile title all have a beta task
    expect(list.map((i) => i.id).sort((x, y) => x - y)).toEqual([incident.id, incident.id + 1, incident.id + 2]);
    // a maintainer limited to beta cannot move alpha's task (absent to it)
    const mb = await w.token('maintainer', 'mb', ['beta']);
    const full = await read(incident.id);
    const r = await w.app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}/tasks/${task(full, 'alpha').id}`, headers: mb, payload: { state: 'mitigated' } });
    expect(r.statusCode).toBe(404);
  });
});
