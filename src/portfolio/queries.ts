/**
 * The portfolio's questions, answered from the stored rows and their indexes — never by scanning
 * documents again:
 *
 *   affected          every project version with an open finding of a vulnerability (OSV id or
 *                     any alias), with the shortest dependency path (a chain of stored parents)
 *   componentsUsing   who uses a package, optionally within a vers range evaluated with the
 *                     ecosystem's version rules (a zero-day without an advisory yet)
 *   portfolioSummary  counts by severity, KEV exposure, most-affected packages, oldest criticals
 *   projectReport     a ScanReport rebuilt from the stored state, so every renderer works on it
 *
 * Each takes the caller's Scope: what lies outside it is not counted, listed or named.
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { type Db, isPostgres } from '../db/index.js';
import { PATH_DEPTH_MAX } from '../db/parents.js';
import { SCAN_SCHEMA_VERSION, type ScanReport } from '../model/report.js';
import { RATINGS_DESC, type Rating, type ReportFinding } from '../model/triage.js';
import { prioritise } from '../triage/priority.js';
import { parseVers, versCompare, versContains } from '../triage/vex/vers.js';
import { VERSION } from '../version.js';
import { type Scope, descendantsOf, scopedProjectIds } from './access.js';
import { PortfolioError } from './errors.js';
import { purlBase } from './ingest.js';
import { clampLimit, decodeCursor, encodeCursor, projectIdInScope } from './projects.js';

export interface AffectedItem {
  project: string;
  version: string;
  current: boolean;
  purl: string;
  vuln: string;
  /** root label first, then purls down to the affected component */
  path: string[];
  firstSeen: string;
  severity: string;
  kev: boolean;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/** The finding ids a vulnerability id or alias stands for (case-insensitive). */
export async function vulnIdsFor(db: Db, vulnId: string): Promise<string[]> {
  const rows = await db.selectFrom('vuln_aliases').select('vuln_id').distinct().where('alias', '=', vulnId.trim().toUpperCase()).execute();
  return rows.map((r) => r.vuln_id).sort();
}

type Filters = { currentOnly?: boolean; tag?: string; owner?: string };

/**
 * The condition on `p` (projects) and `v` (project_versions) in a query: inside the scope's
 * projects, current versions only, with a tag, with an owner.
 */
function projectFilter(visible: readonly number[] | undefined, f: Filters): Expression<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (visible !== undefined) parts.push(visible.length ? sql`p.id in (${sql.join([...visible])})` : sql`1 = 0`);
  if (f.currentOnly) parts.push(sql`v.current = 1`);
  if (f.tag !== undefined) parts.push(sql`exists (select 1 from project_tags pt where pt.project_id = p.id and pt.tag = ${f.tag})`);
  if (f.owner !== undefined) parts.push(sql`exists (select 1 from project_owners po where po.project_id = p.id and po.owner = ${f.owner})`);
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

export async function affected(
  db: Db,
  vulnId: string,
  scope: Scope,
  opts: Filters & { cursor?: string; limit?: number } = {},
): Promise<Page<AffectedItem>> {
  const limit = clampLimit(opts.limit);
  const ids = await vulnIdsFor(db, vulnId);
  if (!ids.length) return { items: [] };
  const visible = await scopedProjectIds(db, scope);
  let q = db
    .selectFrom('findings as f')
    .innerJoin('project_versions as v', 'v.id', 'f.version_id')
    .innerJoin('projects as p', 'p.id', 'v.project_id')
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select(['p.name as project', 'v.version', 'v.current', 'v.id as version_id', 'v.roots', 'c.id as component_id', 'c.purl', 'f.vuln_id', 'f.first_seen', 'f.severity', 'f.kev'])
    .where('f.vuln_id', 'in', ids)
    .where('f.resolved_at', 'is', null);
  q = q.where(projectFilter(visible, opts));
  if (opts.cursor !== undefined) {
    const c = decodeCursor<{ p: string; v: string; c: string; f: string }>(opts.cursor);
    q = q.where((eb) => eb(eb.refTuple('p.name', 'v.version', 'c.purl', 'f.vuln_id'), '>', eb.tuple(String(c.p), String(c.v), String(c.c), String(c.f))));
  }
  const rows = await q.orderBy('p.name').orderBy('v.version').orderBy('c.purl').orderBy('f.vuln_id').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const paths = await shortestPaths(
    db,
    page.map((r) => ({ versionId: r.version_id, componentId: r.component_id, roots: r.roots })),
  );
  const items = page.map((r) => ({
    project: r.project,
    version: r.version,
    current: r.current === 1,
    purl: r.purl,
    vuln: r.vuln_id,
    path: paths.get(`${r.version_id}:${r.component_id}`) ?? [r.purl],
    firstSeen: r.first_seen,
    severity: r.severity,
    kev: r.kev === 1,
  }));
  const last = page[page.length - 1];
  return { items, ...(rows.length > limit && last ? { next: encodeCursor({ p: last.project, v: last.version, c: last.purl, f: last.vuln_id }) } : {}) };
}

