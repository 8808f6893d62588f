/**
 * Needs, derived and explained. For each upstream project we rely on, concrete needs with a reason,
 * a skill profile, an effort class and a priority:
 *
 *   priority = reliance in our portfolio × criticality of the project × weight of the gap
 *
 * - reliance: `vouch health --portfolio`'s score (projects, direct vs transitive, prod vs dev, paths);
 * - criticality: the OpenSSF criticality score of the project's clone (0–1); 0.5 when no clone was
 *   found, and the need says so;
 * - gap weight (0–1): for a failed health check, Scorecard's risk weight of the check / 10 ×
 *   (10 − score) / 10; for a vulnerability, its severity (critical 1, high 0.75, moderate 0.5,
 *   low 0.25, not rated 0.5).
 *
 * Pure: the evidence (health reports, classified vulnerabilities, funding files) is gathered by
 * collect.ts.
 */
import type { HealthReport } from '../health/run.js';
import { RISK_WEIGHT, type CheckResult, type Risk } from '../health/types.js';
import { languagesFor, profile } from './skills.js';
import { EFFORT_HOURS, type EffortClass, type FundingInfo, type Need, type NeedScore, type ProjectNeeds } from './types.js';

/** A vulnerability of a package we use that nobody can fix by upgrading (see classifyVulnerability). */
export interface VulnGap {
  kind: 'fix-upstream' | 'backport';
  id: string;
  aliases: string[];
  summary?: string;
  /** CRITICAL, HIGH, MODERATE, LOW or UNKNOWN */
  severity: string;
  /** our affected versions */
  versions: string[];
  /** every fixed version the advisory names */
  fixedVersions: string[];
  /** our major line, e.g. `4` or `0.3` */
  ourLine: string;
  /** backport: the lowest fixed version above ours, and its line */
  fixedIn?: string;
  fixLine?: string;
}

export interface ActiveMaintainers {
  /** people (not bots) who authored commits in the window */
  authors: string[];
  windowDays: number;
}

export interface PackageEvidence {
  ecosystem: string;
  name: string;
  reliance: number;
  repositoryUrl?: string;
  clone?: {
    path: string;
    health: HealthReport;
    activeMaintainers?: ActiveMaintainers;
    /** domains named by the project's manifest */
    domains: string[];
  };
  vulnerabilities: VulnGap[];
  funding?: FundingInfo;
}

/** A failed health check that becomes a need. */
interface HealthGap {
  check: string;
  title: (score: number) => string;
  areas: string[];
  /** the need asks for the project's languages (code changes) */
  code: boolean;
  effort: EffortClass;
  /** the check "fails" below this score */
  below: number;
  /** the task when the check's own remediation is not a task for a volunteer */
  task?: string;
}

/**
 * The health checks a volunteer can fix upstream: no security policy, unpinned or dangerous
 * workflows, no fuzzing, no signed releases, unmaintained. Checks that describe the project rather
 * than a task (Contributors, License, Packaging ...) are not needs.
 */
export const HEALTH_GAPS: readonly HealthGap[] = [
  { check: 'Security-Policy', title: (s) => (s === 0 ? 'Add a security policy' : 'Complete the security policy'), areas: ['security-policy'], code: false, effort: 'S', below: 10 },
  { check: 'Pinned-Dependencies', title: () => 'Pin CI and build dependencies', areas: ['ci-security'], code: false, effort: 'S', below: 10 },
  { check: 'Token-Permissions', title: () => 'Make workflow tokens read-only by default', areas: ['ci-security'], code: false, effort: 'S', below: 10 },
  { check: 'Dangerous-Workflow', title: () => 'Remove dangerous workflow patterns', areas: ['ci-security'], code: false, effort: 'S', below: 10 },
  { check: 'Fuzzing', title: () => 'Add fuzz targets and run them continuously', areas: ['fuzzing'], code: true, effort: 'L', below: 10 },
  { check: 'Signed-Releases', title: () => 'Sign releases', areas: ['release-engineering'], code: false, effort: 'M', below: 10 },
  {
    check: 'Maintained',
    title: () => 'Help maintain the project',
    areas: ['maintenance'],
    code: true,
    effort: 'L',
    below: 3,
    task: 'Co-maintain: review and merge the pending pull requests, triage open issues and cut a release, with the maintainers\' agreement.',
  },
];

