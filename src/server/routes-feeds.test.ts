/**
 * Issue 14's feed test, server to server, in process with real HTTP between them, on SQLite and
 * (VOUCH_TEST_PG) PostgreSQL: organisation A stores its own advisories (AMBER, CLEAR and RED) and
 * serves them as a signed feed; B subscribes with A's public key and a subscriber token cleared for
 * AMBER, and its projects are matched against A's advisory (source ACME); B's own feed does not
 * carry A's AMBER record and B may not re-publish it; RED never leaves A; a tampered feed (a byte of
 * a record, of the index, of the bundle; a replayed older index) is refused and loads nothing, the
 * failure visible on the subscription; every route is authorised per role.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../attest/keys.js';
import { serverFeedCrypto, serverFeedSigner } from '../cli/feed.js';
import { createQueue, type JobQueue } from '../jobs/index.js';
import { type Role, type TokenTlp, createToken } from '../portfolio/access.js';
import { createSubscription, dueSubscriptions, getSubscription, refreshSubscription, registerFeedWorkers, startFeedScheduler } from '../portfolio/feeds.js';
import { TestStore, log4jSbom, osvRecord } from '../portfolio/portfolio-testing.js';
import { StoreHandle, registerWorkers } from '../portfolio/workers.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestDb, type TestDbKind, freshDb, testDbs } from '../testing/db.js';
import { tempFolders } from '../testing/temp.js';
import { buildApp } from './app.js';

const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';
const temp = tempFolders('vouch-feeds-');

/** An OSV record of A's, affecting log4j-core below `fixed`. */
function ownRecord(id: string, opts: { tlp?: string; fixed?: string; aliases?: string[]; modified?: string } = {}): object {
  return {
    schema_version: '1.6.0',
    id,
    modified: opts.modified ?? '2026-12-01T00:00:00Z',
    ...(opts.aliases ? { aliases: opts.aliases } : {}),
    summary: `${id}: JNDI lookup reachable through the acme-logging bridge`,
    affected: [
      {
        package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', purl: LOG4J },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: opts.fixed ?? '2.17.1' }] }],
      },
    ],
    ...(opts.tlp ? { database_specific: { tlp: opts.tlp } } : {}),
  };
}

