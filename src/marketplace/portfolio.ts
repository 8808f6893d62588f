/**
 * The marketplace on the portfolio server (`vouch serve`): the same needs, matcher, engagements,
 * report and feed as the CLI, fed from the server's database instead of folders and clones.
 *
 * - Reliance comes from the stored SBOMs: each project's current version, its components, whether
 *   each is direct and prod, and its dependency paths (counted on the stored edges, capped at 100)
 *   — the formula of `vouch health --portfolio` (health/portfolio.ts relianceOf).
 * - Vulnerability needs come from the open findings of those versions (the server re-matches them
 *   when advisories change), classified as the CLI classifies them (needs.ts).
 * - Health needs come from the latest report pushed for the package with `vouch health --push`.
 * - Access: a token sees the needs of the packages its own projects use, with the reliance its
 *   projects give them (a viewer limited to alpha sees alpha's reliance only); engagements the same
 *   way, by package. Volunteers and pledges are the organisation's, seen by every reader.
 *
 * Plain functions over a Kysely handle, no HTTP (src/server/routes-marketplace.ts is the shell).
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { relianceOf } from '../health/portfolio.js';
import type { HealthReport } from '../health/run.js';
import { VouchError } from '../model/errors.js';
import type { ReportFinding } from '../model/triage.js';
import { type Scope, scopedProjectIds } from '../portfolio/access.js';
import { versionEdges } from '../portfolio/edges.js';
import { healthVerdict } from './done-check.js';
import { type DoneVerdict, type Engagement, type EngagementFilter, type EngagementRepository, confirmDone, proposeEngagement } from './engagements.js';
import { type MatchResult, matchVolunteers } from './match.js';
import { type ActiveMaintainers, type ClassifiedAdvisory, type PackageEvidence, classifyVulnerability, deriveNeeds, intervalsOf, vulnGaps } from './needs.js';
import { NEEDS_SCHEMA, type Need, type NeedsReport, type Pledge, type Volunteer } from './types.js';

const PATH_CAP = 100;
const CHUNK = 500;

const pkgKey = (ecosystem: string, name: string): string => `${ecosystem}\u0000${name}`;

// ---- health results pushed by `vouch health --push` ----

export interface HealthPush {
  ecosystem: string;
  name: string;
  /** host/owner/repo of the clone's origin, when known */
  repositoryUrl?: string;
  report: HealthReport;
  /** who authored commits in the last year (the "one active maintainer" need and its re-check) */
  activeMaintainers?: ActiveMaintainers;
  /** domains the clone's manifest names */
  domains?: string[];
}

interface StoredHealth {
  report: HealthReport;
  activeMaintainers?: ActiveMaintainers;
  domains: string[];
}

export interface HealthRecorded {
  id: number;
  ecosystem: string;
  name: string;
  score: number | null;
  head: string | null;
  at: string;
  /** in-progress engagements on this package's health needs the new report confirmed done */
  done: { engagement: string; need: string; detail: string }[];
  /** in-progress engagements on its health needs still open, and why */
  open: { engagement: string; need: string; detail: string }[];
}

/**
 * Stores a pushed health report (the latest per package is the one needs are derived from) and
 * re-checks every in-progress engagement on that package's health needs against it: "done" for a
 * health need is a pushed report on which the check passes.
 */
export async function recordHealth(db: Db, push: HealthPush, by: string, opts: { now?: Date } = {}): Promise<HealthRecorded> {
  const at = nowIso(opts.now);
  const stored: StoredHealth = { report: push.report, ...(push.activeMaintainers ? { activeMaintainers: push.activeMaintainers } : {}), domains: push.domains ?? [] };
  // the report and the engagements it closes: one transaction
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('market_health')
      .values({
        ecosystem: push.ecosystem,
        name: push.name,
        repository_url: push.repositoryUrl ?? null,
        head: push.report.head,
        score: push.report.score,
        report: JSON.stringify(stored),
        pushed_by: by,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const repo = new DbEngagementRepository(tx);
    const done: HealthRecorded['done'] = [];
    const open: HealthRecorded['open'] = [];
    const candidates = (await repo.listByPackage(push.ecosystem, push.name)).filter((e) => e.state === 'in_progress' && e.need.kind === 'health');
    for (const e of candidates) {
      const r = await confirmDone(repo, e.id, async (x) => healthVerdict(x, push.report, push.activeMaintainers), opts);
      (r.verdict.passed ? done : open).push({ engagement: e.id, need: e.need.id, detail: r.verdict.detail });
    }
    return { id: row.id, ecosystem: push.ecosystem, name: push.name, score: push.report.score, head: push.report.head, at, done, open };
  });
}

