/**
 * The triage stage: a match's findings become the scan report (docs/scan-json.md, model/report.ts)
 * — records of one vulnerability merged, severity scored, KEV and EPSS added, VEX / policy
 * suppressions applied, the work order set, and the verdict against --fail-on decided.
 */
import type { Finding, MatchStats } from '../model/finding.js';
import type { CollectedInventory, InputStatus } from '../model/inventory.js';
import type { KnownScore } from '../advisories/cvss.js';
import type { FeedStatus } from '../model/store.js';
import { atLeast, severityOf } from './severity.js';
import { advisorySource, cveIds } from '../model/advisory.js';
import { groupByAliases, orderedIds } from './merge.js';
import { prioritise } from './priority.js';
import { PathCounter } from './context.js';
import { VERSION } from '../version.js';
import { compareVersions } from '../ecosystems/index.js';
import { byCodePoint } from '../model/order.js';
import { type ExtractorStatus, type ScanReport, SCAN_SCHEMA_VERSION } from '../model/report.js';
import type { EcosystemStatus } from '../model/store.js';
import { type EpssInfo, type KevInfo, type Rating, type ReportFinding, type Suppression, RATINGS_DESC, type Severity } from '../model/triage.js';

/** Where KEV / EPSS data come from (the advisory store fits). */
export interface ExploitLookup {
  kev(cve: string): KevInfo | undefined;
  epss(cve: string): EpssInfo | undefined;
}

/** Decides whether a finding is suppressed (VEX, policy ignore rules); undefined = not suppressed. */
export type SuppressFn = (f: ReportFinding) => Suppression | undefined;

/** One line per extractor that saw a file: what it read and what it could not. */
export function extractorStatus(inputs: readonly InputStatus[]): ExtractorStatus[] {
  const byId = new Map<string, ExtractorStatus>();
  for (const i of inputs) {
    const id = i.extractor ?? '(walk)';
    let s = byId.get(id);
    if (!s) byId.set(id, (s = { id, filesRead: 0, packages: 0, failed: [] }));
    if (i.status === 'ok') {
      s.filesRead++;
      s.packages += i.components;
    } else s.failed.push({ path: i.path, reason: i.reason ?? 'failed' });
  }
  return [...byId.values()].sort((a, b) => byCodePoint(a.id, b.id));
}

export function buildScanReport(args: {
  inventory: CollectedInventory;
  findings: Finding[];
  stats: MatchStats;
  store: EcosystemStatus[];
  failOn: Rating | 'any' | 'none';
  now?: Date;
  /** KEV / EPSS lookups (the advisory store); without it findings carry neither. */
  exploits?: ExploitLookup;
  /** CVSS base scores computed in advance (the advisory store); vectors it does not know are scored here. */
  scores?: KnownScore;
  /** The feeds loaded, reported as `feeds`. */
  feeds?: FeedStatus[];
  /** VEX / policy hook: a suppressed finding stays listed but does not count toward `failed`. */
  suppress?: SuppressFn;
}): ScanReport {
  const { inventory, stats } = args;
  const graph = inventory.graph;
  const paths = new PathCounter(graph);
  const findings = reportFindingsOf(args.findings, (id) => graph.roots.get(id), args.scores, args.exploits).map((f) =>
    placeFinding(f, { scope: f.scope, direct: f.direct, locations: f.locations, paths: f.paths, pathsTotal: paths.count(f.purl) }),
  );
  for (const f of findings) {
    const s = args.suppress?.(f);
    if (s) f.suppressed = s;
  }
  rankFindings(findings);
  const active = findings.filter((f) => !f.suppressed);
  const bySeverity = Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>;
  for (const f of active) bySeverity[f.severity.rating]++;
  const failed =
    args.failOn === 'none' ? false : args.failOn === 'any' ? active.length > 0 : active.some((f) => atLeast(f.severity.rating, args.failOn as Rating));
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    tool: { name: 'vouch', version: VERSION },
    createdAt: (args.now ?? new Date()).toISOString(),
    failOn: args.failOn,
    failed,
    summary: {
      inputs: inventory.inputs.length,
      inputsFailed: inventory.inputs.filter((i) => i.status === 'failed').length,
      inputsPartial: inventory.inputs.filter((i) => i.status === 'partial').length,
      components: inventory.graph.components.size,
      componentsChecked: stats.componentsChecked,
      findings: findings.length,
      suppressed: findings.length - active.length,
      kev: active.filter((f) => f.kev).length,
      vulnerablePackages: new Set(active.map((f) => f.purl)).size,
      bySeverity,
    },
    inputs: inventory.inputs,
    extractors: extractorStatus(inventory.inputs),
    findings,
    notChecked: stats.componentsNotChecked,
    unresolved: inventory.unresolved,
    ...(inventory.unlocked?.length ? { unlocked: inventory.unlocked } : {}),
    stats: { advisoriesConsidered: stats.advisoriesConsidered, gitRangesSkipped: stats.gitRangesSkipped, malformedRanges: dedupe(stats.malformedRanges) },
    store: args.store,
    feeds: args.feeds ?? [],
  };
}

