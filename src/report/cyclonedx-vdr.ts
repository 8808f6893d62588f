/**
 * The scan report as a CycloneDX 1.6 VDR (vulnerability disclosure report): a JSON BOM whose
 * `vulnerabilities[]` say which components are affected by what, for Dependency-Track and any
 * other CycloneDX consumer.
 *
 * - `metadata`: timestamp (the scan's), tool vouch, the subject (an application named after what
 *   was scanned, or the project root when the inventory graph is given and has one root), and the
 *   inputs as `vouch:input` properties.
 * - `components`: by default the vulnerable components only (bom-ref = purl); given the inventory
 *   graph, every component and the dependency edges, as `vouch sbom` writes them (an SBOM and VDR
 *   in one document).
 * - `vulnerabilities`: one entry per finding (advisory × component, in the report's priority order),
 *   bom-ref `<advisory id>|<purl>`:
 *   id, source (OSV, with the osv.dev page), references (every other id of the advisory: CVE → NVD,
 *   GHSA → GitHub Advisory Database, others → OSV), ratings (the CVSS vector and score with method
 *   CVSSv4 / CVSSv31 / CVSSv3 / CVSSv2, or a qualitative rating with method `other`), description
 *   (the summary), recommendation (the fixed versions), advisories (the advisory's reference URLs),
 *   published / updated, affects (the component: its version `affected`, the matched interval as a
 *   vers range, the fixed versions `unaffected`), analysis for a suppressed finding, and
 *   properties for what CycloneDX has no field for (KEV, EPSS, priority, suppression source), all
 *   named `vouch:…` and listed in docs/reports.md.
 */
import type { Component } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import type { Renderer } from './render.js';
import { buildCycloneDx, type CdxBom } from '../sbom/cyclonedx-write.js';
import { finishUuid, purlParts } from '../sbom/common-write.js';
import type { ReportFinding, Suppression } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import type { Rating } from '../model/triage.js';

export interface VdrOptions {
  /** The subject's name when the inventory graph does not give one (default: the scanned inputs). */
  subjectName?: string;
  /** A serial number derived from the content instead of a random one (for reproducible output). */
  deterministic?: boolean;
}

export interface CdxProperty {
  name: string;
  value: string;
}

interface CdxSource {
  name: string;
  url?: string;
}

export interface CdxVulnerability {
  'bom-ref': string;
  id: string;
  source: CdxSource;
  references?: { id: string; source: CdxSource }[];
  ratings?: { source: CdxSource; score?: number; severity: string; method: string; vector?: string }[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  updated?: string;
  analysis?: { state: string; justification?: string; detail?: string };
  affects: { ref: string; versions: ({ version: string; status: string } | { range: string; status: string })[] }[];
  properties?: CdxProperty[];
}

export type CdxVdr = Omit<CdxBom, 'metadata'> & {
  metadata: CdxBom['metadata'] & { properties?: CdxProperty[] };
  vulnerabilities: CdxVulnerability[];
};

/** OpenVEX (and CSAF) `not_affected` justifications → CycloneDX `analysis.justification`. */
const JUSTIFICATIONS: Record<string, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};
const CDX_JUSTIFICATIONS = new Set([
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
]);
/** VEX status (OpenVEX, or CycloneDX's own when the VEX was CycloneDX) → CycloneDX `analysis.state`. */
const STATES: Record<string, string> = {
  not_affected: 'not_affected',
  false_positive: 'false_positive',
  fixed: 'resolved',
  resolved: 'resolved',
  resolved_with_pedigree: 'resolved_with_pedigree',
  affected: 'exploitable',
  exploitable: 'exploitable',
  under_investigation: 'in_triage',
  in_triage: 'in_triage',
};

