/** What `vouch sbom diff` finds between two inventories (engine/diff.ts builds it, report/diff.ts renders it). */

export interface DiffEntry {
  ecosystem: string;
  name: string;
  /** Versions only in A (removed, or the old side of a change); "" = listed without a version. */
  from: string[];
  /** Versions only in B (added, or the new side of a change); "" = listed without a version. */
  to: string[];
}

export interface SbomDiff {
  /** `components`: what an SBOM of the input lists, versionless components included. */
  a: { path: string; components: number };
  b: { path: string; components: number };
  added: DiffEntry[];
  removed: DiffEntry[];
  changed: DiffEntry[];
}