/**
 * The shortest path from a root to each (version, component): a chain walk up the stored
 * shortest-path parents (version_components.path_parent, db/parents.ts), every target's chain in
 * one recursive statement — the path a breadth-first search upwards from the component finds, the
 * smallest ids first among equally short ones. A component no root reaches is its purl alone.
 */
export async function shortestPaths(db: Db, targets: readonly { versionId: number; componentId: number; roots: string }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const labels = new Map<number, string[]>();
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.versionId}:${t.componentId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!labels.has(t.versionId)) labels.set(t.versionId, (JSON.parse(t.roots) as { label: string }[]).map((r) => r.label));
    pairs.push([t.versionId, t.componentId]);
  }
  type Link = { v: number; t: number; depth: number; node: number; purl: string | null };
  for (let i = 0; i < pairs.length; i += 5_000) {
    const part = pairs.slice(i, i + 5_000);
    const start = isPostgres(db)
      ? sql`SELECT k.v, k.c AS t, 0 AS depth, k.c AS node FROM unnest(${part.map((p) => p[0])}::int4[], ${part.map((p) => p[1])}::int4[]) AS k(v, c)`
      : sql`SELECT json_extract(value, '$[0]') AS v, json_extract(value, '$[1]') AS t, 0 AS depth, json_extract(value, '$[1]') AS node FROM json_each(${JSON.stringify(part)})`;
    // each step: the node's row in its version gives the next node up; a root (< 0) has no row.
    // The depth bound only guards against a cycle in damaged data (ingest never stores one).
    const rows = (
      await sql<Link>`WITH RECURSIVE chain(v, t, depth, node) AS (
        ${start}
        UNION ALL
        SELECT chain.v, chain.t, chain.depth + 1, vc.path_parent FROM chain
        JOIN version_components vc ON vc.version_id = chain.v AND vc.component_id = chain.node
        WHERE vc.path_parent IS NOT NULL AND chain.depth < ${PATH_DEPTH_MAX}
      )
      SELECT chain.v, chain.t, chain.depth, chain.node, c.purl FROM chain LEFT JOIN components c ON c.id = chain.node ORDER BY chain.v, chain.t, chain.depth`.execute(db)
    ).rows;
    let chain: Link[] = [];
    const finish = (): void => {
      const first = chain[0];
      if (!first) return;
      const v = Number(first.v);
      const target = Number(first.t);
      const last = chain[chain.length - 1]!;
      const top = Number(last.node);
      if (top >= 0) out.set(`${v}:${target}`, [first.purl ?? String(target)]);
      else out.set(`${v}:${target}`, [labels.get(v)?.[-1 - top] ?? 'root', ...chain.slice(0, -1).reverse().map((l) => l.purl ?? String(l.node))]);
    };
    for (const r of rows) {
      const head = chain[0];
      if (head && (Number(head.v) !== Number(r.v) || Number(head.t) !== Number(r.t))) {
        finish();
        chain = [];
      }
      chain.push(r);
    }
    finish();
  }
  return out;
}

export interface ComponentUse {
  project: string;
  version: string;
  current: boolean;
  purl: string;
  /** the component's version */
  version_: string;
  scope: string;
  direct: boolean;
}

/**
 * Who uses a package (`purl` without version; a version given is ignored), optionally only at
 * versions inside a vers range (`vers:maven/<2.17.1`) compared with the ecosystem's version rules.
 */
