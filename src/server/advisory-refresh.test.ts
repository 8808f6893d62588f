/**
 * Issue 15: the last advisory refresh's outcome in GET /api/v1/advisories/status, on SQLite and
 * (VOUCH_TEST_PG) PostgreSQL — a refresh job that fails is recorded with its error (its first
 * line, URLs without credentials or query), one that loads its source with the generation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osvRecord } from '../portfolio/portfolio-testing.js';
import { refreshError, withoutSecrets } from '../portfolio/refreshes.js';
import { testDbs } from '../testing/db.js';
import { type ServerWorld, serverWorld } from './response-testing.js';

interface Refresh { source: string; startedAt: string; finishedAt: string; ok: boolean; generation?: string; error?: string }
interface Status { runs: { generation: string }[]; refreshes: Refresh[]; jobs: { failed: number } }

describe('what is kept of a refresh\'s source and error', () => {
  it('cuts a URL\'s user, password and query, and keeps the first line of an error', () => {
    expect(withoutSecrets('https://ci:s3cret@osv.example.org/all.zip?token=abc#x and /var/osv')).toBe('https://…@osv.example.org/all.zip?… and /var/osv');
    expect(withoutSecrets('/var/lib/osv/all.zip')).toBe('/var/lib/osv/all.zip');
    const e = new Error('GET https://u:p@h.example/x?sig=1 answered 403\n    at fetch (node:internal)');
    expect(refreshError(e)).toBe('GET https://…@h.example/x?… answered 403');
    expect(refreshError(new Error('x'.repeat(600)))).toHaveLength(500);
  });
});

describe.each(testDbs())('the advisory refresh status ($name)', (kind) => {
  let w: ServerWorld;
  let dir: string;
  beforeAll(async () => {
    w = await serverWorld(kind, [osvRecord('GHSA-test-rfsh-0001', { ecosystem: 'npm', name: 'leftpad', introduced: '0', fixed: '1.0.1' })]);
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-refresh-'));
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const status = async (): Promise<Status> => {
    const r = await w.app.inject({ method: 'GET', url: '/api/v1/advisories/status', headers: w.admin });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Status;
  };
  const refresh = async (source: string): Promise<void> => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/advisories/update', headers: w.admin, payload: { source } });
    expect(r.statusCode, r.body).toBe(202);
  };

  it('records a refresh that failed, with its error and no secret, and then one that loaded its source', async () => {
    expect((await status()).refreshes).toEqual([]);
    const missing = path.join(dir, 'no-such-osv');
    await refresh(missing);
    await expect.poll(async () => (await status()).refreshes[0], { timeout: 30_000, interval: 100 }).toMatchObject({ source: missing, ok: false });
    const failed = (await status()).refreshes[0]!;
    expect(failed.error).toContain('no-such-osv');
    expect(failed.error).not.toMatch(/\n|\bat /);
    expect(failed.generation).toBeUndefined();
    expect(Date.parse(failed.finishedAt)).toBeGreaterThanOrEqual(Date.parse(failed.startedAt));

    // a source with credentials: neither the source nor the error keeps them (nothing listens on port 9)
    await refresh('http://ci:s3cret@127.0.0.1:9/osv/all.zip?token=hunter2');
    await expect.poll(async () => (await status()).refreshes.find((r) => r.source.includes('127.0.0.1')), { timeout: 60_000, interval: 200 }).toMatchObject({ ok: false, source: 'http://…@127.0.0.1:9/osv/all.zip?…' });
    expect(JSON.stringify(await status())).not.toMatch(/s3cret|hunter2/);

    // a folder of OSV records: loaded, its generation recorded and re-matched
    mkdirSync(path.join(dir, 'osv'));
    writeFileSync(path.join(dir, 'osv', 'GHSA-test-rfsh-0002.json'), osvRecord('GHSA-test-rfsh-0002', { ecosystem: 'npm', name: 'leftpad', introduced: '0', fixed: '1.0.2' }));
    await refresh(path.join(dir, 'osv'));
    await expect.poll(async () => (await status()).refreshes[0], { timeout: 30_000, interval: 100 }).toMatchObject({ source: path.join(dir, 'osv'), ok: true, generation: expect.stringMatching(/^[0-9a-f]{12,}/) });
    const ok = (await status()).refreshes[0]!;
    expect(ok.error).toBeUndefined();
    await expect.poll(async () => (await status()).runs[0]?.generation, { timeout: 30_000, interval: 100 }).toBe(ok.generation);
  }, 120_000);
});