/** The latest pushed report of each package asked for. */
async function latestHealth(db: Db, packages: readonly { ecosystem: string; name: string }[]): Promise<Map<string, StoredHealth & { repositoryUrl?: string }>> {
  const out = new Map<string, StoredHealth & { repositoryUrl?: string }>();
  const names = [...new Set(packages.map((p) => p.name))];
  for (let i = 0; i < names.length; i += CHUNK) {
    const rows = await db
      .selectFrom('market_health')
      .select(['id', 'ecosystem', 'name', 'repository_url', 'report'])
      .where('name', 'in', names.slice(i, i + CHUNK))
      .orderBy('id', 'asc')
      .execute();
    for (const r of rows) {
      const h = JSON.parse(r.report) as StoredHealth;
      out.set(pkgKey(r.ecosystem, r.name), { ...h, ...(r.repository_url ? { repositoryUrl: r.repository_url } : {}) });
    }
  }
  return out;
}

// ---- needs ----

interface PackageUse {
  ecosystem: string;
  name: string;
  uses: { project: string; direct: boolean; prod: boolean; paths: number }[];
}

/** Current versions read per query in portfolioUse (a bound on the IN list and on the rows held at once). */
const VERSIONS_PER_QUERY = 500;

/** The packages the given projects use (current versions; undefined: every project), with what reliance needs, and their open findings. */
async function portfolioUse(db: Db, ids: readonly number[] | undefined): Promise<{ packages: Map<string, PackageUse>; findings: { ecosystem: string; name: string; f: ReportFinding }[]; projects: number }> {
  let q = db.selectFrom('project_versions as v').innerJoin('projects as p', 'p.id', 'v.project_id').select(['v.id as versionId', 'p.name as project']).where('v.current', '=', 1);
  if (ids !== undefined) q = ids.length ? q.where('v.project_id', 'in', ids) : q.where(sql<boolean>`1 = 0`);
  const versions = await q.orderBy('p.name').execute();
  const packages = new Map<string, PackageUse>();
  const findings: { ecosystem: string; name: string; f: ReportFinding }[] = [];
  // a batch of versions per query (three queries per batch, not per version: 10,000 projects were
  // 30,000 round trips, minutes per request); grouped by version in memory
  for (let at = 0; at < versions.length; at += VERSIONS_PER_QUERY) {
    const batch = versions.slice(at, at + VERSIONS_PER_QUERY);
    const vids = batch.map((v) => v.versionId);
    const compRows = await db
      .selectFrom('version_components as vc')
      .innerJoin('components as c', 'c.id', 'vc.component_id')
      .select(['vc.version_id', 'c.id', 'c.ecosystem', 'c.name', 'vc.scope', 'vc.direct'])
      .where('vc.version_id', 'in', vids)
      .orderBy('vc.version_id')
      .orderBy('vc.component_id')
      .execute();
    const edgeRows = await versionEdges(db, vids);
    const findingRows = await db.selectFrom('findings').select(['version_id', 'data']).where('version_id', 'in', vids).where('resolved_at', 'is', null).orderBy('version_id').orderBy('id').execute();
    const byVersion = <T extends { version_id: number }>(rows: readonly T[]): Map<number, T[]> => {
      const m = new Map<number, T[]>();
      for (const r of rows) {
        const l = m.get(r.version_id);
        if (l) l.push(r);
        else m.set(r.version_id, [r]);
      }
      return m;
    };
    const compsOf = byVersion(compRows);
    const edgesOf = byVersion(edgeRows);
    const findingsOf = byVersion(findingRows);
    for (const v of batch) {
      const paths = pathCounts(edgesOf.get(v.versionId) ?? []);
      const perPkg = new Map<string, PackageUse['uses'][number] & { ecosystem: string; name: string }>();
      for (const c of compsOf.get(v.versionId) ?? []) {
        if (!c.ecosystem) continue;
        const k = pkgKey(c.ecosystem, c.name);
        let u = perPkg.get(k);
        if (!u) perPkg.set(k, (u = { ecosystem: c.ecosystem, name: c.name, project: v.project, direct: false, prod: false, paths: 0 }));
        u.direct ||= c.direct === 1;
        u.prod ||= c.scope === 'prod' || c.scope === 'unknown';
        u.paths = Math.min(PATH_CAP, u.paths + Math.max(1, paths.get(c.id) ?? 0));
      }
      for (const [k, u] of perPkg) {
        let p = packages.get(k);
        if (!p) packages.set(k, (p = { ecosystem: u.ecosystem, name: u.name, uses: [] }));
        p.uses.push({ project: u.project, direct: u.direct, prod: u.prod, paths: u.paths });
      }
      for (const r of findingsOf.get(v.versionId) ?? []) {
        const f = JSON.parse(r.data) as ReportFinding;
        findings.push({ ecosystem: f.ecosystem, name: f.name, f });
      }
    }
  }
  return { packages, findings, projects: versions.length };
}

