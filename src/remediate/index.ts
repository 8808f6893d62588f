/**
 * `vouch fix` below the CLI: `runFix` resolves what a path holds (each ecosystem's fixer is asked),
 * plans it or applies the plan against the local advisory store, and returns the outcome the CLI
 * renders (render.ts). The ecosystem-specific work is the fixers' (ecosystems/<eco>/fix*); here:
 * the target, the ranking, the containment playbook, the safe apply.
 */
import { AdvisoryStore } from '../advisories/store.js';
import { EXIT_CLEAN, EXIT_FINDINGS } from '../model/errors.js';
import type { ApplyResult, FixPlan } from '../model/fix.js';
import { applyTarget } from './apply.js';
import { type FixOptions, planTarget, resolveTarget } from './plan.js';

export { applyTarget } from './apply.js';
export { type FixOptions, fixableFiles, fixers, planTarget, rankSteps, resolveTarget } from './plan.js';

export interface FixRequest extends Omit<FixOptions, 'home'> {
  /** A project folder or one of its files. */
  path: string;
  /** Apply the plan (default: plan only). */
  apply?: boolean;
  /** The store folder (default: $VOUCH_HOME, else the XDG cache folder); registry caches live below it. */
  home?: string;
}

export type FixOutcome = { plan: FixPlan; result?: undefined } | { result: ApplyResult; plan?: undefined };

/** Plans (or with `apply`, applies) the fix of the project at `req.path`. */
export async function runFix(req: FixRequest): Promise<FixOutcome> {
  const target = resolveTarget(req.path);
  const opts: FixOptions = { ...req, home: req.home ?? AdvisoryStore.defaultHome() };
  const store = AdvisoryStore.open(req.home);
  try {
    return req.apply ? { result: await applyTarget(target, store, opts) } : { plan: await planTarget(target, store, opts) };
  } finally {
    store.close();
  }
}

/** 0 nothing vulnerable (left), 1 vulnerabilities found by a plan or left after an apply. */
export function fixExitCode(outcome: FixOutcome): number {
  const left = outcome.result ? outcome.result.after.length : outcome.plan.findings;
  return left > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
