/**
 * Background jobs (ingest, re-match, refresh) behind one interface:
 *
 *   PostgreSQL — pg-boss 10: jobs in its own schema, any number of nodes working the same queues,
 *     retries with backoff, expiry (a job whose node died is handed out again), and singleton keys
 *     (the `short` policy: at most one queued job per key; a job may run while another of its key
 *     still runs — or still looks running, its node dead — which idempotent handlers allow).
 *   SQLite — an in-process runner persisted in the `jobs` table: a job is acknowledged once its row
 *     is committed, and a process killed mid-job finds it again on the next start (running rows go
 *     back to queued), so nothing acknowledged is lost.
 *
 * Either way a job may run more than once (a retry, a node that died after the work but before it
 * was marked done): every handler must be idempotent — the portfolio's are.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Db, OpenedDb } from '../db/index.js';
import { nowIso } from '../db/index.js';

export type JobName = 'ingest' | 'rematch' | 'refresh';

export interface JobQueue {
  start(): Promise<void>;
  /**
   * Queues a job; with a singleton key, a job of that name and key not yet finished is not queued twice (its id is returned).
   * `urgent`: someone waits for it (an upload sent with ?wait) — it starts before the jobs queued without (FIFO among each).
   */
  send(name: string, data: object, opts?: SendOptions): Promise<string>;
  /**
   * Runs `handler` for the jobs of `name`. `onFailed` runs once a job of `name` has failed for good —
   * its attempts used up, or (PostgreSQL) its node lost past its expiry as often — with the job's
   * data and its last error, so what waits on the job (an upload's state) does not wait forever. It
   * may run more than once for a job (a node dying in it): it must be idempotent.
   */
  work(name: string, handler: (data: unknown) => Promise<void>, opts?: WorkOptions): Promise<void>;
  /** graceful (default true): wait for running handlers; else leave them (they run again after a restart or expiry). */
  stop(opts?: { graceful?: boolean }): Promise<void>;
  stats(): Promise<{ queued: number; running: number; failed: number }>;
}

export interface SendOptions {
  singletonKey?: string;
  urgent?: boolean;
}

export interface WorkOptions {
  onFailed?: (data: unknown, error: string) => Promise<void>;
}

/** The queue a job failed for good is moved to (pg-boss's dead letter), for `onFailed`. */
export function deadLetterOf(name: string): string {
  return `${name}_failed`;
}

/** The first line of a failed job's error, at most 500 characters (no stack). */
function errorLine(error: unknown): string {
  const o = error && typeof error === 'object' ? (error as Record<string, unknown>) : undefined;
  const inner = o?.value && typeof o.value === 'object' ? (o.value as Record<string, unknown>) : undefined;
  const m = o?.message ?? inner?.message ?? (error instanceof Error ? error.message : typeof error === 'string' ? error : undefined);
  const text = typeof m === 'string' && m.trim() ? m : 'the job failed';
  return text.split('\n')[0]!.slice(0, 500);
}

export interface QueueOptions {
  /** attempts before a job is failed (default 3) */
  maxAttempts?: number;
  /**
   * PostgreSQL: seconds before a running job is considered lost (its node died) and handed to another
   * node — one number for every job, or per job; default EXPIRE_SECONDS.
   */
  expireInSeconds?: number | Partial<Record<JobName, number>>;
  /** PostgreSQL: pg-boss's schema (default `pgboss`) */
  schema?: string;
  /** PostgreSQL: seconds between pg-boss maintenance runs, which expire lost jobs (default 60) */
  maintenanceIntervalSeconds?: number;
  /** jobs run at once by this node (default 2) */
  concurrency?: number;
  /** SQLite: milliseconds between polls for queued jobs when idle (default 250) */
  pollMs?: number;
  /** called with a handler's error (the job is retried or failed either way) */
  onError?: (name: string, error: unknown) => void;
}

export function createQueue(opened: OpenedDb, opts: QueueOptions = {}): JobQueue {
  if (opened.dialect === 'postgres') {
    if (!opened.url) throw new Error('a PostgreSQL job queue needs the connection string');
    return new PgBossQueue(opened.url, opts);
  }
  return new LocalQueue(opened.db, opts);
}

