/**
 * Issue 14 item 2 (webhooks), on SQLite and (VOUCH_TEST_PG) PostgreSQL: a rule made through the
 * API, a local receiver that fails the first two deliveries — the event arrives on the third
 * attempt with the same event id, its signature verifies, the attempts and answers are recorded,
 * and a rule's events arrive in order. Also: a redirect is not followed, a filter keeps others out.
 */
import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, deliverDue } from '../response/notifications.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { type ResponseWorld, responseWorld } from './response-testing.js';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe.skipIf(!HAS_SHARED).each(testDbs())('webhook notifications on $name', (kind) => {
  let w: ResponseWorld;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  let failFirst = 2;

  beforeAll(async () => {
    w = await responseWorld(kind);
    await w.upload('alpha', '1.0', '2.14.1');
    await w.upload('beta', '1.0', '2.14.1');
    await w.app.inject({ method: 'PATCH', url: '/api/v1/projects/beta', headers: w.admin, payload: { tags: ['team-b'] } });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/moved') {
          res.writeHead(302, { location: 'http://elsewhere.example/' }).end();
        } else if (failFirst > 0) {
          failFirst--;
          res.writeHead(500).end('not now');
        } else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await w?.close();
  });

  it('delivers at least once after two failures, signed, with one event id, and records every attempt', async () => {
    const made = await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: w.admin, payload: { name: 'ops', events: ['incident.opened', 'incident.updated'], url: `${url}/hook` } });
    expect(made.statusCode, made.body).toBe(201);
    const rule = made.json() as { id: number; secret: string };
    expect(rule.secret.length).toBeGreaterThan(30);
    const listed = (await w.app.inject({ method: 'GET', url: '/api/v1/notification-rules', headers: w.admin })).json() as { items: object[] };
    expect(JSON.stringify(listed)).not.toContain(rule.secret);

    const inc = await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { vuln: 'CVE-2021-44228' } });
    expect(inc.statusCode).toBe(201);
    // incident.opened, then a task.opened each for alpha and beta (incident.updated)
    const t0 = Date.now();
    expect(await collect(w.t.db, { now: new Date(t0) })).toBe(3);
    expect(await collect(w.t.db, { now: new Date(t0) })).toBe(0);

    expect(await deliverDue(w.t.db, { now: new Date(t0) })).toEqual({ delivered: 0, failedAttempts: 1 });
    // not due yet: the retry waits 30 s, then 60 s
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 10_000) })).toEqual({ delivered: 0, failedAttempts: 0 });
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 31_000) })).toEqual({ delivered: 0, failedAttempts: 1 });
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 60_000) })).toEqual({ delivered: 0, failedAttempts: 0 });
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 92_000) })).toEqual({ delivered: 1, failedAttempts: 0 });
    // then the rule's next events, in order
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 92_000) })).toEqual({ delivered: 1, failedAttempts: 0 });
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 92_000) })).toEqual({ delivered: 1, failedAttempts: 0 });
    expect(await deliverDue(w.t.db, { now: new Date(t0 + 92_000) })).toEqual({ delivered: 0, failedAttempts: 0 });

    expect(received).toHaveLength(5);
    const first3 = received.slice(0, 3);
    expect(new Set(first3.map((r) => r.headers['x-vouch-event-id'])).size).toBe(1);
    expect(first3.map((r) => r.body)).toEqual([first3[0]!.body, first3[0]!.body, first3[0]!.body]);
    for (const r of received) {
      const ts = String(r.headers['x-vouch-timestamp']);
      const expected = `sha256=${createHmac('sha256', rule.secret).update(`${ts}.${r.body}`).digest('hex')}`;
      expect(r.headers['x-vouch-signature']).toBe(expected);
    }
    const bodies = received.slice(2).map((r) => JSON.parse(r.body) as { type: string; change: string; detail: { project?: string } });
    expect(bodies.map((b) => [b.type, b.change, b.detail.project])).toEqual([
      ['incident.opened', 'incident.opened', undefined],
      ['incident.updated', 'task.opened', 'alpha'],
      ['incident.updated', 'task.opened', 'beta'],
    ]);

    const d = await w.app.inject({ method: 'GET', url: `/api/v1/notification-rules/${rule.id}/deliveries`, headers: w.admin });
    const items = (d.json() as { items: { eventId: string; attempt: number; status?: number; response?: string; state: string }[] }).items;
    const firstEvent = items.filter((i) => i.eventId === first3[0]!.headers['x-vouch-event-id']).reverse();
    expect(firstEvent.map((i) => [i.attempt, i.status, i.response, i.state])).toEqual([
      [1, 500, 'not now', 'delivered'],
      [2, 500, 'not now', 'delivered'],
      [3, 200, 'ok', 'delivered'],
    ]);
    const viewer = await w.token('maintainer', 'm');
    expect((await w.app.inject({ method: 'GET', url: `/api/v1/notification-rules/${rule.id}/deliveries`, headers: viewer })).statusCode).toBe(403);
  });

  it('does not follow a redirect, and a tag filter keeps other projects\' events out', async () => {
    received.length = 0;
    const moved = (await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: w.admin, payload: { name: 'moved', events: ['incident.updated'], url: `${url}/moved`, filters: { tag: 'team-b' } } })).json() as { id: number };
    expect((await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { vuln: 'CVE-2021-45046' } })).statusCode).toBe(201);
    const now = new Date(Date.now() + 3600_000);
    await collect(w.t.db, { now });
    await deliverDue(w.t.db, { now });
    // only beta (tagged team-b) went to /moved; alpha's task is filtered out
    const toMovedRequests = received.filter((r) => r.url === '/moved');
    expect(toMovedRequests.map((r) => (JSON.parse(r.body) as { detail: { project: string } }).detail.project)).toEqual(['beta']);
    const toMoved = (await w.app.inject({ method: 'GET', url: `/api/v1/notification-rules/${moved.id}/deliveries`, headers: w.admin })).json() as { items: { status?: number; error?: string; state: string }[] };
    expect(toMoved.items).toHaveLength(1);
    expect(toMoved.items[0]).toMatchObject({ status: 302, state: 'pending' });
    expect(toMoved.items[0]!.error).toMatch(/redirect to http:\/\/elsewhere\.example\/ not followed/);
    // the receiver was asked once: the redirect's target never
    expect(received.filter((r) => r.url !== '/moved' && r.url !== '/hook')).toEqual([]);
  });
});
