/**
 * The fix plan vocabulary (`vouch fix`, docs/fix.md): plain data every renderer (table, JSON, diff)
 * and `apply` work from, the advisory oracle a fixer asks about vulnerabilities, and the result of
 * an apply. The ecosystems' fixers (ecosystems/<eco>/fix*) build plans; src/remediate/ ranks,
 * applies and renders them.
 */
import type { Advisory } from './advisory.js';
import type { Component } from './component.js';

export const FIX_SCHEMA_VERSION = '1.0';

/** How a step fixes: relock within the declared ranges, bump a dependency the project declares, or force a version. */
export type Strategy = 'in-range' | 'parent' | 'override';
export type Risk = 'patch' | 'minor' | 'major' | 'override';
/** The largest semver change a step may make (`--max-bump`). */
export type MaxBump = 'patch' | 'minor' | 'major';

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

/** What `apply` did: the plan it carried out, the steps applied, and the findings before and after. */
export interface ApplyResult {
  plan: FixPlan;
  applied: FixStep[];
  /** `name@version advisory` pairs before and after, sorted. */
  before: string[];
  after: string[];
}

const RISK_ORDER: Risk[] = ['patch', 'minor', 'major', 'override'];

export function worstRisk(risks: readonly Risk[]): Risk {
  return risks.reduce<Risk>((a, b) => (RISK_ORDER.indexOf(b) > RISK_ORDER.indexOf(a) ? b : a), 'patch');
}

export function riskRank(r: Risk): number {
  return RISK_ORDER.indexOf(r);
}

/**
 * The `name@version advisory` pairs a plan accounts for (every step's fixes and every unfixable
 * entry), sorted: what the manifests that plan from the advisories alone compare before and after.
 */
export function planFindingPairs(plan: FixPlan): string[] {
  return [...plan.steps.flatMap((s) => s.fixes), ...plan.unfixable].flatMap((f) => f.advisories.map((a) => `${f.package}@${'from' in f ? f.from : f.version} ${a}`)).sort();
}

/** An advisory that affects a component, with the versions its ranges name as fixed (ascending). */
export interface AdvisoryMatch {
  advisory: Advisory;
  fixedVersions: string[];
}

/** The lowest fix of a component from its advisories alone (see AdvisoryOracle.lowestFix). */
export interface LowestFix {
  matches: AdvisoryMatch[];
  /** Every matching advisory id, sorted. */
  ids: string[];
  /** The ids no fixed version removes. */
  noFix: string[];
  /** The ids `target` removes. */
  fixedIds: string[];
  /** The lowest safe fixed version; undefined when none exists. */
  target: string | undefined;
}

/**
 * What a fixer may ask about vulnerabilities, answered from the advisory store with the matcher
 * `vouch scan` uses (src/remediate builds one per ecosystem and hands it to the fixer), so a plan
 * never proposes a version that is itself affected.
 */
export interface AdvisoryOracle {
  /** The advisories affecting `component`, in store order. */
  matches(component: Component): AdvisoryMatch[];
  /** The ids of the advisories affecting `name@version` of the oracle's ecosystem, sorted (no component at hand: a registry version, say). */
  advisoriesAt(name: string, version: string): string[];
  /**
   * The lowest fixed version of `component` from its advisories alone (no registry): the lowest
   * `fixed` version above the installed one at which no advisory that has a fix still matches.
   * Advisories still matching at the highest fixed version have no fix (`noFix`). Undefined when
   * no advisory matches. `spell` writes a fixed version as the component's version is written
   * (Go: `v1.2.3` where the advisories write `1.2.3`).
   */
  lowestFix(component: Component, spell?: (version: string) => string): LowestFix | undefined;
}