/**
 * A match's findings as report findings: one per (component, vulnerability, source) — records
 * aliasing each other merged (never records of different sources: OSV and each subscribed feed are
 * listed side by side) —, severity scored, KEV and EPSS added. Everything here depends on the
 * component and the store alone, except the paths, taken from each Finding (`rootLabel` names a
 * path's root); the server's re-match builds them once per component with no paths and places them
 * in each version (placeFinding). Not yet ranked (rankFindings).
 */
export function reportFindingsOf(findings: readonly Finding[], rootLabel: (id: string) => string | undefined, scores?: KnownScore, exploits?: ExploitLookup): ReportFinding[] {
  const byPurl = new Map<string, ReportFinding[]>();
  for (const f of findings) {
    const r = toReportFinding(f, rootLabel, scores);
    const key = `${r.purl}\u0000${r.source?.url ?? ''}`;
    let l = byPurl.get(key);
    if (!l) byPurl.set(key, (l = []));
    l.push(r);
  }
  const out: ReportFinding[] = [];
  for (const list of byPurl.values()) for (const group of groupByAliases(list)) out.push(mergeFindings(group));
  if (exploits) for (const f of out) enrich(f, exploits);
  return out;
}

/**
 * What of a finding depends on where its component is — one project version's graph: scope,
 * directness, locations, the paths from the roots (root labels first, as reportFindingsOf writes
 * them) and, when more lead there than are listed, how many. A new object; the finding's fields keep
 * their order, so its JSON is the same whichever way it was built.
 */
export function placeFinding(
  f: ReportFinding,
  at: { scope: ReportFinding['scope']; direct: boolean; locations: ReportFinding['locations']; paths: string[][]; pathsTotal: number },
): ReportFinding {
  const { pathsTotal: _, ...rest } = f;
  const placed: ReportFinding = { ...rest, scope: at.scope, direct: at.direct, locations: at.locations, paths: at.paths };
  if (at.pathsTotal > at.paths.length) placed.pathsTotal = at.pathsTotal;
  return placed;
}

/**
 * The findings of one report (one scan, one project version) in the work order of docs/triage.md —
 * KEV, EPSS band, severity, scope, directness, then names — each with its priority (rank and reason)
 * and its fields in the report's order. In place; returns the list.
 */
export function rankFindings(findings: ReportFinding[]): ReportFinding[] {
  prioritise(findings);
  findings.forEach((f, i) => (findings[i] = withKeyOrder(f)));
  return findings;
}

/** Records of one vulnerability matched on one component → one finding (rules in triage/merge.ts). */
export function mergeFindings(group: ReportFinding[]): ReportFinding {
  if (group.length === 1) return { ...group[0]!, ids: [group[0]!.id] };
  const ids = orderedIds(group.map((f) => f.id));
  const primary = group.find((f) => f.id === ids[0])!;
  const others = ids.slice(1).map((id) => group.find((f) => f.id === id)!);
  const all = [primary, ...others];
  const aliases = [...new Set(all.flatMap((f) => [f.id, ...f.aliases]))].filter((a) => a !== primary.id);
  const union = (pick: (f: ReportFinding) => string[]): string[] =>
    [...new Set(all.flatMap(pick))].sort((a, b) => compareVersions(primary.ecosystem, a, b));
  const refs = new Map<string, { type: string; url: string }>();
  for (const f of all) for (const r of f.references) if (!refs.has(r.url)) refs.set(r.url, r);
  const published = all.map((f) => f.published).filter((p): p is string => p !== undefined).sort()[0];
  const summary = all.find((f) => f.summary !== undefined)?.summary;
  const details = all.find((f) => f.details !== undefined)?.details;
  return {
    ...primary,
    ids,
    aliases,
    ...(summary !== undefined ? { summary } : {}),
    ...(details !== undefined ? { details } : {}),
    modified: all.map((f) => f.modified).sort().at(-1)!,
    ...(published !== undefined ? { published } : {}),
    severity: highestSeverity(all.map((f) => f.severity)),
    fixed: union((f) => f.fixed),
    fixedVersions: union((f) => f.fixedVersions),
    references: [...refs.values()],
  };
}

