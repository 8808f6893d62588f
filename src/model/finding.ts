/** A finding: one component matched by one advisory, with why it matched. */
import type { Advisory } from './advisory.js';
import type { Component, Location } from './component.js';

export interface MatchReason {
  /** Index into the advisory's `affected[]`. */
  affectedIndex: number;
  /** `range` (a SEMVER/ECOSYSTEM range contains the version) or `versions` (listed explicitly). */
  kind: 'range' | 'versions';
  rangeType?: string;
  /** The interval that contains the version: introduced and the bound that closes it, as written. */
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  limit?: string;
}

export interface Finding {
  component: Component;
  advisory: Advisory;
  reasons: MatchReason[];
  /** Fixed versions the advisory names for this package (ascending, in the ecosystem's order). */
  fixedVersions: string[];
  /** Paths from a root to the component (purls; root id first), shortest first. */
  paths: string[][];
  locations: Location[];
}

export interface MatchStats {
  componentsChecked: number;
  /** Components not checked, with the reason (unknown ecosystem, version that does not parse...). */
  componentsNotChecked: { purl: string; reason: string }[];
  advisoriesConsidered: number;
  /** GIT ranges met on candidate advisories: they describe commits and never match a package version. */
  gitRangesSkipped: number;
  /** Ranges that could not be evaluated (bad versions, no introduced event...), with the advisory id. */
  malformedRanges: { id: string; reason: string }[];
}
