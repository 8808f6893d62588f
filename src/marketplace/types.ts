/**
 * The marketplace's vocabulary: needs (work an upstream project needs, derived from our portfolio),
 * volunteers and pledges, matches and engagements. Plain data, shared by the CLI and (later) the
 * server.
 */

/** S ≤ 1 day, M ≤ 1 week, L longer. */
export type EffortClass = 'S' | 'M' | 'L';

/** Hours a need of each class is planned at when matching (a working day, a working week, two weeks). */
export const EFFORT_HOURS: Record<EffortClass, number> = { S: 8, M: 40, L: 80 };

/** What a need asks of a volunteer, and what a volunteer offers. Names are compared case-insensitively. */
export interface SkillProfile {
  /** Programming languages (JavaScript, Python, Go ...). Empty: any language. */
  languages: string[];
  /** Package ecosystems, OSV names (npm, PyPI, Go ...). */
  ecosystems: string[];
  /** Kinds of work (see AREAS): ci-security, fuzzing, release-engineering ... */
  areas: string[];
  /** What the project is about, read from its manifest (parsers, cryptography ...). */
  domains: string[];
}

export type NeedKind = 'fix-upstream' | 'backport' | 'health';

/** How a need's priority was computed: reliance × criticality × gap weight. */
export interface NeedScore {
  /** the package's reliance in our portfolio (vouch health --portfolio) */
  reliance: number;
  /** the OpenSSF criticality score of the project's clone, 0–1 */
  criticality: number;
  /** 'clone': computed from the clone under --repos; 'assumed': no clone, 0.5 used */
  criticalitySource: 'clone' | 'assumed';
  /** 0–1: how much the gap matters (see docs/marketplace.md) */
  gapWeight: number;
  /** the gap weight spelled out, e.g. "Security-Policy risk Medium (0.5) × (10 − 0)/10" */
  gap: string;
}

export interface NeedProject {
  ecosystem: string;
  name: string;
  /** host/owner/repo, when known */
  repositoryUrl?: string;
  /** the local clone the health needs were read from */
  clone?: string;
  /** the clone's aggregate health score (0–10), when checked */
  health?: number | null;
}

export interface Need {
  /** Stable across runs: `<ecosystem>/<name>#<what>`. */
  id: string;
  kind: NeedKind;
  project: NeedProject;
  title: string;
  /** What to do: the check's remediation text, or the fix/backport to make. */
  task: string;
  /** Why: a sentence a reader can check by hand. */
  reason: string;
  /** Where: files and lines, advisory ids, tags. */
  evidence: string[];
  skills: SkillProfile;
  effort: EffortClass;
  /** EFFORT_HOURS[effort] */
  hours: number;
  /** reliance × criticality × gap weight, 3 decimals */
  priority: number;
  score: NeedScore;
  /** health needs: the check and its score */
  check?: { name: string; score: number | null };
  /** vulnerability needs */
  advisory?: { id: string; aliases: string[]; severity: string; versions: string[]; fixedVersions: string[]; ourLine: string; fixLine?: string };
}

/** A project's own funding channels and plans (FUNDING.yml, funding.json), https links only. */
export interface FundingInfo {
  /** `github: [octo]`, `open_collective: x`, ... as platform → account names or https URLs */
  channels: { platform: string; account: string; url?: string; source: string }[];
  plans: { name: string; amount: number; currency: string; frequency: string; status: string; source: string }[];
}

export interface ProjectNeeds {
  ecosystem: string;
  name: string;
  reliance: number;
  criticality?: number;
  health?: number | null;
  clone?: string;
  funding?: FundingInfo;
  needs: Need[];
}

export const NEEDS_SCHEMA = 'vouch-marketplace-needs/1';

export interface NeedsReport {
  schema: typeof NEEDS_SCHEMA;
  /** ISO 8601 */
  generated: string;
  /** every need, highest priority first */
  needs: Need[];
  /** projects with needs or funding information, by reliance */
  projects: ProjectNeeds[];
  /** one line per input or file that could not be read; the rest was still computed */
  warnings: string[];
  /** why the list is empty, when it is */
  empty?: string;
}

export interface Volunteer {
  name: string;
  company?: string;
  email?: string;
  languages: string[];
  ecosystems: string[];
  /** areas of work (AREAS) */
  skills: string[];
  /** domains they know (parsers, cryptography ...) */
  domains: string[];
  hoursPerMonth: number;
  /** packages (`npm/lodash` or `lodash`), areas or domains they would like to work on */
  interests: string[];
  /** line of the entry in the volunteers file */
  line?: number;
}

export interface Pledge {
  company: string;
  /** `2026Q4` */
  quarter: string;
  hours: number;
  line?: number;
}
