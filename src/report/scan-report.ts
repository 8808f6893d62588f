/**
 * The scan report: the one data shape every output format renders from. Its JSON form is the
 * documented, versioned schema in docs/scan-json.md (`schemaVersion` below).
 */
import type { MatchReason } from '../model/finding.js';
import type { Finding } from '../model/finding.js';
import type { DependencyGraph } from '../model/graph.js';
import type { CollectedInventory, InputStatus } from '../inventory/collect.js';
import type { MatchStats } from '../advisories/match.js';
import { type Rating, type Severity, RATINGS_DESC, atLeast, severityOf } from '../triage/severity.js';
import { VERSION } from '../version.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';

export const SCAN_SCHEMA_VERSION = '1.1';

/** CISA Known Exploited Vulnerabilities catalog entry for one of the finding's CVE ids (schema 1.2). */
export interface KevInfo {
  cve: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  /** YYYY-MM-DD: the remediation due date for US federal agencies. */
  dueDate?: string;
  /** The catalog's `knownRansomwareCampaignUse` is "Known". */
  knownRansomwareUse: boolean;
  vulnerabilityName?: string;
  requiredAction?: string;
}

/** FIRST EPSS score of one of the finding's CVE ids (the highest when there are several; schema 1.2). */
export interface EpssInfo {
  cve: string;
  /** probability of exploitation activity in the next 30 days, 0..1 */
  score: number;
  /** 0..1 */
  percentile: number;
  /** the score date of the loaded file (YYYY-MM-DD) */
  date?: string;
}

/** Where the finding stands in the work list and why (schema 1.2); see docs/triage.md. */
export interface Priority {
  /** 1 = act first; the `findings` list is sorted by it. */
  rank: number;
  /** One line a person reads: "known exploited (KEV, due 2021-12-24); EPSS 0.94; CVSS 10.0; prod, direct". */
  reason: string;
}

/** Why a finding does not count against --fail-on / the policy (schema 1.2). */
export interface Suppression {
  by: 'vex' | 'ignore';
  /** VEX status (`not_affected`, `false_positive`, `fixed`) or `ignored` for a policy ignore rule. */
  status: string;
  /** VEX justification (e.g. `vulnerable_code_not_in_execute_path`) or the ignore rule's reason. */
  justification?: string;
  impactStatement?: string;
  /** The VEX file (and statement index) or the policy file and rule that suppressed it. */
  source: string;
  /** An ignore rule's expiry date (YYYY-MM-DD). */
  expires?: string;
}

export interface ReportFinding {
  /** OSV id of the advisory (the primary one when several records alias each other). */
  id: string;
  aliases: string[];
  /** Since 1.2: every advisory id merged into this finding (OSV ids of aliasing records), `id` first. */
  ids?: string[];
  kev?: KevInfo;
  epss?: EpssInfo;
  priority?: Priority;
  suppressed?: Suppression;
  summary?: string;
  modified: string;
  published?: string;
  /** The component's purl, with version. */
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  scope: string;
  direct: boolean;
  severity: Severity;
  /** Fixed versions closing the matched interval(s): the upgrade targets for this version. */
  fixed: string[];
  /** Every fixed version the advisory names for this package. */
  fixedVersions: string[];
  match: MatchReason[];
  /** Dependency paths from a root (root label first, then purls), shortest first. */
  paths: string[][];
  locations: { path: string; line?: number }[];
  references: { type: string; url: string }[];
}

export interface ExtractorStatus {
  id: string;
  filesRead: number;
  packages: number;
  failed: { path: string; reason: string }[];
}

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
  return [...byId.values()].sort((a, b) => cmp(a.id, b.id));
}

export interface StoreInfo {
  ecosystem: string;
  count: number;
  newestModified: string | null;
  source: string;
  loadedAt: string;
}

