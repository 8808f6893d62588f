/**
 * Test helpers for the marketplace routes (issue 16): a server world with two npm projects built
 * here (no ../shared needed: the one advisory is written for the test), a health report made by
 * hand, and the role × route rows app.test.ts's matrix runs for the marketplace routes.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../db/index.js';
import type { HealthReport } from '../health/run.js';
import { RISK_WEIGHT, type Risk } from '../health/types.js';
import type { Engagement, EngagementState } from '../marketplace/engagements.js';
import { DbEngagementRepository, recordHealth } from '../marketplace/portfolio.js';
import type { Role } from '../portfolio/access.js';
import { type TestStore, osvRecord } from '../portfolio/portfolio-testing.js';
import type { TestDb, TestDbKind } from '../testing/db.js';
import { serverWorld } from './response-testing.js';

/** An npm advisory on oldlib fixed in 2.0.0 only: a project on oldlib 1.x needs a backport (CRITICAL, weight 1). */
export const OLDLIB_ADVISORY = osvRecord('GHSA-test-oldl-0001', { ecosystem: 'npm', name: 'oldlib', introduced: '0', fixed: '2.0.0', aliases: ['CVE-2026-0001'] });

/** A package-lock v3 of an app with these direct production dependencies (name → version). */
export function packageLock(app: string, deps: Record<string, string>): Buffer {
  const packages: Record<string, unknown> = { '': { name: app, version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '*'])) } };
  for (const [d, v] of Object.entries(deps)) packages[`node_modules/${d}`] = { version: v };
  return Buffer.from(JSON.stringify({ name: app, version: '1.0.0', lockfileVersion: 3, packages }, null, 2));
}

