/**
 * docs/respond.md's examples, run: the containment playbook and the policy as the page shows them
 * are stored and do what the page says, every notification rule the page makes is accepted, and
 * the "containment applied" call moves a task. On SQLite and (VOUCH_TEST_PG) PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../response/incidents.js';
import { recordUploadEvents } from '../response/upload-events.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED, REPO_ROOT } from '../testing/shared.js';
import { type ResponseWorld, responseWorld } from './response-testing.js';

const page = readFileSync(path.join(REPO_ROOT, 'docs', 'respond.md'), 'utf8');
/** ```yaml blocks whose first line names the file: `# vouch.containment.yaml` */
const files = new Map([...page.matchAll(/```yaml\n# (vouch\.[a-z.]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
/** the JSON bodies of the page's `curl … notification-rules … -d '{…}'` examples */
const rules = [...page.matchAll(/api\/v1\/notification-rules" [^\n]*\\\n\s+-d '(\{[^']*\})'/g)].map((m) => JSON.parse(m[1]!) as { name: string; destination?: string });
/** the body of the page's "containment applied" example */
const applied = /tasks\/2\/containment" [^\n]*\\\n[^\n]*-d '(\{[^']*\})'/.exec(page)?.[1];

describe.skipIf(!HAS_SHARED).each(testDbs())('docs/respond.md examples on $name', (kind) => {
  let w: ResponseWorld;
  const put = (name: string, text: string) => w.app.inject({ method: 'PUT', url: `/api/v1/${name}`, headers: { ...w.admin, 'content-type': 'application/yaml' }, payload: text });

  beforeAll(async () => {
    w = await responseWorld(kind);
    await w.upload('billing', '1.0', '2.14.1');
    await recordUploadEvents(w.t.db);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('finds the examples on the page', () => {
    expect([...files.keys()].sort()).toEqual(['vouch.containment.yaml', 'vouch.policy.yaml']);
    expect(rules.map((r) => r.destination ?? 'webhook')).toEqual(['webhook', 'slack', 'email']);
    expect(applied).toBeDefined();
  });

  it('stores the playbook, shows its steps on the Log4Shell incident, and records them applied', async () => {
    expect((await put('containment', files.get('vouch.containment.yaml')!)).statusCode).toBe(200);
    const inc = (await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { vuln: 'CVE-2021-44228', title: 'Log4Shell' } })).json() as IncidentView;
    expect(inc.containment.map((c) => [c.key, c.steps.length])).toEqual([
      ['CVE-2021-44228', 2],
      ['GHSA-jfh8-c2jp-5v3q', 1],
    ]);
    expect(inc.containment[0]!.steps[1]).toBe('or, on 2.10 to 2.14.1, start the JVM with -Dlog4j2.formatMsgNoLookups=true');
    const r = await w.app.inject({ method: 'POST', url: `/api/v1/incidents/${inc.id}/tasks/${inc.tasks[0]!.id}/containment`, headers: { ...w.admin, 'content-type': 'application/json' }, payload: applied! });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as IncidentView).tasks[0]!.state).toBe('mitigated');
  });

  it('stores the policy; an upload that breaks it is a policy.violation', async () => {
    expect((await put('policy', files.get('vouch.policy.yaml')!)).statusCode).toBe(200);
    await w.upload('payments', '1.0', '2.14.1');
    expect(await recordUploadEvents(w.t.db)).toBe(1);
    const ev = await w.t.db.selectFrom('response_events').selectAll().execute();
    expect(ev.map((e) => [e.type, e.project, e.version])).toEqual([['policy.violation', 'payments', '1.0']]);
    const violations = (JSON.parse(ev[0]!.detail) as { violations: { id: string; rule: string }[] }).violations;
    expect(violations.find((v) => v.id === 'GHSA-jfh8-c2jp-5v3q')?.rule).toBe('fail.severity');
  });

  it('accepts every rule the page makes', async () => {
    for (const body of rules) {
      const r = await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: w.admin, payload: body });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ name: body.name, destination: body.destination ?? 'webhook' });
    }
  });
});
