/**
 * `vouch vex show` below the CLI: the statements of VEX documents that are about a vulnerability
 * and cover a package, and — with both — what they decide for that finding and why.
 */
import { VouchError } from '../../model/errors.js';
import type { Suppression } from '../../model/triage.js';
import { purlCovers } from '../purl-match.js';
import { explainVex, vexFor } from './match.js';
import type { VexDocument, VexStatement } from './types.js';

export interface VexSelection {
  /** The statements about one of `vulns` (any, when none is given) that cover `purl` (any, when none). */
  statements: VexStatement[];
  /** With vulnerabilities and a purl: each applicable statement explained, and the suppression the last decides (null: none). */
  decision?: { explanation: string[]; suppressed: Suppression | null };
}

export function selectVex(documents: readonly VexDocument[], opts: { vulns?: readonly string[]; purl?: string }): VexSelection {
  const all = documents.flatMap((d) => d.statements);
  const purl = opts.purl;
  if (purl !== undefined && !/^pkg:/i.test(purl)) throw new VouchError('USAGE', `--purl takes a purl such as pkg:npm/lodash@4.17.20 (got "${purl}")`);
  const vulns = opts.vulns ?? [];
  const statements = all.filter(
    (s) => (vulns.length === 0 || vulns.some((v) => aboutVulnerability(s, v))) && (purl === undefined || [...s.products, ...s.subcomponents].some((p) => purlCovers(p, purl))),
  );
  if (vulns.length === 0 || purl === undefined) return { statements };
  const finding = { purl, id: vulns[0]!, aliases: vulns.slice(1) };
  return { statements, decision: { explanation: explainVex(all, finding), suppressed: vexFor(all, finding) ?? null } };
}

/** Whether the statement is about the vulnerability `id` (its id or an alias, CVE/GHSA case-insensitively). */
function aboutVulnerability(s: VexStatement, id: string): boolean {
  const key = (x: string): string => (/^(cve|ghsa)-/i.test(x) ? x.toUpperCase() : x);
  return [s.vulnerability.id, ...s.vulnerability.aliases].some((v) => key(v) === key(id.trim()));
}