const JOB_NAMES: readonly JobName[] = ['ingest', 'rematch', 'refresh'];
/**
 * The jobs something waits on (an upload's state waits on its ingest): on PostgreSQL their queues
 * get a dead letter from the start, on every node — an API node's jobs carry it before any worker
 * registered its `onFailed` — and only these accept `onFailed`.
 */
export const DEAD_LETTERED: readonly JobName[] = ['ingest'];

/**
 * How long a job may run before pg-boss takes it for lost and another node runs it again — sized to
 * the work, with a wide margin: an ingest of the largest document accepted (50 MB, some 100,000
 * components) takes well under a minute; a re-match goes through the touched part of the whole
 * portfolio in chunks (seconds at 10,000 projects, bench/RESULTS.md); a refresh downloads and
 * imports the OSV export first. Too short would run a slow job twice at once (harmless: jobs are
 * idempotent, but wasted); too long leaves the work of a node killed with SIGKILL, and not
 * restarted, undone until then (pg-boss's own default is 15 minutes).
 */
export const EXPIRE_SECONDS: Readonly<Record<JobName, number>> = { ingest: 120, rematch: 300, refresh: 900 };

function expireOf(name: string, opt: QueueOptions['expireInSeconds']): number {
  if (typeof opt === 'number') return opt;
  return opt?.[name as JobName] ?? EXPIRE_SECONDS[name as JobName] ?? 900;
}