const KEY_ORDER: (keyof ReportFinding)[] = ['id', 'source', 'ids', 'aliases', 'priority', 'kev', 'epss', 'suppressed', 'summary', 'details', 'modified', 'published'];

/** The triage fields next to the id in the JSON, where a reader looks first; the rest as built. */
function withKeyOrder(f: ReportFinding): ReportFinding {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (f[k] !== undefined) out[k] = f[k];
  for (const [k, v] of Object.entries(f)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as unknown as ReportFinding;
}

/** The highest CVSS score among the records; a qualitative rating only when none has a score. */
export function highestSeverity(list: Severity[]): Severity {
  const scored = list.filter((s) => s.score !== undefined).sort((a, b) => b.score! - a.score!);
  if (scored.length) return scored[0]!;
  return [...list].sort((a, b) => RATINGS_DESC.indexOf(a.rating) - RATINGS_DESC.indexOf(b.rating))[0] ?? { rating: 'UNKNOWN' };
}

/** KEV and EPSS through every CVE the finding names (its ids and aliases): a KEV entry wins, the highest EPSS score. */
function enrich(f: ReportFinding, exploits: ExploitLookup): void {
  const cves = cveIds([...(f.ids ?? [f.id]), ...f.aliases]);
  const kevs = cves.map((c) => exploits.kev(c)).filter((k): k is KevInfo => k !== undefined);
  kevs.sort((a, b) => byCodePoint(a.dateAdded, b.dateAdded) || byCodePoint(a.cve, b.cve));
  if (kevs[0]) f.kev = kevs[0];
  const scores = cves.map((c) => exploits.epss(c)).filter((e): e is EpssInfo => e !== undefined);
  scores.sort((a, b) => b.score - a.score || byCodePoint(a.cve, b.cve));
  if (scores[0]) f.epss = scores[0];
}

function toReportFinding(f: Finding, rootLabel: (id: string) => string | undefined, scores: KnownScore | undefined): ReportFinding {
  const c = f.component;
  const matchedFixes = new Set(f.reasons.map((r) => r.fixed));
  const source = advisorySource(f.advisory);
  return {
    id: f.advisory.id,
    ...(source ? { source: { ...source } } : {}),
    aliases: [...(f.advisory.aliases ?? [])],
    ...(f.advisory.summary !== undefined ? { summary: f.advisory.summary } : {}),
    ...(typeof f.advisory.details === 'string' && f.advisory.details.trim() ? { details: excerpt(f.advisory.details, DETAILS_MAX) } : {}),
    modified: f.advisory.modified,
    ...(f.advisory.published !== undefined ? { published: f.advisory.published } : {}),
    purl: c.purl,
    ecosystem: c.ecosystem ?? '',
    name: c.name,
    version: c.version,
    scope: c.scope,
    direct: c.direct,
    severity: severityOf(f.advisory, f.reasons[0]?.affectedIndex, scores),
    fixed: f.fixedVersions.filter((v) => matchedFixes.has(v)),
    fixedVersions: f.fixedVersions,
    match: f.reasons,
    paths: f.paths.map((p) => p.map((id, i) => (i === 0 ? (rootLabel(id) ?? id) : id))),
    locations: f.locations,
    references: (f.advisory.references ?? []).filter((r) => r && typeof r.url === 'string').map((r) => ({ type: r.type, url: r.url })),
  };
}

const DETAILS_MAX = 1000;

function excerpt(s: string, n: number): string {
  const t = s.trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function dedupe(list: { id: string; reason: string }[]): { id: string; reason: string }[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = `${x.id}\u0000${x.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

