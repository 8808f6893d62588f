import { it, expect } from 'vitest';
import { createToken } from '../portfolio/access.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from '../portfolio/portfolio-testing.js';
import { processUpload } from '../portfolio/ingest.js';
import { freshDb } from '../testing/db.js';
import { buildApp } from './app.js';

it('dev check', async () => {
  const t = await freshDb({ name: 'sqlite' });
  const store = new TestStore();
  await store.load((await osvRecords('Maven', LOG4J_ADVISORIES)).values());
  const ctx = store.context();
  const queue = { send: async (_n: string, d: object) => { await processUpload(t.db, ctx, (d as { uploadId: string }).uploadId); return 'x'; }, stats: async () => ({ queued: 0, running: 0, failed: 0 }) };
  const app = await buildApp({ opened: t, queue, logger: false });
  const tok = (await createToken(t.db, { name: 'a', role: 'admin' })).token;
  const h = { authorization: `Bearer ${tok}` };
  let r = await app.inject({ method: 'POST', url: '/api/v1/projects/alpha/versions/1.0/documents?file=bom.cdx.json&wait=5', headers: { ...h, 'content-type': 'application/json' }, payload: log4jSbom('2.14.1') });
  console.log(r.statusCode, r.body.slice(0, 500));
  for (const u of ['/api/v1/projects', '/api/v1/projects/alpha', '/api/v1/projects/alpha/versions', '/api/v1/vulnerabilities/CVE-2021-44228/affected', '/api/v1/components?purl=pkg:maven/org.apache.logging.log4j/log4j-core&range=vers:maven/%3C2.17.1', '/api/v1/portfolio', '/api/v1/tokens', '/metrics', '/api/v1/projects/alpha/findings?format=openvex', '/docs/', '/readyz']) {
    r = await app.inject({ method: 'GET', url: u, headers: h });
    console.log(u, r.statusCode, r.headers['content-type'], r.body.slice(0, 300));
  }
  r = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  console.log(r.statusCode, Object.keys(r.json().paths), JSON.stringify(r.json().components).slice(0, 300));
  r = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: h, payload: { name: 'x', role: 'boss', projects: ['a', 7], colour: 'red' } });
  console.log(r.statusCode, r.body);
  r = await app.inject({ method: 'POST', url: '/api/v1/projects/gamma/versions/1.0/documents?file=bom.cdx.json&wait=5', headers: { ...h, 'content-type': 'application/json' }, payload: '{"bomFormat":"CycloneDX",\n"specVersion":"1.6",\n"components":[{"type":"library", "name": }]}' });
  console.log(r.statusCode, r.body);
  r = await app.inject({ method: 'GET', url: '/api/v1/projects', headers: {} });
  console.log(r.statusCode, r.headers, r.body);
  await app.close(); store.close(); await t.close();
  expect(1).toBe(1);
});