/**
 * Dependency paths from the roots to each component of one version, capped at 100: edges whose
 * parent is below 0 start at a root; a path that comes back to a component already on it is not
 * counted (a cycle adds no path).
 */
export function pathCounts(edges: readonly { parent_id: number; child_id: number }[]): Map<number, number> {
  const parents = new Map<number, number[]>();
  for (const e of edges) {
    const l = parents.get(e.child_id);
    if (l) l.push(e.parent_id);
    else parents.set(e.child_id, [e.parent_id]);
  }
  const memo = new Map<number, number>();
  const onPath = new Set<number>();
  // a count that met a component already on the path depends on that path: it is not memoised
  let cut = false;
  const count = (node: number): number => {
    if (node < 0) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (onPath.has(node)) {
      cut = true;
      return 0;
    }
    onPath.add(node);
    const outer = cut;
    cut = false;
    let n = 0;
    for (const p of parents.get(node) ?? []) {
      n = Math.min(PATH_CAP, n + count(p));
      if (n >= PATH_CAP) break;
    }
    onPath.delete(node);
    if (!cut) memo.set(node, n);
    cut ||= outer;
    return n;
  };
  const out = new Map<number, number>();
  for (const child of parents.keys()) out.set(child, count(child));
  return out;
}

/** Open findings grouped by (package, advisory), each version of ours classified (needs.ts). */
function classifyFindings(findings: readonly { ecosystem: string; name: string; f: ReportFinding }[]): ClassifiedAdvisory[] {
  const found = new Map<string, ClassifiedAdvisory>();
  for (const { ecosystem, name, f } of findings) {
    if (f.suppressed) continue;
    const versioning = ecosystemByOsvName(ecosystem)?.versioning;
    if (!versioning) continue;
    const k = `${ecosystem}\u0000${name}\u0000${f.id}`;
    let e: ClassifiedAdvisory | undefined = found.get(k);
    if (!e) found.set(k, (e = { ecosystem, name, id: f.id, aliases: f.aliases, ...(f.summary ? { summary: f.summary } : {}), severity: f.severity.rating, fixedVersions: f.fixedVersions, versions: new Map() }));
    if (e.versions.has(f.version)) continue;
    e.versions.set(f.version, classifyVulnerability(f.version, intervalsOf(f.match as { kind: string; fixed?: string; lastAffected?: string }[]), f.fixedVersions, (a, b) => versioning.compare(a, b)));
  }
  return [...found.values()];
}

/** What the needs of one scope come to, before the request's own time is stamped on it. */
interface ComputedNeeds {
  needs: Need[];
  projects: NeedsReport['projects'];
  empty?: string;
  /** the packages the scope's projects use (pkgKey), for the engagements a scope may see */
  packages: Set<string>;
}