interface Org {
  t: TestDb;
  app: FastifyInstance;
  url: string;
  queue: JobQueue;
  store: TestStore;
  handle: StoreHandle;
  publicPem: string;
  admin: Record<string, string>;
  token(role: Role, name: string, tlp?: TokenTlp): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function organisation(kind: TestDbKind, publisher: string): Promise<Org> {
  const t = await freshDb(kind);
  const store = new TestStore();
  // OSV's own (made-up) record of the id A also publishes an analysis of: two sources, one id
  await store.load([osvRecord('GHSA-test-0000-0001', { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '0', fixed: '2.17.1' })]);
  const queue = createQueue(t, { ...(t.schema ? { schema: `${t.schema}_boss` } : {}), pollMs: 20 });
  await queue.start();
  const handle = new StoreHandle(store.home);
  await registerWorkers(queue, t.db, handle);
  const crypto = serverFeedCrypto();
  await registerFeedWorkers(queue, t.db, store.home, crypto);
  const pair = generateKeyPair('p256');
  const keyFile = path.join(temp.tmp('key'), `${publisher}.key`);
  writeFileSync(keyFile, pair.privatePem);
  const signer = await serverFeedSigner(keyFile, publisher);
  const app = await buildApp({ opened: t, queue, logger: false, limits: { rateMax: 1_000_000 }, feeds: { crypto, signer } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const token = async (role: Role, name: string, tlp?: TokenTlp) => ({ authorization: `Bearer ${(await createToken(t.db, { name, role, ...(tlp ? { tlp } : {}) })).token}` });
  return {
    t,
    app,
    url,
    queue,
    store,
    handle,
    publicPem: pair.publicPem,
    admin: await token('admin', `${publisher}-admin`),
    token,
    async close() {
      await app.close();
      await queue.stop({ graceful: false });
      handle.close();
      store.close();
      await t.close();
    },
  };
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Finding = { id: string; purl: string; source?: { name: string; url: string; key: string; tlp: string } };

async function findings(o: Org, project: string): Promise<Finding[]> {
  const r = await o.app.inject({ method: 'GET', url: `/api/v1/projects/${project}/findings`, headers: o.admin });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { findings: Finding[] }).findings;
}

async function upload(o: Org, project: string, log4j: string): Promise<void> {
  const r = await o.app.inject({
    method: 'POST',
    url: `/api/v1/projects/${project}/versions/1.0/documents?file=bom.cdx.json&wait=60`,
    headers: { ...o.admin, 'content-type': 'application/vnd.cyclonedx+json' },
    payload: log4jSbom(log4j, `${project}-service`),
  });
  expect(r.statusCode, r.body).toBe(200);
}

describe.each(testDbs())('feeds between two servers on $name', (kind) => {
  let a: Org;
  let b: Org;
  let tamper: Server;
  /** What the tampering server changes in A's feed on the way to B. */
  let mutate: (path: string, body: Buffer) => Buffer = (_p, body) => body;
  let bSubscriber: Record<string, string>;

  beforeAll(async () => {
    [a, b] = [await organisation(kind, 'ACME'), await organisation(kind, 'BETA')];
    await upload(a, 'a-app', '2.14.1');
    await upload(b, 'b-billing', '2.14.1');
    await upload(b, 'b-search', '2.17.1');
    // a proxy in front of A's feed that can change bytes (A's subscriber token is sent through it)
    tamper = createServer((req, res) => {
      void fetch(`${a.url}${req.url}`, { headers: { authorization: String(req.headers.authorization ?? '') } }).then(async (up) => {
        const body = mutate(req.url ?? '', Buffer.from(await up.arrayBuffer()));
        res.writeHead(up.status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((r) => tamper.listen(0, '127.0.0.1', r));
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => tamper?.close(r));
    await a?.close();
    await b?.close();
  });

  it('stores own advisories validated against the OSV schema, and matches them across the portfolio as source own', async () => {
    const post = (body: object, query = '', headers = a.admin) => a.app.inject({ method: 'POST', url: `/api/v1/advisories${query}`, headers, payload: body });

    const bad = await post({ ...ownRecord('x_ACME-2026-0009', { tlp: 'CLEAR' }), affected: [{ package: { ecosystem: 'NoSuchEco', name: 'x' } }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({ status: 422, pointer: '$.affected[0].package.ecosystem' });
    expect((bad.json() as { detail: string }).detail).toContain('$.affected[0].package.ecosystem');
    const noTlp = await post(ownRecord('x_ACME-2026-0009'));
    expect(noTlp.statusCode).toBe(400);
    expect((noTlp.json() as { detail: string }).detail).toContain('no TLP level');
    expect((await post(ownRecord('x_ACME-2026-0009', { tlp: 'CLEAR' }), '', await a.token('viewer', 'v'))).statusCode).toBe(403);

    const amber = await post(ownRecord('x_ACME-2026-0001', { tlp: 'AMBER' }));
    expect(amber.statusCode, amber.body).toBe(201);
    expect(amber.json()).toMatchObject({ id: 'x_ACME-2026-0001', tlp: 'AMBER', createdBy: 'ACME-admin' });
    // the TLP level from the query when the record has none; A's own analysis of an id OSV also has
    expect((await post(ownRecord('GHSA-test-0000-0001'), '?tlp=CLEAR')).statusCode).toBe(201);
    expect((await post(ownRecord('x_ACME-2026-0003', { tlp: 'RED' }))).statusCode).toBe(201);
    // posting again replaces (200)
    expect((await post(ownRecord('x_ACME-2026-0003', { tlp: 'RED', modified: '2026-12-02T00:00:00Z' }))).statusCode).toBe(200);

    const list = (await a.app.inject({ method: 'GET', url: '/api/v1/advisories', headers: a.admin })).json() as { items: { id: string; tlp: string }[] };
    expect(list.items.map((i) => `${i.id} ${i.tlp}`)).toEqual(['GHSA-test-0000-0001 CLEAR', 'x_ACME-2026-0001 AMBER', 'x_ACME-2026-0003 RED']);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/advisories/x_ACME-2026-0003', headers: a.admin })).json()).toMatchObject({ modified: '2026-12-02T00:00:00Z' });
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/advisories/x_NOPE', headers: a.admin })).statusCode).toBe(404);

    // log4j-core 2.14.1 is below every fixed version: A's project gets all three, each from source own
    const got = await until('own findings', async () => {
      const f = (await findings(a, 'a-app')).filter((x) => x.source?.name === 'own');
      return f.length === 3 ? f : undefined;
    });
    expect(got.map((f) => `${f.id} ${f.source!.tlp}`).sort()).toEqual(['GHSA-test-0000-0001 CLEAR', 'x_ACME-2026-0001 AMBER', 'x_ACME-2026-0003 RED']);
    // the same id from OSV and from A's own record: two findings side by side, never merged
    expect((await findings(a, 'a-app')).filter((f) => f.id === 'GHSA-test-0000-0001').map((f) => f.source?.name ?? 'OSV').sort()).toEqual(['OSV', 'own']);

    // withdrawn: its finding is resolved, the record stays listed as withdrawn
    expect((await a.app.inject({ method: 'POST', url: '/api/v1/advisories/x_ACME-2026-0003/withdraw', headers: await a.token('maintainer', 'm') })).json()).toMatchObject({ withdrawn: expect.any(String) });
    await until('the withdrawn finding to go', async () => ((await findings(a, 'a-app')).some((f) => f.id === 'x_ACME-2026-0003') ? undefined : true));
    expect((await a.app.inject({ method: 'POST', url: '/api/v1/advisories/x_ACME-2026-0003/withdraw', headers: await a.token('viewer', 'v2') })).statusCode).toBe(403);
  });

  it('serves each token only what its TLP clearance allows, and RED to nobody', async () => {
    const index = async (h: Record<string, string>) => {
      const r = await a.app.inject({ method: 'GET', url: '/api/v1/feed/index.json', headers: h });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as { publisher: string; records: { id: string; tlp: string }[] }).records.map((x) => `${x.id} ${x.tlp}`);
    };
    expect(await index(await a.token('subscriber', 'green', 'GREEN'))).toEqual(['GHSA-test-0000-0001 CLEAR']);
    expect(await index(a.admin)).toEqual(['GHSA-test-0000-0001 CLEAR']);
    const amber = await a.token('subscriber', 'amber', 'AMBER');
    expect(await index(amber)).toEqual(['GHSA-test-0000-0001 CLEAR', 'x_ACME-2026-0001 AMBER']);
    // a record the token is not cleared for is absent, as one that does not exist
    const green = await a.token('subscriber', 'green2', 'GREEN');
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/feed/records/x_ACME-2026-0001.json', headers: green })).statusCode).toBe(404);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/feed/records/x_ACME-2026-0003.json', headers: amber })).statusCode).toBe(404);
    const rec = await a.app.inject({ method: 'GET', url: '/api/v1/feed/records/x_ACME-2026-0001.json', headers: amber });
    expect(rec.statusCode).toBe(200);
    expect(JSON.parse(rec.body)).toMatchObject({ id: 'x_ACME-2026-0001' });
    // a token cannot be cleared for RED
    const red = await a.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: a.admin, payload: { name: 'r', role: 'subscriber', tlp: 'RED' } });
    expect(red.statusCode).toBe(400);
    // a subscriber token reads the feed and nothing else
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/projects', headers: amber })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/advisories', headers: amber })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/feed/index.json' })).statusCode).toBe(401);
  });

  it('B subscribes with A\'s key and token, and its projects are matched against A\'s advisory', async () => {
    bSubscriber = await a.token('subscriber', 'BETA', 'AMBER');
    const body = { url: `${a.url}/api/v1/feed`, publicKey: a.publicPem, every: '6h', token: bSubscriber.authorization!.slice('Bearer '.length) };
    for (const role of ['maintainer', 'viewer', 'uploader', 'subscriber'] as const) {
      expect((await b.app.inject({ method: 'POST', url: '/api/v1/feeds/subscriptions', headers: await b.token(role, `b-${role}`), payload: body })).statusCode).toBe(403);
    }
    const bad = await b.app.inject({ method: 'POST', url: '/api/v1/feeds/subscriptions', headers: b.admin, payload: { ...body, publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' } });
    expect(bad.statusCode).toBe(422);
    const created = await b.app.inject({ method: 'POST', url: '/api/v1/feeds/subscriptions', headers: b.admin, payload: body });
    expect(created.statusCode, created.body).toBe(201);
    const sub = created.json() as { id: number; withToken: boolean; key: string };
    expect(sub.withToken).toBe(true);
    expect(created.body).not.toContain(body.token);
    const loaded = await until('the subscription to load', async () => {
      const s = (await b.app.inject({ method: 'GET', url: `/api/v1/feeds/subscriptions/${sub.id}`, headers: b.admin })).json() as { loadedAt?: string; lastError?: string; publisher?: string; records: number; tlp: Record<string, number> };
      if (s.lastError) throw new Error(s.lastError);
      return s.loadedAt ? s : undefined;
    });
    expect(loaded).toMatchObject({ publisher: 'ACME', records: 2, tlp: { CLEAR: 1, AMBER: 1 } });

    const got = await until('ACME findings', async () => {
      const f = (await findings(b, 'b-billing')).filter((x) => x.source?.name === 'ACME');
      return f.length === 2 ? f : undefined;
    });
    expect(got.map((f) => `${f.id} ${f.source!.tlp}`).sort()).toEqual(['GHSA-test-0000-0001 CLEAR', 'x_ACME-2026-0001 AMBER']);
    expect(got[0]!.source).toMatchObject({ url: `${a.url}/api/v1/feed`, key: sub.key });
    // 2.17.1 is fixed: not matched
    expect((await findings(b, 'b-search')).filter((x) => x.source)).toEqual([]);
    // the same id from OSV and from ACME: two findings, each with its source — in a project
    // re-matched after the load and in one uploaded after it
    expect((await findings(b, 'b-billing')).filter((f) => f.id === 'GHSA-test-0000-0001').map((f) => f.source?.name ?? 'OSV').sort()).toEqual(['ACME', 'OSV']);
    await upload(b, 'b-late', '2.14.1');
    expect((await findings(b, 'b-late')).map((f) => `${f.id} ${f.source?.name ?? 'OSV'}`).sort()).toEqual(['GHSA-test-0000-0001 ACME', 'GHSA-test-0000-0001 OSV', 'x_ACME-2026-0001 ACME']);
    // the questions answer the id for both sources
    const affected = (await b.app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/GHSA-test-0000-0001/affected', headers: b.admin })).json() as { items: { project: string; vuln: string }[] };
    expect(affected.items.filter((i) => i.project === 'b-billing').map((i) => i.vuln).sort()).toEqual(['GHSA-test-0000-0001', `GHSA-test-0000-0001 ${a.url}/api/v1/feed`]);
  });

  it('B\'s own feed does not carry A\'s AMBER record, and B may not re-publish it', async () => {
    const again = await b.app.inject({ method: 'POST', url: '/api/v1/advisories?tlp=CLEAR', headers: b.admin, payload: ownRecord('x_ACME-2026-0001') });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { detail: string }).detail).toContain('AMBER and RED records are never re-published');
    const alias = await b.app.inject({ method: 'POST', url: '/api/v1/advisories?tlp=CLEAR', headers: b.admin, payload: ownRecord('x_BETA-1', { aliases: ['x_acme-2026-0001'] }) });
    expect(alias.statusCode).toBe(409);
    expect((await b.app.inject({ method: 'POST', url: '/api/v1/advisories?tlp=CLEAR', headers: b.admin, payload: ownRecord('x_BETA-2026-0001') })).statusCode).toBe(201);
    const idx = await b.app.inject({ method: 'GET', url: '/api/v1/feed/index.json', headers: await b.token('subscriber', 'partner', 'AMBER') });
    expect(idx.statusCode).toBe(200);
    const records = (idx.json() as { publisher: string; records: { id: string }[] }).records.map((r) => r.id);
    expect(records).toEqual(['x_BETA-2026-0001']);
    expect(idx.body).not.toContain('x_ACME-2026-0001');
  });

  it('refuses a tampered feed through the same verifier, loads nothing, and shows the failure', async () => {
    const sub = async (url: string) => {
      const r = await b.app.inject({ method: 'POST', url: '/api/v1/feeds/subscriptions', headers: b.admin, payload: { url, publicKey: a.publicPem, every: '1d', token: bSubscriber.authorization!.slice(7) } });
      expect(r.statusCode, r.body).toBe(201);
      return (r.json() as { id: number }).id;
    };
    const failure = async (id: number, before?: string) =>
      until(`subscription ${id} to fail`, async () => {
        const s = (await b.app.inject({ method: 'GET', url: `/api/v1/feeds/subscriptions/${id}`, headers: b.admin })).json() as { lastError?: string; lastAttemptAt?: string; loadedAt?: string; records: number };
        return s.lastError && s.lastAttemptAt !== before ? s : undefined;
      });
    const refresh = async (id: number) => expect((await b.app.inject({ method: 'POST', url: `/api/v1/feeds/subscriptions/${id}/refresh`, headers: b.admin })).statusCode).toBe(202);
    const flip = (buf: Buffer, at: number): Buffer => {
      const out = Buffer.from(buf);
      out[at] = out[at] === 0x41 ? 0x42 : 0x41;
      return out;
    };
    const feedUrl = `http://127.0.0.1:${(tamper.address() as AddressInfo).port}/api/v1/feed`;

    // one byte of a record
    mutate = (p, body) => (p.endsWith('/records/x_ACME-2026-0001.json') ? flip(body, body.indexOf('JNDI')) : body);
    const id = await sub(feedUrl);
    let s = await failure(id);
    expect(s.lastError).toContain('records/x_ACME-2026-0001.json does not match its digest in the signed index');
    expect(s.loadedAt).toBeUndefined();
    expect(s.records).toBe(0);

    // one byte of the index
    mutate = (p, body) => (p.endsWith('/index.json') ? flip(body, body.indexOf('ACME')) : body);
    await refresh(id);
    s = await failure(id, s.lastAttemptAt!);
    expect(s.lastError).toMatch(/feed refused: .*(digest|signature)/);

    // one byte of the bundle's signature
    mutate = (p, body) => {
      if (!p.endsWith('/index.json.sigstore.json')) return body;
      const bundle = JSON.parse(body.toString('utf8')) as { messageSignature: { signature: string } };
      const sig = Buffer.from(bundle.messageSignature.signature, 'base64');
      sig[10] = sig[10]! ^ 0xff;
      bundle.messageSignature.signature = sig.toString('base64');
      return Buffer.from(JSON.stringify(bundle));
    };
    await refresh(id);
    s = await failure(id, s.lastAttemptAt!);
    expect(s.lastError).toMatch(/feed refused: signature invalid/);
    expect(s.loadedAt).toBeUndefined();

    // untouched, it loads; then a replay of that older index after A published a newer one
    mutate = (_p, body) => body;
    await refresh(id);
    await until('the untampered feed to load', async () => {
      const x = (await b.app.inject({ method: 'GET', url: `/api/v1/feeds/subscriptions/${id}`, headers: b.admin })).json() as { loadedAt?: string };
      return x.loadedAt;
    });
    const old: Record<string, Buffer> = {};
    for (const f of ['index.json', 'index.json.sigstore.json']) old[f] = Buffer.from(await (await fetch(`${a.url}/api/v1/feed/${f}`, { headers: bSubscriber })).arrayBuffer());
    await new Promise((r) => setTimeout(r, 10));
    expect((await a.app.inject({ method: 'POST', url: '/api/v1/advisories?tlp=CLEAR', headers: a.admin, payload: ownRecord('x_ACME-2026-0004') })).statusCode).toBe(201);
    await refresh(id);
    const newer = await until('the newer index to load', async () => {
      const x = (await b.app.inject({ method: 'GET', url: `/api/v1/feeds/subscriptions/${id}`, headers: b.admin })).json() as { records: number; published?: string; lastAttemptAt?: string };
      return x.records === 3 ? x : undefined;
    });
    mutate = (p, body) => (p.endsWith('/index.json') ? old['index.json']! : p.endsWith('/index.json.sigstore.json') ? old['index.json.sigstore.json']! : body);
    await refresh(id);
    s = await failure(id, newer.lastAttemptAt);
    expect(s.lastError).toContain('a replayed older index');
    expect(s.records).toBe(3);

    // unsubscribing takes the feed's records out of the store and its findings out of the portfolio
    const proxied = (f: Finding) => f.source?.url === feedUrl;
    await until('the proxied feed\'s findings', async () => ((await findings(b, 'b-billing')).some(proxied) ? true : undefined));
    expect((await b.app.inject({ method: 'DELETE', url: `/api/v1/feeds/subscriptions/${id}`, headers: b.admin })).statusCode).toBe(204);
    await until('the proxied feed\'s findings to go', async () => ((await findings(b, 'b-billing')).some(proxied) ? undefined : true));
    expect((await findings(b, 'b-billing')).filter((f) => f.source?.name === 'ACME').map((f) => f.source!.url)).toEqual([`${a.url}/api/v1/feed`, `${a.url}/api/v1/feed`]);
    expect((await b.app.inject({ method: 'GET', url: `/api/v1/feeds/subscriptions/${id}`, headers: b.admin })).statusCode).toBe(404);
  });
});

describe.each(testDbs())('the subscription schedule on $name', (kind) => {
  it('queues a refresh for each subscription due, and a refresh (loaded or failed) moves it to its next due time', async () => {
    const t = await freshDb(kind);
    try {
      const crypto = serverFeedCrypto();
      const key = generateKeyPair('p256').publicPem;
      const now = new Date('2026-12-07T10:00:00Z');
      const sub = await createSubscription(t.db, crypto, { url: 'http://127.0.0.1:9/feed/', publicKey: key, every: '6h' }, { author: 't', now });
      expect(sub.url).toBe('http://127.0.0.1:9/feed');
      expect(await dueSubscriptions(t.db, now)).toEqual([sub.id]);
      const sent: [string, object, string | undefined][] = [];
      const scheduler = startFeedScheduler(t.db, { send: async (name, data, o) => (sent.push([name, data, o?.singletonKey]), 'job') }, { intervalMs: 20 });
      await until('a refresh to be queued', async () => (sent.length ? true : undefined));
      await scheduler.stop();
      expect(sent[0]).toEqual(['feed-refresh', { id: sub.id }, `feed-refresh:${sub.id}`]);
      // nothing listens on port 9: the failure is recorded and the next try is `every` later
      const r = await refreshSubscription(t.db, temp.tmp('home'), crypto, sub.id, { now });
      expect(r.state).toBe('failed');
      const after = (await getSubscription(t.db, sub.id))!;
      expect(after.lastError).toMatch(/^http:\/\/127\.0\.0\.1:9\/feed\/index\.json: cannot fetch/);
      expect(after.nextDue).toBe('2026-12-07T16:00:00.000Z');
      expect(await dueSubscriptions(t.db, now)).toEqual([]);
      expect(await dueSubscriptions(t.db, new Date('2026-12-07T16:00:00Z'))).toEqual([sub.id]);
      // the same URL twice is a conflict; a duration out of range and a folder are refused
      await expect(createSubscription(t.db, crypto, { url: 'http://127.0.0.1:9/feed/index.json', publicKey: key, every: '6h' }, { author: 't' })).rejects.toThrow(/already subscribes/);
      await expect(createSubscription(t.db, crypto, { url: 'http://127.0.0.1:9/x', publicKey: key, every: '10s' }, { author: 't' })).rejects.toThrow(/1m to 30d/);
      await expect(createSubscription(t.db, crypto, { url: '/etc', publicKey: key, every: '1h' }, { author: 't' })).rejects.toThrow(/http\(s\) URL/);
    } finally {
      await t.close();
    }
  });
});
