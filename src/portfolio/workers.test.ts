import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDb } from '../db/index.js';
import { type JobQueue, createQueue } from '../jobs/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { recordUploadEvents } from '../response/upload-events.js';
import { failUploadAfterJob, getUpload, processUpload, submitDocument } from './ingest.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecord, osvRecords } from './portfolio-testing.js';
import { affected } from './queries.js';
import { StoreHandle, queueIngest, registerWorkers, requeueUnfinishedUploads } from './workers.js';

const ALL = { all: true } as const;

async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!HAS_SHARED).each(testDbs())('the portfolio jobs on a queue on $name', (kind) => {
  let records: Map<string, string>;
  let store: TestStore;
  let handle: StoreHandle;
  let t: TestDb;
  const queues: JobQueue[] = [];
  const others: OpenedDb[] = [];
  beforeAll(async () => {
    records = await osvRecords('Maven', LOG4J_ADVISORIES);
  });
  beforeEach(async () => {
    store = new TestStore();
    await store.load(records.values());
    handle = new StoreHandle(store.home);
    t = await freshDb(kind);
  });
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.stop({ graceful: false }).catch(() => undefined);
    for (const o of others.splice(0)) await o.close();
    handle.close();
    store.close();
    await t.close();
  });
  function queue(opened: OpenedDb): JobQueue {
    const q = createQueue(opened, { schema: t.schema ? `${t.schema}_boss` : undefined, expireInSeconds: 2, maintenanceIntervalSeconds: 1 });
    queues.push(q);
    return q;
  }

  it('an ingest whose node died mid-job ends as an uninterrupted one on the next node', async () => {
    const { uploadId } = await submitDocument(t.db, { project: 'billing', version: '1', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true });
    const a = queue(t);
    await a.start();
    let started = false;
    await a.work('ingest', () => {
      started = true;
      return new Promise<void>(() => undefined); // killed before its transaction committed
    });
    await queueIngest(a, uploadId);
    await queueIngest(a, uploadId); // asked twice: one job
    await until(() => started);
    await a.stop({ graceful: false });
    expect((await getUpload(t.db, uploadId, ALL))?.state).not.toBe('done');

    const opened = await t.reopen();
    others.push(opened);
    const b = queue(opened);
    await registerWorkers(b, opened.db, handle);
    await b.start();
    await until(async () => (await getUpload(t.db, uploadId, ALL))?.state === 'done');
    // as an uninterrupted ingest: 2 components, 4 findings for log4j-core 2.14.1
    expect(await getUpload(t.db, uploadId, ALL)).toMatchObject({ state: 'done', components: 2, findings: 4 });
    expect(await t.db.selectFrom('findings').select('id').execute()).toHaveLength(4);
  });

  it('an ingest job that fails for good (not the document: no advisory store) ends its upload failed, with its upload.failed event', async () => {
    const { uploadId } = await submitDocument(t.db, { project: 'billing', version: '1', fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true });
    // a node whose advisory store is missing: every attempt throws before the document is read
    const empty = mkdtempSync(path.join(tmpdir(), 'vouch-nostore-'));
    const broken = new StoreHandle(empty);
    try {
      const q = createQueue(t, { schema: t.schema ? `${t.schema}_boss` : undefined, maxAttempts: 2 });
      queues.push(q);
      await registerWorkers(q, t.db, broken);
      await q.start();
      await queueIngest(q, uploadId);
      await until(async () => (await getUpload(t.db, uploadId, ALL))?.state === 'failed');
      const up = await getUpload(t.db, uploadId, ALL);
      expect(up?.error?.title).toBe('vouch could not process the upload (its ingest job failed)');
      expect(up?.error?.detail).toMatch(/^bom\.json: .*advisory/i);
      expect(up?.error?.detail).not.toMatch(/\n| {4}at /);
      // nothing of it stored as the version
      expect(await t.db.selectFrom('findings').select('id').execute()).toHaveLength(0);
      // the response layer's event follows from the upload's state
      expect(await recordUploadEvents(t.db)).toBe(1);
      const events = await t.db.selectFrom('response_events').select(['key', 'type', 'project']).execute();
      expect(events).toEqual([{ key: `upload.failed:${uploadId}`, type: 'upload.failed', project: 'billing' }]);
      // idempotent: failing it again (a dead letter handled twice) changes nothing
      const before = await getUpload(t.db, uploadId, ALL);
      await failUploadAfterJob(t.db, uploadId, 'again');
      expect(await getUpload(t.db, uploadId, ALL)).toEqual(before);
      // and an upload that ended done is never turned failed
      const ok = await submitDocument(t.db, { project: 'billing', version: '2', fileName: 'bom2.json', bytes: log4jSbom('2.17.1'), createProject: true });
      await processUpload(t.db, handle.current().ctx, ok.uploadId);
      await failUploadAfterJob(t.db, ok.uploadId, 'late dead letter');
      expect((await getUpload(t.db, ok.uploadId, ALL))?.state).toBe('done');
    } finally {
      broken.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a refresh job loads the new advisories and its re-match finds the new findings without an upload', async () => {
    const q = queue(t);
    await registerWorkers(q, t.db, handle);
    await q.start();
    for (const [project, v] of [
      ['a', '2.14.1'],
      ['b', '2.17.1'],
    ]) {
      const { uploadId } = await submitDocument(t.db, { project: project!, version: '1', fileName: 'bom.json', bytes: log4jSbom(v!), createProject: true });
      await queueIngest(q, uploadId);
    }
    await until(async () => (await q.stats()).queued + (await q.stats()).running === 0 && (await t.db.selectFrom('uploads').select('id').where('state', '=', 'done').execute()).length === 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-osv-'));
    try {
      for (const [id, r] of records) writeFileSync(path.join(dir, `${id}.json`), r);
      writeFileSync(path.join(dir, 'TEST-1.json'), osvRecord('TEST-1', { aliases: ['CVE-2026-1111'], ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', introduced: '2.17.0' }));
      await q.send('refresh', { source: dir });
      await until(async () => (await affected(t.db, 'CVE-2026-1111', ALL)).items.length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await affected(t.db, 'CVE-2026-1111', ALL)).items.map((i) => i.project)).toEqual(['b']);
    await until(async () => (await t.db.selectFrom('rematch_runs').select('generation').execute()).length === 1);
    expect(await t.db.selectFrom('events').select(['type', 'project', 'vuln']).execute()).toEqual([{ type: 'finding.new', project: 'b', vuln: 'TEST-1' }]);
  });

  it('uploads whose jobs were lost are queued again at start, once each, and end done', async () => {
    const ids: string[] = [];
    for (const v of ['1', '2']) ids.push((await submitDocument(t.db, { project: 'svc', version: v, fileName: 'bom.json', bytes: log4jSbom('2.14.1'), createProject: true })).uploadId);
    // no job was ever sent for them
    const q = queue(t);
    await registerWorkers(q, t.db, handle);
    await q.start();
    expect(await requeueUnfinishedUploads(t.db, q)).toBe(2);
    await until(async () => (await t.db.selectFrom('uploads').select('id').where('state', '=', 'done').execute()).length === 2);
    expect(await requeueUnfinishedUploads(t.db, q)).toBe(0);
    expect(await t.db.selectFrom('findings').select('id').execute()).toHaveLength(8);
  });
});
