/**
 * The work order of a scan's findings (docs/triage.md), most urgent first:
 *
 *   1. unsuppressed before suppressed (VEX not_affected / policy ignore),
 *   2. in CISA KEV (known exploited) before not,
 *   3. EPSS band: high (≥ 0.5) > elevated (≥ 0.1) > low or no score; within a band, by EPSS only
 *      after everything below is equal,
 *   4. severity rating: CRITICAL > HIGH > MEDIUM > UNKNOWN > LOW > NONE (unknown is not safe), then
 *      CVSS base score (a scored rating before a published rating with no score),
 *   5. scope: prod > unknown > optional > dev, then direct before transitive,
 *   6. EPSS score, then package name, version (the ecosystem's order), advisory id: deterministic.
 *
 * Each finding gets `priority: { rank, reason }`, the reason being one line a person reads.
 */
import { compareVersions } from '../ecosystems/index.js';
import type { EpssInfo, KevInfo, Priority, Suppression } from '../model/triage.js';
import type { Severity } from '../model/triage.js';
import { byCodePoint } from '../model/order.js';

export interface Prioritised {
  id: string;
  name: string;
  version: string;
  ecosystem: string;
  scope: string;
  direct: boolean;
  severity: Severity;
  kev?: KevInfo | undefined;
  epss?: EpssInfo | undefined;
  suppressed?: Suppression | undefined;
  priority?: Priority | undefined;
}

/** The EPSS band used for ordering (docs/triage.md): high ≥ 0.5, elevated ≥ 0.1, else low. */
export type EpssBand = 'high' | 'elevated' | 'low';
export const EPSS_HIGH = 0.5;
export const EPSS_ELEVATED = 0.1;
export function epssBand(score: number | undefined): EpssBand {
  if (score === undefined) return 'low';
  if (score >= EPSS_HIGH) return 'high';
  if (score >= EPSS_ELEVATED) return 'elevated';
  return 'low';
}

const RATING_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'UNKNOWN', 'LOW', 'NONE'];
const SCOPE_ORDER = ['prod', 'unknown', 'optional', 'dev'];
const BAND_ORDER = ['high', 'elevated', 'low'];

export function comparePriority(a: Prioritised, b: Prioritised): number {
  return (
    Number(a.suppressed !== undefined) - Number(b.suppressed !== undefined) ||
    Number(b.kev !== undefined) - Number(a.kev !== undefined) ||
    BAND_ORDER.indexOf(epssBand(a.epss?.score)) - BAND_ORDER.indexOf(epssBand(b.epss?.score)) ||
    RATING_ORDER.indexOf(a.severity.rating) - RATING_ORDER.indexOf(b.severity.rating) ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    scopeIndex(a.scope) - scopeIndex(b.scope) ||
    Number(b.direct) - Number(a.direct) ||
    (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    byCodePoint(a.name, b.name) ||
    compareVersions(a.ecosystem, a.version, b.version) ||
    byCodePoint(a.id, b.id)
  );
}

/** Sorts in place by comparePriority and sets `priority` (rank from 1) on each finding. */
export function prioritise<T extends Prioritised>(findings: T[]): T[] {
  findings.sort(comparePriority);
  findings.forEach((f, i) => {
    f.priority = { rank: i + 1, reason: priorityReason(f) };
  });
  return findings;
}

/** e.g. "known exploited (KEV since 2021-12-10, ransomware); EPSS 100.0% (high); CRITICAL 10.0; prod, direct". */
export function priorityReason(f: Prioritised): string {
  const parts: string[] = [];
  if (f.suppressed) parts.push(`suppressed (${f.suppressed.by} ${f.suppressed.status})`);
  if (f.kev) parts.push(`known exploited (KEV since ${f.kev.dateAdded}${f.kev.knownRansomwareUse ? ', ransomware' : ''})`);
  if (f.epss) parts.push(`EPSS ${formatEpss(f.epss.score)} (${epssBand(f.epss.score)})`);
  else parts.push('no EPSS score');
  const s = f.severity;
  if (s.score !== undefined) parts.push(`${s.rating} ${s.score.toFixed(1)}`);
  else if (s.source === 'database_specific') parts.push(`${s.rating} (published rating, no CVSS)`);
  else parts.push(s.rating === 'UNKNOWN' ? 'severity unknown' : s.rating);
  parts.push(`${f.scope}, ${f.direct ? 'direct' : 'transitive'}`);
  return parts.join('; ');
}

/**
 * EPSS probability as a percent, rounded down so it never overstates: `97.3%`, `0.04%`; 0.99999
 * is `99.9%` (only a score of exactly 1 reads `100%`).
 */
export function formatEpss(score: number): string {
  if (score >= 1) return '100%';
  const pct = score * 100;
  const digits = pct >= 1 ? 1 : 2;
  const f = 10 ** digits;
  // the small epsilon absorbs binary noise (0.29 * 100 = 28.999999999999996)
  return `${(Math.floor(pct * f + 1e-9) / f).toFixed(digits)}%`;
}

export const EPSS_BANDS = { high: EPSS_HIGH, elevated: EPSS_ELEVATED } as const;

function scopeIndex(s: string): number {
  const i = SCOPE_ORDER.indexOf(s);
  return i < 0 ? 1 : i;
}