/**
 * The needs, computed once per scope and kept while the data they come from is unchanged. At
 * 10,000 projects computing them reads every current version's components, edges and open findings
 * (over a second); checking that nothing changed is one query of counts and maxima:
 * - the current versions (how many, which: the sum of their ids, and their latest `updated_at` —
 *   an upload, even of the same version again, replaces its components, edges and findings and
 *   stamps `updated_at`; a project deleted takes its versions with it);
 * - the open findings (how many, the newest id, how many KEV lists) and the re-match runs (how
 *   many, the latest, the sum of their `changed`): a re-match rewrites findings in place a chunk of
 *   versions per transaction and sets its run's `changed` (-1 while it runs) in its last one, so
 *   needs computed in the middle of a run are computed again once it ends;
 * - the health reports pushed (how many, the newest id).
 * Engagements are not part of the needs (the page joins them itself). The key is the scope's own
 * project ids, so a token limited to some projects gets the reliance of those alone, and two
 * tokens with the same projects share the entry. Several nodes (PostgreSQL) each keep their own
 * cache and each checks the database, so none serves needs older than the database. A change made
 * while the needs are computed is seen by the next request (the fingerprint was read first).
 */
const CACHE_ENTRIES = 32;
interface CacheEntry {
  fingerprint: string;
  computed: Promise<ComputedNeeds>;
}
const caches = new WeakMap<Db, { entries: Map<string, CacheEntry>; computations: number; hits: number }>();

function cacheOf(db: Db): { entries: Map<string, CacheEntry>; computations: number; hits: number } {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = { entries: new Map(), computations: 0, hits: 0 }));
  return c;
}

/** How often the needs were computed and served from the cache on this handle (for tests). */
export function needsCacheStats(db: Db): { computations: number; hits: number } {
  const c = cacheOf(db);
  return { computations: c.computations, hits: c.hits };
}

/** One query: what changes whenever the needs may change (see above). */
async function needsFingerprint(db: Db): Promise<string> {
  const r = await sql<Record<string, unknown>>`select
    (select count(*) from project_versions where current = 1) as versions,
    (select coalesce(sum(id), 0) from project_versions where current = 1) as version_ids,
    (select max(updated_at) from project_versions where current = 1) as version_updated,
    (select count(*) from findings where resolved_at is null) as open_findings,
    (select coalesce(sum(kev), 0) from findings where resolved_at is null) as kev_findings,
    (select max(id) from findings) as last_finding,
    (select count(*) from rematch_runs) as rematches,
    (select max(at) from rematch_runs) as last_rematch,
    (select coalesce(sum(changed), 0) from rematch_runs) as rematch_changes,
    (select count(*) from market_health) as health,
    (select max(id) from market_health) as last_health`.execute(db);
  // PostgreSQL answers counts and sums as text, SQLite as numbers: one spelling for both
  return JSON.stringify(Object.values(r.rows[0] ?? {}).map((v) => (v === null ? null : String(v))));
}

async function computeNeeds(db: Db, ids: readonly number[] | undefined): Promise<ComputedNeeds> {
  const { packages, findings, projects } = await portfolioUse(db, ids);
  const gaps = vulnGaps(classifyFindings(findings));
  const health = await latestHealth(db, [...packages.values()]);
  const evidence: PackageEvidence[] = [];
  for (const [key, p] of packages) {
    const h = health.get(key);
    const v = gaps.get(key) ?? [];
    if (!h && v.length === 0) continue;
    const reliance = Math.round(p.uses.reduce((s, u) => s + relianceOf(u), 0) * 100) / 100;
    evidence.push({
      ecosystem: p.ecosystem,
      name: p.name,
      reliance,
      vulnerabilities: v,
      ...(h?.repositoryUrl ? { repositoryUrl: h.repositoryUrl } : {}),
      ...(h ? { clone: { path: h.repositoryUrl ?? h.report.repo, health: h.report, domains: h.domains, ...(h.activeMaintainers ? { activeMaintainers: h.activeMaintainers } : {}) } } : {}),
    });
  }
  const { needs, projects: byProject } = deriveNeeds(evidence);
  const out: ComputedNeeds = { needs, projects: byProject, packages: new Set(packages.keys()) };
  if (needs.length === 0) {
    out.empty =
      projects === 0
        ? 'no project with a current version in the token\'s scope: upload SBOMs first (vouch push)'
        : `no needs: ${packages.size} package(s) in ${projects} project(s), ${health.size} with a pushed health report (vouch health REPO --push), none failing a check a volunteer can fix, and no vulnerability without a fix on the line we use`;
  }
  return out;
}

