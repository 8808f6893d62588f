/** The fix plan: plain data every renderer (table, JSON, diff) and `apply` work from. See docs/fix.md. */

export const FIX_SCHEMA_VERSION = '1.0';

/** How a step fixes: relock within the declared ranges, bump a dependency the project declares, or force a version. */
export type Strategy = 'in-range' | 'parent' | 'override';
export type Risk = 'patch' | 'minor' | 'major' | 'override';

export interface PlanChange {
  /** The file edited (as given; `package-lock.json` alone for a relock). */
  file: string;
  /** relock: lockfile only; bump: a declared version/range raised; override: a version forced on a dependency. */
  kind: 'relock' | 'bump' | 'override';
  package: string;
  /** The declared range (bump), the locked version (relock/override), or absent when the entry is new. */
  from?: string;
  /** The new range (bump), the version the relock resolves to, or the forced version (override). */
  to: string;
  /** override: the package under which the version is forced (`overrides[under][package]`), so two overrides of one package never collide. */
  under?: string;
  /** 1-based line of the edited declaration, when known. */
  line?: number;
}

export interface StepFix {
  package: string;
  /** The vulnerable version installed now. */
  from: string;
  /** The version the step installs instead (absent when the package is dropped from the tree). */
  to?: string;
  /** The lowest published version free of every advisory a fix exists for. */
  lowestSafe: string;
  /** Advisory ids removed (OSV ids). */
  advisories: string[];
  /**
   * npm-family plans: the install folders (`node_modules/rc/node_modules/minimist`) this step
   * changes, and how many folders hold this version in all. A finding (name@version) is gone
   * after a rescan only when every copy is changed, by this step or others.
   */
  locations?: string[];
  copies?: number;
}

export interface FixStep {
  strategy: Strategy;
  changes: PlanChange[];
  fixes: StepFix[];
  /** Distinct (package, advisory) pairs removed. */
  removed: number;
  /** Packages whose declaration or locked version changes. */
  packagesChanged: number;
  /** Worst semver change among the changes, or `override` when a version is forced. */
  risk: Risk;
  /** Plain-language cautions: semver-major bumps, forced versions, chains not walked... */
  notes: string[];
  /** The ecosystem command that regenerates the lockfile for this step (poetry, uv, cargo, bundle, composer): vouch prints it, never runs it. */
  command?: string;
}

export interface Unfixable {
  package: string;
  version: string;
  advisories: string[];
  reason: string;
}

export interface ContainmentEntry {
  /** The advisory id or alias the playbook entry is keyed by. */
  key: string;
  /** The advisory of the plan it applies to. */
  advisory: string;
  package: string;
  steps: string[];
  source: string;
}

export interface FixPlan {
  schemaVersion: string;
  ecosystem: string;
  /** The manifest and lockfile the plan edits. */
  files: string[];
  /** (package@version, advisory) pairs found before any change. */
  findings: number;
  /** Ranked: most advisories removed per package changed first. */
  steps: FixStep[];
  unfixable: Unfixable[];
  containment: ContainmentEntry[];
  /** Problems met while planning (metadata not available, ranges not understood...). */
  warnings: string[];
  /** Text edits as a unified diff (text ecosystems: requirements.txt, go.mod, pom.xml). */
  diff?: string;
}

const RISK_ORDER: Risk[] = ['patch', 'minor', 'major', 'override'];

export function worstRisk(risks: readonly Risk[]): Risk {
  return risks.reduce<Risk>((a, b) => (RISK_ORDER.indexOf(b) > RISK_ORDER.indexOf(a) ? b : a), 'patch');
}

export function riskRank(r: Risk): number {
  return RISK_ORDER.indexOf(r);
}

/** Most advisories removed per package changed first; ties: lower risk, then fewer changes, then name. */
export function rankSteps(steps: FixStep[]): FixStep[] {
  return [...steps].sort(
    (a, b) =>
      b.removed / Math.max(1, b.packagesChanged) - a.removed / Math.max(1, a.packagesChanged) ||
      riskRank(a.risk) - riskRank(b.risk) ||
      a.changes.length - b.changes.length ||
      (a.changes[0]?.package ?? '').localeCompare(b.changes[0]?.package ?? ''),
  );
}