const SEVERITIES: Record<Rating, string> = { CRITICAL: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low', NONE: 'none', UNKNOWN: 'unknown' };

const OSV: CdxSource = { name: 'OSV', url: 'https://osv.dev' };

/**
 * The CycloneDX 1.6 VDR of a scan report as a document. `inventory`, when given, puts every
 * component of the scan in the BOM (with the graph's edges); otherwise only vulnerable ones.
 */
export function buildCycloneDxVdr(report: ScanReport, inventory?: DependencyGraph | readonly Component[], opts: VdrOptions = {}): CdxVdr {
  const graph = new DependencyGraph();
  if (inventory instanceof DependencyGraph) graph.merge(inventory);
  else for (const c of inventory ?? []) graph.add(c);
  for (const f of report.findings) {
    if (!graph.components.has(f.purl)) {
      graph.add({ purl: f.purl, ecosystem: f.ecosystem || undefined, name: f.name, version: f.version, scope: scopeOf(f.scope), direct: f.direct, locations: f.locations });
    }
  }
  const subjectName = opts.subjectName ?? (report.inputs.map((i) => i.path).join(', ') || 'vouch scan');
  const bom = buildCycloneDx(graph, { subjectName, now: new Date(report.createdAt) });
  // A graph built from findings alone has no edges: list no dependencies rather than empty ones.
  const dependencies = inventory instanceof DependencyGraph ? bom.dependencies : [];
  const inputs = report.inputs.map((i) => ({ name: 'vouch:input', value: i.path }));
  return {
    ...bom,
    metadata: { ...bom.metadata, ...(inputs.length ? { properties: inputs } : {}) },
    dependencies,
    vulnerabilities: report.findings.map(vulnerability),
  };
}

/** CycloneDX 1.6 JSON, two-space indented, with a final newline. */
export function renderCycloneDxVdr(report: ScanReport, inventory?: DependencyGraph | readonly Component[], opts: VdrOptions = {}): string {
  const text = `${JSON.stringify(buildCycloneDxVdr(report, inventory, opts), null, 2)}\n`;
  return finishUuid(text, { subjectName: '', deterministic: opts.deterministic ?? false });
}

function vulnerability(f: ReportFinding): CdxVulnerability {
  const v: CdxVulnerability = {
    'bom-ref': `${f.id}|${f.purl}`,
    id: f.id,
    source: { name: 'OSV', url: osvUrl(f.id) },
    affects: [{ ref: f.purl, versions: affectedVersions(f) }],
  };
  const otherIds = [...new Set([...(f.ids ?? []), ...f.aliases])].filter((a) => a !== f.id);
  if (otherIds.length) v.references = otherIds.map((id) => ({ id, source: sourceOf(id) }));
  const rating = ratingOf(f);
  if (rating) v.ratings = [rating];
  if (f.summary) v.description = f.summary;
  const rec = recommendation(f);
  if (rec) v.recommendation = rec;
  const urls = [...new Set(f.references.map((r) => r.url).filter(isUrl))];
  if (urls.length) v.advisories = urls.map((url) => ({ url }));
  if (f.published && isDateTime(f.published)) v.published = f.published;
  if (isDateTime(f.modified)) v.updated = f.modified;
  if (f.suppressed) v.analysis = analysis(f.suppressed);
  const props = properties(f);
  if (props.length) v.properties = props;
  return v;
}

function osvUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** Where an id is published: CVE → NVD, GHSA → GitHub, anything else → OSV. */
function sourceOf(id: string): CdxSource {
  if (/^CVE-\d+-\d+$/.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) return { name: 'GitHub Advisories', url: `https://github.com/advisories/${id}` };
  return { ...OSV, url: osvUrl(id) };
}

type CdxRating = NonNullable<CdxVulnerability['ratings']>[number];

function ratingOf(f: ReportFinding): CdxRating | undefined {
  const s = f.severity;
  if (s.score !== undefined && s.vector) {
    return { source: { name: 'OSV', url: osvUrl(f.id) }, score: s.score, severity: SEVERITIES[s.rating], method: cvssMethod(s.vector, s.source), vector: s.vector };
  }
  if (s.rating === 'UNKNOWN') return undefined;
  return { source: { name: 'OSV', url: osvUrl(f.id) }, severity: SEVERITIES[s.rating], method: 'other' };
}

/** CycloneDX's score method of a CVSS vector: from its prefix, else from OSV's severity type. */
export function cvssMethod(vector: string, osvType?: string): string {
  if (vector.startsWith('CVSS:4.0/')) return 'CVSSv4';
  if (vector.startsWith('CVSS:3.1/')) return 'CVSSv31';
  if (vector.startsWith('CVSS:3.0/')) return 'CVSSv3';
  if (osvType === 'CVSS_V2' || /^AV:[LAN]\/AC:/.test(vector)) return 'CVSSv2';
  if (osvType === 'CVSS_V3') return 'CVSSv3';
  if (osvType === 'CVSS_V4') return 'CVSSv4';
  return 'other';
}

function recommendation(f: ReportFinding): string | undefined {
  if (f.fixed.length) return `Upgrade ${f.name} to ${f.fixed.join(' or ')}.`;
  const last = f.match.map((m) => m.lastAffected).filter((x): x is string => x !== undefined);
  if (last.length) return `Upgrade ${f.name} to a version later than ${last.join(', ')}.`;
  if (f.fixedVersions.length) return `Fixed versions of ${f.name} exist (${f.fixedVersions.join(', ')}), but none closes the range ${f.version} is in.`;
  return undefined;
}

function affectedVersions(f: ReportFinding): CdxVulnerability['affects'][number]['versions'] {
  const out: CdxVulnerability['affects'][number]['versions'] = [{ version: f.version, status: 'affected' }];
  const type = purlParts(f.purl)?.type;
  const ranges = new Set<string>();
  if (type) {
    for (const m of f.match) {
      if (m.kind !== 'range') continue;
      const parts: string[] = [];
      if (m.introduced && m.introduced !== '0') parts.push(`>=${versEncode(m.introduced)}`);
      if (m.fixed) parts.push(`<${versEncode(m.fixed)}`);
      else if (m.lastAffected) parts.push(`<=${versEncode(m.lastAffected)}`);
      ranges.add(`vers:${type}/${parts.length ? parts.join('|') : '*'}`);
    }
  }
  for (const range of ranges) out.push({ range, status: 'affected' });
  for (const version of f.fixedVersions) out.push({ version, status: 'unaffected' });
  return out;
}

/** A version in a vers constraint: the separators and comparator characters percent-encoded. */
function versEncode(v: string): string {
  return v.replace(/[%|<>=!*\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function analysis(s: Suppression): NonNullable<CdxVulnerability['analysis']> {
  const state = s.by === 'ignore' ? 'in_triage' : (STATES[s.status] ?? 'in_triage');
  const j = s.justification && (JUSTIFICATIONS[s.justification] ?? (CDX_JUSTIFICATIONS.has(s.justification) ? s.justification : undefined));
  const detail: string[] = [];
  if (s.by === 'ignore') detail.push(`Ignored by ${s.source}${s.expires ? ` until ${s.expires}` : ''}${s.justification ? `: ${s.justification}` : ''}.`);
  else {
    detail.push(`VEX ${s.status} (${s.source})${s.justification && !j ? `: ${s.justification}` : s.justification ? ` [${s.justification}]` : ''}.`);
    if (s.impactStatement) detail.push(s.impactStatement);
  }
  return { state, ...(j && s.by === 'vex' ? { justification: j } : {}), detail: detail.join(' ') };
}

function properties(f: ReportFinding): CdxProperty[] {
  const p: CdxProperty[] = [];
  const add = (name: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined && value !== '') p.push({ name, value: String(value) });
  };
  if (f.kev) {
    add('vouch:kev:cve', f.kev.cve);
    add('vouch:kev:dateAdded', f.kev.dateAdded);
    add('vouch:kev:dueDate', f.kev.dueDate);
    add('vouch:kev:knownRansomwareUse', f.kev.knownRansomwareUse);
    add('vouch:kev:vulnerabilityName', f.kev.vulnerabilityName);
    add('vouch:kev:requiredAction', f.kev.requiredAction);
  }
  if (f.epss) {
    add('vouch:epss:cve', f.epss.cve);
    add('vouch:epss:score', f.epss.score);
    add('vouch:epss:percentile', f.epss.percentile);
    add('vouch:epss:date', f.epss.date);
  }
  if (f.priority) {
    add('vouch:priority:rank', f.priority.rank);
    add('vouch:priority:reason', f.priority.reason);
  }
  if (f.suppressed) {
    add('vouch:suppressed:by', f.suppressed.by);
    add('vouch:suppressed:status', f.suppressed.status);
    add('vouch:suppressed:source', f.suppressed.source);
    add('vouch:suppressed:expires', f.suppressed.expires);
  }
  if (f.scope !== 'unknown') add('vouch:scope', f.scope);
  add('vouch:direct', f.direct);
  for (const path of f.paths.slice(0, 5)) add('vouch:path', path.join(' > '));
  return p;
}

function scopeOf(s: string): Component['scope'] {
  return s === 'prod' || s === 'dev' || s === 'optional' ? s : 'unknown';
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** RFC 3339 date-time as the schema's `format: date-time` wants it. */
function isDateTime(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s);
}

/** The registry's Renderer (report/index.ts): every component and edge of the scanned graph, when given. */
export const renderVdr: Renderer = (report, ctx) => renderCycloneDxVdr(report, ctx.graph);