/** The pseudo-check for "one active maintainer" (bus factor 1). */
export const ACTIVE_MAINTAINERS = 'Active-Maintainers';
const ACTIVE_MAINTAINERS_TASK =
  'Become a second active maintainer: review pull requests, share release duties and hold a second set of publishing credentials, so the project does not rest on one person.';
const ACTIVE_MAINTAINERS_RISK: Risk = 'High';

export const SEVERITY_WEIGHT: Record<string, number> = { CRITICAL: 1, HIGH: 0.75, MODERATE: 0.5, MEDIUM: 0.5, LOW: 0.25, UNKNOWN: 0.5 };

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Does a health check with this score fail the gap's rule? (Not-run checks never do.) */
export function gapFails(check: string, score: number | null): boolean {
  if (score === null) return false;
  const g = HEALTH_GAPS.find((x) => x.check === check);
  return g !== undefined && score < g.below;
}

function evidenceOf(c: CheckResult): string[] {
  return c.evidence
    .filter((e) => e.kind === 'fail')
    .slice(0, 8)
    .map((e) => `${e.path}${e.line !== undefined ? `:${e.line}` : ''}: ${e.detail}`);
}

export function deriveNeeds(packages: readonly PackageEvidence[]): { needs: Need[]; projects: ProjectNeeds[] } {
  const projects: ProjectNeeds[] = [];
  for (const p of packages) {
    const crit = p.clone ? p.clone.health.criticality.score : 0.5;
    const critSource = p.clone ? ('clone' as const) : ('assumed' as const);
    const languages = languagesFor(p.ecosystem);
    const domains = p.clone?.domains ?? [];
    const project = {
      ecosystem: p.ecosystem,
      name: p.name,
      ...(p.repositoryUrl ? { repositoryUrl: p.repositoryUrl } : {}),
      ...(p.clone ? { clone: p.clone.path, health: p.clone.health.score } : {}),
    };
    const base = `${p.ecosystem}/${p.name}`;
    const critText = critSource === 'clone' ? `criticality ${crit}` : 'criticality 0.5 (assumed: no clone under --repos)';
    const score = (gapWeight: number, gap: string): NeedScore => ({ reliance: p.reliance, criticality: crit, criticalitySource: critSource, gapWeight: round3(gapWeight), gap });
    const needs: Need[] = [];
    const push = (n: Omit<Need, 'priority' | 'hours' | 'project'>): void => {
      needs.push({ ...n, project, hours: EFFORT_HOURS[n.effort], priority: round3(p.reliance * crit * n.score.gapWeight) });
    };

    if (p.clone) {
      const checks = new Map(p.clone.health.checks.map((c) => [c.name, c]));
      for (const g of HEALTH_GAPS) {
        const c = checks.get(g.check);
        if (!c || c.score === null || !gapFails(g.check, c.score)) continue;
        const w = (RISK_WEIGHT[c.risk] / 10) * ((10 - c.score) / 10);
        push({
          id: `${base}#${g.check.toLowerCase()}`,
          kind: 'health',
          title: g.title(c.score),
          task: g.task ?? c.remediation,
          reason: `${g.check} scores ${c.score}/10 on the clone: ${c.reason}; reliance ${p.reliance}, ${critText}`,
          evidence: evidenceOf(c),
          skills: profile({ languages: g.code ? languages : [], ecosystems: [p.ecosystem], areas: g.areas, domains: g.code ? domains : [] }),
          effort: g.effort,
          score: score(w, `${g.check} risk ${c.risk} (${RISK_WEIGHT[c.risk] / 10}) × (10 − ${c.score})/10`),
          check: { name: g.check, score: c.score },
        });
      }
      const am = p.clone.activeMaintainers;
      if (am && am.authors.length === 1) {
        const w = RISK_WEIGHT[ACTIVE_MAINTAINERS_RISK] / 10;
        push({
          id: `${base}#${ACTIVE_MAINTAINERS.toLowerCase()}`,
          kind: 'health',
          title: 'Become a second maintainer',
          task: ACTIVE_MAINTAINERS_TASK,
          reason: `one person authored every commit of the last ${am.windowDays} days (${am.authors[0]}); reliance ${p.reliance}, ${critText}`,
          evidence: [`git log: 1 author in ${am.windowDays} days`],
          skills: profile({ languages, ecosystems: [p.ecosystem], areas: ['maintenance', 'code-review'], domains }),
          effort: 'L',
          score: score(w, `one active maintainer: risk ${ACTIVE_MAINTAINERS_RISK} (${w}) × 1`),
          check: { name: ACTIVE_MAINTAINERS, score: null },
        });
      }
    }

    for (const v of p.vulnerabilities) {
      const sev = v.severity.toUpperCase();
      const w = SEVERITY_WEIGHT[sev] ?? SEVERITY_WEIGHT['UNKNOWN']!;
      const label = [v.id, ...v.aliases.filter((a) => a.startsWith('CVE-')).slice(0, 1)].join(' / ');
      const advisory = { id: v.id, aliases: v.aliases, severity: sev, versions: v.versions, fixedVersions: v.fixedVersions, ourLine: v.ourLine, ...(v.fixLine ? { fixLine: v.fixLine } : {}) };
      if (v.kind === 'fix-upstream') {
        push({
          id: `${base}#fix:${v.id}`,
          kind: 'fix-upstream',
          title: `Fix ${label} upstream`,
          task: `Write a fix for ${v.id}${v.summary ? ` (${v.summary})` : ''} in ${p.name}, get it merged and released, and ask the advisory to name the fixed version.`,
          reason: `${v.id} affects ${p.name} ${v.versions.join(', ')} in our portfolio and no fixed version is published${v.fixedVersions.length ? ` above ours (fixed versions named: ${v.fixedVersions.join(', ')})` : ''}; severity ${sev}; reliance ${p.reliance}, ${critText}`,
          evidence: [`advisory ${v.id}`, ...v.versions.map((x) => `${p.name}@${x}`)],
          skills: profile({ languages, ecosystems: [p.ecosystem], areas: ['vulnerability-fixing'], domains }),
          effort: 'M',
          score: score(w, `severity ${sev} (${w})`),
          advisory,
        });
      } else {
        push({
          id: `${base}#backport:${v.id}@${v.ourLine}`,
          kind: 'backport',
          title: `Backport the ${label} fix to the ${v.ourLine}.x line`,
          task: `${v.id} is fixed in ${v.fixedIn} (the ${v.fixLine}.x line) only: backport the fix to the ${v.ourLine}.x line we use (${v.versions.join(', ')}) and ask for a release.`,
          reason: `${v.id} affects ${p.name} ${v.versions.join(', ')} in our portfolio and is fixed only on the newer ${v.fixLine}.x line (${v.fixedIn}); severity ${sev}; reliance ${p.reliance}, ${critText}`,
          evidence: [`advisory ${v.id}`, `fixed in ${v.fixedIn}`, ...v.versions.map((x) => `${p.name}@${x}`)],
          skills: profile({ languages, ecosystems: [p.ecosystem], areas: ['backporting', 'release-engineering'], domains }),
          effort: 'M',
          score: score(w, `severity ${sev} (${w})`),
          advisory,
        });
      }
    }
    if (needs.length > 0 || p.funding) {
      projects.push({
        ecosystem: p.ecosystem,
        name: p.name,
        reliance: p.reliance,
        ...(p.clone ? { criticality: crit, health: p.clone.health.score, clone: p.clone.path } : {}),
        ...(p.funding ? { funding: p.funding } : {}),
        needs,
      });
    }
  }
  const needs = projects.flatMap((p) => p.needs).sort(byPriority);
  return { needs, projects };
}

