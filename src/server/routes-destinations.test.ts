/**
 * Issue 14 items 2–3, the parts beyond webhooks, on SQLite and (VOUCH_TEST_PG) PostgreSQL:
 * Slack-compatible payloads, e-mail through a local SMTP server (this test runs one), the events
 * finding.kev / upload.failed / policy.violation with the rules' filters, and containment playbooks
 * stored on the server, shown on incidents and recorded as applied.
 */
import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncKev } from '../portfolio/kev.js';
import { smtpMailer } from '../response/destinations.js';
import type { IncidentView } from '../response/incidents.js';
import { collect, deliverDue, listDeliveries } from '../response/notifications.js';
import { recordUploadEvents } from '../response/upload-events.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { LOG4J, type ResponseWorld, responseWorld } from './response-testing.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

const SMTP_PASSWORD = 'pa55-w0rd-never-shown';

describe.skipIf(!HAS_SHARED).each(testDbs())('notification destinations, events and containment on $name', (kind) => {
  let w: ResponseWorld;
  let receiver: Server;
  let base = '';
  const received: Received[] = [];
  let smtp: SMTPServer;
  let smtpPort = 0;
  const mails: Mail[] = [];
  let refuseMail = 0;

  const at = (path: string): Received[] => received.filter((r) => r.path === path);
  const bodies = (path: string): Record<string, unknown>[] => at(path).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  const rule = async (payload: object): Promise<{ id: number; secret: string }> => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: w.admin, payload });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number; secret: string };
  };
  /** derive upload events, collect and deliver everything due now (the worker's round, by hand) */
  const round = async (opts: Parameters<typeof deliverDue>[1] = {}): Promise<void> => {
    await recordUploadEvents(w.t.db);
    await collect(w.t.db);
    for (let i = 0; i < 50; i++) if ((await deliverDue(w.t.db, opts)).delivered === 0) break;
  };
  const upload = async (project: string, version: string, body: Buffer): Promise<number> => {
    const r = await w.app.inject({ method: 'POST', url: `/api/v1/projects/${project}/versions/${version}/documents?file=bom.cdx.json&wait=60`, headers: { ...w.admin, 'content-type': 'application/json' }, payload: body });
    return r.statusCode;
  };

  beforeAll(async () => {
    w = await responseWorld(kind);
    await w.upload('alpha', '1.0', '2.14.1');
    await w.upload('beta', '1.0', '2.14.1');
    await w.app.inject({ method: 'PATCH', url: '/api/v1/projects/beta', headers: w.admin, payload: { tags: ['team-b'] } });
    // the uploads so far are history: looked at once, nothing to announce (no policy yet)
    expect(await recordUploadEvents(w.t.db)).toBe(0);
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'vouch' && auth.password === SMTP_PASSWORD) cb(null, { user: 'vouch' });
        else cb(new Error('invalid credentials'));
      },
      onData(stream, session, cb) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (raw += c));
        stream.on('end', () => {
          if (refuseMail > 0) {
            refuseMail--;
            const e = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
            cb(e);
            return;
          }
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  }, 180_000);

  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await new Promise((r) => (smtp ? smtp.close(() => r(undefined)) : r(undefined)));
    await w?.close();
  });

  it('posts a Slack-compatible {text, blocks} payload, input text escaped, signed like a webhook', async () => {
    const made = await rule({ name: 'chat', events: ['incident.opened'], destination: 'slack', url: `${base}/slack` });
    const inc = await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { vuln: 'CVE-2021-44228', title: 'Log4Shell <!channel> & <https://evil.example|click>' } });
    expect(inc.statusCode).toBe(201);
    const id = (inc.json() as IncidentView).id;
    await round();
    expect(at('/slack')).toHaveLength(1);
    const got = at('/slack')[0]!;
    const text = `Incident ${id} opened by alice: Log4Shell &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; (2 affected project(s))`;
    const payload = JSON.parse(got.body) as { text: string; blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[] };
    expect(payload.text).toBe(text);
    expect(payload.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(payload.blocks[1]!.type).toBe('context');
    expect(payload.blocks[1]!.elements![0]!.text).toContain(`event ${String(got.headers['x-vouch-event-id'])}`);
    const ts = String(got.headers['x-vouch-timestamp']);
    expect(got.headers['x-vouch-signature']).toBe(`sha256=${createHmac('sha256', made.secret).update(`${ts}.${got.body}`).digest('hex')}`);
    // the rule lists as a slack rule with its URL
    const listed = (await w.app.inject({ method: 'GET', url: '/api/v1/notification-rules', headers: w.admin })).json() as { items: { id: number; destination: string; url?: string }[] };
    expect(listed.items.find((r) => r.id === made.id)).toMatchObject({ destination: 'slack', url: `${base}/slack` });
  });

  it('refuses rules whose destination does not fit', async () => {
    const bad = async (payload: object, detail: RegExp): Promise<void> => {
      const r = await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: w.admin, payload: { name: 'x', events: ['upload.failed'], ...payload } });
      expect(r.statusCode, r.body).toBe(400);
      expect((r.json() as { detail: string }).detail).toMatch(detail);
    };
    await bad({ destination: 'email' }, /needs at least one recipient/);
    await bad({ destination: 'email', to: ['not an address'] }, /"not an address" is not an e-mail address/);
    await bad({ destination: 'email', to: ['a@example.com'], url: 'https://x.example/' }, /recipients \(to\), not a URL/);
    await bad({ destination: 'slack' }, /needs the URL/);
    await bad({ destination: 'slack', url: 'ftp://x.example/' }, /http:\/\/ or https:\/\//);
    await bad({ url: 'https://x.example/', to: ['a@example.com'] }, /a webhook rule has a URL, not recipients/);
    await bad({ url: 'https://x.example/', filters: { minEpss: 2 } }, /minEpss/);
  });

  it('mails upload.failed through the SMTP server, retrying while it has none or it refuses, never showing its password', async () => {
    const made = await rule({ name: 'mail', events: ['upload.failed'], destination: 'email', to: ['security@example.com', 'ops@example.com'] });
    const listed = (await w.app.inject({ method: 'GET', url: '/api/v1/notification-rules', headers: w.admin })).json() as { items: { id: number; to?: string[]; url?: string }[] };
    expect(listed.items.find((r) => r.id === made.id)).toMatchObject({ to: ['security@example.com', 'ops@example.com'] });

    // the same event to webhooks: a finding filter lets it through (it has no finding), a tag filter of another team does not
    await rule({ name: 'failed-critical', events: ['upload.failed'], filters: { minSeverity: 'CRITICAL', kevOnly: true }, url: `${base}/failed-critical` });
    await rule({ name: 'failed-team-b', events: ['upload.failed'], filters: { tag: 'team-b' }, url: `${base}/failed-team-b` });
    expect(await upload('alpha', 'broken', Buffer.from('{"bomFormat": "CycloneDX",\n "components": [ }'))).toBeGreaterThanOrEqual(400);
    expect(await recordUploadEvents(w.t.db)).toBe(1);
    expect(await recordUploadEvents(w.t.db)).toBe(0);
    const t0 = Date.now();
    await collect(w.t.db, { now: new Date(t0) });
    const settings = { url: `smtp://vouch:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`, from: 'vouch@example.com' };
    const mailer = smtpMailer(settings, 5000);
    try {
      // a worker without --smtp: recorded, retried
      await deliverDue(w.t.db, { now: new Date(t0) });
      // the SMTP server refuses (451): recorded, retried
      refuseMail = 1;
      await deliverDue(w.t.db, { now: new Date(t0 + 31_000), mailer, smtp: settings });
      expect(mails).toHaveLength(0);
      await deliverDue(w.t.db, { now: new Date(t0 + 92_000), mailer, smtp: settings });
    } finally {
      mailer.close();
    }
    const log = (await listDeliveries(w.t.db, made.id))!;
    expect(log.map((d) => [d.attempt, d.state])).toEqual([
      [3, 'delivered'],
      [2, 'delivered'],
      [1, 'delivered'],
    ]);
    expect(log[2]!.error).toMatch(/no SMTP server is configured on this worker/);
    expect(log[1]!.error).toMatch(/451 mailbox busy, try later/);
    expect(log[0]!.response).toMatch(/^250 /);
    expect(JSON.stringify(log)).not.toContain(SMTP_PASSWORD);
    expect(bodies('/failed-critical').map((b) => [b['type'], b['project'], b['version']])).toEqual([['upload.failed', 'alpha', 'broken']]);
    expect(at('/failed-team-b')).toHaveLength(0);

    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.from).toBe('vouch@example.com');
    expect(m.to).toEqual(['security@example.com', 'ops@example.com']);
    // the message as a reader sees it: folded headers unfolded, RFC 2047 words and quoted-printable decoded
    const raw = m.raw.replace(/\r\n/g, '\n');
    const cut = raw.indexOf('\n\n');
    const qp = (x: string): string => Buffer.from(x.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    const headers = raw
      .slice(0, cut)
      .replace(/\n[ \t]+/g, ' ')
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, word: string) => qp(word.replace(/_/g, ' ')));
    const body = qp(raw.slice(cut + 2).replace(/=\n/g, ''));
    expect(headers).toMatch(/^Subject: \[vouch\] Upload of bom\.cdx\.json to alpha broken failed: /m);
    expect(headers).toMatch(/^X-Vouch-Event: upload\.failed$/m);
    expect(headers).toMatch(new RegExp(`^X-Vouch-Event-Id: ${log[0]!.eventId}$`, 'mi'));
    expect(log[0]!.eventId).toMatch(/^response-event-\d+$/);
    // the summary, then the event itself as JSON
    expect(body).toMatch(/^Upload of bom\.cdx\.json to alpha broken failed: bom\.cdx\.json: not valid JSON/);
    const event = JSON.parse(body.slice(body.indexOf('{'))) as { id: string; type: string; project: string; version: string; detail: { file: string; error: { title: string } } };
    expect(event).toMatchObject({ id: log[0]!.eventId, type: 'upload.failed', project: 'alpha', version: 'broken', detail: { file: 'bom.cdx.json', error: { title: 'the document could not be read' } } });
  });

  it('records a policy violation for a finished upload, filtered by severity, KEV and tag, and suppressed by analyses', async () => {
    // a mistake is the reader's one line; the stored policy stays as it was
    const wrong = await w.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...w.admin, 'content-type': 'application/yaml' }, payload: 'version: 1\nfail:\n  severity: severe\n' });
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect((wrong.json() as { detail: string }).detail).toMatch(/vouch\.policy\.yaml:3/);
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/policy', headers: w.admin })).statusCode).toBe(404);
    const put = await w.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...w.admin, 'content-type': 'application/yaml' }, payload: 'version: 1\nfail:\n  severity: high\n' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ name: 'policy', text: 'version: 1\nfail:\n  severity: high\n', updatedBy: 'alice' });

    await rule({ name: 'policy-high', events: ['policy.violation'], filters: { minSeverity: 'HIGH' }, url: `${base}/policy-high` });
    await rule({ name: 'policy-critical', events: ['policy.violation'], filters: { minSeverity: 'CRITICAL' }, url: `${base}/policy-critical` });
    await rule({ name: 'policy-kev', events: ['policy.violation'], filters: { kevOnly: true }, url: `${base}/policy-kev` });
    await rule({ name: 'policy-team-b', events: ['policy.violation'], filters: { tag: 'team-b' }, url: `${base}/policy-team-b` });

    await w.upload('gamma', '1.0', '2.14.1');
    await round();
    const high = bodies('/policy-high');
    expect(high).toHaveLength(1);
    const detail = high[0]!['detail'] as { upload: string; violations: { rule: string; id: string; purl: string; severity: string; message: string }[] };
    expect(high[0]).toMatchObject({ type: 'policy.violation', project: 'gamma', version: '1.0' });
    const ids = detail.violations.map((v) => v.id).sort();
    // log4j-core 2.14.1: Log4Shell and CVE-2021-45046 are critical; CVE-2021-45105 is high; CVE-2021-44832 is medium (under the policy's bar)
    expect(ids).toContain('GHSA-jfh8-c2jp-5v3q');
    expect(ids).not.toContain('GHSA-8489-44mv-ggj8');
    for (const v of detail.violations) {
      expect(v.rule).toBe('fail.severity');
      expect(['CRITICAL', 'HIGH']).toContain(v.severity);
      expect(v.purl).toBe(`${LOG4J}@2.14.1`);
    }
    // the CRITICAL rule keeps only the critical ones, the KEV rule none (no KEV loaded), the team-b rule none (gamma is not team-b's)
    const critical = bodies('/policy-critical')[0]!['detail'] as typeof detail;
    expect(critical.violations.length).toBeGreaterThan(0);
    expect(critical.violations.length).toBeLessThan(detail.violations.length);
    expect(critical.violations.every((v) => v.severity === 'CRITICAL')).toBe(true);
    expect(at('/policy-kev')).toHaveLength(0);
    expect(at('/policy-team-b')).toHaveLength(0);

    // a not_affected analysis suppresses its finding, as in vouch scan: the next upload's violations leave it out
    const a = await w.app.inject({ method: 'POST', url: '/api/v1/projects/gamma/analyses', headers: w.admin, payload: { purl: `${LOG4J}@2.14.1`, vuln: 'CVE-2021-44228', state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' } });
    expect(a.statusCode).toBe(201);
    await w.upload('gamma', '1.1', '2.14.1');
    await round();
    expect(at('/policy-high')).toHaveLength(2);
    const after = (bodies('/policy-high')[1]!['detail'] as typeof detail).violations.map((v) => v.id);
    expect(after).not.toContain('GHSA-jfh8-c2jp-5v3q');
    expect(after.length).toBe(detail.violations.length - 1);
    // a clean upload is no violation
    await w.upload('gamma', '1.2', '2.17.1');
    await round();
    expect(at('/policy-high')).toHaveLength(2);
  });

  it('announces a KEV entry that arrives for an existing finding, once, to the rules whose filters it passes', async () => {
    await rule({ name: 'kev', events: ['finding.kev'], filters: { kevOnly: true }, url: `${base}/kev` });
    await rule({ name: 'kev-epss', events: ['finding.kev'], filters: { minEpss: 0.5 }, url: `${base}/kev-epss` });
    await rule({ name: 'kev-team-b', events: ['finding.kev'], filters: { tag: 'team-b' }, url: `${base}/kev-team-b` });
    await rule({ name: 'kev-owner', events: ['finding.kev'], filters: { owner: 'team-a@example.com' }, url: `${base}/kev-owner` });
    await w.app.inject({ method: 'PATCH', url: '/api/v1/projects/alpha', headers: w.admin, payload: { owners: ['team-a@example.com'] } });
    const kev = { kev: (cve: string) => (cve === 'CVE-2021-44228' ? { cve, dateAdded: '2021-12-10', knownRansomwareUse: true } : undefined) };
    // alpha 1.0, beta 1.0 and gamma 1.0 / 1.1 have the finding open; only current versions are announced (alpha, beta — gamma's current is 2.17.1)
    // read two open findings at a time: every page is looked at, the last one short
    const first = await syncKev(w.t.db, kev, { pageSize: 2 });
    expect(first).toEqual({ marked: 4, events: 2 });
    expect(await syncKev(w.t.db, kev)).toEqual({ marked: 0, events: 0 });
    await round();
    const got = bodies('/kev');
    expect(got.map((b) => [b['type'], b['project'], b['vuln'], b['purl'], b['kev']])).toEqual([
      ['finding.kev', 'alpha', 'GHSA-jfh8-c2jp-5v3q', `${LOG4J}@2.14.1`, true],
      ['finding.kev', 'beta', 'GHSA-jfh8-c2jp-5v3q', `${LOG4J}@2.14.1`, true],
    ]);
    // no EPSS loaded: the EPSS rule hears nothing; the tag rule hears beta only
    expect(at('/kev-epss')).toHaveLength(0);
    expect(bodies('/kev-team-b').map((b) => b['project'])).toEqual(['beta']);
    expect(bodies('/kev-owner').map((b) => b['project'])).toEqual(['alpha']);
    // the finding itself now says KEV, and the event is listed with the others
    const findings = (await w.app.inject({ method: 'GET', url: '/api/v1/projects/alpha/findings', headers: w.admin })).json() as { findings: { id: string; kev?: { cve: string; dateAdded: string } }[] };
    expect(findings.findings.find((f) => f.id === 'GHSA-jfh8-c2jp-5v3q')?.kev).toMatchObject({ cve: 'CVE-2021-44228', dateAdded: '2021-12-10' });
    const events = (await w.app.inject({ method: 'GET', url: '/api/v1/events?type=finding.kev', headers: w.admin })).json() as { items: { project: string }[] };
    expect(events.items.map((e) => e.project).sort()).toEqual(['alpha', 'beta']);
  });

  it('stores the containment playbook, shows its steps on incidents, and moves a task to mitigated when they are applied', async () => {
    const put = (text: string) => w.app.inject({ method: 'PUT', url: '/api/v1/containment', headers: { ...w.admin, 'content-type': 'application/yaml' }, payload: text });
    const wrong = await put('CVE-2021-44228:\n  - 1\n  - 2\n');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ detail: expect.stringMatching(/steps of CVE-2021-44228 must be a string or a list of strings/), pointer: '$["CVE-2021-44228"]' });
    const text = 'CVE-2021-44228:\n  - "remove JndiLookup.class from the jar"\n  - "or start the JVM with -Dlog4j2.formatMsgNoLookups=true <script>"\nghsa-jfh8-c2jp-5v3q: "block ${jndi: at the WAF"\nCVE-2099-0001: "unrelated"\n';
    expect((await put(text)).statusCode).toBe(200);
    expect(((await w.app.inject({ method: 'GET', url: '/api/v1/containment', headers: w.admin })).json() as { text: string }).text).toBe(text);

    // matched by the incident's id and the ids and aliases the portfolio knows for it (keys case-insensitive)
    const opened = (await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { vuln: 'CVE-2021-44228', title: 'Log4Shell again' } })).json() as IncidentView;
    expect(opened.containment).toEqual([
      { key: 'CVE-2021-44228', steps: ['remove JndiLookup.class from the jar', 'or start the JVM with -Dlog4j2.formatMsgNoLookups=true <script>'] },
      { key: 'ghsa-jfh8-c2jp-5v3q', steps: ['block ${jndi: at the WAF'] },
    ]);
    const alpha = opened.tasks.find((t) => t.project === 'alpha')!;
    const applied = await w.app.inject({ method: 'POST', url: `/api/v1/incidents/${opened.id}/tasks/${alpha.id}/containment`, headers: w.admin, payload: { note: 'all nodes' } });
    expect(applied.statusCode, applied.body).toBe(200);
    const v = applied.json() as IncidentView;
    expect(v.tasks.find((t) => t.id === alpha.id)).toMatchObject({ state: 'mitigated' });
    const ev = v.timeline.find((e) => e.type === 'task.mitigated')!;
    expect(ev).toMatchObject({ actor: 'alice', taskId: alpha.id, detail: { project: 'alpha', note: 'all nodes', containment: opened.containment } });
    // once mitigated, again is a conflict
    expect((await w.app.inject({ method: 'POST', url: `/api/v1/incidents/${opened.id}/tasks/${alpha.id}/containment`, headers: w.admin, payload: {} })).statusCode).toBe(409);

    const md = (await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${opened.id}/export?format=markdown`, headers: w.admin })).body;
    expect(md).toContain('## Containment');
    expect(md).toMatch(/^- CVE-2021-44228: remove JndiLookup\.class from the jar$/m);
    expect(md).toContain("task.mitigated by alice: alpha; 1.0; containment applied \\(CVE-2021-44228, ghsa-jfh8-c2jp-5v3q\\); all nodes");
    expect(md).not.toContain('<script>');
    const html = (await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${opened.id}/export?format=html`, headers: w.admin })).body;
    expect(html).toContain('<h2>Containment</h2>');
    expect(html).toContain('<li>CVE-2021-44228: or start the JVM with -Dlog4j2.formatMsgNoLookups=true &lt;script&gt;</li>');

    // a zero-day incident has no id to look up: no steps, and "containment applied" is refused
    const zero = (await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: w.admin, payload: { purl: LOG4J, range: 'vers:maven/<2.17.1' } })).json() as IncidentView;
    expect(zero.containment).toEqual([]);
    const refused = await w.app.inject({ method: 'POST', url: `/api/v1/incidents/${zero.id}/tasks/${zero.tasks[0]!.id}/containment`, headers: w.admin, payload: {} });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { detail: string }).detail).toMatch(/no steps/);
  });
});
