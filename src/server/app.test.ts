/**
 * The API through fastify.inject, on SQLite and (VOUCH_TEST_PG) PostgreSQL: the role × route
 * matrix, problem+json answers, the body limit, and that a token limited to one team's project
 * never sees another team's projects, components, counts or names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createToken, revokeToken } from '../portfolio/access.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from '../portfolio/portfolio-testing.js';
import { StoreHandle, registerWorkers } from '../portfolio/workers.js';
import { createQueue, type JobQueue } from '../jobs/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { buildApp } from './app.js';
import { snapshotMetrics } from '../portfolio/trend.js';
import { storeGeneration } from '../portfolio/rematch.js';
import { generateKeyPair, parseKey } from '../attest/keys.js';
import { signDocument } from '../attest/signed-document.js';
import { serverFeedCrypto } from '../cli/feed.js';
import { createSubscription, saveOwnAdvisory } from '../portfolio/feeds.js';
import { marketplaceMatrixRows } from './marketplace-testing.js';

type Who = 'admin' | 'maintainer' | 'viewer' | 'uploader' | 'viewerA' | 'none' | 'revoked' | 'subscriber';
const WHO: readonly Who[] = ['admin', 'maintainer', 'viewer', 'uploader', 'viewerA', 'none', 'revoked', 'subscriber'];

/** An own advisory of a package no project of this file uses (so it changes no other answer). */
const matrixRecord = (id: string): object => ({
  schema_version: '1.6.0',
  id,
  modified: '2026-12-01T00:00:00Z',
  summary: 'matrix',
  affected: [{ package: { ecosystem: 'Maven', name: 'org.example:matrix' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }],
});

interface World {
  app: FastifyInstance;
  tokens: Record<Who, string | undefined>;
  betaUpload: string;
  alphaUpload: string;
}

describe.skipIf(!HAS_SHARED).each(testDbs())('the API on $name', (kind) => {
  let t: TestDb;
  let store: TestStore;
  let queue: JobQueue;
  let handle: StoreHandle | undefined;
  const w = {} as World;

  const as = (who: Who): Record<string, string> => (w.tokens[who] !== undefined ? { authorization: `Bearer ${w.tokens[who]}` } : {});

  beforeAll(async () => {
    t = await freshDb(kind);
    store = new TestStore();
    await store.load((await osvRecords('Maven', LOG4J_ADVISORIES)).values());
    queue = createQueue(t, t.schema ? { schema: `${t.schema}_boss` } : {});
    await queue.start();
    await registerWorkers(queue, t.db, (handle = new StoreHandle(store.home)));
    const feedKey = parseKey(generateKeyPair('p256').privatePem, 'matrix.key');
    w.app = await buildApp({
      opened: t,
      queue,
      logger: false,
      limits: { rateMax: 100_000 },
      feeds: { crypto: serverFeedCrypto(), signer: { publisher: 'MATRIX', keyId: 'SHA256:x', sign: (index) => signDocument(index, feedKey) } },
    });
    const mk = async (role: 'admin' | 'maintainer' | 'viewer' | 'uploader', projects?: string[]): Promise<string> =>
      (await createToken(t.db, { name: `t-${role}-${projects?.join() ?? 'all'}`, role, ...(projects ? { projects } : {}) })).token;
    const revoked = await createToken(t.db, { name: 'gone', role: 'admin' });
    await revokeToken(t.db, revoked.id);
    w.tokens = {
      admin: await mk('admin'),
      maintainer: await mk('maintainer'),
      viewer: await mk('viewer'),
      uploader: await mk('uploader'),
      viewerA: await mk('viewer', ['alpha']),
      none: undefined,
      revoked: revoked.token,
      // a partner's token: the feed, and nothing else
      subscriber: (await createToken(t.db, { name: 'partner', role: 'subscriber', tlp: 'GREEN' })).token,
    };
    // two teams: alpha (2.14.1, vulnerable) and beta (2.14.1 too, so every question has an answer for both)
    for (const [project, version] of [['alpha', '2.14.1'], ['beta', '2.14.1']] as const) {
      const r = await w.app.inject({
        method: 'POST',
        url: `/api/v1/projects/${project}/versions/1.0/documents?file=bom.cdx.json&wait=60`,
        headers: { ...as('admin'), 'content-type': 'application/vnd.cyclonedx+json' },
        payload: log4jSbom(version, `${project}-service`),
      });
      expect(r.statusCode, r.body).toBe(200);
      const id = (r.json() as { upload: { id: string } }).upload.id;
      if (project === 'alpha') w.alphaUpload = id;
      else w.betaUpload = id;
    }
  });

  afterAll(async () => {
    await w.app?.close();
    await queue?.stop({ graceful: false });
    handle?.close();
    store?.close();
    await t?.close();
  });

  // ---- the role × route matrix: every route, every kind of caller ----
  type Req = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object | Buffer; headers?: Record<string, string> };
  // a subscriber token not named in a row: 403 on every authenticated route (200 on public ones)
  const routes: { name: string; req: (who: Who) => Req | Promise<Req>; expect: Record<Exclude<Who, 'subscriber'>, number> & { subscriber?: number } }[] = [
    { name: 'GET /api/v1/projects', req: () => ({ method: 'GET', url: '/api/v1/projects' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/projects',
      req: (who) => ({ method: 'POST', url: '/api/v1/projects', payload: { name: `made-by-${who}` } }),
      expect: { admin: 201, maintainer: 201, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/projects/{name}', req: () => ({ method: 'GET', url: '/api/v1/projects/beta' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'PATCH /api/v1/projects/{name}',
      req: () => ({ method: 'PATCH', url: '/api/v1/projects/beta', payload: { owners: ['team-b@example.com'] } }),
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/projects/{name}/versions', req: () => ({ method: 'GET', url: '/api/v1/projects/beta/versions' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/projects/{name}/versions/{version}/documents',
      req: () => ({ method: 'POST', url: '/api/v1/projects/beta/versions/1.0/documents?file=bom.cdx.json', payload: log4jSbom('2.14.1', 'beta-service'), headers: { 'content-type': 'application/json' } }),
      expect: { admin: 202, maintainer: 202, viewer: 403, uploader: 202, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/uploads/{id}', req: () => ({ method: 'GET', url: `/api/v1/uploads/${w.betaUpload}` }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'GET /api/v1/vulnerabilities/{id}/affected',
      req: () => ({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-2021-44228/affected' }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 },
    },
    {
      name: 'GET /api/v1/components',
      req: () => ({ method: 'GET', url: '/api/v1/components?purl=pkg:maven/org.apache.logging.log4j/log4j-core' }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/projects/{name}/findings', req: () => ({ method: 'GET', url: '/api/v1/projects/beta/findings' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 404, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/projects/{name}/components', req: () => ({ method: 'GET', url: '/api/v1/projects/beta/components' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'GET /api/v1/projects/{name}/findings?format=spdx',
      req: () => ({ method: 'GET', url: '/api/v1/projects/beta/findings?format=spdx' }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 404, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/events', req: () => ({ method: 'GET', url: '/api/v1/events' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/portfolio', req: () => ({ method: 'GET', url: '/api/v1/portfolio' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    { name: 'POST /api/v1/advisories/update', req: () => ({ method: 'POST', url: '/api/v1/advisories/update', payload: { rematchOnly: true } }), expect: { admin: 202, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/advisories/status', req: () => ({ method: 'GET', url: '/api/v1/advisories/status' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/tokens', req: () => ({ method: 'GET', url: '/api/v1/tokens' }), expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/tokens',
      req: (who) => ({ method: 'POST', url: '/api/v1/tokens', payload: { name: `by-${who}`, role: 'viewer' } }),
      expect: { admin: 201, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'DELETE /api/v1/tokens/{id}',
      req: async (who) => ({ method: 'DELETE', url: `/api/v1/tokens/${(await createToken(t.db, { name: `victim-of-${who}`, role: 'viewer' })).id}` }),
      expect: { admin: 204, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    // issue 14 (routes-response.ts): in_triage analyses, so the rest of this file's answers stay as they were
    {
      name: 'POST /api/v1/projects/{name}/analyses',
      req: () => ({ method: 'POST', url: '/api/v1/projects/beta/analyses', payload: { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', vuln: 'CVE-2021-44228', state: 'in_triage' } }),
      expect: { admin: 201, maintainer: 201, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/projects/{name}/analyses', req: () => ({ method: 'GET', url: '/api/v1/projects/beta/analyses' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/analyses/bulk',
      req: () => ({ method: 'POST', url: '/api/v1/analyses/bulk', payload: { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core', vuln: 'CVE-2021-44228', state: 'in_triage' } }),
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'POST /api/v1/projects/{name}/vex',
      req: () => ({
        method: 'POST',
        url: '/api/v1/projects/beta/vex?file=v.json',
        headers: { 'content-type': 'application/json' },
        payload: Buffer.from(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/v', author: 't', timestamp: '2026-01-01T00:00:00Z', version: 1, statements: [{ vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' }], status: 'under_investigation' }] })),
      }),
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/projects/{name}/vex', req: () => ({ method: 'GET', url: '/api/v1/projects/beta/vex' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 404, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/incidents',
      req: () => ({ method: 'POST', url: '/api/v1/incidents', payload: { vuln: 'CVE-2021-44228' } }),
      expect: { admin: 201, maintainer: 201, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/incidents', req: () => ({ method: 'GET', url: '/api/v1/incidents' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/incidents/{id}', req: async () => ({ method: 'GET', url: `/api/v1/incidents/${await incidentId()}` }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    {
      name: 'PATCH /api/v1/incidents/{id}/tasks/{task}',
      // a fresh incident per caller, so each moves an open task (viewerA sees alpha's task but may not move it)
      req: async () => {
        const id = await incidentId(true);
        const r = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: as('admin') });
        const alpha = (r.json() as { tasks: { id: number; project: string }[] }).tasks.find((t) => t.project === 'alpha')!;
        return { method: 'PATCH', url: `/api/v1/incidents/${id}/tasks/${alpha.id}`, payload: { state: 'mitigated' } };
      },
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'GET /api/v1/incidents/{id}/export',
      req: async () => ({ method: 'GET', url: `/api/v1/incidents/${await incidentId()}/export?format=markdown` }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 },
    },
    {
      name: 'POST /api/v1/notification-rules',
      req: (who) => ({ method: 'POST', url: '/api/v1/notification-rules', payload: { name: `rule-${who}`, events: ['incident.opened'], url: 'http://127.0.0.1:9/hook' } }),
      expect: { admin: 201, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/notification-rules', req: () => ({ method: 'GET', url: '/api/v1/notification-rules' }), expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 } },
    {
      name: 'GET /api/v1/notification-rules/{id}/deliveries',
      req: async () => {
        const r = await w.app.inject({ method: 'POST', url: '/api/v1/notification-rules', headers: as('admin'), payload: { name: 'matrix', events: ['finding.new'], url: 'http://127.0.0.1:9/hook' } });
        return { method: 'GET', url: `/api/v1/notification-rules/${(r.json() as { id: number }).id}/deliveries` };
      },
      expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    // issue 15: the trend, and signing in to the dashboard (routes-session.test.ts covers the cookie itself)
    { name: 'GET /api/v1/portfolio/trend', req: () => ({ method: 'GET', url: '/api/v1/portfolio/trend?days=30' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    { name: 'GET /api/v1/session', req: () => ({ method: 'GET', url: '/api/v1/session' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 401, revoked: 401 } },
    {
      name: 'POST /api/v1/session',
      // public: the token to sign in with is the body (none: a made-up one)
      req: (who) => ({ method: 'POST', url: '/api/v1/session', payload: { token: w.tokens[who] ?? 'vouch_made-up' } }),
      expect: { admin: 201, maintainer: 201, viewer: 201, uploader: 201, viewerA: 201, none: 401, revoked: 401 },
    },
    { name: 'DELETE /api/v1/session', req: () => ({ method: 'DELETE', url: '/api/v1/session' }), expect: { admin: 204, maintainer: 204, viewer: 204, uploader: 204, viewerA: 204, none: 204, revoked: 204, subscriber: 204 } },
    { name: 'GET /api/v1/session/options', req: () => ({ method: 'GET', url: '/api/v1/session/options' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 200, revoked: 200 } },
    // the server's policy and containment playbook (YAML bodies), and containment applied on a task
    ...(['policy', 'containment'] as const).flatMap((doc) => [
      {
        name: `PUT /api/v1/${doc}`,
        req: () => ({
          method: 'PUT' as const,
          url: `/api/v1/${doc}`,
          headers: { 'content-type': 'application/yaml' },
          payload: Buffer.from(doc === 'policy' ? 'version: 1\nfail:\n  severity: critical\n' : 'CVE-2021-44228:\n  - "start the JVM with -Dlog4j2.formatMsgNoLookups=true"\n'),
        }),
        expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
      },
      { name: `GET /api/v1/${doc}`, req: () => ({ method: 'GET' as const, url: `/api/v1/${doc}` }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    ]),
    {
      name: 'POST /api/v1/incidents/{id}/tasks/{task}/containment',
      req: async () => {
        const id = await incidentId(true);
        const r = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: as('admin') });
        const alpha = (r.json() as { tasks: { id: number; project: string }[] }).tasks.find((t) => t.project === 'alpha')!;
        return { method: 'POST', url: `/api/v1/incidents/${id}/tasks/${alpha.id}/containment`, payload: { note: 'done on every node' } };
      },
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    // issue 14 feeds (routes-feeds.ts)
    {
      name: 'POST /api/v1/advisories',
      req: (who) => ({ method: 'POST', url: '/api/v1/advisories?tlp=CLEAR', payload: matrixRecord(`x_MATRIX-${who}`) }),
      expect: { admin: 201, maintainer: 201, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/advisories', req: () => ({ method: 'GET', url: '/api/v1/advisories' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 } },
    {
      name: 'GET /api/v1/advisories/{id}',
      req: async () => ({ method: 'GET', url: `/api/v1/advisories/${(await saveOwnAdvisory(t.db, matrixRecord('x_MATRIX-get'), { tlp: 'CLEAR', author: 't' })).advisory.id}` }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401 },
    },
    {
      name: 'POST /api/v1/advisories/{id}/withdraw',
      req: async (who) => ({ method: 'POST', url: `/api/v1/advisories/${(await saveOwnAdvisory(t.db, matrixRecord(`x_MATRIX-w-${who}`), { tlp: 'CLEAR', author: 't' })).advisory.id}/withdraw` }),
      expect: { admin: 200, maintainer: 200, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'POST /api/v1/feeds/subscriptions',
      req: (who) => ({ method: 'POST', url: '/api/v1/feeds/subscriptions', payload: { url: `http://127.0.0.1:9/feed-${who}`, publicKey: matrixPublicKey, every: '1d' } }),
      expect: { admin: 201, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/feeds/subscriptions', req: () => ({ method: 'GET', url: '/api/v1/feeds/subscriptions' }), expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 } },
    {
      name: 'GET /api/v1/feeds/subscriptions/{id}',
      req: async (who) => ({ method: 'GET', url: `/api/v1/feeds/subscriptions/${await subscriptionId(`get-${who}`)}` }),
      expect: { admin: 200, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'POST /api/v1/feeds/subscriptions/{id}/refresh',
      req: async (who) => ({ method: 'POST', url: `/api/v1/feeds/subscriptions/${await subscriptionId(`refresh-${who}`)}/refresh` }),
      expect: { admin: 202, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    {
      name: 'DELETE /api/v1/feeds/subscriptions/{id}',
      req: async (who) => ({ method: 'DELETE', url: `/api/v1/feeds/subscriptions/${await subscriptionId(`delete-${who}`)}` }),
      expect: { admin: 204, maintainer: 403, viewer: 403, uploader: 403, viewerA: 403, none: 401, revoked: 401 },
    },
    { name: 'GET /api/v1/feed/index.json', req: () => ({ method: 'GET', url: '/api/v1/feed/index.json' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401, subscriber: 200 } },
    {
      name: 'GET /api/v1/feed/index.json.sigstore.json',
      req: () => ({ method: 'GET', url: '/api/v1/feed/index.json.sigstore.json' }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401, subscriber: 200 },
    },
    {
      name: 'GET /api/v1/feed/records/{file}',
      req: async () => ({ method: 'GET', url: `/api/v1/feed/records/${(await saveOwnAdvisory(t.db, matrixRecord('x_MATRIX-feed'), { tlp: 'CLEAR', author: 't' })).advisory.id}.json` }),
      expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 200, none: 401, revoked: 401, subscriber: 200 },
    },
    { name: 'GET /metrics', req: () => ({ method: 'GET', url: '/metrics' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 403, none: 401, revoked: 401 } },
    { name: 'GET /healthz', req: () => ({ method: 'GET', url: '/healthz' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 200, revoked: 200 } },
    { name: 'GET /readyz', req: () => ({ method: 'GET', url: '/readyz' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 200, revoked: 200 } },
    { name: 'GET /api/v1/openapi.json', req: () => ({ method: 'GET', url: '/api/v1/openapi.json' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 200, revoked: 200 } },
    { name: 'GET /docs', req: () => ({ method: 'GET', url: '/docs/' }), expect: { admin: 200, maintainer: 200, viewer: 200, uploader: 200, viewerA: 200, none: 200, revoked: 200 } },
    // issue 16 (routes-marketplace.ts): rows from marketplace-testing.ts
    ...marketplaceMatrixRows<Who>(
      { db: () => t.db, nameOf: (who) => ({ admin: 't-admin-all', maintainer: 't-maintainer-all', viewer: 't-viewer-all', uploader: 't-uploader-all', viewerA: 't-viewer-alpha', none: '', revoked: 'gone', subscriber: 'partner' })[who] },
      (c) => ({ ...c, none: 401, revoked: 401, subscriber: 403 }),
    ),
  ];

  const matrixPublicKey = generateKeyPair('p256').publicPem;
  async function subscriptionId(name: string): Promise<number> {
    return (await createSubscription(t.db, serverFeedCrypto(), { url: `http://127.0.0.1:9/${name}`, publicKey: matrixPublicKey, every: '1d' }, { author: 't' })).id;
  }

  // an incident for the matrix rows (opened by the admin: alpha and beta are affected)
  let matrixIncident: number | undefined;
  async function incidentId(fresh = false): Promise<number> {
    if (matrixIncident !== undefined && !fresh) return matrixIncident;
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: as('admin'), payload: { vuln: 'CVE-2021-44228' } });
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json() as { id: number }).id;
    if (!fresh) matrixIncident = id;
    return id;
  }

  it.each(routes.flatMap((r) => WHO.map((who) => ({ route: r, who, label: `${r.name} as ${who}` }))))('$label', async ({ route, who }) => {
    const req = await route.req(who);
    const r = await w.app.inject({ method: req.method, url: req.url, headers: { ...(req.headers ?? {}), ...as(who) }, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(who === 'subscriber' ? (route.expect.subscriber ?? (route.expect.none === 200 ? 200 : 403)) : route.expect[who]);
    if (r.statusCode >= 400) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      const p = r.json() as Record<string, unknown>;
      expect(p['status']).toBe(r.statusCode);
      expect(p['type']).toMatch(/^urn:vouch:problem:[a-z-]+$/);
      expect(typeof p['title']).toBe('string');
      expect(typeof p['detail']).toBe('string');
    }
    if (r.statusCode === 401) expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('covers every route the app has in the matrix', () => {
    const listed = new Set(routes.map((r) => r.name.replace(/\{[^}]+\}/g, ':p')));
    const openapi = w.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    for (const [p, methods] of Object.entries(openapi.paths)) {
      for (const m of Object.keys(methods)) expect(listed, `${m.toUpperCase()} ${p} has no row in the matrix`).toContain(`${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, ':p')}`);
    }
  });

  // ---- one team's token never sees the other's ----
  describe('a viewer limited to alpha', () => {
    it('lists only alpha', async () => {
      const r = await w.app.inject({ method: 'GET', url: '/api/v1/projects', headers: as('viewerA') });
      expect((r.json() as { items: { name: string }[] }).items.map((p) => p.name)).toEqual(['alpha']);
    });

    it('sees only alpha among the affected, while an admin sees both', async () => {
      const q = async (who: Who): Promise<string[]> =>
        ((await w.app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-2021-44228/affected', headers: as(who) })).json() as { items: { project: string }[] }).items.map((i) => i.project).sort();
      expect(await q('admin')).toEqual(['alpha', 'beta']);
      expect(await q('viewerA')).toEqual(['alpha']);
    });

    it('sees only alpha among the users of a package', async () => {
      const r = await w.app.inject({ method: 'GET', url: '/api/v1/components?purl=pkg:maven/org.apache.logging.log4j/log4j-core', headers: as('viewerA') });
      const items = (r.json() as { items: { project: string; purl: string }[] }).items;
      expect(items.map((i) => i.project)).toEqual(['alpha']);
      expect(items[0]!.purl).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    });

    it('counts only alpha in the portfolio summary', async () => {
      const all = (await w.app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: as('admin') })).json() as { projects: number; bySeverity: Record<string, number> };
      const a = (await w.app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: as('viewerA') })).json() as { projects: number; bySeverity: Record<string, number> };
      expect(a.projects).toBe(1);
      expect(all.projects).toBeGreaterThanOrEqual(2);
      const sum = (o: Record<string, number>): number => Object.values(o).reduce((x, y) => x + y, 0);
      // alpha and beta hold the same document: alpha's findings are exactly half of the two
      expect(sum(a.bySeverity)).toBeGreaterThan(0);
      expect(sum(a.bySeverity) * 2).toBeLessThanOrEqual(sum(all.bySeverity));
    });

    it('counts only alpha in the trend (and the trend\'s today is the summary\'s count)', async () => {
      await snapshotMetrics(t.db);
      type Trend = { days: { open: number; critical: number }[] };
      const trend = async (who: Who): Promise<Trend> => (await w.app.inject({ method: 'GET', url: '/api/v1/portfolio/trend', headers: as(who) })).json() as Trend;
      const all = (await trend('admin')).days.at(-1)!;
      const a = (await trend('viewerA')).days.at(-1)!;
      const summary = (await w.app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: as('viewerA') })).json() as { bySeverity: Record<string, number> };
      expect(a.open).toBe(Object.values(summary.bySeverity).reduce((x, y) => x + y, 0));
      expect(a.open).toBeGreaterThan(0);
      expect(a.open * 2).toBeLessThanOrEqual(all.open);
      expect(a.critical).toBe(summary.bySeverity['CRITICAL']);
    });

    it('gets for beta the very answer it gets for a project that does not exist', async () => {
      const beta = await w.app.inject({ method: 'GET', url: '/api/v1/projects/beta/findings', headers: as('viewerA') });
      const ghost = await w.app.inject({ method: 'GET', url: '/api/v1/projects/no-such-project/findings', headers: as('viewerA') });
      expect(beta.statusCode).toBe(404);
      const norm = (s: string): string => s.replaceAll('no-such-project', 'NAME').replaceAll('beta', 'NAME');
      expect(norm(beta.body)).toBe(norm(ghost.body));
    });
  });

  describe('a token limited to a tag', () => {
    it('creates projects with its tag, by POST and by first upload, and sees only those', async () => {
      const maint = (await createToken(t.db, { name: 'team-c', role: 'maintainer', tag: 'team-c' })).token;
      const h = { authorization: `Bearer ${maint}` };
      const made = await w.app.inject({ method: 'POST', url: '/api/v1/projects', headers: h, payload: { name: 'charlie', tags: ['java'] } });
      expect(made.statusCode, made.body).toBe(201);
      expect((made.json() as { tags: string[] }).tags).toEqual(['java', 'team-c']);
      const up = await w.app.inject({ method: 'POST', url: '/api/v1/projects/charlie-2/versions/1/documents?wait=60', headers: { ...h, 'content-type': 'application/json' }, payload: log4jSbom('2.17.1', 'charlie-2') });
      expect(up.statusCode, up.body).toBe(200);
      const list = await w.app.inject({ method: 'GET', url: '/api/v1/projects', headers: h });
      expect((list.json() as { items: { name: string; tags: string[] }[] }).items.map((p) => [p.name, p.tags])).toEqual([
        ['charlie', ['java', 'team-c']],
        ['charlie-2', ['team-c']],
      ]);
      // beta exists but is not team-c's: uploading to it is 404, like a project that does not exist, and creates nothing
      const other = await w.app.inject({ method: 'POST', url: '/api/v1/projects/beta/versions/9/documents', headers: h, payload: log4jSbom('2.17.1', 'x') });
      expect(other.statusCode).toBe(404);
      // dropping its own tag in a PATCH keeps it: the project stays in the token's scope
      const patched = await w.app.inject({ method: 'PATCH', url: '/api/v1/projects/charlie', headers: h, payload: { tags: [] } });
      expect((patched.json() as { tags: string[] }).tags).toEqual(['team-c']);
    });
  });

  // ---- problem+json and limits ----
  it('answers a body that breaks the schema with 400 and the JSON path of each error', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as('admin'), payload: { name: 'x', role: 'boss', projects: ['a', 7], colour: 'red' } });
    expect(r.statusCode).toBe(400);
    const p = r.json() as { type: string; errors: { path: string; message: string }[] };
    expect(p.type).toBe('urn:vouch:problem:bad-request');
    const paths = p.errors.map((e) => e.path);
    expect(paths).toContain('body $.role');
    expect(paths).toContain('body $.colour');
  });

  it('reports the last re-match (the store generation the findings reflect) in the advisory status', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/advisories/update', payload: { rematchOnly: true }, headers: as('admin') });
    expect(r.statusCode).toBe(202);
    const s = store.open();
    const generation = storeGeneration(s.advisoryVersions());
    type Status = { runs: { generation: string; at: string; changed: number }[]; jobs: { queued: number; running: number; failed: number } };
    let status: Status | undefined;
    for (let i = 0; i < 300 && !status?.runs.some((run) => run.generation === generation); i++) {
      if (i) await new Promise((res) => setTimeout(res, 100));
      status = (await w.app.inject({ method: 'GET', url: '/api/v1/advisories/status', headers: as('viewer') })).json() as Status;
    }
    expect(status!.runs[0]).toMatchObject({ generation, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(status!.jobs.failed).toBe(0);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: as('admin') });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers a document it cannot read with 422, the file and the JSON path, and stores no version', async () => {
    const bad = Buffer.from('{"bomFormat": "CycloneDX",\n "specVersion": "1.6",\n "components": [{"type": "library", "name": }]}');
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/projects/gamma/versions/1.0/documents?file=bom.cdx.json&wait=60', headers: { ...as('admin'), 'content-type': 'application/json' }, payload: bad });
    expect(r.statusCode, r.body).toBe(422);
    const p = r.json() as { type: string; file: string; detail: string; instance: string };
    expect(p.type).toBe('urn:vouch:problem:invalid-document');
    expect(p.file).toBe('bom.cdx.json');
    expect(p.detail).toMatch(/^bom\.cdx\.json: not valid JSON/);
    // the upload it names says the same
    const u = await w.app.inject({ method: 'GET', url: p.instance, headers: as('admin') });
    expect((u.json() as { state: string; error: { detail: string } }).error.detail).toBe(p.detail);
    const versions = await w.app.inject({ method: 'GET', url: '/api/v1/projects/gamma/versions', headers: as('admin') });
    expect((versions.json() as { items: unknown[] }).items).toEqual([]);
  });

  it('treats the same bytes for the same version as one upload', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/projects/alpha/versions/1.0/documents?file=bom.cdx.json', headers: { ...as('admin'), 'content-type': 'application/json' }, payload: log4jSbom('2.14.1', 'alpha-service') });
    const u = (r.json() as { upload: { id: string; duplicate: boolean } }).upload;
    expect(u.id).toBe(w.alphaUpload);
    expect(u.duplicate).toBe(true);
  });

  it('takes a document with any content type or none, and a version with a slash in it', async () => {
    for (const [i, headers] of [{}, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }].entries()) {
      const r = await w.app.inject({ method: 'POST', url: `/api/v1/projects/delta/versions/feature%2Flogin-${i}/documents?wait=60`, headers: { ...as('admin'), ...headers }, payload: log4jSbom('2.14.1', `delta-${i}`) });
      expect(r.statusCode, r.body).toBe(200);
      expect((r.json() as { upload: { version: string; state: string } }).upload).toMatchObject({ version: `feature/login-${i}`, state: 'done' });
    }
    const v = await w.app.inject({ method: 'GET', url: '/api/v1/projects/delta/versions', headers: as('admin') });
    expect((v.json() as { items: { version: string }[] }).items.map((x) => x.version).sort()).toEqual(['feature/login-0', 'feature/login-1', 'feature/login-2']);
  });

  it('renders the findings in every format', async () => {
    const get = (format: string): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> =>
      w.app.inject({ method: 'GET', url: `/api/v1/projects/alpha/findings?format=${format}`, headers: as('viewer') });
    const json = await get('json');
    const report = JSON.parse(json.body) as { findings: { id: string; purl: string }[] };
    expect(report.findings.map((f) => f.id)).toContain('GHSA-jfh8-c2jp-5v3q');
    const sarif = JSON.parse((await get('sarif')).body) as { version: string };
    expect(sarif.version).toBe('2.1.0');
    const cdx = JSON.parse((await get('cyclonedx')).body) as { bomFormat: string; vulnerabilities: { id: string }[] };
    expect(cdx.bomFormat).toBe('CycloneDX');
    expect(cdx.vulnerabilities.map((v) => v.id)).toContain('GHSA-jfh8-c2jp-5v3q');
    const vex = JSON.parse((await get('openvex')).body) as { '@context': string; statements: { vulnerability: { name: string }; status: string; products: { '@id': string }[] }[] };
    expect(vex['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    const log4shell = vex.statements.find((s) => s.vulnerability.name === 'GHSA-jfh8-c2jp-5v3q');
    expect(log4shell?.status).toBe('affected');
    expect(log4shell?.products[0]!['@id']).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    const md = await get('markdown');
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toMatch(/GHSA-jfh8-c2jp-5v3q|CVE-2021-44228/);
    const html = await get('html');
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toMatch(/^<!doctype html>/i);
    // issue 15: the version's SBOM as SPDX 2.3, the stored graph through the engine's writer
    const spdx = await get('spdx');
    expect(spdx.headers['content-type']).toMatch(/^application\/spdx\+json/);
    const doc = JSON.parse(spdx.body) as { spdxVersion: string; packages: { externalRefs?: { referenceLocator: string }[] }[] };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(doc.packages.flatMap((p) => p.externalRefs ?? []).map((r) => r.referenceLocator).sort()).toEqual(['pkg:maven/com.example/logging-wrapper@1.0.0', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
    const comps = await w.app.inject({ method: 'GET', url: '/api/v1/projects/alpha/components', headers: as('viewer') });
    // log4jSbom gives no scope (vouch's CycloneDX reader: unknown) and no licence
    expect(comps.json()).toEqual({
      version: '1.0',
      items: [
        { purl: 'pkg:maven/com.example/logging-wrapper@1.0.0', name: 'com.example:logging-wrapper', version: '1.0.0', ecosystem: 'Maven', scope: 'unknown', direct: true, licenses: [] },
        { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', ecosystem: 'Maven', scope: 'unknown', direct: false, licenses: [] },
      ],
    });
  });

  it('exports request latency, jobs and findings by severity to Prometheus', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/metrics', headers: as('admin') });
    expect(r.body).toMatch(/^vouch_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/projects",status_code="200"\} \d+/m);
    expect(r.body).toMatch(/^vouch_jobs\{state="queued"\} \d+/m);
    expect(r.body).toMatch(/^vouch_jobs\{state="failed"\} \d+/m);
    // alpha and beta each hold Log4Shell, a critical finding
    const critical = /^vouch_findings\{severity="CRITICAL"\} (\d+)/m.exec(r.body);
    expect(Number(critical?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('serves an OpenAPI 3.1 document naming every API route with its schemas', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/projects',
        '/api/v1/projects/{name}',
        '/api/v1/projects/{name}/versions',
        '/api/v1/projects/{name}/versions/{version}/documents',
        '/api/v1/uploads/{id}',
        '/api/v1/vulnerabilities/{id}/affected',
        '/api/v1/components',
        '/api/v1/projects/{name}/findings',
        '/api/v1/portfolio',
        '/api/v1/events',
        '/api/v1/advisories/update',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/tokens']!['post']!.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
  });
});

describe.each(testDbs())('logging on $name', (kind) => {
  it('never writes the token to the log', async () => {
    const t = await freshDb(kind);
    const lines: string[] = [];
    const stream = { write: (s: string) => void lines.push(s) };
    const queue = createQueue(t, t.schema ? { schema: `${t.schema}_boss` } : {});
    const app = await buildApp({ opened: t, queue, logger: { level: 'trace', stream } });
    try {
      const token = (await createToken(t.db, { name: 'a', role: 'admin' })).token;
      const r = await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(200);
      // a log line that does carry a request's headers is redacted too
      app.log.info({ headers: { authorization: `Bearer ${token}` } }, 'headers');
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.join('')).not.toContain(token);
      expect(lines.join('')).toContain('[Redacted]');
    } finally {
      await app.close();
      await t.close();
    }
  });
});

describe('output validation', () => {
  it('answers a 500 problem, not a malformed body, when a route breaks its own response schema', async () => {
    const t = await freshDb({ name: 'sqlite' });
    const queue = createQueue(t);
    const app = await buildApp({ opened: t, queue, logger: false });
    // an enum the serializer would write out unchecked
    app.get('/broken', { config: { access: { public: true } }, schema: { hide: true, response: { 200: { type: 'object', required: ['state'], properties: { state: { type: 'string', enum: ['queued', 'done'] } } } } } }, async () => ({ state: 'secret-internal-value' }));
    try {
      const r = await app.inject({ method: 'GET', url: '/broken' });
      expect(r.statusCode).toBe(500);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((r.json() as { type: string }).type).toBe('urn:vouch:problem:internal');
      expect(r.body).not.toContain('secret-internal-value');
    } finally {
      await app.close();
      await t.close();
    }
  });
});

describe.skipIf(!HAS_SHARED).each(testDbs())('limits on $name', (kind) => {
  let t: TestDb;
  let queue: JobQueue;
  let app: FastifyInstance;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    t = await freshDb(kind);
    queue = createQueue(t, t.schema ? { schema: `${t.schema}_boss` } : {});
    await queue.start();
    app = await buildApp({ opened: t, queue, logger: false, limits: { bodyLimit: 2048, rateMax: 5, rateWindow: '1 minute' } });
    admin = (await createToken(t.db, { name: 'a', role: 'admin' })).token;
    viewer = (await createToken(t.db, { name: 'v', role: 'viewer' })).token;
  });
  afterAll(async () => {
    await app?.close();
    await queue?.stop({ graceful: false });
    await t?.close();
  });

  it('answers a document over the body limit with 413 and stores nothing', async () => {
    const big = Buffer.alloc(4096, 0x20);
    const r = await app.inject({ method: 'POST', url: '/api/v1/projects/big/versions/1/documents', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' }, payload: big });
    expect(r.statusCode).toBe(413);
    expect((r.json() as { type: string }).type).toBe('urn:vouch:problem:payload-too-large');
    const p = await app.inject({ method: 'GET', url: '/api/v1/projects/big', headers: { authorization: `Bearer ${admin}` } });
    expect(p.statusCode).toBe(404);
  });

  it('limits requests per token, not for everyone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: { authorization: `Bearer ${viewer}` } })).statusCode);
    expect(statuses.slice(0, 4).every((s) => s === 200)).toBe(true);
    const last = await app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: { authorization: `Bearer ${viewer}` } });
    expect(last.statusCode).toBe(429);
    expect((last.json() as { type: string }).type).toBe('urn:vouch:problem:rate-limited');
    // another token still gets through
    const other = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` } });
    expect(other.statusCode).toBe(200);
  });
});