export function byPriority(a: Need, b: Need): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `1.2.3` → `1`, `0.3.1` → `0.3` (before 1.0 the minor version is the line), `v2` → `2`. */
export function majorLine(version: string): string {
  const m = /^\s*[vV]?(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return version;
  const major = String(Number(m[1]));
  return major === '0' && m[2] !== undefined ? `0.${Number(m[2])}` : major;
}

/** The bounds of an advisory interval that contains our version, as the matcher reports them. */
export interface IntervalEnd {
  fixed?: string;
  lastAffected?: string;
}

/**
 * Whether a finding is a need: `fix-upstream` when no fix above our version is published,
 * `backport` when every such fix is on a newer line than ours, undefined when a fix on our own line
 * exists (upgrading is ours to do: `vouch fix`).
 *
 * A fix is a `fixed` bound of an interval containing our version, or, when the matcher names no
 * interval, any fixed version above ours the advisory names. A `last_affected: L` bound says the
 * releases after L are not affected: it counts as a fix on L's line ("after L").
 */
export function classifyVulnerability(
  version: string,
  intervals: readonly IntervalEnd[],
  fixedVersions: readonly string[],
  compare: (a: string, b: string) => number,
): { kind: 'fix-upstream' | 'backport'; ourLine: string; fixedIn?: string; fixLine?: string } | undefined {
  const safeCompare = (a: string, b: string): number | undefined => {
    try {
      return compare(a, b);
    } catch {
      return undefined;
    }
  };
  const fixed = intervals.map((i) => i.fixed).filter((x): x is string => x !== undefined);
  const after = intervals.map((i) => i.lastAffected).filter((x): x is string => x !== undefined);
  const candidates = (intervals.length > 0 ? fixed : fixedVersions).filter((f) => (safeCompare(f, version) ?? 0) > 0);
  const ourLine = majorLine(version);
  if (candidates.length === 0 && after.length === 0) return { kind: 'fix-upstream', ourLine };
  if (candidates.some((f) => majorLine(f) === ourLine) || after.some((l) => majorLine(l) === ourLine)) return undefined;
  const lowest = [...candidates].sort((a, b) => safeCompare(a, b) ?? 0)[0];
  if (lowest !== undefined) return { kind: 'backport', ourLine, fixedIn: lowest, fixLine: majorLine(lowest) };
  const last = [...after].sort((a, b) => safeCompare(a, b) ?? 0)[0]!;
  return { kind: 'backport', ourLine, fixedIn: `the releases after ${last}`, fixLine: majorLine(last) };
}

/** The interval bounds of a finding's range reasons (explicit `versions` entries have none). */
export function intervalsOf(reasons: readonly { kind: string; fixed?: string; lastAffected?: string }[]): IntervalEnd[] {
  return reasons.filter((r) => r.kind === 'range').map((r) => ({ ...(r.fixed !== undefined ? { fixed: r.fixed } : {}), ...(r.lastAffected !== undefined ? { lastAffected: r.lastAffected } : {}) }));
}

/** One advisory on one package of ours: each of our versions with its classification (undefined: a fix on our line exists). */
export interface ClassifiedAdvisory {
  ecosystem: string;
  name: string;
  id: string;
  aliases: string[];
  summary?: string;
  severity: string;
  fixedVersions: string[];
  versions: Map<string, ReturnType<typeof classifyVulnerability>>;
}

/**
 * The needs' view of classified advisories, by package (`ecosystem\u0000name`): one fix-upstream
 * gap for the versions with no fix above them, one backport gap per line of ours fixed only on a
 * newer line. The CLI (collect.ts, from the local store) and the server (from stored findings)
 * both group this way.
 */
export function vulnGaps(list: readonly ClassifiedAdvisory[]): Map<string, VulnGap[]> {
  const out = new Map<string, VulnGap[]>();
  for (const e of list) {
    const key = `${e.ecosystem}\u0000${e.name}`;
    const base = { id: e.id, aliases: e.aliases, ...(e.summary ? { summary: e.summary } : {}), severity: e.severity, fixedVersions: e.fixedVersions };
    const upstream = [...e.versions].filter(([, c]) => c?.kind === 'fix-upstream');
    const gaps: VulnGap[] = [];
    if (upstream.length) gaps.push({ ...base, kind: 'fix-upstream', versions: upstream.map(([v]) => v), ourLine: upstream[0]![1]!.ourLine });
    const lines = new Map<string, [string, NonNullable<ReturnType<typeof classifyVulnerability>>][]>();
    for (const [v, c] of e.versions) if (c?.kind === 'backport') lines.set(c.ourLine, [...(lines.get(c.ourLine) ?? []), [v, c]]);
    for (const [line, l] of lines) {
      const c = l[0]![1];
      gaps.push({ ...base, kind: 'backport', versions: l.map(([v]) => v), ourLine: line, ...(c.fixedIn ? { fixedIn: c.fixedIn } : {}), ...(c.fixLine ? { fixLine: c.fixLine } : {}) });
    }
    if (gaps.length) out.set(key, [...(out.get(key) ?? []), ...gaps]);
  }
  return out;
}
