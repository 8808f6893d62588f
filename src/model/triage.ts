/**
 * The triaged-finding vocabulary: what the triage stage adds to a match (severity, KEV, EPSS,
 * priority, suppression) and the finding every report renders. Plain types, shared by the stages
 * that produce them (triage) and those that read them (report, the CLI, the server).
 */
import type { MatchReason } from './finding.js';

export type Rating = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NONE' | 'UNKNOWN';

export const RATINGS_DESC: readonly Rating[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];

export interface Severity {
  rating: Rating;
  score?: number;
  vector?: string;
  /** Where the rating came from: `CVSS_V4`, `CVSS_V3`, `CVSS_V2` or `database_specific`. */
  source?: string;
}

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

/** A subscribed feed, as a finding names it (schema 1.4). */
export interface FindingSource {
  /** The publisher its signed index names. */
  name: string;
  /** Its URL, or the absolute path of a local feed folder. */
  url: string;
  /** `SHA256:<hex>` of the key that verified it. */
  key: string;
  /** The record's TLP level: CLEAR, GREEN, AMBER or RED. */
  tlp: string;
}

export interface ReportFinding {
  /** OSV id of the advisory (the primary one when several records alias each other). */
  id: string;
  /**
   * Since 1.4: the subscribed feed the advisory came from (docs/feeds.md); absent for the OSV
   * database's records. Records of different sources are never merged into one finding.
   */
  source?: FindingSource;
  aliases: string[];
  /** Since 1.2: every advisory id merged into this finding (OSV ids of aliasing records), `id` first. */
  ids?: string[];
  kev?: KevInfo;
  epss?: EpssInfo;
  priority?: Priority;
  suppressed?: Suppression;
  summary?: string;
  /** Since 1.2: the advisory's `details`, cut to its first 1,000 characters (… marks a cut). */
  details?: string;
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
  /** Dependency paths from a root (root label first, then purls), shortest first; at most 20. */
  paths: string[][];
  /** Since 1.2: how many paths lead to the component in all, when more than `paths` lists. */
  pathsTotal?: number;
  locations: { path: string; line?: number }[];
  references: { type: string; url: string }[];
}
