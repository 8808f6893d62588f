/**
 * The portfolio's jobs wired to a queue: what a worker node (`vouch serve --role worker|all`) runs.
 *
 *   ingest  { uploadId }    processUpload with the current advisory store; a job that fails for
 *                           good (not the document: that ends the upload itself) fails its upload
 *   rematch { generation? } refreshAndRematch against the current store (once per generation),
 *                           then syncKev (findings whose CVE KEV lists since: finding.kev)
 *   refresh { source? }     `vouch db update` of this node's store, then a rematch job for its generation;
 *                           each run's outcome (its error when it failed) recorded (refreshes.ts)
 *
 * The advisory store is a file this node reads; `vouch db update` replaces it by a rename, so the
 * handle below reopens it when the file changed and every job sees a whole store.
 */
import { statSync } from 'node:fs';
import { updateStore } from '../advisories/import.js';
import { defaultSource } from '../advisories/sources.js';
import { AdvisoryStore, storePath } from '../advisories/store.js';
import type { Db } from '../db/index.js';
import { type AdvisoryContext, storeContext } from '../engine/scan.js';
import type { JobQueue } from '../jobs/index.js';
import { failUploadAfterJob, processUpload } from './ingest.js';
import { syncKev } from './kev.js';
import { recordRefresh } from './refreshes.js';
import { type RematchResult, refreshAndRematch, storeGeneration } from './rematch.js';

/** The local advisory store, reopened when `vouch db update` (or a refresh job) replaced its file. */
export class StoreHandle {
  private store: AdvisoryStore | undefined;
  private ctx: AdvisoryContext | undefined;
  private stamp = '';
  /** stores replaced while a job still read them: closed when the handle is */
  private readonly retired: AdvisoryStore[] = [];

  constructor(readonly home: string) {}

  private fileStamp(): string {
    try {
      const s = statSync(storePath(this.home));
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return '';
    }
  }

  /** The store as it is now (throws the store's VouchError STORE_MISSING when there is none yet). */
  current(): { store: AdvisoryStore; ctx: AdvisoryContext } {
    const stamp = this.fileStamp();
    if (!this.store || stamp !== this.stamp) {
      const next = AdvisoryStore.open(this.home);
      if (this.store) this.retired.push(this.store);
      this.store = next;
      this.ctx = storeContext(next);
      this.stamp = stamp;
    }
    return { store: this.store, ctx: this.ctx! };
  }

  close(): void {
    for (const s of this.retired.splice(0)) s.close();
    this.store?.close();
    this.store = undefined;
  }
}

export interface WorkerOptions {
  /** the OSV source a refresh job without one loads (default: $VOUCH_OSV_SOURCE, else the public OSV bucket) */
  source?: string;
  onRematch?: (r: RematchResult) => void;
}

function field(data: unknown, key: string): string | undefined {
  const v = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Registers the handlers of the three jobs on `queue` (call before or after queue.start()). */
export async function registerWorkers(queue: JobQueue, db: Db, store: StoreHandle, opts: WorkerOptions = {}): Promise<void> {
  await queue.work('ingest', async (data) => {
    const uploadId = field(data, 'uploadId');
    if (uploadId === undefined) return; // a malformed job: nothing to do, never retried
    await processUpload(db, store.current().ctx, uploadId);
  }, {
    // retries used up (or expired as often): the upload ends failed, not `running` forever
    onFailed: async (data, error) => {
      const uploadId = field(data, 'uploadId');
      if (uploadId !== undefined) await failUploadAfterJob(db, uploadId, error);
    },
  });
  await queue.work('rematch', async () => {
    const { store: s, ctx } = store.current();
    const r = await refreshAndRematch(db, ctx, s);
    opts.onRematch?.(r);
    // KEV entries added to findings the re-match does not revisit (the advisory did not change)
    await syncKev(db, s);
  });
  await queue.work('refresh', async (data) => {
    const source = field(data, 'source') ?? opts.source ?? defaultSource();
    const started = new Date();
    let generation: string;
    try {
      await updateStore({ home: store.home, source });
      generation = storeGeneration(store.current().store.advisoryVersions());
      await queue.send('rematch', { generation }, { singletonKey: `rematch:${generation}` });
    } catch (err) {
      // kept for Settings (what failed, when, why); the job still fails, and is retried
      await recordRefresh(db, { source, started, ok: false, error: err }).catch(() => undefined);
      throw err;
    }
    await recordRefresh(db, { source, started, ok: true, generation });
  });
}

/** Queues the ingest of an upload (one job per upload id, however often it is asked for). */
export function queueIngest(queue: JobQueue, uploadId: string): Promise<string> {
  return queue.send('ingest', { uploadId }, { singletonKey: `ingest:${uploadId}` });
}

/**
 * Queues the ingest of every upload not yet done or failed — for a worker starting after a crash
 * or after jobs were lost (a job failed on a database error, a queue emptied by hand). Safe to call
 * on every start and on every node: the singleton key keeps one queued job per upload, and an
 * ingest that finds its upload done does nothing. Call it after queue.start().
 */
export async function requeueUnfinishedUploads(db: Db, queue: JobQueue): Promise<number> {
  const rows = await db.selectFrom('uploads').select('id').where('state', 'in', ['queued', 'running']).orderBy('created_at').execute();
  for (const r of rows) await queueIngest(queue, r.id);
  return rows.length;
}
