/**
 * Which VEX statements apply to a finding, and what they decide.
 *
 * A statement applies when (1) its vulnerability id or one of its aliases equals the finding's id,
 * one of its merged ids or one of its aliases (CVE and GHSA ids compared case-insensitively), and
 * (2) one of its products or subcomponents names the finding's package (purl-match.ts), or one of
 * its CycloneDX version ranges covers the package and its version (vers.ts).
 * When several apply, the latest wins (OpenVEX §Statement order): ordered by timestamp, statements
 * without one first, document order on ties; so a later `affected` takes back an earlier
 * `not_affected`.
 */
import type { Suppression } from '../../model/triage.js';
import { purlCovers, purlKey } from '../purl-match.js';
import { parseVers, type VersRange, versContains } from './vers.js';
import { SUPPRESSING_STATUSES, type VexStatement } from './types.js';

export interface VexFinding {
  purl: string;
  id: string;
  ids?: readonly string[];
  aliases: readonly string[];
}

export interface VexMatch {
  statement: VexStatement;
  /** The statement's vulnerability id or alias that matched. */
  vulnerability: string;
  /** The statement's product or subcomponent identifier that matched. */
  product: string;
}

function idKey(id: string): string {
  const t = id.trim();
  return /^(cve|ghsa)-/i.test(t) ? t.toUpperCase() : t;
}

/** Epoch milliseconds and the sub-millisecond digits (as nanoseconds) of a timestamp; absent or unreadable = oldest. */
function timeOf(s: VexStatement): [number, number] {
  if (!s.timestamp) return [-Infinity, 0];
  const ms = Date.parse(s.timestamp);
  if (Number.isNaN(ms)) return [-Infinity, 0];
  // Date.parse keeps milliseconds; real documents carry nanoseconds (go's time.RFC3339Nano)
  const frac = /T[^.]*\.(\d+)/.exec(s.timestamp)?.[1] ?? '';
  return [ms, Number(frac.slice(3, 9).padEnd(6, '0'))];
}

/** Statement positions by vulnerability id and alias, built once per statements list (a scan asks once per finding). */
const indexes = new WeakMap<readonly VexStatement[], { length: number; index: Map<string, number[]> }>();

function indexOf(statements: readonly VexStatement[]): Map<string, number[]> {
  const cached = indexes.get(statements);
  // rebuilt when the list grew or shrank since; replacing a statement in place is not noticed
  if (cached && cached.length === statements.length) return cached.index;
  const index = new Map<string, number[]>();
  statements.forEach((s, i) => {
    for (const k of new Set([s.vulnerability.id, ...s.vulnerability.aliases].map(idKey))) {
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  });
  indexes.set(statements, { length: statements.length, index });
  return index;
}

/**
 * Statements that apply to the finding, oldest first: the last one decides. The list is indexed by
 * vulnerability id on first use (again when its length changes): do not replace statements in it.
 */
export function matchingStatements(statements: readonly VexStatement[], finding: VexFinding): VexMatch[] {
  const wanted = new Set([finding.id, ...(finding.ids ?? []), ...finding.aliases].map(idKey));
  const index = indexOf(statements);
  const candidates = [...new Set([...wanted].flatMap((k) => index.get(k) ?? []))].sort((a, b) => a - b);
  const found: { m: VexMatch; t: [number, number]; i: number }[] = [];
  candidates.forEach((i) => {
    const statement = statements[i]!;
    const vulnerability = [statement.vulnerability.id, ...statement.vulnerability.aliases].find((v) => wanted.has(idKey(v)));
    if (vulnerability === undefined) return;
    const product = [...statement.products, ...statement.subcomponents].find((p) => purlCovers(p, finding.purl)) ?? inRanges(statement, finding.purl);
    if (product === undefined) return;
    found.push({ m: { statement, vulnerability, product }, t: timeOf(statement), i });
  });
  return found.sort((a, b) => (a.t[0] !== b.t[0] ? (a.t[0] < b.t[0] ? -1 : 1) : a.t[1] - b.t[1] || a.i - b.i)).map((x) => x.m);
}

const parsedRanges = new Map<string, VersRange | null>();

/** `purl range` of the statement's version range that covers the finding's purl and version, if any. */
function inRanges(statement: VexStatement, findingPurl: string): string | undefined {
  if (!statement.versionRanges?.length) return undefined;
  const version = purlKey(findingPurl)?.version;
  if (version === undefined) return undefined;
  for (const r of statement.versionRanges) {
    if (!purlCovers(r.purl, findingPurl)) continue;
    let parsed = parsedRanges.get(r.range);
    if (parsed === undefined) {
      try {
        parsed = parseVers(r.range);
      } catch {
        parsed = null;
      }
      if (parsedRanges.size > 10_000) parsedRanges.clear();
      parsedRanges.set(r.range, parsed);
    }
    if (parsed && versContains(parsed, version) === true) return `${r.purl} ${r.range}`;
  }
  return undefined;
}

/**
 * The suppression the VEX statements decide for a finding: the latest applicable statement, when
 * its status is not_affected, false_positive or fixed. Undefined when none applies or the latest
 * says affected / under_investigation.
 */
export function vexFor(statements: readonly VexStatement[], finding: VexFinding): Suppression | undefined {
  const matches = matchingStatements(statements, finding);
  const last = matches[matches.length - 1]?.statement;
  if (!last || !SUPPRESSING_STATUSES.has(last.status)) return undefined;
  return {
    by: 'vex',
    status: last.status,
    ...(last.justification !== undefined ? { justification: last.justification } : {}),
    ...(last.impactStatement !== undefined ? { impactStatement: last.impactStatement } : {}),
    source: last.source,
  };
}

/** One line per applicable statement for --verbose: `file ($.statements[0]): not_affected (justification) via CVE-… on pkg:…`. */
export function explainVex(statements: readonly VexStatement[], finding: VexFinding): string[] {
  const matches = matchingStatements(statements, finding);
  return matches.map((m, i) => {
    const why = m.statement.justification ?? m.statement.impactStatement ?? m.statement.actionStatement;
    const decides = i === matches.length - 1 ? ' [decides]' : ' [superseded]';
    return `${m.statement.source}: ${m.statement.status}${why ? ` (${why})` : ''} for ${m.vulnerability} on ${m.product}${m.statement.timestamp ? ` at ${m.statement.timestamp}` : ''}${decides}`;
  });
}
