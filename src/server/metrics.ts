/**
 * Prometheus metrics (prom-client), one registry per app so several apps in one process (tests)
 * never share counters: request latency, jobs queued/running/failed, ingested component rows,
 * findings by severity across the portfolio, plus Node's default process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { portfolioSummary } from '../portfolio/queries.js';

export interface Metrics {
  registry: Registry;
}

export function createMetrics(opts: { db: Db; queue?: { stats(): Promise<{ queued: number; running: number; failed: number }> }; defaults?: boolean }): Metrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'vouch_' });
  const queue = opts.queue;
  new Gauge({
    name: 'vouch_jobs',
    help: 'Jobs by state (queued, running, failed)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!queue) return;
      const s = await queue.stats();
      this.set({ state: 'queued' }, s.queued);
      this.set({ state: 'running' }, s.running);
      this.set({ state: 'failed' }, s.failed);
    },
  });
  new Gauge({
    name: 'vouch_findings',
    help: 'Open findings across the portfolio by severity',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      const s = await portfolioSummary(opts.db, { all: true });
      for (const [severity, n] of Object.entries(s.bySeverity)) this.set({ severity }, Number(n));
    },
  });
  // read from the database at each scrape, so every node reports the whole portfolio's ingest
  // (whichever worker did it) and a restart does not reset the counter
  new Counter({
    name: 'vouch_ingest_component_rows_total',
    help: 'Component rows of project versions stored by ingest (rate() is rows per second)',
    registers: [registry],
    async collect() {
      const r = await opts.db.selectFrom('uploads').select((eb) => eb.fn.sum<number | string | null>('components').as('n')).where('state', '=', 'done').executeTakeFirst();
      this.reset();
      this.inc(Number(r?.n ?? 0));
    },
  });
  new Gauge({
    name: 'vouch_uploads',
    help: 'Uploads by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const rows = await opts.db.selectFrom('uploads').select(['state', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('state').execute();
      this.reset();
      for (const st of ['queued', 'running', 'done', 'failed']) this.set({ state: st }, Number(rows.find((r) => r.state === st)?.n ?? 0));
    },
  });
  return { registry };
}

/** Times every request into a histogram labelled by method, route pattern (never the raw URL) and status. */
export function instrumentRequests(app: FastifyInstance, registry: Registry): void {
  const hist = new Histogram({
    name: 'vouch_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.is404 ? 'unknown' : (req.routeOptions.url ?? 'unknown');
    hist.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
