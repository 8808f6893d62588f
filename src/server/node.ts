/**
 * One `vouch serve` process: the database (migrated on start), the job queue, the workers
 * (`--role worker|all`: ingest, refresh, re-match), the API (`--role api|all`), the timer of
 * `--update-every`, and a graceful stop (stop accepting, finish in-flight requests, let running
 * jobs finish, close the database). Nodes share nothing but the database.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { defaultSource } from '../advisories/sources.js';
import type { OpenedDb } from '../db/index.js';
import { createQueue, type JobQueue } from '../jobs/index.js';
import { StoreHandle, registerWorkers, requeueUnfinishedUploads } from '../portfolio/workers.js';
import type { SmtpSettings } from '../response/destinations.js';
import { startNotifier } from '../response/notifications.js';
import { type FeedCrypto, type FeedSigner, registerFeedWorkers, startFeedScheduler } from '../portfolio/feeds.js';
import { type AppLimits, LOG_REDACT, buildApp } from './app.js';
import { type DatabaseChoice, homeOf, openPortfolio } from './database.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type OidcOptions, discoverOidc } from './oidc.js';
import { snapshotMetrics } from '../portfolio/trend.js';
import { pruneSessions } from './session.js';

/** The metrics snapshot and session clean-up job (issue 15), queued every hour by each worker node. */
export const HOURLY_JOB = 'hourly';
const HOURLY_MS = 3600_000;

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
  /** PostgreSQL: the schema of the job queue (default pgboss). */
  jobsSchema?: string;
  /** `--public-url`: where users reach the dashboard (Secure cookies behind https, the origin CSRF checks expect). */
  publicUrl?: string;
  /** `--oidc-*`: sign-in through an OpenID Connect provider (needs publicUrl). */
  oidc?: OidcOptions;
  /** Notifications (worker): the SMTP server of e-mail rules, how often the outboxes are sent (ms, default 5 s), the first retry's wait (ms, default 30 s). */
  notify?: { smtp?: SmtpSettings; everyMs?: number; firstRetryMs?: number };
  /** Issue 14 feeds (docs/feeds.md): partners' feeds verified with `crypto`; the server's own signed by `signer` (--feed-key). */
  feeds?: { crypto: FeedCrypto; signer?: FeedSigner | undefined };
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

