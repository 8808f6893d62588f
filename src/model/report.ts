/**
 * The scan report: the one data shape every output format renders from. Its JSON form is the
 * documented, versioned schema in docs/scan-json.md (`schemaVersion` below).
 */
import type { CollectedInventory, InputStatus, UnlockedManifest } from './inventory.js';
import type { EcosystemStatus, FeedStatus } from './store.js';
import type { Rating, ReportFinding } from './triage.js';

export const SCAN_SCHEMA_VERSION = '1.4';

export interface ExtractorStatus {
  id: string;
  filesRead: number;
  packages: number;
  failed: { path: string; reason: string }[];
}

/** The policy file's verdict (schema 1.2), when a policy was used. */
export interface PolicySummary {
  file: string;
  failed: boolean;
  violations: { rule: string; level: 'fail' | 'warn'; message: string; purl?: string; id?: string; source: string }[];
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
    /** Since 1.3: inputs read only in part (status `partial`: see their `lost`). */
    inputsPartial?: number;
    components: number;
    componentsChecked: number;
    /** Every finding listed, suppressed ones included. */
    findings: number;
    /** Since 1.2: findings suppressed (VEX, ignore rules): listed, but not counted below nor toward `failed`. */
    suppressed?: number;
    /** Since 1.2: unsuppressed findings in the CISA KEV catalog. */
    kev?: number;
    vulnerablePackages: number;
    /** Unsuppressed findings per rating. */
    bySeverity: Record<Rating, number>;
  };
  inputs: InputStatus[];
  /** Per extractor: files read, packages found, files that failed with the reason (schema 1.1). */
  extractors: ExtractorStatus[];
  findings: ReportFinding[];
  notChecked: { purl: string; reason: string }[];
  unresolved: CollectedInventory['unresolved'];
  /** Since 1.3: manifests found with no lockfile beside them (not read), each with the command that writes one. */
  unlocked?: UnlockedManifest[];
  stats: { advisoriesConsidered: number; gitRangesSkipped: number; malformedRanges: { id: string; reason: string }[] };
  store: EcosystemStatus[];
  /** Since 1.2: the KEV / EPSS feeds the store holds (empty when none is loaded). */
  feeds?: FeedStatus[];
  /** Since 1.2: the policy's verdict, when a policy file was used; `failed` above follows it. */
  policy?: PolicySummary;
}
