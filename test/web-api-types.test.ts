/**
 * The dashboard's API types (web/src/api/schema.d.ts) are generated from the server's OpenAPI
 * document, kept beside them as web/src/api/openapi.json. This fails when a route or schema of the
 * server changed and the types were not regenerated (`npm run build && npm --prefix web run gen:api`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { freshDb, type TestDb } from '../src/testing/db.js';
import { REPO_ROOT } from '../src/testing/shared.js';

describe('the dashboard\'s generated API types', () => {
  let t: TestDb | undefined;
  afterAll(async () => t?.close());

  it('were generated from the OpenAPI document the server serves now', async () => {
    t = await freshDb({ name: 'sqlite' });
    const app = await buildApp({ opened: t, queue: { send: async () => 'job', stats: async () => ({ queued: 0, running: 0, failed: 0 }) }, logger: false });
    const live = (await app.inject({ url: '/api/v1/openapi.json' })).json() as unknown;
    await app.close();
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'web', 'src', 'api', 'openapi.json'), 'utf8')) as unknown;
    expect(committed, 'web/src/api is stale: run `npm run build && npm --prefix web run gen:api`').toEqual(live);
  });
});
