/**
 * What `vouch scan --vex` needs in two calls: load the statements (files given with --vex, plus
 * the ones discovered beside the inputs unless turned off), then mark the findings they suppress.
 */
import type { ReportFinding } from '../../report/scan-report.js';
import { discoverVexFiles } from './discover.js';
import { vexFor } from './match.js';
import { readVexFile } from './read.js';
import type { VexDocument, VexStatement } from './types.js';

export interface LoadedVex {
  /** The files read, in order: the --vex files as given, then the discovered ones not already given. */
  files: string[];
  documents: VexDocument[];
  statements: VexStatement[];
  /** Every document's warnings, one line each (for stderr, or the report). */
  warnings: string[];
}

/**
 * Reads the VEX files named explicitly and (with `discover`) those beside the inputs. A file that
 * cannot be read or parsed throws its VouchError (exit 2): a VEX document the user relies on must
 * not be skipped silently.
 */
export async function loadVex(opts: { files?: readonly string[]; inputs?: readonly string[]; discover?: boolean }): Promise<LoadedVex> {
  const files = [...(opts.files ?? [])];
  if (opts.discover) {
    const given = new Set(files.map((f) => f.replace(/^\.\//, '')));
    for (const f of discoverVexFiles(opts.inputs ?? [])) if (!given.has(f.replace(/^\.\//, ''))) files.push(f);
  }
  const documents: VexDocument[] = [];
  for (const f of files) documents.push(await readVexFile(f));
  return {
    files,
    documents,
    statements: documents.flatMap((d) => d.statements),
    warnings: documents.flatMap((d) => d.warnings),
  };
}

/**
 * The findings with `suppressed` set where the VEX statements decide not_affected, false_positive
 * or fixed. A finding already suppressed (by an ignore rule) keeps its suppression. New objects;
 * the input is not changed.
 */
export function applyVex(findings: readonly ReportFinding[], statements: readonly VexStatement[]): ReportFinding[] {
  if (statements.length === 0) return [...findings];
  return findings.map((f) => {
    if (f.suppressed) return f;
    const s = vexFor(statements, { purl: f.purl, id: f.id, ...(f.ids ? { ids: f.ids } : {}), aliases: f.aliases });
    return s ? { ...f, suppressed: s } : f;
  });
}
