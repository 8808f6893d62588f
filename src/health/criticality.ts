/**
 * The OpenSSF criticality score (Rob Pike's formula, criticality_score's original_pike.yml):
 *   C = Σ αᵢ · log(1 + Sᵢ) / log(1 + max(Sᵢ, Tᵢ))  /  Σ αᵢ
 * with `smaller_is_better` signals taken as 1 − that term. Signals that cannot be seen offline
 * (issues, comments, GitHub mentions) are left out of both sums, as the reference scorer drops
 * a missing field.
 */
import type { RepoContext } from './context.js';
import { orgOfEmail } from './checks-history.js';

export interface SignalSpec {
  weight: number;
  threshold: number;
  smallerIsBetter?: boolean;
}

/** original_pike.yml (default_config.yml): weights and upper bounds. */
export const PIKE: Record<string, SignalSpec> = {
  created_since: { weight: 1, threshold: 120 },
  updated_since: { weight: 1, threshold: 120, smallerIsBetter: true },
  contributor_count: { weight: 2, threshold: 5000 },
  org_count: { weight: 1, threshold: 10 },
  commit_frequency: { weight: 1, threshold: 1000 },
  recent_release_count: { weight: 0.5, threshold: 26 },
  updated_issues_count: { weight: 0.5, threshold: 5000 },
  closed_issues_count: { weight: 0.5, threshold: 5000 },
  issue_comment_frequency: { weight: 1, threshold: 15 },
  github_mention_count: { weight: 2, threshold: 500000 },
  /** vouch: projects in the portfolio that depend on it, in the reference's dependents slot (weight 2, bound 500000) */
  dependents_count: { weight: 2, threshold: 500000 },
};

/** One signal's term: log(1+S)/log(1+max(S,T)), inverted when smaller is better. */
export function signalTerm(value: number, spec: SignalSpec): number {
  const v = Math.max(0, value);
  const t = Math.log(1 + v) / Math.log(1 + Math.max(v, spec.threshold));
  return spec.smallerIsBetter ? 1 - t : t;
}

/** The weighted mean over the signals present (undefined values drop out), rounded to 5 decimals like the reference. */
export function criticalityScore(signals: Record<string, number | undefined>, specs: Record<string, SignalSpec> = PIKE): number {
  let sum = 0;
  let weights = 0;
  for (const [name, spec] of Object.entries(specs)) {
    const v = signals[name];
    if (v === undefined || Number.isNaN(v)) continue;
    sum += spec.weight * signalTerm(v, spec);
    weights += spec.weight;
  }
  if (weights === 0) return 0;
  return Math.round((sum / weights) * 1e5) / 1e5;
}

export interface Criticality {
  score: number;
  signals: Record<string, number | undefined>;
  /** Signals the reference uses that a clone cannot show. */
  notAvailable: string[];
}

const MONTH = 30 * 86_400;

/** Signals a clone shows, as the legacy collector defines them (months, commits per week over the last year). */
export function criticalitySignals(ctx: RepoContext, dependents?: number): Record<string, number | undefined> {
  if (ctx.commits.length === 0) return {};
  const times = ctx.commits.map((c) => c.committerTime);
  const first = Math.min(...ctx.commits.map((c) => Math.min(c.authorTime, c.committerTime)));
  const last = Math.max(...times);
  const yearAgo = ctx.now - 365 * 86_400;
  // people only: bots ([bot] accounts) and GitHub's own web-flow identity are not contributors
  const emails = new Set(ctx.commits.filter((c) => !/\[bot\]/i.test(c.authorEmail) && !/\[bot\]$/i.test(c.authorName) && c.authorEmail !== 'noreply@github.com').map((c) => c.authorEmail));
  const orgs = new Set([...emails].map(orgOfEmail).filter((o): o is string => o !== undefined));
  const lastYear = ctx.commits.filter((c) => c.committerTime >= yearAgo && c.committerTime <= ctx.now).length;
  return {
    created_since: Math.max(0, Math.floor((ctx.now - first) / MONTH)),
    updated_since: Math.max(0, Math.floor((ctx.now - last) / MONTH)),
    contributor_count: emails.size,
    org_count: orgs.size,
    commit_frequency: Math.round((lastYear / 52) * 100) / 100,
    recent_release_count: ctx.tags.filter((t) => t.time >= yearAgo && t.time <= ctx.now).length,
    dependents_count: dependents,
  };
}

export function criticality(ctx: RepoContext, dependents?: number): Criticality {
  const signals = criticalitySignals(ctx, dependents);
  return {
    score: criticalityScore(signals),
    signals,
    notAvailable: ['updated_issues_count', 'closed_issues_count', 'issue_comment_frequency', 'github_mention_count', ...(dependents === undefined ? ['dependents_count'] : [])],
  };
}