/** `vouch serve --migrate-only`: the schema brought up to date, nothing started. */
export async function migrateOnly(choice: DatabaseChoice): Promise<void> {
  const opened = await openPortfolio(choice);
  await opened.close();
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const home = homeOf(opts);
  const opened = await openPortfolio(opts);
  const log = pino({ level: opts.logLevel ?? 'info', redact: LOG_REDACT }, opts.logStream ?? process.stderr);
  const queue = createQueue(opened, { ...(opts.jobsSchema !== undefined ? { schema: opts.jobsSchema } : {}), onError: (name, err) => log.error({ job: name, err }, `job ${name} failed: ${(err as Error).message ?? String(err)}`) });
  const metrics: Metrics = createMetrics({ db: opened.db, queue });

  const advisories = new StoreHandle(home);
  let accepting = true;
  let timer: NodeJS.Timeout | undefined;
  let hourlyTimer: NodeJS.Timeout | undefined;
  let notifier: { stop(): Promise<void> } | undefined;
  let feedScheduler: { stop(): Promise<void> } | undefined;
  let app: FastifyInstance | undefined;
  try {
    await queue.start();
    if (opts.role !== 'api') {
      await registerWorkers(queue, opened.db, advisories, {
        ...(opts.osvSource !== undefined ? { source: opts.osvSource } : {}),
        onRematch: (r) => {
          if (r.ran) log.info({ rematch: r }, `re-match of store ${r.generation.slice(0, 12)}: ${r.changed} changed record(s), ${r.newFindings} new and ${r.goneFindings} resolved finding(s)`);
        },
      });
      // the store may have changed while no node ran: re-match once now (nothing to do when it did not)
      await queue.send('rematch', {});
      // uploads a dead node left queued or running, or whose jobs were lost, are ingested again (idempotent)
      const requeued = await requeueUnfinishedUploads(opened.db, queue);
      if (requeued) log.info({ requeued }, `${requeued} unfinished upload(s) queued again`);
      // issue 15: the hourly job — today's metrics snapshot (taken again each hour: the day's last one
      // stands for it) and sessions that ended a day ago dropped; idempotent, one at a time
      await queue.work(HOURLY_JOB, async () => {
        await snapshotMetrics(opened.db);
        await pruneSessions(opened.db);
      });
      const hourly = (): void => void queue.send(HOURLY_JOB, {}, { singletonKey: HOURLY_JOB }).catch((err: unknown) => log.error({ err }, 'could not queue the hourly job'));
      hourly();
      hourlyTimer = setInterval(hourly, HOURLY_MS);
      hourlyTimer.unref();
      // issue 14: notifications to webhooks, Slack and e-mail (src/response/notifications.ts)
      const n = opts.notify ?? {};
      notifier = startNotifier(opened.db, {
        ...(n.smtp ? { smtp: n.smtp } : {}),
        ...(n.everyMs !== undefined ? { intervalMs: n.everyMs } : {}),
        ...(n.firstRetryMs !== undefined ? { firstRetryMs: n.firstRetryMs } : {}),
        onError: (err) => log.error({ err }, `notifications: ${(err as Error).message ?? String(err)}`),
      });
      // issue 14: own advisories into the store, subscribed feeds refreshed when due (src/portfolio/feeds.ts)
      if (opts.feeds) {
        await registerFeedWorkers(queue, opened.db, home, opts.feeds.crypto, {
          onRefresh: (id, r) => {
            if (r.state === 'failed') log.warn({ subscription: id }, `feed subscription ${id} refused: ${r.error}`);
            else if (r.state === 'loaded' && r.changed) log.info({ subscription: id, records: r.records }, `feed subscription ${id}: ${r.records} record(s) loaded`);
          },
        });
        await queue.send('own-advisories', {}, { singletonKey: 'own-advisories' });
        feedScheduler = startFeedScheduler(opened.db, queue, { onError: (err) => log.error({ err }, `feed scheduler: ${(err as Error).message ?? String(err)}`) });
      }
    }
    if (opts.updateEvery !== undefined) {
      // the same job as POST /api/v1/advisories/update: queued once while one waits, on whichever worker
      const source = opts.osvSource ?? defaultSource();
      timer = setInterval(() => {
        void queue.send('refresh', { source }, { singletonKey: `refresh:${source}` }).catch((err: unknown) => log.error({ err }, 'could not queue the advisory refresh'));
      }, opts.updateEvery);
      timer.unref();
    }
    let url: string | undefined;
    if (opts.role !== 'worker') {
      const oidc = opts.oidc && opts.publicUrl !== undefined ? await discoverOidc(opts.oidc, opts.publicUrl) : undefined;
      app = await buildApp({
        opened,
        queue,
        metrics,
        limits: opts.limits ?? {},
        loggerInstance: log,
        accepting: () => accepting,
        ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
        ...(oidc ? { oidc } : {}),
        ...(opts.feeds ? { feeds: opts.feeds } : {}),
      });
      url = await app.listen({ host: opts.host, port: opts.port });
    }
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        accepting = false;
        if (timer) clearInterval(timer);
        if (hourlyTimer) clearInterval(hourlyTimer);
        if (app) await app.close();
        await notifier?.stop();
        await feedScheduler?.stop();
        await queue.stop({ graceful: true });
        advisories.close();
        await opened.close();
      })());
    return { ...(url !== undefined ? { url } : {}), opened, queue, ...(app ? { app } : {}), stop };
  } catch (e) {
    if (timer) clearInterval(timer);
    if (hourlyTimer) clearInterval(hourlyTimer);
    await notifier?.stop().catch(() => undefined);
    await feedScheduler?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await queue.stop({ graceful: false }).catch(() => undefined);
    advisories.close();
    await opened.close();
    throw e;
  }
}