export interface MarketWorld {
  t: TestDb;
  app: FastifyInstance;
  /** Authorization headers of a new token named `name`. */
  token(role: Role, name: string, projects?: string[]): Promise<Record<string, string>>;
  admin: Record<string, string>;
  /** The server's advisory store (load() replaces its records; then POST /advisories/update {rematchOnly}). */
  store: TestStore;
  /** Uploads an app's package-lock.json as project@1.0 and waits until it is processed. */
  upload(project: string, deps: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function marketWorld(kind: TestDbKind): Promise<MarketWorld> {
  const w = await serverWorld(kind, [OLDLIB_ADVISORY]);
  const { t, app, token, admin, store } = w;
  return {
    t,
    app,
    token,
    admin,
    store,
    async upload(project, deps) {
      const r = await app.inject({
        method: 'POST',
        url: `/api/v1/projects/${project}/versions/1.0/documents?file=package-lock.json&wait=60`,
        headers: { ...admin, 'content-type': 'application/json' },
        payload: packageLock(project, deps),
      });
      expect(r.statusCode, r.body).toBe(200);
    },
    close: () => w.close(),
  };
}

const RISK: Record<string, Risk> = { 'Security-Policy': 'Medium', 'Pinned-Dependencies': 'Medium', 'Token-Permissions': 'High', 'Dangerous-Workflow': 'Critical', Fuzzing: 'Medium', 'Signed-Releases': 'High', Maintained: 'High', License: 'Low' };

/** A health report written by hand: each check with its score (risk as Scorecard's), the aggregate computed as vouch does. */
export function handHealthReport(scores: Record<string, number | null>, criticality = 0.4, repo = '/clones/lib'): HealthReport {
  const checks = Object.entries(scores).map(([name, score]) => ({ name, score, risk: RISK[name] ?? 'Medium', reason: score === 0 ? `${name} fails` : `${name} scores ${score}`, evidence: [], remediation: `Fix ${name}.` }));
  let sum = 0;
  let w = 0;
  for (const c of checks) {
    if (c.score === null) continue;
    sum += c.score * RISK_WEIGHT[c.risk];
    w += RISK_WEIGHT[c.risk];
  }
  return { schema: 'vouch-health/1', repo, head: '0123456789abcdef0123456789abcdef01234567', now: '2026-12-01T00:00:00.000Z', score: w ? Math.round((sum / w) * 10) / 10 : null, checks, criticality: { score: criticality, signals: {}, notAvailable: [] }, notes: [] };
}

// ---- the role × route rows of app.test.ts's matrix ----

type Req = { method: 'GET' | 'POST'; url: string; payload?: object };
type Row<W extends string> = { name: string; req: (who: W) => Req | Promise<Req>; expect: Record<W, number> };

/** What the rows need of the matrix's world: its database, and each caller's token name ('' for none). */
export interface MatrixWorld<W extends string> {
  db: () => Db;
  nameOf: (who: W) => string;
}

const LOG4J = { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' };
let seq = 0;

/** An engagement on log4j-core (which alpha and beta use) in `state`, for `volunteer`, on a need of its own. */
async function engagementFor(db: Db, volunteer: string, state: EngagementState): Promise<string> {
  const id = `eng-matrix${String(++seq).padStart(4, '0')}`;
  const at = '2026-12-01T00:00:00.000Z';
  const e: Engagement = {
    id,
    need: { id: `Maven/${LOG4J.name}#matrix-${seq}`, kind: 'health', title: 'Add a security policy', task: 'Add SECURITY.md.', project: LOG4J, priority: 1, hours: 8, criticality: 0.4, check: { name: 'Security-Policy', score: 0 } },
    volunteer: volunteer || 'nobody',
    state,
    history: [{ at, to: state }],
    links: [],
    hours: [],
    baseline: { health: 5, criticality: 0.4 },
    revision: 1,
  };
  await new DbEngagementRepository(db).insert(e);
  return id;
}

/**
 * Rows for every marketplace route. Writers may act on anyone's engagement, readers on their own;
 * a viewer limited to alpha sees log4j-core (alpha uses it) but not the whole-portfolio feed.
 */
export function marketplaceMatrixRows<W extends string>(w: MatrixWorld<W>, codes: (c: { admin: number; maintainer: number; viewer: number; uploader: number; viewerA: number }) => Record<W, number>): Row<W>[] {
  const readers = (ok: number): Record<W, number> => codes({ admin: ok, maintainer: ok, viewer: ok, uploader: 403, viewerA: ok });
  let pushed = false;
  const ensureHealth = async (): Promise<void> => {
    if (pushed) return;
    pushed = true;
    await recordHealth(w.db(), { ...LOG4J, report: handHealthReport({ 'Security-Policy': 0, 'Pinned-Dependencies': 0, 'Token-Permissions': 0, Fuzzing: 0, 'Signed-Releases': 0, License: 10 }) }, 'matrix');
  };
  const needOf: Record<string, string> = { admin: 'security-policy', maintainer: 'pinned-dependencies', viewer: 'token-permissions', viewerA: 'fuzzing' };
  const own = (state: EngagementState) => async (who: W): Promise<string> => engagementFor(w.db(), w.nameOf(who), state);
  return [
    {
      name: 'POST /api/v1/health/results',
      req: () => ({ method: 'POST', url: '/api/v1/health/results', payload: { ...LOG4J, report: handHealthReport({ 'Security-Policy': 0, 'Pinned-Dependencies': 0, 'Token-Permissions': 0, Fuzzing: 0, 'Signed-Releases': 0, License: 10 }) } }),
      expect: codes({ admin: 201, maintainer: 201, viewer: 403, uploader: 201, viewerA: 403 }),
    },
    { name: 'GET /api/v1/marketplace/needs', req: () => ({ method: 'GET', url: '/api/v1/marketplace/needs' }), expect: readers(200) },
    { name: 'GET /api/v1/marketplace/volunteers', req: () => ({ method: 'GET', url: '/api/v1/marketplace/volunteers' }), expect: readers(200) },
    { name: 'POST /api/v1/marketplace/volunteers', req: () => ({ method: 'POST', url: '/api/v1/marketplace/volunteers', payload: { skills: ['security-policy'], hoursPerMonth: 4 } }), expect: readers(201) },
    { name: 'GET /api/v1/marketplace/pledges', req: () => ({ method: 'GET', url: '/api/v1/marketplace/pledges' }), expect: readers(200) },
    {
      name: 'POST /api/v1/marketplace/pledges',
      req: () => ({ method: 'POST', url: '/api/v1/marketplace/pledges', payload: { company: 'Acme', quarter: '2026Q4', hours: 100 } }),
      expect: codes({ admin: 201, maintainer: 201, viewer: 403, uploader: 403, viewerA: 403 }),
    },
    { name: 'POST /api/v1/marketplace/match', req: () => ({ method: 'POST', url: '/api/v1/marketplace/match', payload: { months: 3 } }), expect: readers(200) },
    { name: 'GET /api/v1/marketplace/engagements', req: () => ({ method: 'GET', url: '/api/v1/marketplace/engagements' }), expect: readers(200) },
    {
      name: 'POST /api/v1/marketplace/engagements',
      req: async (who) => {
        await ensureHealth();
        return { method: 'POST', url: '/api/v1/marketplace/engagements', payload: { need: `Maven/${LOG4J.name}#${needOf[who] ?? 'signed-releases'}` } };
      },
      expect: readers(201),
    },
    {
      name: 'POST /api/v1/marketplace/engagements/{id}/state',
      req: async (who) => ({ method: 'POST', url: `/api/v1/marketplace/engagements/${await own('proposed')(who)}/state`, payload: { to: 'accepted' } }),
      expect: readers(200),
    },
    {
      name: 'POST /api/v1/marketplace/engagements/{id}/hours',
      req: async (who) => ({ method: 'POST', url: `/api/v1/marketplace/engagements/${await own('accepted')(who)}/hours`, payload: { hours: 2, date: '2026-12-02' } }),
      expect: readers(200),
    },
    {
      name: 'POST /api/v1/marketplace/engagements/{id}/links',
      req: async (who) => ({ method: 'POST', url: `/api/v1/marketplace/engagements/${await own('accepted')(who)}/links`, payload: { url: 'https://github.com/apache/logging-log4j2/pull/1' } }),
      expect: readers(200),
    },
    {
      name: 'POST /api/v1/marketplace/engagements/{id}/check',
      req: async (who) => {
        await ensureHealth();
        return { method: 'POST', url: `/api/v1/marketplace/engagements/${await own('in_progress')(who)}/check` };
      },
      expect: readers(200),
    },
    { name: 'GET /api/v1/marketplace/report', req: () => ({ method: 'GET', url: '/api/v1/marketplace/report?quarter=2026Q4' }), expect: readers(200) },
    {
      name: 'GET /api/v1/marketplace/feed',
      req: () => ({ method: 'GET', url: '/api/v1/marketplace/feed?publisher=Acme' }),
      expect: codes({ admin: 200, maintainer: 200, viewer: 200, uploader: 403, viewerA: 403 }),
    },
  ];
}