/** The needs of a scope, from the cache when nothing they come from has changed since. */
async function scopeNeeds(db: Db, scope: Scope): Promise<ComputedNeeds> {
  const ids = await scopedProjectIds(db, scope);
  const key = ids === undefined ? 'all' : [...ids].sort((a, b) => a - b).join(',');
  const fingerprint = await needsFingerprint(db);
  const cache = cacheOf(db);
  const hit = cache.entries.get(key);
  if (hit && hit.fingerprint === fingerprint) {
    cache.hits++;
    return hit.computed;
  }
  cache.computations++;
  const entry: CacheEntry = { fingerprint, computed: computeNeeds(db, ids) };
  cache.entries.delete(key);
  cache.entries.set(key, entry);
  while (cache.entries.size > CACHE_ENTRIES) cache.entries.delete(cache.entries.keys().next().value!);
  // a failed computation is not kept: the next request tries again
  entry.computed.catch(() => {
    if (cache.entries.get(key) === entry) cache.entries.delete(key);
  });
  return entry.computed;
}

/**
 * The needs the scope's projects give rise to, ranked (highest priority first), each with its
 * reason. Reliance counts only the scope's projects.
 */
export async function portfolioNeeds(db: Db, scope: Scope, opts: { now?: Date } = {}): Promise<NeedsReport> {
  const now = opts.now ?? new Date();
  const c = await scopeNeeds(db, scope);
  // the cached lists are shared between requests: each answer gets its own copy of the list
  const report: NeedsReport = { schema: NEEDS_SCHEMA, generated: now.toISOString(), needs: [...c.needs], projects: [...c.projects], warnings: [] };
  if (c.empty !== undefined) report.empty = c.empty;
  return report;
}

// ---- volunteers and pledges ----

export async function registerVolunteer(db: Db, v: Volunteer, by: { name: string; mayEditOthers: boolean }, opts: { now?: Date } = {}): Promise<{ volunteer: Volunteer; created: boolean }> {
  const at = nowIso(opts.now);
  const { line: _line, ...clean } = v;
  const existing = await db.selectFrom('market_volunteers').select(['id', 'registered_by']).where('name', '=', v.name).executeTakeFirst();
  if (existing) {
    if (existing.registered_by !== by.name && !by.mayEditOthers) throw new VouchError('USAGE', `volunteer ${v.name} was registered by another token: only it, an admin or a maintainer may change it`);
    await db.updateTable('market_volunteers').set({ data: JSON.stringify(clean), updated_at: at }).where('id', '=', existing.id).execute();
    return { volunteer: clean, created: false };
  }
  await db.insertInto('market_volunteers').values({ name: v.name, data: JSON.stringify(clean), registered_by: by.name, created_at: at, updated_at: at }).execute();
  return { volunteer: clean, created: true };
}

export async function listVolunteers(db: Db): Promise<Volunteer[]> {
  const rows = await db.selectFrom('market_volunteers').select(['data']).orderBy('name').execute();
  return rows.map((r) => JSON.parse(r.data) as Volunteer);
}

/** A company's pledge for a quarter; pledging again for the same quarter replaces the hours. */
export async function recordPledge(db: Db, p: Pledge, by: string, opts: { now?: Date } = {}): Promise<Pledge> {
  const at = nowIso(opts.now);
  await db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('market_pledges').select('id').where('company', '=', p.company).where('quarter', '=', p.quarter).executeTakeFirst();
    if (existing) await tx.updateTable('market_pledges').set({ hours: p.hours, created_by: by, created_at: at }).where('id', '=', existing.id).execute();
    else await tx.insertInto('market_pledges').values({ company: p.company, quarter: p.quarter, hours: p.hours, created_by: by, created_at: at }).execute();
  });
  return { company: p.company, quarter: p.quarter, hours: p.hours };
}

export async function listPledges(db: Db): Promise<Pledge[]> {
  const rows = await db.selectFrom('market_pledges').select(['company', 'quarter', 'hours']).orderBy('quarter').orderBy('company').execute();
  return rows.map((r) => ({ company: r.company, quarter: r.quarter, hours: Number(r.hours) }));
}

// ---- engagements ----

