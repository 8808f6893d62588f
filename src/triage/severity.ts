/**
 * Severity as published: the advisory's CVSS vector scored with ae-cvss-calculator (v4.0 preferred,
 * then v3.x, then v2), else a qualitative rating the record carries (`database_specific.severity`,
 * as GHSA writes it), else unknown. Per-package `affected[].severity` wins over the top-level one.
 */
import { cvssBaseScore, type KnownScore } from '../advisories/cvss.js';
import type { Advisory, OsvSeverity } from '../model/advisory.js';
import { type Rating, type Severity, RATINGS_DESC } from '../model/triage.js';

const ORDER = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/** The CVSS qualitative band of a base score (v3.x/v4.0 bands; used for v2 too). */
export function ratingOfScore(score: number): Rating {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'NONE';
}

/**
 * `known` gives base scores computed in advance (the store's `cvss` table, filled by `vouch db
 * update`); a vector it does not know is scored here.
 */
export function severityOf(adv: Advisory, affectedIndex?: number, known?: KnownScore): Severity {
  const perPackage = affectedIndex !== undefined ? adv.affected?.[affectedIndex]?.severity : undefined;
  for (const list of [perPackage, adv.severity]) {
    const s = scoreList(list, known);
    if (s) return s;
  }
  const ds = adv.database_specific?.['severity'];
  if (typeof ds === 'string') {
    const r = normaliseRating(ds);
    if (r) return { rating: r, source: 'database_specific' };
  }
  return { rating: 'UNKNOWN' };
}

function scoreList(list: OsvSeverity[] | undefined, known: KnownScore | undefined): Severity | undefined {
  if (!Array.isArray(list)) return undefined;
  const sorted = [...list].sort((a, b) => rank(a.type) - rank(b.type));
  for (const s of sorted) {
    if (!ORDER.includes(s.type) || typeof s.score !== 'string') continue;
    const k = known?.(s.score);
    // an invalid vector is skipped; the next one (or the published rating) decides
    const score = k === null ? undefined : (k ?? cvssBaseScore(s.score));
    if (score === undefined) continue;
    return { rating: ratingOfScore(score), score, vector: s.score, source: s.type };
  }
  return undefined;
}

function rank(type: string): number {
  const i = ORDER.indexOf(type);
  return i < 0 ? ORDER.length : i;
}

export function normaliseRating(s: string): Rating | undefined {
  const u = s.trim().toUpperCase();
  if (u === 'MODERATE') return 'MEDIUM';
  return (RATINGS_DESC as readonly string[]).includes(u) ? (u as Rating) : undefined;
}

/** true when `r` is at least `threshold` (UNKNOWN counts as meeting any threshold: unknown is not safe). */
export function atLeast(r: Rating, threshold: Rating): boolean {
  if (r === 'UNKNOWN') return true;
  return RATINGS_DESC.indexOf(r) <= RATINGS_DESC.indexOf(threshold);
}
