/**
 * The one VEX statement shape every reader (OpenVEX, CycloneDX VEX) normalises into, and the
 * OpenVEX vocabularies (statuses, justifications) vouch validates against.
 */

/** OpenVEX's four statuses, plus CycloneDX's `false_positive` (kept apart: it says the finding is wrong). */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation', 'false_positive'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** The statuses an OpenVEX document may carry (OpenVEX has no false_positive). */
export const OPENVEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type OpenVexStatus = (typeof OPENVEX_STATUSES)[number];

/** OpenVEX 0.2.0 status justifications (spec §Status Justifications). */
export const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const;
export type OpenVexJustification = (typeof OPENVEX_JUSTIFICATIONS)[number];

/** Statuses that take a finding out of the count (it is reported, marked `suppressed`). */
export const SUPPRESSING_STATUSES: ReadonlySet<VexStatus> = new Set(['not_affected', 'false_positive', 'fixed']);

export interface VexStatement {
  vulnerability: { id: string; aliases: string[] };
  /** Product identifiers: purls (with or without version) or other ids (bom-refs, image names, IRIs). */
  products: string[];
  /** Subcomponent identifiers (purls, usually): the packages inside the products the statement is about. */
  subcomponents: string[];
  /**
   * CycloneDX only: purls without version and the VERS range of versions the statement covers
   * (`affects[].versions[].range`), e.g. `{ purl: 'pkg:npm/lodash', range: 'vers:npm/<4.17.21' }`.
   */
  versionRanges?: { purl: string; range: string }[];
  status: VexStatus;
  /** An OpenVEX justification; CycloneDX justifications are mapped (see docs/vex.md). */
  justification?: string;
  /** Why the product is not affected (OpenVEX `impact_statement`, CycloneDX `analysis.detail`). */
  impactStatement?: string;
  /** What to do (OpenVEX `action_statement`; CycloneDX `analysis.response` and `recommendation`). */
  actionStatement?: string;
  /** Free notes (OpenVEX `status_notes`; CycloneDX `analysis.detail` of a non-not_affected state). */
  notes?: string;
  /** ISO 8601, as written: the statement's own, else the document's. */
  timestamp?: string;
  /** Where it came from: `file ($.statements[3])`. */
  source: string;
}

export type VexFormat = 'openvex' | 'cyclonedx';

export interface VexDocument {
  path: string;
  format: VexFormat;
  /** OpenVEX `@context` or CycloneDX `specVersion`. */
  formatVersion: string;
  statements: VexStatement[];
  /** Things read but not used (version ranges, a not_affected without justification ...), one line each. */
  warnings: string[];
}
