/**
 * `?wait=N` on an upload over a real HTTP connection (not fastify.inject): the answer comes when the
 * upload is done, not at once. Node marks a request `destroyed` as soon as its body has been read,
 * so a wait that took that for "the client left" answered 202 every time on a real server — which
 * inject, with its fake socket, never showed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log4jSbom } from '../portfolio/portfolio-testing.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { type ResponseWorld, responseWorld } from './response-testing.js';

describe.skipIf(!HAS_SHARED).each(testDbs())('?wait on a real connection ($name; the advisories from ../shared)', (kind) => {
  let w: ResponseWorld;
  let base = '';
  beforeAll(async () => {
    w = await responseWorld(kind);
    base = await w.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => w?.close());

  it('answers 200 with the finished upload and its findings, not 202 at once', async () => {
    const r = await fetch(`${base}/api/v1/projects/billing/versions/1.0.0/documents?file=bom.cdx.json&wait=60`, {
      method: 'POST',
      headers: { ...w.admin, 'content-type': 'application/vnd.cyclonedx+json' },
      body: log4jSbom('2.14.1', 'billing-service'),
    });
    const body = (await r.json()) as { upload: { state: string } };
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.upload.state).toBe('done');
  });
});