export interface ScanReport {
  schemaVersion: string;
  tool: { name: 'vouch'; version: string };
  createdAt: string;
  failOn: Rating | 'any' | 'none';
  /** true when a finding at or above `failOn` was reported: the CLI exits 1. */
  failed: boolean;
  summary: {
    inputs: number;
    inputsFailed: number;
    components: number;
    componentsChecked: number;
    findings: number;
    vulnerablePackages: number;
    bySeverity: Record<Rating, number>;
  };
  inputs: InputStatus[];
  /** Per extractor: files read, packages found, files that failed with the reason (schema 1.1). */
  extractors: ExtractorStatus[];
  findings: ReportFinding[];
  notChecked: { purl: string; reason: string }[];
  unresolved: CollectedInventory['unresolved'];
  stats: { advisoriesConsidered: number; gitRangesSkipped: number; malformedRanges: { id: string; reason: string }[] };
  store: StoreInfo[];
}

export function buildScanReport(args: {
  inventory: CollectedInventory;
  findings: Finding[];
  stats: MatchStats;
  store: StoreInfo[];
  failOn: Rating | 'any' | 'none';
  now?: Date;
}): ScanReport {
  const { inventory, stats } = args;
  // Most severe first (rating, then score), then by package name, version and advisory id, so the
  // table and the JSON read the same way.
  const findings = args.findings
    .map((f) => toReportFinding(f, inventory.graph))
    .sort(
      (a, b) =>
        RATINGS_DESC.indexOf(a.severity.rating) - RATINGS_DESC.indexOf(b.severity.rating) ||
        (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
        cmp(a.name, b.name) ||
        compareVersions(a.ecosystem, a.version, b.version) ||
        cmp(a.id, b.id),
    );
  const bySeverity = Object.fromEntries(RATINGS_DESC.map((r) => [r, 0])) as Record<Rating, number>;
  for (const f of findings) bySeverity[f.severity.rating]++;
  const failed =
    args.failOn === 'none' ? false : args.failOn === 'any' ? findings.length > 0 : findings.some((f) => atLeast(f.severity.rating, args.failOn as Rating));
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    tool: { name: 'vouch', version: VERSION },
    createdAt: (args.now ?? new Date()).toISOString(),
    failOn: args.failOn,
    failed,
    summary: {
      inputs: inventory.inputs.length,
      inputsFailed: inventory.inputs.filter((i) => i.status === 'failed').length,
      components: inventory.graph.components.size,
      componentsChecked: stats.componentsChecked,
      findings: findings.length,
      vulnerablePackages: new Set(findings.map((f) => f.purl)).size,
      bySeverity,
    },
    inputs: inventory.inputs,
    extractors: extractorStatus(inventory.inputs),
    findings,
    notChecked: stats.componentsNotChecked,
    unresolved: inventory.unresolved,
    stats: { advisoriesConsidered: stats.advisoriesConsidered, gitRangesSkipped: stats.gitRangesSkipped, malformedRanges: dedupe(stats.malformedRanges) },
    store: args.store,
  };
}

function toReportFinding(f: Finding, graph: DependencyGraph): ReportFinding {
  const c = f.component;
  const matchedFixes = new Set(f.reasons.map((r) => r.fixed));
  return {
    id: f.advisory.id,
    aliases: [...(f.advisory.aliases ?? [])],
    ...(f.advisory.summary !== undefined ? { summary: f.advisory.summary } : {}),
    modified: f.advisory.modified,
    ...(f.advisory.published !== undefined ? { published: f.advisory.published } : {}),
    purl: c.purl,
    ecosystem: c.ecosystem ?? '',
    name: c.name,
    version: c.version,
    scope: c.scope,
    direct: c.direct,
    severity: severityOf(f.advisory, f.reasons[0]?.affectedIndex),
    fixed: f.fixedVersions.filter((v) => matchedFixes.has(v)),
    fixedVersions: f.fixedVersions,
    match: f.reasons,
    paths: f.paths.map((p) => p.map((id, i) => (i === 0 ? (graph.roots.get(id) ?? id) : id))),
    locations: f.locations,
    references: (f.advisory.references ?? []).filter((r) => r && typeof r.url === 'string').map((r) => ({ type: r.type, url: r.url })),
  };
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

function compareVersions(ecosystem: string, a: string, b: string): number {
  const v = ecosystemByOsvName(ecosystem)?.versioning;
  if (v && v.parse(a) !== undefined && v.parse(b) !== undefined) return v.compare(a, b);
  return cmp(a, b);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
