/**
 * `vouch serve` nodes in one process: an API-only node and a worker-only node on one database share
 * nothing else, yet an upload sent to the first is processed by the second; a graceful stop answers
 * the request in flight; --migrate-only creates the schema and starts nothing.
 */
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { createToken } from '../portfolio/access.js';
import { getUpload, submitDocument } from '../portfolio/ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from '../portfolio/portfolio-testing.js';
import { TEST_PG_URL, testDbs, withSearchPath } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { migrateOnly, type RunningNode, startNode } from './node.js';

const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

describe.skipIf(!HAS_SHARED).each(testDbs())('nodes on $name', (kind) => {
  let store: TestStore;
  let dir = '';
  let database = '';
  let jobsSchema: string | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  const nodes: RunningNode[] = [];

  beforeAll(async () => {
    store = new TestStore();
    await store.load((await osvRecords('Maven', LOG4J_ADVISORIES)).values());
    dir = mkdtempSync(path.join(tmpdir(), 'vouch-node-'));
    if (kind.name === 'postgres') {
      const schema = `n_${process.pid}_${Date.now().toString(36)}`;
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.end();
      database = withSearchPath(TEST_PG_URL!, schema);
      jobsSchema = `${schema}_boss`;
      dropSchema = async () => {
        const d = new pg.Client({ connectionString: TEST_PG_URL });
        await d.connect();
        await d.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await d.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
        await d.end();
      };
    } else {
      database = path.join(dir, 'portfolio.sqlite');
    }
  });

  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    store?.close();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--migrate-only creates the schema and leaves nothing running', async () => {
    await migrateOnly({ database, home: store.home });
    const opened = await openDb({ url: database });
    try {
      // the tables exist: a token can be stored and listed
      const { listTokens } = await import('../portfolio/access.js');
      expect(await listTokens(opened.db)).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('an API node and a worker node on one database: the upload sent to one is processed by the other', async () => {
    const common = { database, home: store.home, host: '127.0.0.1', port: 0, logStream: quiet(), ...(jobsSchema ? { jobsSchema } : {}) };
    const api = await startNode({ ...common, role: 'api' });
    nodes.push(api);
    const admin = (await createToken(api.opened.db, { name: 'ops', role: 'admin' })).token;
    const h = { authorization: `Bearer ${admin}` };
    const post = await fetch(`${api.url}/api/v1/projects/billing/versions/1.0/documents?file=bom.cdx.json`, { method: 'POST', headers: h, body: log4jSbom('2.14.1') });
    expect(post.status).toBe(202);
    const { upload } = (await post.json()) as { upload: { id: string; state: string } };
    // no worker yet: it waits
    await new Promise((r) => setTimeout(r, 300));
    const waiting = (await (await fetch(`${api.url}/api/v1/uploads/${upload.id}`, { headers: h })).json()) as { state: string };
    expect(waiting.state).toBe('queued');

    const worker = await startNode({ ...common, role: 'worker' });
    nodes.push(worker);
    expect(worker.url).toBeUndefined();
    let state = 'queued';
    for (let i = 0; i < 200 && state !== 'done' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = ((await (await fetch(`${api.url}/api/v1/uploads/${upload.id}`, { headers: h })).json()) as { state: string }).state;
    }
    expect(state).toBe('done');
    const affected = (await (await fetch(`${api.url}/api/v1/vulnerabilities/CVE-2021-44228/affected`, { headers: h })).json()) as { items: { project: string }[] };
    expect(affected.items.map((i) => i.project)).toEqual(['billing']);
    // issue 15: the worker queued the hourly job when it started — today's metrics snapshot is there
    const today = new Date().toISOString().slice(0, 10);
    let days: { day: string }[] = [];
    for (let i = 0; i < 200 && !days.some((d) => d.day === today); i++) {
      await new Promise((r) => setTimeout(r, 100));
      days = await api.opened.db.selectFrom('metrics_days').select('day').execute();
    }
    expect(days.map((d) => d.day)).toContain(today);
  });

  it('stops gracefully: the request in flight is answered, then the port is closed', async () => {
    const api = nodes[0]!;
    // no worker: the upload below stays queued, so its ?wait request is surely in flight when the stop begins
    await nodes[1]!.stop();
    const admin = (await createToken(api.opened.db, { name: 'late', role: 'admin' })).token;
    const inFlight = fetch(`${api.url}/api/v1/projects/late/versions/1.0/documents?file=bom.cdx.json&wait=60`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: log4jSbom('2.17.1', 'late') });
    await new Promise((r) => setTimeout(r, 500));
    const stopping = api.stop();
    const r = await inFlight;
    // answered with the upload's state now, on a connection that ends with it (a keep-alive connection
    // left open would hold the stop until its timeout, 72 s)
    expect(r.status).toBe(202);
    expect(((await r.json()) as { upload: { state: string } }).upload.state).toBe('queued');
    expect(r.headers.get('connection')).toBe('close');
    await stopping;
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });

  it('a worker that starts finds an upload whose job was lost (a node killed between storing and queueing) and ingests it', async () => {
    const common = { database, home: store.home, host: '127.0.0.1', port: 0, logStream: quiet(), ...(jobsSchema ? { jobsSchema } : {}) };
    const opened = await openDb({ url: database });
    try {
      // stored as an API node stores it, but no job was ever sent
      const { uploadId } = (await submitDocument(opened.db, { project: 'orphan', version: '1.0', fileName: 'bom.cdx.json', bytes: Buffer.from(log4jSbom('2.14.1', 'orphan')), createProject: true }));
      expect((await getUpload(opened.db, uploadId, { all: true }))?.state).toBe('queued');
      const worker = await startNode({ ...common, role: 'worker' });
      nodes.push(worker);
      let state = 'queued';
      for (let i = 0; i < 200 && state !== 'done' && state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = (await getUpload(opened.db, uploadId, { all: true }))?.state ?? 'missing';
      }
      expect(state).toBe('done');
    } finally {
      await opened.close();
    }
  });
});
