/**
 * `vouch sbom` below the CLI: inputs → inventory → a CycloneDX 1.6 or SPDX 2.3 document, with what
 * became of the packages named without a version. Writing the file and signing it are the caller's.
 */
import path from 'node:path';
import { collectInventory, requireInputs } from '../inventory/collect.js';
import type { DependencyGraph } from '../model/graph.js';
import type { CollectedInventory } from '../model/inventory.js';
import type { ProgressSink } from '../model/progress.js';
import { type SbomWriteOptions, versionlessComponents } from '../sbom/common-write.js';
import { writeCycloneDxJson, writeCycloneDxXml } from '../sbom/cyclonedx-write.js';
import { writeSpdxJson, writeSpdxTagValue } from '../sbom/spdx-write.js';

export const SBOM_FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx-json', 'spdx-tag'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

const WRITERS: Record<SbomFormat, (g: DependencyGraph, o: SbomWriteOptions) => string> = {
  'cyclonedx-json': writeCycloneDxJson,
  'cyclonedx-xml': writeCycloneDxXml,
  'spdx-json': writeSpdxJson,
  'spdx-tag': writeSpdxTagValue,
};

export interface SbomRequest {
  paths: readonly string[];
  rootfs?: readonly string[];
  parseAs?: string | undefined;
  format: SbomFormat;
  /** Byte-identical output for the same input (fixed time, serial number and namespace from the content). */
  deterministic?: boolean;
  /** $SOURCE_DATE_EPOCH: the time of a deterministic document. */
  sourceDateEpoch?: string | undefined;
  progress?: ProgressSink;
}

export interface SbomResult {
  text: string;
  inventory: CollectedInventory;
  /** Components in the document: the inventory's, plus the versionless ones. */
  components: number;
  /** Packages named without a version, listed as components without one (unresolved entries collapse by purl). */
  versionless: number;
  /** Unresolved entries left out of the document (no known ecosystem or package name, or a parent POM not on disk). */
  leftOut: number;
}

export async function runSbom(req: SbomRequest): Promise<SbomResult> {
  requireInputs(req.paths, req.rootfs ?? []);
  req.progress?.phase('reading inputs');
  const inventory = await collectInventory(req.paths, { parseAs: req.parseAs, rootfs: req.rootfs ?? [], onFile: () => req.progress?.tick() });
  const versionless = versionlessComponents(inventory.unresolved, inventory.graph).length;
  const leftOut = inventory.unresolved.filter((u) => versionlessComponents([u]).length === 0).length;
  const text = WRITERS[req.format](inventory.graph, {
    subjectName: subjectName(req.paths),
    deterministic: req.deterministic ?? false,
    sourceDateEpoch: req.sourceDateEpoch,
    unresolved: inventory.unresolved,
  });
  return { text, inventory, components: inventory.graph.components.size + versionless, versionless, leftOut };
}

/** The format a file name asks for (see the help text). */
export function sbomFormatFromFileName(file: string): SbomFormat {
  const b = path.basename(file).toLowerCase();
  if (b.endsWith('.spdx.json')) return 'spdx-json';
  if (b.endsWith('.spdx') || b.endsWith('.spdx.tv') || b.endsWith('.spdx.txt')) return 'spdx-tag';
  if (b.endsWith('.xml')) return 'cyclonedx-xml';
  return 'cyclonedx-json';
}

/** What the document is named after: the paths as given (`.` and `..` by their folder's name). */
export function subjectName(paths: readonly string[]): string {
  return paths
    .map((p) => {
      const n = path.normalize(p).replace(/(.)[\\/]+$/, '$1');
      return n === '.' || n === '..' || n.endsWith(`${path.sep}..`) ? path.basename(path.resolve(p)) || n : n;
    })
    .join(' ');
}
