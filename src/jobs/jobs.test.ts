import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDb } from '../db/index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { EXPIRE_SECONDS, type JobQueue, type QueueOptions, createQueue } from './index.js';

/** Resolves when `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testDbs())('jobs on $name', (kind) => {
  let t: TestDb;
  const queues: JobQueue[] = [];
  const others: OpenedDb[] = [];
  beforeEach(async () => (t = await freshDb(kind)));
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.stop({ graceful: false }).catch(() => undefined);
    for (const o of others.splice(0)) await o.close();
    await t.close();
  });
  function queue(opened: OpenedDb = t, opts: QueueOptions = {}): JobQueue {
    // each test database gets its own pg-boss schema beside it (dropped with it)
    const q = createQueue(opened, { schema: t.schema ? `${t.schema}_boss` : undefined, expireInSeconds: 2, maintenanceIntervalSeconds: 1, ...opts });
    queues.push(q);
    return q;
  }

  it('runs queued jobs with their data; a singleton key queues an unfinished job once', async () => {
    const q = queue();
    await q.start();
    const a = await q.send('rematch', { generation: 'g1' }, { singletonKey: 'g1' });
    const b = await q.send('rematch', { generation: 'g1' }, { singletonKey: 'g1' });
    expect(b).toBe(a);
    await q.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
    await q.send('ingest', { uploadId: 'u2' }, { singletonKey: 'u2' });
    const seen: unknown[] = [];
    await q.work('rematch', async (d) => void seen.push(d));
    await q.work('ingest', async (d) => void seen.push(d));
    await until(() => seen.length === 3);
    await until(async () => (await q.stats()).queued === 0 && (await q.stats()).running === 0);
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(expect.arrayContaining([{ generation: 'g1' }, { uploadId: 'u1' }, { uploadId: 'u2' }]));
    // finished: the same key queues a new job
    expect(await q.send('rematch', { generation: 'g1' }, { singletonKey: 'g1' })).not.toBe(a);
  });

  it('an urgent job (someone waits for it) starts before the jobs queued without, which keep their order', async () => {
    const q = queue(t, { concurrency: 1 });
    await q.start();
    // a few ms apart: jobs queued in the same millisecond have no order between them
    const send = async (id: string, urgent = false) => {
      await q.send('ingest', { uploadId: id }, { singletonKey: id, urgent });
      await new Promise((r) => setTimeout(r, 5));
    };
    for (const id of ['b1', 'b2', 'b3']) await send(id);
    await send('waited', true);
    await send('b4');
    const order: string[] = [];
    await q.work('ingest', async (d) => void order.push((d as { uploadId: string }).uploadId));
    await until(() => order.length === 5);
    expect(order).toEqual(['waited', 'b1', 'b2', 'b3', 'b4']);
  });

  it('an urgent job starts while every slot is busy with other work, in one extra slot', async () => {
    const q = queue(t, { concurrency: 1 });
    await q.start();
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const done: string[] = [];
    await q.work('ingest', async (d) => {
      const id = (d as { uploadId: string }).uploadId;
      started.push(id);
      if (id.startsWith('bulk')) await gate;
      done.push(id);
    });
    await q.send('ingest', { uploadId: 'bulk-1' }, { singletonKey: 'bulk-1' });
    await until(() => started.includes('bulk-1'));
    await q.send('ingest', { uploadId: 'bulk-2' }, { singletonKey: 'bulk-2' });
    await q.send('ingest', { uploadId: 'waited' }, { singletonKey: 'waited', urgent: true });
    // done while bulk-1 still holds the only slot; bulk-2, not urgent, waits for it
    await until(() => done.includes('waited'));
    expect(done).toEqual(['waited']);
    expect(started).not.toContain('bulk-2');
    release();
    await until(() => done.length === 3);
    expect(done).toEqual(['waited', 'bulk-1', 'bulk-2']);
  });

  it('retries a failing job, then marks it failed', async () => {
    const q = queue(t, { maxAttempts: 2 });
    await q.start();
    let flaky = 0;
    let broken = 0;
    await q.work('refresh', async (d) => {
      if ((d as { source: string }).source === 'flaky') {
        if (++flaky === 1) throw new Error('network down');
      } else {
        broken++;
        throw new Error('always');
      }
    });
    await q.send('refresh', { source: 'flaky' });
    await q.send('refresh', { source: 'broken' });
    await until(async () => (await q.stats()).failed === 1 && flaky === 2, 30_000);
    expect(flaky).toBe(2);
    expect(broken).toBe(2);
    expect(await q.stats()).toEqual({ queued: 0, running: 0, failed: 1 });
  });

  it('onFailed runs once a job has failed for good, with its last error — not for a job that succeeds on a retry', async () => {
    const q = queue(t, { maxAttempts: 2 });
    await q.start();
    const attempts = new Map<string, number>();
    const failed: [unknown, string][] = [];
    await q.work(
      'ingest',
      async (d) => {
        const id = (d as { uploadId: string }).uploadId;
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        if (id === 'broken') throw new Error(`database went away (attempt ${n})\n    at stack line`);
        if (n === 1) throw new Error('once');
      },
      { onFailed: async (d, error) => void failed.push([d, error]) },
    );
    await q.send('ingest', { uploadId: 'flaky' }, { singletonKey: 'flaky' });
    await q.send('ingest', { uploadId: 'broken' }, { singletonKey: 'broken' });
    await until(() => failed.length >= 1 && attempts.get('flaky') === 2, 30_000);
    await until(async () => (await q.stats()).queued === 0 && (await q.stats()).running === 0);
    // the last attempt's message, its first line only (no stack)
    expect(failed).toEqual([[{ uploadId: 'broken' }, 'database went away (attempt 2)']]);
    expect(attempts.get('broken')).toBe(2);
  });

  if (kind.name === 'postgres') {
    it('a job whose node died in it, past its expiry as often as it may run: it fails for good by expiry, and onFailed runs', async () => {
      const expireInSeconds = { ingest: 2, rematch: 900, refresh: 900 };
      const failed: [unknown, string][] = [];
      const onFailed = async (d: unknown, error: string) => void failed.push([d, error]);
      // the queue has its dead letter from the start: a job sent before any worker registered
      // onFailed (an API node's) carries it
      const b = queue(t, { expireInSeconds, maxAttempts: 1 });
      await b.start();
      const jobId = await b.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
      // a node took it and was killed with SIGKILL: active to pg-boss, no worker, no failWip (a stop,
      // graceful or not, fails its running jobs itself; a hung handler is failed by its own worker)
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        await c.query(`UPDATE ${t.schema}_boss.job SET state = 'active', started_on = now() WHERE id = $1`, [jobId]);
      } finally {
        await c.end();
      }
      const t0 = Date.now();
      const ran: unknown[] = [];
      await b.work('ingest', async (d) => void ran.push(d), { onFailed });
      await until(() => failed.length === 1, 30_000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000); // the expiry (2 s) in a maintenance run
      expect(failed).toEqual([[{ uploadId: 'u1' }, 'job failed by timeout in active state']]); // pg-boss's words
      expect(ran).toEqual([]);
    });
  }

  it('a node that dies mid-job: the job runs again on the next start and completes', async () => {
    const a = queue();
    await a.start();
    let started = false;
    // the first node takes the job and never finishes it (killed before its transaction committed)
    await a.work('ingest', () => {
      started = true;
      return new Promise<void>(() => undefined);
    });
    await a.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
    await until(() => started);
    await a.stop({ graceful: false });

    const opened = await t.reopen();
    others.push(opened);
    const b = queue(opened);
    await b.start();
    const done: unknown[] = [];
    await b.work('ingest', async (d) => void done.push(d));
    await until(() => done.length === 1, 30_000);
    expect(done).toEqual([{ uploadId: 'u1' }]);
    await until(async () => (await b.stats()).running === 0);
    expect(await b.stats()).toEqual({ queued: 0, running: 0, failed: 0 });
  });

  it('nodes starting together on a new database all start (they create the same queues at once)', async () => {
    const nodes = [queue(), queue(), queue()];
    await Promise.all(nodes.map((q) => q.start()));
    const done: unknown[] = [];
    await nodes[1]!.work('ingest', async (d) => void done.push(d));
    await nodes[0]!.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
    await until(() => done.length === 1);
    expect(done).toEqual([{ uploadId: 'u1' }]);
  });

  it('a job queued again while its key still looks running (its node gone) runs now, and the jobs after it too', async () => {
    // no expiry within the test: what runs, runs because the queue hands it out, not because the lost job expired
    const done: { uploadId: string }[] = [];
    const record = async (d: unknown) => void done.push(d as { uploadId: string });
    // node a takes u1 and never finishes it: to the queue it is running, as a job of a node killed
    // with SIGKILL is (a graceful stop would give it back)
    const a = queue(t, { expireInSeconds: 900 });
    await a.start();
    let taken = false;
    await a.work('ingest', (d) => {
      if ((d as { uploadId: string }).uploadId !== 'u1' || taken) return record(d);
      taken = true;
      return new Promise<void>(() => undefined);
    });
    await a.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
    await until(() => taken);

    const opened = await t.reopen();
    others.push(opened);
    const b = queue(opened, { expireInSeconds: 900 });
    await b.start();
    await b.work('ingest', record);
    // what a restarted worker does for the uploads left unfinished (requeueUnfinishedUploads), then a new upload
    await b.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
    await b.send('ingest', { uploadId: 'u2' }, { singletonKey: 'u2' });
    await until(() => done.length >= 2);
    expect(done.map((d) => d.uploadId).sort()).toEqual(['u1', 'u2']);
  });

  // pg-boss's expiry: on SQLite one process runs the jobs, and a restart takes back its running ones
  if (kind.name === 'postgres') {
    it('a node killed mid-ingest and never restarted: a node already running takes its job after the ingest expiry', async () => {
      // only ingest expires quickly here: the expiry is per job, as in production
      const expireInSeconds = { ingest: 2, rematch: 900, refresh: 900 };
      const a = queue(t, { expireInSeconds });
      await a.start();
      let taken = false;
      await a.work('ingest', () => {
        taken = true;
        return new Promise<void>(() => undefined);
      });
      await a.send('ingest', { uploadId: 'u1' }, { singletonKey: 'u1' });
      await until(() => taken);
      const opened = await t.reopen();
      others.push(opened);
      const b = queue(opened, { expireInSeconds });
      await b.start();
      const done: unknown[] = [];
      await b.work('ingest', async (d) => void done.push(d));
      // a dies (its job stays active to pg-boss, as after SIGKILL) and is not started again
      await a.stop({ graceful: false });
      const t0 = Date.now();
      await until(() => done.length === 1, 30_000);
      expect(done).toEqual([{ uploadId: 'u1' }]);
      // expiry (2 s) plus a maintenance run (every second here), not pg-boss's 15 minutes
      expect(Date.now() - t0).toBeLessThan(20_000);
    });

    it('pg-boss queues carry the expiry sized to each job and ingest its dead letter; a queue made with other ones is brought to them', async () => {
      const { default: pg } = await import('pg');
      const schema = `${t.schema}_boss`;
      const expiries = async () => {
        const c = new pg.Client({ connectionString: t.url });
        await c.connect();
        try {
          const r = await c.query<{ name: string; expire_seconds: number; dead_letter: string | null }>(`SELECT name, expire_seconds, dead_letter FROM ${schema}.queue ORDER BY name`);
          return Object.fromEntries(r.rows.map((x) => [x.name, x.dead_letter ? `${x.expire_seconds} → ${x.dead_letter}` : x.expire_seconds]));
        } finally {
          await c.end();
        }
      };
      // an older vouch made every queue with 15 minutes
      const old = createQueue(t, { schema, expireInSeconds: 900 });
      queues.push(old);
      await old.start();
      expect(await expiries()).toEqual({ ingest: '900 → ingest_failed', ingest_failed: 900, refresh: 900, rematch: 900 });
      await old.stop();
      // and one older still, made before the dead letter
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      await c.query(`UPDATE ${schema}.queue SET dead_letter = NULL WHERE name = 'ingest'`);
      await c.end();
      const q = createQueue(t, { schema });
      queues.push(q);
      await q.start();
      expect(await expiries()).toEqual({ ingest: `${EXPIRE_SECONDS.ingest} → ingest_failed`, ingest_failed: 900, refresh: EXPIRE_SECONDS.refresh, rematch: EXPIRE_SECONDS.rematch });
      expect(EXPIRE_SECONDS.ingest).toBeLessThan(900);
      expect(EXPIRE_SECONDS.rematch).toBeLessThan(900);
    });
  }
});