/**
 * Engagements in the database: the whole engagement as JSON beside the columns it is looked up
 * by. `update` is one compare-and-set (`WHERE id = ? AND revision = ?`), so a concurrent change
 * makes the second writer fail instead of being lost; the unique index on open engagements per
 * need refuses a second proposal that raced the first.
 */
export class DbEngagementRepository implements EngagementRepository {
  constructor(private readonly db: Db) {}

  async list(filter: EngagementFilter = {}): Promise<Engagement[]> {
    let q = this.db.selectFrom('market_engagements').select(['data']);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.needId) q = q.where('need_id', '=', filter.needId);
    if (filter.volunteer) q = q.where('volunteer', '=', filter.volunteer);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.data) as Engagement);
  }

  async listByPackage(ecosystem: string, name: string): Promise<Engagement[]> {
    const rows = await this.db.selectFrom('market_engagements').select(['data']).where('ecosystem', '=', ecosystem).where('name', '=', name).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.data) as Engagement);
  }

  async get(id: string): Promise<Engagement | undefined> {
    const r = await this.db.selectFrom('market_engagements').select(['data']).where('id', '=', id).executeTakeFirst();
    return r ? (JSON.parse(r.data) as Engagement) : undefined;
  }

  async insert(e: Engagement): Promise<void> {
    const at = e.history[0]?.at ?? nowIso();
    try {
      await this.db
        .insertInto('market_engagements')
        .values({ id: e.id, need_id: e.need.id, ecosystem: e.need.project.ecosystem, name: e.need.project.name, volunteer: e.volunteer, state: e.state, revision: e.revision, data: JSON.stringify(e), created_at: at, updated_at: at })
        .execute();
    } catch (err) {
      const open = (await this.list({ needId: e.need.id })).find((x) => x.state !== 'done' && x.state !== 'dropped');
      if (open) throw new VouchError('USAGE', `need ${e.need.id} already has an open engagement (${open.id}, ${open.volunteer}, ${open.state}); drop it first`);
      throw err;
    }
  }

  async update(e: Engagement): Promise<void> {
    const r = await this.db
      .updateTable('market_engagements')
      .set({ state: e.state, volunteer: e.volunteer, revision: e.revision, data: JSON.stringify(e), updated_at: e.history[e.history.length - 1]?.at ?? nowIso() })
      .where('id', '=', e.id)
      .where('revision', '=', e.revision - 1)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new VouchError('USAGE', `engagement ${e.id} was changed meanwhile (revision ${e.revision - 1} is no longer current): read it again and retry`);
  }
}

/** The packages a scope's projects use (undefined: every package, for a token over the whole portfolio). */
export async function scopePackages(db: Db, scope: Scope): Promise<Set<string> | undefined> {
  if ('all' in scope) return undefined;
  // the same cached reading of the portfolio as the needs (the feed asks for both)
  return (await scopeNeeds(db, scope)).packages;
}

/** Engagements on the packages the scope's projects use, oldest first. */
export async function listEngagements(db: Db, scope: Scope, filter: EngagementFilter = {}): Promise<Engagement[]> {
  const all = await new DbEngagementRepository(db).list(filter);
  const pkgs = await scopePackages(db, scope);
  return pkgs ? all.filter((e) => pkgs.has(pkgKey(e.need.project.ecosystem, e.need.project.name))) : all;
}

/** An engagement the scope may see, else undefined (the route answers 404 for both). */
export async function engagementInScope(db: Db, scope: Scope, id: string): Promise<Engagement | undefined> {
  const e = await new DbEngagementRepository(db).get(id);
  if (!e) return undefined;
  const pkgs = await scopePackages(db, scope);
  return !pkgs || pkgs.has(pkgKey(e.need.project.ecosystem, e.need.project.name)) ? e : undefined;
}

/** Proposes a volunteer for a need the scope sees (by id). */
export async function proposeForNeed(db: Db, scope: Scope, needId: string, volunteer: { name: string; company?: string }, opts: { now?: Date; note?: string } = {}): Promise<Engagement | undefined> {
  const need = (await portfolioNeeds(db, scope, opts)).needs.find((n) => n.id === needId);
  if (!need) return undefined;
  return proposeEngagement(new DbEngagementRepository(db), need, volunteer, opts);
}

