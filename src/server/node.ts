/**
 * One `vouch serve` process: the database (migrated on start), the job queue, the workers
 * (`--role worker|all`: ingest, refresh, re-match), the API (`--role api|all`), the timer of
 * `--update-every`, and a graceful stop (stop accepting, finish in-flight requests, let running
 * jobs finish, close the database). Nodes share nothing but the database.
 */
import { statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { updateStore } from '../advisories/import.js';
import { defaultSource } from '../advisories/sources.js';
import { AdvisoryStore, storePath } from '../advisories/store.js';
import type { OpenedDb } from '../db/index.js';
import { type AdvisoryContext, storeContext } from '../engine/scan.js';
import { createQueue, type JobQueue } from '../jobs/index.js';
import { getUpload, processUpload } from '../portfolio/ingest.js';
import { refreshAndRematch } from '../portfolio/rematch.js';
import { type AppLimits, LOG_REDACT, buildApp } from './app.js';
import { type DatabaseChoice, homeOf, openPortfolio } from './database.js';
import { createMetrics, type Metrics } from './metrics.js';

export type NodeRole = 'api' | 'worker' | 'all';

export interface NodeOptions extends DatabaseChoice {
  host: string;
  port: number;
  role: NodeRole;
  /** Refresh the advisory store this often (ms), then re-match what changed. */
  updateEvery?: number | undefined;
  /** The OSV source of those refreshes (default: $VOUCH_OSV_SOURCE, else the public OSV export). */
  osvSource?: string | undefined;
  limits?: AppLimits;
  /** Log level of the node's JSON lines (default info); they go to `logStream` (default stderr). */
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
}

export interface RunningNode {
  /** http://host:port when the API listens. */
  url?: string;
  opened: OpenedDb;
  queue: JobQueue;
  app?: FastifyInstance;
  /** Graceful: no new requests, in-flight ones answered, running jobs finished, database closed. */
  stop(): Promise<void>;
}

/**
 * The advisory store as an AdvisoryContext, reopened when the store file was replaced (an update,
 * by this node's refresh job or by `vouch db update` on the same home, swaps the file atomically).
 */
export class AdvisoryHolder {
  private store: AdvisoryStore | undefined;
  private ctx: AdvisoryContext | undefined;
  private stamp = '';
  constructor(readonly home: string) {}

  /** The context matching reads, and the store itself (re-match lists its records). */
  current(): { ctx: AdvisoryContext; store: AdvisoryStore } {
    const file = storePath(this.home);
    let stamp = '';
    try {
      const st = statSync(file);
      stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      // AdvisoryStore.open says what is missing and which command loads it
    }
    if (!this.ctx || stamp !== this.stamp) {
      const store = AdvisoryStore.open(this.home);
      this.store?.close();
      this.store = store;
      this.ctx = storeContext(store);
      this.stamp = stamp;
    }
    return { ctx: this.ctx, store: this.store! };
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
    this.ctx = undefined;
  }
}

/** `vouch serve --migrate-only`: the schema brought up to date, nothing started. */
export async function migrateOnly(choice: DatabaseChoice): Promise<void> {
  const opened = await openPortfolio(choice);
  await opened.close();
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const home = homeOf(opts);
  const opened = await openPortfolio(opts);
  const log = pino({ level: opts.logLevel ?? 'info', redact: LOG_REDACT }, opts.logStream ?? process.stderr);
  const queue = createQueue(opened, { onError: (name, err) => log.error({ job: name, err }, `job ${name} failed: ${(err as Error).message ?? String(err)}`) });
  const metrics: Metrics = createMetrics({ db: opened.db, queue });
  const advisories = new AdvisoryHolder(home);
  let accepting = true;
  let timer: NodeJS.Timeout | undefined;
  let app: FastifyInstance | undefined;
  try {
    await queue.start();
    if (opts.role !== 'api') {
      await queue.work('ingest', async (data) => {
        const { uploadId } = data as { uploadId: string };
        await processUpload(opened.db, advisories.current().ctx, uploadId);
        const u = await getUpload(opened.db, uploadId, { all: true });
        if (u) metrics.uploads.inc({ state: u.state });
        if (u?.state === 'done' && typeof u.components === 'number') metrics.ingestRows.inc(u.components);
      });
      await queue.work('refresh', async (data) => {
        const { source } = data as { source?: string };
        if (source !== undefined) await updateStore({ home, source });
        const { ctx, store } = advisories.current();
        await refreshAndRematch(opened.db, ctx, store);
      });
      // the store may have changed while no node ran: re-match once now (nothing to do when it did not)
      await queue.send('refresh', {}, { singletonKey: 'refresh:' });
    }
    if (opts.updateEvery !== undefined) {
      const source = opts.osvSource ?? defaultSource();
      timer = setInterval(() => {
        void queue.send('refresh', { source }, { singletonKey: `refresh:${source}` }).catch(() => undefined);
      }, opts.updateEvery);
      timer.unref();
    }
    let url: string | undefined;
    if (opts.role !== 'worker') {
      app = await buildApp({ opened, queue, metrics, limits: opts.limits ?? {}, loggerInstance: log, accepting: () => accepting });
      url = await app.listen({ host: opts.host, port: opts.port });
    }
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        accepting = false;
        if (timer) clearInterval(timer);
        if (app) await app.close();
        await queue.stop({ graceful: true });
        advisories.close();
        await opened.close();
      })());
    return { ...(url !== undefined ? { url } : {}), opened, queue, ...(app ? { app } : {}), stop };
  } catch (e) {
    if (timer) clearInterval(timer);
    await app?.close().catch(() => undefined);
    await queue.stop({ graceful: false }).catch(() => undefined);
    advisories.close();
    await opened.close();
    throw e;
  }
}
