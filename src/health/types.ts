/** The shape of a health report: Scorecard-style checks of one local clone, and their aggregate. */

export type Risk = 'Critical' | 'High' | 'Medium' | 'Low';

/** Scorecard's risk weights for the aggregate score. */
export const RISK_WEIGHT: Record<Risk, number> = { Critical: 10, High: 7.5, Medium: 5, Low: 2.5 };

export interface Evidence {
  /** Repository-relative path ('.' for the repository itself, `refs/tags/v1` for a tag). */
  path: string;
  /** 1-based line, when the evidence is a line of a file. */
  line?: number;
  detail: string;
  /** 'fail' marks what lowered the score (these become SARIF results); 'info' is context. */
  kind: 'fail' | 'info';
}

export interface CheckResult {
  name: string;
  /** 0–10, or null when the check did not run (nothing to check, or not possible offline). */
  score: number | null;
  risk: Risk;
  reason: string;
  evidence: Evidence[];
  /** One line: what to do to raise the score. */
  remediation: string;
}

/** Weighted mean of the checks that ran (score !== null), one decimal; null when none ran. */
export function aggregateScore(checks: readonly CheckResult[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const c of checks) {
    if (c.score === null) continue;
    sum += c.score * RISK_WEIGHT[c.risk];
    weights += RISK_WEIGHT[c.risk];
  }
  if (weights === 0) return null;
  return Math.round((sum / weights) * 10) / 10;
}

/** Scorecard's proportional score: floor(10 × success / total), capped at 10. */
export function proportional(success: number, total: number): number {
  if (total <= 0) return 10;
  return Math.min(10, Math.floor((10 * success) / total));
}
