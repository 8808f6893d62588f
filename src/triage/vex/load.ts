/**
 * What `vouch scan --vex` needs in two calls: load the statements (files given with --vex, plus
 * the ones discovered beside the inputs unless turned off), then the hook that says which findings
 * they suppress.
 */
import type { ReportFinding, Suppression } from '../../model/triage.js';
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
 * The suppression the VEX statements decide for a finding (not_affected, false_positive, fixed),
 * or undefined: the hook the triage stage applies while it builds the report.
 */
export function vexSuppressor(statements: readonly VexStatement[]): (f: ReportFinding) => Suppression | undefined {
  if (statements.length === 0) return () => undefined;
  return (f) => vexFor(statements, { purl: f.purl, id: f.id, ids: f.ids ?? [f.id], aliases: f.aliases });
}
