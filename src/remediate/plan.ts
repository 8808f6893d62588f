/**
 * `vouch fix` planning, whatever the ecosystem: the target a path names (each registered fixer is
 * asked), the context a fixer plans in (its advisory oracle, the allowed strategies), the ranking
 * of the steps and the containment playbook.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AdvisoryLookup } from '../advisories/match.js';
import { ECOSYSTEMS, ecosystemByOsvName } from '../ecosystems/index.js';
import type { Ecosystem, FixContext, FixTarget, Fixer, FixerPlan, ToolRunner } from '../ecosystems/types.js';
import { VouchError } from '../model/errors.js';
import { type FixPlan, type FixStep, type MaxBump, type Strategy, riskRank } from '../model/fix.js';
import { byCodePoint } from '../model/order.js';
import { containmentFor, loadPlaybook } from './containment.js';
import { advisoryOracle } from './oracle.js';

export interface FixOptions {
  /** Strategies allowed (default: all three, cheapest first). */
  strategies?: ReadonlySet<Strategy>;
  /** The largest semver change a step may make (default major: everything, flagged). */
  maxBump?: MaxBump;
  /** Recorded registry metadata instead of the registry (`--packuments DIR`: npm packuments `<dir>/<name>.json`). */
  metadataDir?: string;
  /** The vouch home folder (registry caches live below it). */
  home: string;
  /** The playbook file (default: vouch.containment.yaml in the project folder, then the current folder). */
  containment?: string;
  /** Runs the ecosystem's tool on apply (tests inject one; default: the tool found on PATH). */
  runner?: ToolRunner;
  /** Aborting (Ctrl-C) stops an apply and restores the project. */
  signal?: AbortSignal;
}

/** The ecosystems that have a fixer, in registry order. */
export function fixers(): { ecosystem: Ecosystem; fixer: Fixer }[] {
  return ECOSYSTEMS.flatMap((ecosystem) => (ecosystem.fixer ? [{ ecosystem, fixer: ecosystem.fixer }] : []));
}

/** What vouch fix reads, for help and errors: `package.json with package-lock.json, … or yarn.lock; requirements.txt; …`. */
export function fixableFiles(): string {
  const byName = new Map<string, string[]>();
  for (const { fixer } of fixers()) for (const m of fixer.manifests) byName.set(m.name, [...(byName.get(m.name) ?? []), ...m.lockfiles]);
  const or = (xs: string[]): string => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs.join(''));
  return [...byName].map(([name, locks]) => (locks.length ? `${name} with ${or(locks)}` : name)).join('; ');
}

/**
 * What `p` names: a project folder (each fixer says what it plans there; one planned from a
 * lockfile that is there comes first, then registry order) or one of its files.
 */
export function resolveTarget(p: string): FixTarget {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new VouchError('INPUT_MISSING', 'no such file or folder', { path: p });
  const at = statSync(abs).isDirectory() ? { dir: p } : { dir: path.dirname(p), file: p };
  const found = fixers().flatMap(({ ecosystem, fixer }) => {
    const t = fixer.detect(at);
    return t ? [{ ...t, ecosystem: ecosystem.osvName }] : [];
  });
  const target = found.find((t) => t.lockfile !== undefined) ?? found[0];
  if (!target) throw new VouchError('INPUT_UNSUPPORTED', `nothing vouch fix can plan here (it reads ${fixableFiles()})`, { path: p });
  return target;
}

/** The fixer of a target and the context it plans in. */
export function fixerFor(target: FixTarget, lookup: AdvisoryLookup, opts: FixOptions): { fixer: Fixer; ctx: FixContext } {
  const ecosystem = ecosystemByOsvName(target.ecosystem);
  if (!ecosystem?.fixer) throw new VouchError('INPUT_UNSUPPORTED', `vouch fix does not plan ${target.ecosystem} projects`, { path: target.manifest });
  const ctx: FixContext = {
    ecosystem,
    oracle: advisoryOracle(ecosystem, lookup),
    strategies: opts.strategies ?? new Set<Strategy>(['in-range', 'parent', 'override']),
    maxBump: opts.maxBump ?? 'major',
    home: opts.home,
    ...(opts.metadataDir !== undefined ? { metadataDir: opts.metadataDir } : {}),
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  return { fixer: ecosystem.fixer, ctx };
}

/** Most advisories removed per package changed first; ties: lower risk, then fewer changes, then name. */
export function rankSteps(steps: readonly FixStep[]): FixStep[] {
  return [...steps].sort(
    (a, b) =>
      b.removed / Math.max(1, b.packagesChanged) - a.removed / Math.max(1, a.packagesChanged) ||
      riskRank(a.risk) - riskRank(b.risk) ||
      a.changes.length - b.changes.length ||
      byCodePoint(a.changes[0]?.package ?? '', b.changes[0]?.package ?? ''),
  );
}

/** The fixer's plan with its steps ranked (what every consumer of a plan sees). */
export async function rankedPlan(fixer: Fixer, target: FixTarget, ctx: FixContext): Promise<FixerPlan> {
  const fp = await fixer.plan(target, ctx);
  fp.plan.steps = rankSteps(fp.plan.steps);
  return fp;
}

/** Plans `target`: the fixer's plan, its steps ranked, the playbook's entries for what it found. */
export async function planTarget(target: FixTarget, lookup: AdvisoryLookup, opts: FixOptions): Promise<FixPlan> {
  const { fixer, ctx } = fixerFor(target, lookup, opts);
  const fp = await rankedPlan(fixer, target, ctx);
  const playbook = await loadPlaybook(opts.containment, [target.dir, process.cwd()]);
  fp.plan.containment = containmentFor(playbook, fp.found());
  return fp.plan;
}