class PgBossQueue implements JobQueue {
  private boss: PgBoss | undefined;
  private readonly schema: string;
  private readonly created = new Set<string>();
  /** handlers registered before start() */
  private readonly pending: [string, (data: unknown) => Promise<void>, WorkOptions | undefined][] = [];
  /** this node's pg-boss workers by queue: woken at once for a job sent here (else they poll every 0.5 s) */
  private readonly workers = new Map<string, string[]>();
  /** this node's handlers, for the extra urgent slot (runUrgent) */
  private readonly handlers = new Map<string, (data: unknown) => Promise<void>>();
  /** jobs run in the extra urgent slot, awaited by a graceful stop */
  private readonly urgentRuns = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly opts: QueueOptions,
  ) {
    this.schema = opts.schema ?? 'pgboss';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`not a schema name: ${this.schema}`);
  }

  async start(): Promise<void> {
    const { default: Boss } = await import('pg-boss');
    const boss = new Boss({
      connectionString: this.url,
      schema: this.schema,
      max: 4,
      maintenanceIntervalSeconds: this.opts.maintenanceIntervalSeconds ?? 60,
      monitorStateIntervalSeconds: 60,
      schedule: false,
    });
    boss.on('error', (e) => this.opts.onError?.('pg-boss', e));
    await boss.start();
    this.boss = boss;
    for (const n of JOB_NAMES) {
      if (DEAD_LETTERED.includes(n)) await this.queue(deadLetterOf(n), 'standard');
      await this.queue(n);
    }
    for (const [name, handler, o] of this.pending.splice(0)) await this.register(name, handler, o);
  }

  private async queue(name: string, policy: 'short' | 'standard' = 'short'): Promise<PgBoss> {
    const boss = this.boss;
    if (!boss) throw new Error('the job queue is not started');
    if (!this.created.has(name)) {
      // short, not stately: stately also allows one running job per key, and pg-boss 10 then cannot
      // start a queued job whose key has a running one — the fetch fails on the unique index and, as
      // it always takes the oldest job, the whole queue stalls. A node killed mid-ingest leaves such
      // a job "running" until it expires (15 min), so its upload queued again on restart stopped
      // every ingest of every node until then.
      // nodes starting together create the same queues at once: pg-boss's create_queue then fails on
      // one of them (deadlock detected, or the queue's row already there) — the queue exists, which
      // is all this node needs; anything else is tried again a few times before it is an error
      const expireInSeconds = expireOf(name, this.opts.expireInSeconds);
      // the dead letter queue itself exists by now (start() makes it first: a foreign key)
      const deadLetter = DEAD_LETTERED.includes(name as JobName) ? deadLetterOf(name) : undefined;
      let existing: { expireInSeconds?: number; deadLetter?: string | null } | null;
      for (let attempt = 1; !(existing = await boss.getQueue(name)); attempt++) {
        try {
          await boss.createQueue(name, {
            name,
            policy,
            retryLimit: (this.opts.maxAttempts ?? 3) - 1,
            retryDelay: 1,
            retryBackoff: true,
            expireInSeconds,
            ...(deadLetter ? { deadLetter } : {}),
          });
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((res) => setTimeout(res, 50 + Math.random() * 200 * attempt));
        }
      }
      // a queue made by an older vouch (15 minutes for every job) or with other options: the expiry
      // is the queue's, and applies to the jobs sent from now on
      // (a queue made before the dead letter: it gets it the same way)
      if (existing.expireInSeconds !== expireInSeconds || (deadLetter && existing.deadLetter !== deadLetter)) await boss.updateQueue(name, { name, policy, expireInSeconds, ...(deadLetter ? { deadLetter } : {}) });
      this.created.add(name);
    }
    return boss;
  }

  async send(name: string, data: object, o: SendOptions = {}): Promise<string> {
    const boss = await this.queue(name);
    const singletonKey = o.singletonKey ?? randomUUID();
    // pg-boss hands out the highest priority first (then the oldest)
    const id = await boss.send(name, data, { singletonKey, ...(o.urgent ? { priority: URGENT_PRIORITY } : {}) });
    if (id) {
      for (const w of this.workers.get(name) ?? []) boss.notifyWorker(w);
      if (o.urgent) this.runUrgent(name);
      return id;
    }
    // not queued again: the unfinished job with that key
    const rows = await this.sqlRows<{ id: string }>(
      `SELECT id FROM ${this.schema}.job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' ORDER BY created_on LIMIT 1`,
      [name, singletonKey],
    );
    if (rows[0]) return rows[0].id;
    // it finished in between: queue it now
    const again = await boss.send(name, data, { singletonKey, ...(o.urgent ? { priority: URGENT_PRIORITY } : {}) });
    if (!again) throw new Error(`job ${name} ${singletonKey} could not be queued`);
    return again;
  }

  async work(name: string, handler: (data: unknown) => Promise<void>, o?: WorkOptions): Promise<void> {
    if (!this.boss) this.pending.push([name, handler, o]);
    else await this.register(name, handler, o);
  }

  /**
   * The extra slot: someone waits for the urgent job just sent, and every worker of the queue may be
   * busy with bulk work — this node fetches the queue's next job itself (the highest priority: that
   * one, or another urgent one) and runs it beside them, at most URGENT_SLOTS at a time. Completed,
   * failed and retried as pg-boss's own workers do.
   */
  private runUrgent(name: string): void {
    const boss = this.boss;
    const handler = this.handlers.get(name);
    if (!boss || !handler || this.urgentRuns.size >= URGENT_SLOTS) return;
    const run = (async () => {
      const jobs = await boss.fetch<unknown>(name, { batchSize: 1 });
      for (const job of jobs ?? []) {
        try {
          await handler(job.data);
        } catch (e) {
          this.opts.onError?.(name, e);
          await boss.fail(name, job.id, { message: errorLine(e) });
          continue;
        }
        await boss.complete(name, job.id);
      }
    })()
      .catch((e: unknown) => this.opts.onError?.(name, e))
      .finally(() => this.urgentRuns.delete(run));
    this.urgentRuns.add(run);
  }

  private async register(name: string, handler: (data: unknown) => Promise<void>, o?: WorkOptions): Promise<void> {
    const boss = await this.queue(name);
    this.handlers.set(name, handler);
    const n = Math.max(1, this.opts.concurrency ?? 2);
    const onFailed = o?.onFailed;
    if (onFailed) {
      // pg-boss moves a job that failed for good — retries used up, or expired (its node lost) as
      // often — to the queue's dead letter in the same statement that fails it, whichever node
      // notices; a worker of the dead letter then runs onFailed (retried like any job)
      if (!DEAD_LETTERED.includes(name as JobName)) throw new Error(`job ${name} has no dead letter queue for onFailed`);
      const dead = deadLetterOf(name);
      await boss.work(dead, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) {
          try {
            await onFailed(job.data, errorLine(job.output));
          } catch (e) {
            this.opts.onError?.(dead, e);
            throw e;
          }
        }
      });
    }
    const ids: string[] = [];
    this.workers.set(name, ids);
    for (let i = 0; i < n; i++) {
      const id = await boss.work(name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await handler(job.data);
          } catch (e) {
            this.opts.onError?.(name, e);
            throw e;
          }
        }
      });
      ids.push(id);
    }
  }

  async stop(o: { graceful?: boolean } = {}): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    this.workers.clear();
    this.handlers.clear();
    if (!boss) return;
    if (o.graceful !== false) await Promise.allSettled([...this.urgentRuns]);
    await boss.stop({ graceful: o.graceful !== false, wait: true, timeout: 30_000, close: true });
  }

  async stats(): Promise<{ queued: number; running: number; failed: number }> {
    const rows = await this.sqlRows<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM ${this.schema}.job GROUP BY state`, []);
    const count = (states: string[]) => rows.filter((r) => states.includes(r.state)).reduce((s, r) => s + Number(r.n), 0);
    return { queued: count(['created', 'retry']), running: count(['active']), failed: count(['failed']) };
  }

  private async sqlRows<T>(text: string, values: unknown[]): Promise<T[]> {
    const boss = this.boss;
    if (!boss) throw new Error('the job queue is not started');
    return (await boss.getDb().executeSql(text, values)).rows as T[];
  }
}

/** pg-boss's priority of an urgent job (the others have 0). */
const URGENT_PRIORITY = 10;
/** Urgent jobs a node runs beyond its concurrency when its workers are busy (one at a time). */
const URGENT_SLOTS = 1;

/** The SQLite runner: jobs in the `jobs` table, run by this process. */
class LocalQueue implements JobQueue {
  private readonly handlers = new Map<string, (data: unknown) => Promise<void>>();
  private readonly failedHandlers = new Map<string, NonNullable<WorkOptions['onFailed']>>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private wake = false;
  /**
   * Queued jobs someone waits for (SendOptions.urgent), claimed first. Kept in memory: the SQLite
   * runner is one process, which sent them; after a restart they run in their turn like the rest.
   */
  private readonly urgent = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly opts: QueueOptions,
  ) {}

  async start(): Promise<void> {
    // the process that ran these died (SQLite has one process): they run again
    await this.db.updateTable('jobs').set({ state: 'queued' }).where('state', '=', 'running').execute();
    this.running = true;
    this.schedule(0);
  }

  async send(name: string, data: object, o: SendOptions = {}): Promise<string> {
    const id = randomUUID();
    const r = await this.db
      .insertInto('jobs')
      .values({
        id,
        name,
        data: JSON.stringify(data),
        singleton_key: o.singletonKey ?? null,
        state: 'queued',
        attempts: 0,
        max_attempts: Math.max(1, this.opts.maxAttempts ?? 3),
        error: null,
        created_at: nowIso(),
        started_at: null,
        finished_at: null,
      })
      // the partial unique index (name, singleton_key) over unfinished jobs
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const existing = await this.db
        .selectFrom('jobs')
        .select('id')
        .where('name', '=', name)
        .where('singleton_key', '=', o.singletonKey ?? null)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (existing) {
        if (o.urgent) this.urgent.add(existing.id);
        return existing.id;
      }
      return this.send(name, data, o);
    }
    if (o.urgent) this.urgent.add(id);
    this.schedule(0);
    return id;
  }

  async work(name: string, handler: (data: unknown) => Promise<void>, o?: WorkOptions): Promise<void> {
    if (o?.onFailed && !DEAD_LETTERED.includes(name as JobName)) throw new Error(`job ${name} has no dead letter queue for onFailed`);
    this.handlers.set(name, handler);
    if (o?.onFailed) this.failedHandlers.set(name, o.onFailed);
    this.schedule(0);
  }

  async stop(o: { graceful?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (o.graceful !== false) await Promise.allSettled([...this.inFlight]);
  }

  async stats(): Promise<{ queued: number; running: number; failed: number }> {
    const rows = await this.db.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll().as('n')]).groupBy('state').execute();
    const n = (s: string) => Number(rows.find((r) => r.state === s)?.n ?? 0);
    return { queued: n('queued'), running: n('running'), failed: n('failed') };
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.pumping) {
      this.wake = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
  }

  /** Starts queued jobs while there is room, then sleeps until woken or the next poll. */
  private async pump(): Promise<void> {
    this.timer = undefined;
    if (!this.running || this.pumping) return;
    this.pumping = true;
    try {
      const limit = Math.max(1, this.opts.concurrency ?? 2);
      // every slot busy: an urgent job still starts in the extra one (URGENT_SLOTS)
      while (this.running && (this.inFlight.size < limit || (this.urgent.size > 0 && this.inFlight.size < limit + URGENT_SLOTS))) {
        const job = await this.claim(this.inFlight.size >= limit);
        if (!job) break;
        const p = this.run(job).finally(() => {
          this.inFlight.delete(p);
          this.schedule(0);
        });
        this.inFlight.add(p);
      }
    } catch (e) {
      this.opts.onError?.('jobs', e);
    } finally {
      this.pumping = false;
      const again = this.wake;
      this.wake = false;
      this.schedule(again ? 0 : (this.opts.pollMs ?? 250));
    }
  }

  private async claim(urgentOnly = false): Promise<{ id: string; name: string; data: string; attempts: number; max_attempts: number } | undefined> {
    const names = [...this.handlers.keys()];
    if (!names.length) return undefined;
    const oldest = (urgent: string[] | undefined) => {
      let q = this.db.selectFrom('jobs').select('id').where('state', '=', 'queued').where('name', 'in', names);
      if (urgent) q = q.where('id', 'in', urgent);
      return q.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    };
    let next: { id: string } | undefined;
    if (this.urgent.size) {
      const urgent = [...this.urgent].slice(0, 500);
      next = await oldest(urgent);
      // those not queued any more (claimed, or sent for a job this node does not run) are forgotten
      if (!next) for (const u of urgent) this.urgent.delete(u);
    }
    if (!next && !urgentOnly) next = await oldest(undefined);
    if (!next) return undefined;
    this.urgent.delete(next.id);
    return this.db
      .updateTable('jobs')
      .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), started_at: nowIso() }))
      .where('id', '=', next.id)
      .where('state', '=', 'queued')
      .returning(['id', 'name', 'data', 'attempts', 'max_attempts'])
      .executeTakeFirst();
  }

  private async run(job: { id: string; name: string; data: string; attempts: number; max_attempts: number }): Promise<void> {
    const handler = this.handlers.get(job.name)!;
    try {
      await handler(JSON.parse(job.data) as unknown);
      await this.db.updateTable('jobs').set({ state: 'done', error: null, finished_at: nowIso() }).where('id', '=', job.id).where('state', '=', 'running').execute();
    } catch (e) {
      this.opts.onError?.(job.name, e);
      const failed = job.attempts >= job.max_attempts;
      const onFailed = this.failedHandlers.get(job.name);
      if (failed && onFailed) {
        // before the job is marked failed: a process dying in between finds the job running on its
        // next start and runs it again (past its attempts), so onFailed is not lost
        try {
          await onFailed(JSON.parse(job.data) as unknown, errorLine(e));
        } catch (e2) {
          this.opts.onError?.(job.name, e2);
        }
      }
      await this.db
        .updateTable('jobs')
        .set({ state: failed ? 'failed' : 'queued', error: String((e as Error)?.message ?? e).slice(0, 2000), finished_at: failed ? nowIso() : null })
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .execute();
    }
  }
}

/** Deletes finished jobs older than `days` from the SQLite runner's table (they are kept for `stats` and debugging). */
export async function pruneJobs(db: Db, days = 7): Promise<void> {
  const before = new Date(Date.now() - days * 86_400_000).toISOString();
  await db.deleteFrom('jobs').where('state', 'in', ['done', 'failed']).where(sql.ref('finished_at'), '<', before).execute();
}