/**
 * The server's re-check of an engagement's need:
 * - a health need: the latest report pushed for the package (`vouch health REPO --push`);
 * - a vulnerability need: the findings the server holds now for the package and the advisory
 *   (re-matched when advisories change): done when none of our versions of the need is still
 *   without a fix on its line, or no finding of that advisory is open any more.
 */
export async function serverRecheck(db: Db, e: Engagement): Promise<DoneVerdict> {
  const { ecosystem, name } = e.need.project;
  if (e.need.kind === 'health') {
    const h = (await latestHealth(db, [{ ecosystem, name }])).get(pkgKey(ecosystem, name));
    if (!h) return { passed: false, detail: `no health report was pushed for ${ecosystem}/${name}: run \`vouch health CLONE --push\` on an updated clone` };
    return healthVerdict(e, h.report, h.activeMaintainers);
  }
  const adv = e.need.advisory;
  if (!adv) throw new VouchError('USAGE', `engagement ${e.id}: its need names no advisory`);
  const versioning = ecosystemByOsvName(ecosystem)?.versioning;
  if (!versioning) throw new VouchError('INPUT_UNSUPPORTED', `no version rules for ecosystem ${ecosystem}`);
  const rows = await db
    .selectFrom('findings as f')
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select(['f.data'])
    .where('c.ecosystem', '=', ecosystem)
    .where('c.name', '=', name)
    .where('f.vuln_id', '=', adv.id)
    .where('f.resolved_at', 'is', null)
    .execute();
  const open: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const f = JSON.parse(r.data) as ReportFinding;
    if (!adv.versions.includes(f.version) || seen.has(f.version)) continue;
    seen.add(f.version);
    const c = classifyVulnerability(f.version, intervalsOf(f.match as { kind: string; fixed?: string; lastAffected?: string }[]), f.fixedVersions, (a, b) => versioning.compare(a, b));
    if (c) open.push(`${f.version}: ${c.kind === 'backport' ? `fixed only on the ${c.fixLine}.x line (${c.fixedIn})` : 'no fixed version above it'}`);
  }
  if (open.length > 0) return { passed: false, detail: `${adv.id} still leaves ${name} ${open.join('; ')}` };
  return { passed: true, detail: seen.size ? `${adv.id} now names a fixed version covering ${name} ${adv.versions.join(', ')}` : `no open finding of ${adv.id} on ${name} ${adv.versions.join(', ')} any more` };
}

// ---- match ----

export interface ServerMatch extends MatchResult {
  /** with propose: the engagements recorded, and the assignments not proposed (an open engagement exists) */
  proposed?: { engagement: string; need: string; volunteer: string }[];
  notProposed?: { need: string; why: string }[];
}

/**
 * The exact matcher of the CLI over the scope's needs and the registered volunteers. Needs with
 * an open engagement are left out (someone is on them). With `propose`, each lead becomes a
 * proposed engagement.
 */
export async function matchOnServer(db: Db, scope: Scope, opts: { months?: number; propose?: boolean; now?: Date } = {}): Promise<ServerMatch> {
  const needs = (await portfolioNeeds(db, scope, opts)).needs;
  const repo = new DbEngagementRepository(db);
  const taken = new Set((await repo.list()).filter((e) => e.state !== 'done' && e.state !== 'dropped').map((e) => e.need.id));
  const free = needs.filter((n) => !taken.has(n.id));
  const result: ServerMatch = await matchVolunteers(free, await listVolunteers(db), opts.months !== undefined ? { months: opts.months } : {});
  if (opts.propose) {
    const byId = new Map<string, Need>(free.map((n) => [n.id, n]));
    result.proposed = [];
    result.notProposed = [];
    for (const a of result.assignments) {
      try {
        const e = await proposeEngagement(repo, byId.get(a.needId)!, { name: a.lead.volunteer, ...(a.lead.company ? { company: a.lead.company } : {}) }, opts.now ? { now: opts.now } : {});
        result.proposed.push({ engagement: e.id, need: a.needId, volunteer: a.lead.volunteer });
      } catch (err) {
        if (!(err instanceof VouchError)) throw err;
        result.notProposed.push({ need: a.needId, why: err.message });
      }
    }
  }
  return result;
}
