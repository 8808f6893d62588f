/**
 * Triage that sticks (issue 14, item 1): an analysis per (project, component purl with version,
 * vulnerability). Every analysis ever recorded is a row of `analyses`, never updated or deleted:
 * the latest row of a key is the current analysis, the rows before it are its history.
 *
 * The key is the project (not a project version), the component's canonical purl WITH its version,
 * and the vulnerability id upper-cased — so a new upload of the same project that still ships the
 * same component version keeps the analysis, and an upgrade (another purl) starts untriaged, which
 * is what a triage decision about one version of a package means. A finding matches an analysis
 * when the analysis' vulnerability is the finding's OSV id or any of its aliases.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { canonicalPurl, parsePurl } from '../model/purl.js';
import type { ScanReport } from '../model/report.js';
import { RATINGS_DESC, type Rating, type ReportFinding } from '../model/triage.js';
import { type Scope, scopedProjectIds } from '../portfolio/access.js';
import { PortfolioError } from '../portfolio/errors.js';
import { projectIdInScope } from '../portfolio/projects.js';
import { componentsUsing } from '../portfolio/queries.js';
import { CDX_JUSTIFICATION_MAP, OPENVEX_JUSTIFICATIONS } from '../triage/vex/index.js';

export const ANALYSIS_STATES = ['in_triage', 'exploitable', 'not_affected', 'false_positive', 'resolved'] as const;
export type AnalysisState = (typeof ANALYSIS_STATES)[number];
/** CycloneDX 1.6 `analysis.response` values. */
export const ANALYSIS_RESPONSES = ['can_not_fix', 'will_not_fix', 'update', 'rollback', 'workaround_available'] as const;
/** Justifications accepted: OpenVEX's, and CycloneDX's (stored as the OpenVEX one they map to). */
export const ANALYSIS_JUSTIFICATIONS = [...OPENVEX_JUSTIFICATIONS, ...Object.keys(CDX_JUSTIFICATION_MAP)] as const;
/** States that take a finding out of the project's report (marked suppressed, not counted). */
export const SUPPRESSING: ReadonlySet<string> = new Set(['not_affected', 'false_positive']);

export interface AnalysisInput {
  purl: string;
  vuln: string;
  state: AnalysisState;
  justification?: string;
  response?: string[];
  detail?: string;
}

export interface Analysis {
  id: number;
  project: string;
  purl: string;
  vuln: string;
  state: AnalysisState;
  justification?: string;
  response: string[];
  detail?: string;
  author: string;
  source: string;
  at: string;
}

/** Checks an analysis and returns it normalised (canonical purl, OpenVEX justification); PortfolioError 'invalid' naming the field. */
export function normaliseAnalysis(a: AnalysisInput, where = 'body'): AnalysisInput {
  let purl: string;
  let version: string | undefined;
  try {
    purl = canonicalPurl(a.purl.trim());
    version = parsePurl(purl).version;
  } catch (e) {
    throw new PortfolioError('invalid', `${where} $.purl: ${(e as Error).message}`);
  }
  if (version === undefined) throw new PortfolioError('invalid', `${where} $.purl: "${a.purl}" has no version: an analysis is about one version of a component (use /analyses/bulk for a range)`);
  return { purl, ...checkFields(a, where) };
}

