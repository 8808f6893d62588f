/**
 * The "Done when" of issue 14 items 1–3 in one flow, in process (no spawned `vouch serve`), on
 * SQLite and (VOUCH_TEST_PG) PostgreSQL: two projects on log4j-core 2.14.1 and one on 2.17.1; a
 * notification rule; an incident for CVE-2021-44228 opens two tasks; one project uploads 2.17.1
 * and its task is patched by itself; the other records not_affected with a justification; its
 * exported OpenVEX re-imported into a SECOND server gives the same analysis; the burndown reaches
 * zero, the Markdown export lists both outcomes with times, and the receiver got every change,
 * signed.
 */
import { createHmac } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../response/incidents.js';
import { collect, deliverDue } from '../response/notifications.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { LOG4J, type ResponseWorld, responseWorld } from './response-testing.js';

describe.skipIf(!HAS_SHARED).each(testDbs())('the Log4Shell response on $name', (kind) => {
  let a: ResponseWorld;
  let b: ResponseWorld;
  let receiver: Server;
  const got: { sig: string; ts: string; body: string }[] = [];

  beforeAll(async () => {
    [a, b] = [await responseWorld(kind), await responseWorld(kind)];
    await a.upload('checkout', '1.0', '2.14.1');
    await a.upload('billing', '1.0', '2.14.1');
    await a.upload('search', '1.0', '2.17.1');
    await b.upload('billing-mirror', '1.0', '2.14.1');
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        got.push({ sig: String(req.headers['x-vouch-signature']), ts: String(req.headers['x-vouch-timestamp']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  }, 180_000);
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await a?.close();
    await b?.close();
  });

  it('runs the response end to end', async () => {
    const req = async (w: ResponseWorld, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object | string) => {
      const r = await w.app.inject({ method, url, headers: { ...w.admin, ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload } : {}) });
      expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 300)}`).toBeLessThan(300);
      return r;
    };
    const rule = (await req(a, 'POST', '/api/v1/notification-rules', { name: 'sec', events: ['incident.opened', 'incident.updated'], url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` })).json() as { secret: string };

    const opened = (await req(a, 'POST', '/api/v1/incidents', { vuln: 'CVE-2021-44228', title: 'Log4Shell' })).json() as IncidentView;
    expect(opened.tasks.map((t) => t.project)).toEqual(['billing', 'checkout']);

    await a.upload('checkout', '1.1', '2.17.1');
    const billingTask = opened.tasks.find((t) => t.project === 'billing')!;
    await req(a, 'PATCH', `/api/v1/incidents/${opened.id}/tasks/${billingTask.id}`, { state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', note: 'formatMsgNoLookups=true' });
    const v = (await req(a, 'GET', `/api/v1/incidents/${opened.id}`)).json() as IncidentView;
    expect(v.tasks.map((t) => [t.project, t.state])).toEqual([
      ['billing', 'not_affected'],
      ['checkout', 'patched'],
    ]);
    expect(v.burndown.at(-1)!.open).toBe(0);

    // billing's VEX, re-imported into the second server's project with the same component
    const vex = (await req(a, 'GET', '/api/v1/projects/billing/vex?format=openvex')).body;
    const imported = (await req(b, 'POST', '/api/v1/projects/billing-mirror/vex?file=billing.openvex.json', vex)).json() as { applied: number; notApplied: unknown[] };
    expect(imported).toMatchObject({ applied: 1, notApplied: [] });
    const pick = (x: { purl: string; vuln: string; state: string; justification?: string; detail?: string }) => ({ purl: x.purl, vuln: x.vuln, state: x.state, justification: x.justification, detail: x.detail });
    const there = ((await req(b, 'GET', '/api/v1/projects/billing-mirror/analyses')).json() as { items: Parameters<typeof pick>[0][] }).items.map(pick);
    const here = ((await req(a, 'GET', '/api/v1/projects/billing/analyses')).json() as { items: Parameters<typeof pick>[0][] }).items.map(pick);
    expect(there).toEqual(here);
    expect(there).toEqual([{ purl: `${LOG4J}@2.14.1`, vuln: 'CVE-2021-44228', state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', detail: 'formatMsgNoLookups=true' }]);

    const md = (await req(a, 'GET', `/api/v1/incidents/${opened.id}/export?format=markdown`)).body;
    expect(md).toMatch(new RegExp(`\\| billing \\| 1\\.0 \\|.*\\| not_affected \\| ${v.tasks[0]!.createdAt} \\| ${v.tasks[0]!.closedAt} \\|`));
    expect(md).toMatch(new RegExp(`\\| checkout \\| 1\\.0 \\|.*\\| patched \\| ${v.tasks[1]!.createdAt} \\| ${v.tasks[1]!.closedAt} \\|`));

    // every change reached the receiver, in order, signed with the rule's secret
    await collect(a.t.db);
    while ((await deliverDue(a.t.db)).delivered > 0);
    const changes = got.map((g) => (JSON.parse(g.body) as { change: string; detail: { project?: string } }));
    expect(changes.map((c) => `${c.change} ${c.detail.project ?? ''}`.trim())).toEqual(['incident.opened', 'task.opened billing', 'task.opened checkout', 'task.patched checkout', 'task.not_affected billing']);
    for (const g of got) expect(g.sig).toBe(`sha256=${createHmac('sha256', rule.secret).update(`${g.ts}.${g.body}`).digest('hex')}`);
  }, 120_000);
});