export async function componentsUsing(
  db: Db,
  purl: string,
  scope: Scope,
  opts: Filters & { range?: string; cursor?: string; limit?: number } = {},
): Promise<Page<ComponentUse>> {
  const limit = clampLimit(opts.limit);
  const base = purlBase(purl.trim());
  let componentIds: number[] | undefined;
  if (opts.range !== undefined) {
    let range;
    try {
      range = parseVers(opts.range);
    } catch (e) {
      throw new PortfolioError('invalid', `range "${opts.range}": ${(e as Error).message}`);
    }
    if (!range.star && !versCompare(range.scheme)) throw new PortfolioError('invalid', `range "${opts.range}": vouch has no version order for the scheme "${range.scheme}"`);
    const versions = await db.selectFrom('components').select(['id', 'version']).where('purl_base', '=', base).execute();
    componentIds = versions.filter((c) => versContains(range, c.version) === true).map((c) => c.id);
    if (!componentIds.length) return { items: [] };
  }
  const visible = await scopedProjectIds(db, scope);
  let q = db
    .selectFrom('components as c')
    .innerJoin('version_components as vc', 'vc.component_id', 'c.id')
    .innerJoin('project_versions as v', 'v.id', 'vc.version_id')
    .innerJoin('projects as p', 'p.id', 'v.project_id')
    .select(['p.name as project', 'v.version', 'v.current', 'c.purl', 'c.version as cversion', 'vc.scope', 'vc.direct'])
    .where('c.purl_base', '=', base);
  if (componentIds) q = q.where('c.id', 'in', componentIds);
  q = q.where(projectFilter(visible, opts));
  if (opts.cursor !== undefined) {
    const c = decodeCursor<{ p: string; v: string; c: string }>(opts.cursor);
    q = q.where((eb) => eb(eb.refTuple('p.name', 'v.version', 'c.purl'), '>', eb.tuple(String(c.p), String(c.v), String(c.c))));
  }
  const rows = await q.orderBy('p.name').orderBy('v.version').orderBy('c.purl').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ project: r.project, version: r.version, current: r.current === 1, purl: r.purl, version_: r.cversion, scope: r.scope, direct: r.direct === 1 })),
    ...(rows.length > limit && last ? { next: encodeCursor({ p: last.project, v: last.version, c: last.purl }) } : {}),
  };
}

export interface PortfolioSummary {
  /** projects in the scope */
  projects: number;
  /** open findings of current versions per rating */
  bySeverity: Record<Rating, number>;
  /** open findings of current versions in the CISA KEV catalog, and the projects they are in */
  kev: { findings: number; projects: number };
  /** packages (purl without version) by how many projects' current versions have an open finding on them */
  mostAffected: { purl: string; projects: number; findings: number }[];
  /** projects whose oldest open critical finding (current version) is oldest */
  oldestCritical: { project: string; version: string; vuln: string; purl: string; firstSeen: string }[];
}

/** The portfolio at a glance, over every project's current version. */
export async function portfolioSummary(db: Db, scope: Scope, opts: { top?: number } = {}): Promise<PortfolioSummary> {
  const top = Math.max(1, Math.min(100, opts.top ?? 10));
  const visible = await scopedProjectIds(db, scope);
  const open = () =>
    db
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .innerJoin('projects as p', 'p.id', 'v.project_id')
      .where('f.resolved_at', 'is', null)
      .where(projectFilter(visible, { currentOnly: true }));

  let pq = db.selectFrom('projects as p').select((eb) => eb.fn.countAll().as('n'));
  if (visible !== undefined) pq = pq.where('p.id', 'in', visible.length ? visible : [-1]);
  const projects = Number((await pq.executeTakeFirstOrThrow()).n);

  const sev = await open().select((eb) => ['f.severity', eb.fn.countAll().as('n')]).groupBy('f.severity').execute();
  const bySeverity = Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>;
  for (const r of sev) if (r.severity in bySeverity) bySeverity[r.severity as Rating] = Number(r.n);

  const kevRow = await open().select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('p.id').distinct().as('projects')]).where('f.kev', '=', 1).executeTakeFirstOrThrow();

  const most = await open()
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select((eb) => ['c.purl_base', eb.fn.count('p.id').distinct().as('projects'), eb.fn.countAll().as('findings')])
    .groupBy('c.purl_base')
    .orderBy('projects', 'desc')
    .orderBy('findings', 'desc')
    .orderBy('c.purl_base')
    .limit(top)
    .execute();

  const crit = await open()
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select(['p.name as project', 'v.version', 'f.vuln_id', 'c.purl', 'f.first_seen'])
    .where('f.severity', '=', 'CRITICAL')
    .orderBy('f.first_seen')
    .orderBy('p.name')
    .orderBy('f.vuln_id')
    .execute();
  const oldest: PortfolioSummary['oldestCritical'] = [];
  const seenProjects = new Set<string>();
  for (const r of crit) {
    if (seenProjects.has(r.project)) continue;
    seenProjects.add(r.project);
    oldest.push({ project: r.project, version: r.version, vuln: r.vuln_id, purl: r.purl, firstSeen: r.first_seen });
    if (oldest.length >= top) break;
  }
  return {
    projects,
    bySeverity,
    kev: { findings: Number(kevRow.n), projects: Number(kevRow.projects) },
    mostAffected: most.map((m) => ({ purl: m.purl_base, projects: Number(m.projects), findings: Number(m.findings) })),
    oldestCritical: oldest,
  };
}

/**
 * The scan report of a project version (default: the current one) rebuilt from the stored state:
 * what the engine reported at ingest (inputs, store, unresolved ...), the findings as the last
 * match left them (re-match updates them), and for a collection the current versions of its
 * descendants too. Undefined when the project is absent or out of scope, or the version unknown.
 */
