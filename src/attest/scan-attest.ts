/**
 * Attestations of vouch's own outputs: the subjects are the input files that were inventoried
 * (the lockfiles, SBOMs, archives and image tars the SBOM or scan describes), the predicate the
 * SBOM (`sbom --attest`) or the scan report as an in-toto vulns v0.2 predicate (`scan --attest`).
 */
import { stat } from 'node:fs/promises';
import type { SerializedBundle } from '@sigstore/bundle';
import type { InputStatus } from '../model/inventory.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { VouchError } from '../model/errors.js';
import type { ScanReport } from '../model/report.js';
import { attestFiles } from './attest.js';
import type { LoadedKey } from './keys.js';
import { PREDICATE_TYPES } from './statement.js';

/** The regular files among the inputs read successfully, in order, without repeats. */
export async function inputSubjects(inputs: readonly InputStatus[]): Promise<string[]> {
  const out: string[] = [];
  for (const i of inputs) {
    if (i.status !== 'ok' || out.includes(i.path)) continue;
    if (await stat(i.path).then((s) => s.isFile(), () => false)) out.push(i.path);
  }
  if (out.length === 0) throw new VouchError('USAGE', '--attest: no input file to name as the attestation subject (only directories or root filesystems were read)');
  return out;
}

/** The scan report as an in-toto vulnerability-scan predicate (https://in-toto.io/attestation/vulns/v0.2). */
export function vulnsPredicate(report: ScanReport): Record<string, unknown> {
  const newest = report.store.map((s) => s.newestModified).filter((x): x is string => !!x).sort().pop();
  return {
    scanner: {
      uri: 'pkg:npm/vouch',
      version: report.tool.version,
      db: { uri: 'https://osv.dev', ...(newest ? { lastUpdate: newest } : {}) },
      result: report.findings.map((f) => ({
        id: f.id,
        severity: [{ method: f.severity.source ?? 'vouch', score: f.severity.score !== undefined ? String(f.severity.score) : f.severity.rating }],
        annotations: [{ purl: f.purl, fixedVersions: f.fixedVersions, ...(f.suppressed ? { suppressed: f.suppressed.status } : {}) }],
      })),
    },
    metadata: { scanStartedOn: report.createdAt, scanFinishedOn: report.createdAt },
  };
}

/**
 * `scan --attest --key KEY`: signs the report (as a vulns predicate) about the scanned input
 * files and writes the bundle atomically to `out`. Returns the bundle.
 */
export async function attestScanReport(opts: { report: ScanReport; key: LoadedKey | string; out: string }): Promise<SerializedBundle> {
  const bundle = await attestFiles({
    predicate: vulnsPredicate(opts.report),
    predicateType: PREDICATE_TYPES.vuln,
    subjects: await inputSubjects(opts.report.inputs),
    key: opts.key,
  });
  await writeFileAtomic(opts.out, `${JSON.stringify(bundle, null, 2)}\n`);
  return bundle;
}