/** Checks everything of an analysis but its purl. */
export function checkFields(a: Omit<AnalysisInput, 'purl'>, where = 'body'): Omit<AnalysisInput, 'purl'> {
  const vuln = a.vuln.trim();
  if (!vuln || /\s/.test(vuln)) throw new PortfolioError('invalid', `${where} $.vuln: "${a.vuln}" is not a vulnerability id`);
  if (!(ANALYSIS_STATES as readonly string[]).includes(a.state)) throw new PortfolioError('invalid', `${where} $.state: "${a.state}" is not one of ${ANALYSIS_STATES.join(', ')}`);
  let justification = a.justification;
  if (justification !== undefined) {
    justification = CDX_JUSTIFICATION_MAP[justification] ?? justification;
    if (!(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(justification)) throw new PortfolioError('invalid', `${where} $.justification: "${a.justification}" is not an OpenVEX or CycloneDX justification`);
    if (!SUPPRESSING.has(a.state)) throw new PortfolioError('invalid', `${where} $.justification: only not_affected and false_positive take a justification`);
  }
  if (a.state === 'not_affected' && justification === undefined && !a.detail) {
    throw new PortfolioError('invalid', `${where} $.justification: not_affected needs a justification or a detail saying why`);
  }
  const response = [...new Set(a.response ?? [])];
  for (const r of response) if (!(ANALYSIS_RESPONSES as readonly string[]).includes(r)) throw new PortfolioError('invalid', `${where} $.response: "${r}" is not one of ${ANALYSIS_RESPONSES.join(', ')}`);
  return { vuln, state: a.state, ...(justification !== undefined ? { justification } : {}), response, ...(a.detail ? { detail: a.detail } : {}) };
}

type Row = { project_id: number; purl: string; vuln: string; vuln_key: string; state: string; justification: string | null; response: string; detail: string | null; author: string; source: string; created_at: string };

function rowOf(projectId: number, a: AnalysisInput, author: string, source: string, at: string): Row {
  return {
    project_id: projectId,
    purl: a.purl,
    vuln: a.vuln,
    vuln_key: a.vuln.toUpperCase(),
    state: a.state,
    justification: a.justification ?? null,
    response: JSON.stringify(a.response ?? []),
    detail: a.detail ?? null,
    author,
    source,
    created_at: at,
  };
}

/** Rows per insert statement: 11 columns × 500 stays far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/** Inserts analyses (already normalised) in the caller's transaction. */
export async function insertAnalyses(db: Db, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('analyses').values(rows.slice(i, i + CHUNK)).execute();
}

/** Records one analysis for a project (absent or out of scope: not_found). */
export async function recordAnalysis(db: Db, project: string, scope: Scope, input: AnalysisInput, opts: { author: string; source?: string; now?: Date }): Promise<Analysis> {
  const a = normaliseAnalysis(input);
  const projectId = await projectIdInScope(db, project, scope);
  if (projectId === undefined) throw new PortfolioError('not_found', `project ${project} not found`);
  const at = (opts.now ?? new Date()).toISOString();
  const row = rowOf(projectId, a, opts.author, opts.source ?? 'api', at);
  const { id } = await db.insertInto('analyses').values(row).returning('id').executeTakeFirstOrThrow();
  return viewOf(project, { ...row, id });
}

function viewOf(project: string, r: Row & { id: number }): Analysis {
  return {
    id: r.id,
    project,
    purl: r.purl,
    vuln: r.vuln,
    state: r.state as AnalysisState,
    ...(r.justification !== null ? { justification: r.justification } : {}),
    response: JSON.parse(r.response) as string[],
    ...(r.detail !== null ? { detail: r.detail } : {}),
    author: r.author,
    source: r.source,
    at: r.created_at,
  };
}

/**
 * A project's analyses: the current one per (purl, vulnerability) — or with `history`, every row,
 * oldest first. Optionally only those of one purl and/or vulnerability.
 */
export async function listAnalyses(db: Db, project: string, scope: Scope, opts: { history?: boolean; purl?: string; vuln?: string } = {}): Promise<Analysis[] | undefined> {
  const projectId = await projectIdInScope(db, project, scope);
  if (projectId === undefined) return undefined;
  return (await analysesOf(db, [projectId], opts)).get(projectId)?.map((r) => viewOf(project, r)) ?? [];
}

/** The canonical form of a purl, or the text as given when it does not parse (it then matches nothing). */
function canonicalOr(purl: string): string {
  try {
    return canonicalPurl(purl.trim());
  } catch {
    return purl;
  }
}

/** Rows of projects, oldest first; without `history` only the latest per key. */
async function analysesOf(db: Db, projectIds: readonly number[], opts: { history?: boolean; purl?: string; vuln?: string } = {}): Promise<Map<number, (Row & { id: number })[]>> {
  const out = new Map<number, (Row & { id: number })[]>();
  if (!projectIds.length) return out;
  let q = db.selectFrom('analyses').selectAll().where('project_id', 'in', [...projectIds]);
  if (opts.purl !== undefined) q = q.where('purl', '=', canonicalOr(opts.purl));
  if (opts.vuln !== undefined) q = q.where('vuln_key', '=', opts.vuln.trim().toUpperCase());
  const rows = await q.orderBy('id').execute();
  const latest = new Map<string, Row & { id: number }>();
  for (const r of rows) {
    if (opts.history) {
      let l = out.get(r.project_id);
      if (!l) out.set(r.project_id, (l = []));
      l.push(r);
    } else latest.set(`${r.project_id}\u0000${r.purl}\u0000${r.vuln_key}`, r);
  }
  if (!opts.history) {
    for (const r of latest.values()) {
      let l = out.get(r.project_id);
      if (!l) out.set(r.project_id, (l = []));
      l.push(r);
    }
  }
  return out;
}

/** The current analysis of a finding (its OSV id or any alias) on a purl, from a project's current analyses. */
export function analysisFor(current: readonly Analysis[], purl: string, ids: readonly string[]): Analysis | undefined {
  const keys = new Set(ids.map((i) => i.toUpperCase()));
  let best: Analysis | undefined;
  for (const a of current) if (a.purl === purl && keys.has(a.vuln.toUpperCase()) && (!best || a.id > best.id)) best = a;
  return best;
}

/**
 * Applies a project's current analyses to its report (projectReport): a not_affected or
 * false_positive analysis suppresses the finding (marked, not counted, as a VEX statement does in
 * `vouch scan`); the summary is counted again. Findings of a collection's descendants are left as
 * they are: the report does not say which project a finding came from.
 */
export async function applyAnalyses(db: Db, project: string, scope: Scope, report: ScanReport): Promise<ScanReport> {
  const current = await listAnalyses(db, project, scope);
  if (!current?.length) return report;
  const findings: ReportFinding[] = report.findings.map((f) => {
    const a = analysisFor(current, f.purl, [f.id, ...f.aliases]);
    if (!a || !SUPPRESSING.has(a.state)) return f;
    return {
      ...f,
      suppressed: {
        by: 'vex',
        status: a.state,
        ...(a.justification !== undefined ? { justification: a.justification } : {}),
        ...(a.detail !== undefined ? { impactStatement: a.detail } : {}),
        source: `analysis ${a.id} by ${a.author} at ${a.at}`,
      },
    };
  });
  const active = findings.filter((f) => !f.suppressed);
  const bySeverity = Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>;
  for (const f of active) bySeverity[f.severity.rating]++;
  return {
    ...report,
    failed: active.length > 0,
    findings,
    summary: { ...report.summary, suppressed: findings.length - active.length, kev: active.filter((f) => f.kev).length, vulnerablePackages: new Set(active.map((f) => f.purl)).size, bySeverity },
  };
}

/** The current analysis state of each affected item (project name, purl, vulnerability id): for GET …/affected. */
export async function analysesForItems<T extends { project: string; purl: string; vuln: string }>(db: Db, items: readonly T[]): Promise<(T & { analysis?: { state: string; justification?: string; author: string; at: string } })[]> {
  if (!items.length) return [...items];
  const names = [...new Set(items.map((i) => i.project))];
  const projects = await db.selectFrom('projects').select(['id', 'name']).where('name', 'in', names).execute();
  const byId = await analysesOf(db, projects.map((p) => p.id));
  const byName = new Map(projects.map((p) => [p.name, (byId.get(p.id) ?? []).map((r) => viewOf(p.name, r))]));
  const aliases = new Map<string, string[]>();
  const vulns = [...new Set(items.map((i) => i.vuln))];
  for (const r of vulns.length ? await db.selectFrom('vuln_aliases').select(['alias', 'vuln_id']).where('vuln_id', 'in', vulns).execute() : []) {
    let l = aliases.get(r.vuln_id);
    if (!l) aliases.set(r.vuln_id, (l = []));
    l.push(r.alias);
  }
  return items.map((i) => {
    const a = analysisFor(byName.get(i.project) ?? [], i.purl, [i.vuln, ...(aliases.get(i.vuln) ?? [])]);
    return a ? { ...i, analysis: { state: a.state, ...(a.justification !== undefined ? { justification: a.justification } : {}), author: a.author, at: a.at } } : i;
  });
}

export interface BulkInput {
  /** a purl without version (a version given is ignored) */
  purl: string;
  /** a vers range (vers:maven/<2.17.1); absent: every version */
  range?: string;
  vuln: string;
  state: AnalysisState;
  justification?: string;
  response?: string[];
  detail?: string;
}

/**
 * "not_affected for every project that uses package X below version Y, because …": one analysis
 * per (project, component version) that componentsUsing finds inside the caller's scope (a token
 * limited to projects never touches others), all written in one transaction.
 */
export async function applyBulk(db: Db, scope: Scope, input: BulkInput, opts: { author: string; now?: Date }): Promise<{ applied: { project: string; purl: string }[] }> {
  checkFields(input);
  const uses = new Map<string, { project: string; purl: string }>();
  let cursor: string | undefined;
  do {
    const page = await componentsUsing(db, input.purl, scope, { ...(input.range !== undefined ? { range: input.range } : {}), ...(cursor !== undefined ? { cursor } : {}), limit: 1000 });
    for (const u of page.items) uses.set(`${u.project}\u0000${u.purl}`, { project: u.project, purl: u.purl });
    cursor = page.next;
  } while (cursor !== undefined);
  const applied = [...uses.values()].sort((a, b) => a.project.localeCompare(b.project) || a.purl.localeCompare(b.purl));
  if (!applied.length) return { applied };
  const at = (opts.now ?? new Date()).toISOString();
  const visible = await scopedProjectIds(db, scope);
  const projects = await db.selectFrom('projects').select(['id', 'name']).where('name', 'in', [...new Set(applied.map((a) => a.project))]).execute();
  const idOf = new Map(projects.filter((p) => visible === undefined || visible.includes(p.id)).map((p) => [p.name, p.id]));
  const rows = applied.map((u) => {
    const a = normaliseAnalysis({ ...input, purl: u.purl });
    const id = idOf.get(u.project);
    if (id === undefined) throw new Error(`project ${u.project} was listed by componentsUsing but is not in the scope`);
    return rowOf(id, a, opts.author, 'bulk', at);
  });
  await db.transaction().execute((tx) => insertAnalyses(tx, rows));
  return { applied };
}

/** A SQL helper kept here so tests can count history rows without knowing the table. */
export async function countAnalysisRows(db: Db): Promise<number> {
  return Number((await db.selectFrom('analyses').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
}

export type { Row as AnalysisRow };
export { rowOf as analysisRow };