export async function projectReport(db: Db, project: string, scope: Scope, opts: { version?: string; now?: Date } = {}): Promise<ScanReport | undefined> {
  const projectId = await projectIdInScope(db, project, scope);
  if (projectId === undefined) return undefined;
  let own = db.selectFrom('project_versions').select(['id', 'meta', 'version']).where('project_id', '=', projectId);
  own = opts.version !== undefined ? own.where('version', '=', opts.version) : own.where('current', '=', 1);
  const self = await own.executeTakeFirst();
  if (opts.version !== undefined && !self) return undefined;
  // a collection: the current versions of its descendants (those in the scope)
  const visible = await scopedProjectIds(db, scope);
  const descendants = (await descendantsOf(db, [projectId])).filter((id) => id !== projectId && (visible === undefined || visible.includes(id)));
  const others = descendants.length
    ? await db.selectFrom('project_versions').select(['id', 'meta', 'version']).where('project_id', 'in', descendants).where('current', '=', 1).execute()
    : [];
  const versions = [...(self ? [self] : []), ...others];
  const metas = versions.map((v) => JSON.parse(v.meta) as ScanReport);
  const findings: ReportFinding[] = [];
  const versionIds = versions.map((v) => v.id);
  if (versionIds.length) {
    const rows = await db
      .selectFrom('findings')
      .select(['data'])
      .where('version_id', 'in', versionIds)
      .where('resolved_at', 'is', null)
      .orderBy('priority')
      .orderBy('id')
      .execute();
    for (const r of rows) findings.push(JSON.parse(r.data) as ReportFinding);
  }
  // ranks over the whole list: re-match refreshes findings one component at a time
  prioritise(findings);
  const componentCount = versionIds.length
    ? Number(
        (
          await db
            .selectFrom('version_components')
            .select(sql<number>`count(distinct component_id)`.as('n'))
            .where('version_id', 'in', versionIds)
            .executeTakeFirstOrThrow()
        ).n,
      )
    : 0;
  const active = findings.filter((f) => !f.suppressed);
  const bySeverity = Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>;
  for (const f of active) bySeverity[f.severity.rating]++;
  const first = metas[0];
  const inputs = metas.flatMap((m) => m.inputs);
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    tool: { name: 'vouch', version: VERSION },
    createdAt: (opts.now ?? new Date()).toISOString(),
    failOn: 'any',
    failed: active.length > 0,
    summary: {
      inputs: inputs.length,
      inputsFailed: inputs.filter((i) => i.status === 'failed').length,
      inputsPartial: inputs.filter((i) => i.status === 'partial').length,
      components: componentCount,
      componentsChecked: metas.reduce((n, m) => n + m.summary.componentsChecked, 0),
      findings: findings.length,
      suppressed: findings.length - active.length,
      kev: active.filter((f) => f.kev).length,
      vulnerablePackages: new Set(active.map((f) => f.purl)).size,
      bySeverity,
    },
    inputs,
    extractors: metas.flatMap((m) => m.extractors),
    findings,
    notChecked: metas.flatMap((m) => m.notChecked),
    unresolved: metas.flatMap((m) => m.unresolved),
    stats: {
      advisoriesConsidered: metas.reduce((n, m) => n + m.stats.advisoriesConsidered, 0),
      gitRangesSkipped: metas.reduce((n, m) => n + m.stats.gitRangesSkipped, 0),
      malformedRanges: metas.flatMap((m) => m.stats.malformedRanges),
    },
    store: first?.store ?? [],
    feeds: first?.feeds ?? [],
  };
}

export interface EventView {
  id: number;
  type: string;
  at: string;
  project: string;
  version: string;
  vuln: string;
  purl: string;
}

/** Events (new and resolved findings) in the order they were recorded, after `cursor`; those of projects outside the scope are left out. */
export async function listEvents(db: Db, scope: Scope, opts: { cursor?: string; limit?: number; type?: string } = {}): Promise<Page<EventView>> {
  const limit = clampLimit(opts.limit);
  const visible = await scopedProjectIds(db, scope);
  let q = db.selectFrom('events as e').select(['e.id', 'e.type', 'e.at', 'e.project', 'e.version', 'e.vuln', 'e.purl']);
  if (visible !== undefined) {
    // events name projects by name (they outlive renames of nothing: names are unique and never change)
    q = q.where('e.project', 'in', (eb) => eb.selectFrom('projects').select('name').where('id', 'in', visible.length ? visible : [-1]));
  }
  if (opts.type !== undefined) q = q.where('e.type', '=', opts.type);
  if (opts.cursor !== undefined) q = q.where('e.id', '>', Number(decodeCursor<{ id: number }>(opts.cursor).id));
  const rows = await q.orderBy('e.id').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page, ...(rows.length > limit && last ? { next: encodeCursor({ id: last.id }) } : {}) };
}
