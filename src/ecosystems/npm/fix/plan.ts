/**
 * The npm fix planner. For each vulnerable installed package: the lowest published version that
 * removes every advisory a fix exists for without adding another (each candidate is matched
 * against the store with the scan's own matcher), then the cheapest way to get it installed:
 *
 * 1. in-range: every package that depends on it (and package.json, for a direct dependency)
 *    declares a range whose newest version (npm's pick on relock: `latest` when it satisfies, else
 *    the highest) is safe, and within --max-bump of the installed one → relock only;
 * 2. parent: a direct dependency declared in package.json is raised — the vulnerable package
 *    itself when direct, else the smallest version of the direct dependency at the top of each
 *    chain whose declared ranges, followed down the chain with npm's pick at every level, reach a
 *    safe version (or no longer pull the package in);
 * 3. override: `overrides` forces the safe version where no declared range admits one.
 */
import path from 'node:path';
import semver from 'semver';
import { isVouchError } from '../../../model/errors.js';
import { type AdvisoryOracle, type FixPlan, type FixStep, type MaxBump, type PlanChange, type Risk, type Strategy, type StepFix, type Unfixable, FIX_SCHEMA_VERSION, worstRisk } from '../../../model/fix.js';
import { semverRisk } from '../../shared/fix/planning.js';
import type { PackageMetadataSource, Packument } from './metadata.js';
import { type NpmProject, chainsTo, nameOfKey } from './lock.js';

export interface NpmPlanOptions {
  /** Strategies allowed (default: all three, cheapest first). */
  strategies?: ReadonlySet<Strategy>;
  /** The largest semver change a parent bump may make (default major: everything, flagged). */
  maxBump?: MaxBump;
}

/** Installed (non-root) lockfile entries with their advisories. */
export function vulnerableInstances(project: NpmProject, oracle: AdvisoryOracle): { key: string; name: string; version: string; advisories: string[] }[] {
  const out: { key: string; name: string; version: string; advisories: string[] }[] = [];
  for (const e of project.entries.values()) {
    if (e.isRoot || !semver.valid(e.version)) continue;
    const ids = oracle.advisoriesAt(e.name, e.version);
    if (ids.length) out.push({ key: e.key, name: e.name, version: e.version, advisories: ids });
  }
  return out;
}

/** (name@version, advisory) pairs of the project: what a rescan compares. */
export function findingPairs(project: NpmProject, oracle: AdvisoryOracle): Set<string> {
  const s = new Set<string>();
  for (const i of vulnerableInstances(project, oracle)) for (const a of i.advisories) s.add(`${i.name}@${i.version} ${a}`);
  return s;
}

function withinBump(from: string, to: string, max: MaxBump): boolean {
  const r = semverRisk(from, to);
  return max === 'major' || r === 'patch' || (max === 'minor' && r === 'minor');
}

/** The published, non-prerelease versions, ascending. */
function versionsOf(p: Packument): string[] {
  return Object.keys(p.versions)
    .filter((v) => semver.valid(v) && !semver.prerelease(v))
    .sort(semver.compare);
}

/** The version npm picks for `spec`: `latest` when it satisfies, else the highest satisfying. */
export function npmPick(p: Packument, spec: string): string | undefined {
  if (!semver.validRange(spec)) return undefined;
  const latest = p['dist-tags']?.['latest'];
  if (latest && p.versions[latest] && semver.satisfies(latest, spec)) return latest;
  return semver.maxSatisfying(Object.keys(p.versions).filter((v) => semver.valid(v)), spec) ?? undefined;
}

/** `^1.2.3` → `^N`, `~1.2` → `~N`, `1.2.3` → `N`; anything else becomes `^N`. */
export function raiseSpec(oldSpec: string, to: string): string {
  const m = /^\s*([~^]|>=|=)?\s*v?\d/.exec(oldSpec);
  if (!m) return `^${to}`;
  return `${m[1] ?? ''}${to}`;
}

interface Ctx {
  project: NpmProject;
  oracle: AdvisoryOracle;
  meta: PackageMetadataSource;
  warnings: string[];
  strategies: ReadonlySet<Strategy>;
  maxBump: MaxBump;
  packuments: Map<string, Packument | null>;
  safety: Map<string, string[]>;
}

async function packumentOf(ctx: Ctx, name: string): Promise<Packument | undefined> {
  if (!ctx.packuments.has(name)) {
    try {
      ctx.packuments.set(name, await ctx.meta.packument(name));
    } catch (e) {
      if (!isVouchError(e)) throw e;
      ctx.warnings.push(`${name}: package metadata not available (${e.oneLine()})`);
      ctx.packuments.set(name, null);
    }
  }
  return ctx.packuments.get(name) ?? undefined;
}

function idsAt(ctx: Ctx, name: string, version: string): string[] {
  const k = `${name}@${version}`;
  let r = ctx.safety.get(k);
  if (!r) ctx.safety.set(k, (r = ctx.oracle.advisoriesAt(name, version)));
  return r;
}

/** Follows `chain` (names below a version) with npm's pick: does it end at a safe version or drop out? */
/** The version reached (`null`: the chain no longer pulls the package in), or undefined when unsafe. */
async function chainReachesSafe(ctx: Ctx, deps: Record<string, string>, names: string[], isSafe: (v: string) => boolean): Promise<string | null | undefined> {
  const [next, ...rest] = names;
  if (next === undefined) return null;
  const spec = deps[next];
  if (spec === undefined) return null; // no longer depended on
  const p = await packumentOf(ctx, next);
  if (!p) return undefined;
  const picked = npmPick(p, spec);
  if (!picked) return undefined;
  if (rest.length === 0) return isSafe(picked) ? picked : undefined;
  const pv = p.versions[picked]!;
  return chainReachesSafe(ctx, { ...pv.peerDependencies, ...pv.optionalDependencies, ...pv.dependencies }, rest, isSafe);
}

function rootSpecOf(project: NpmProject, name: string): string | undefined {
  return project.entries.get('')?.deps[name];
}

/** The package whose tarball carries a bundled folder: the nearest enclosing folder not itself in a bundle. */
function bundlerOf(project: NpmProject, key: string): string {
  let k = key;
  for (;;) {
    const i = k.lastIndexOf('/node_modules/');
    if (i < 0) return '?';
    k = k.slice(0, i);
    const e = project.entries.get(k);
    if (e && !e.inBundle) return `${e.name}@${e.version}`;
  }
}

interface Proposal {
  strategy: Strategy;
  changes: PlanChange[];
  risk: Risk;
  notes: string[];
  /** The version installed after the step; null when the package leaves the tree. */
  to?: string | null;
}

/** Plans an npm, yarn classic or pnpm project; the steps come unranked (remediate ranks them). */
export async function planNpm(project: NpmProject, oracle: AdvisoryOracle, meta: PackageMetadataSource, opts: NpmPlanOptions = {}): Promise<FixPlan> {
  const ctx: Ctx = {
    project,
    oracle,
    meta,
    warnings: [],
    strategies: opts.strategies ?? new Set<Strategy>(['in-range', 'parent', 'override']),
    maxBump: opts.maxBump ?? 'major',
    packuments: new Map(),
    safety: new Map(),
  };
  const pkgFile = path.basename(project.packageJsonPath);
  const lockFile = path.basename(project.lockPath);
  const instances = vulnerableInstances(project, oracle);
  // as scan counts them: one per (name@version, advisory), however many folders hold the version
  const findings = new Set(instances.flatMap((i) => i.advisories.map((a) => `${i.name}@${i.version} ${a}`))).size;
  const steps = new Map<string, FixStep>();
  const unfixable: Unfixable[] = [];

  for (const inst of instances) {
    const p = await packumentOf(ctx, inst.name);
    if (!p) {
      unfixable.push({ package: inst.name, version: inst.version, advisories: inst.advisories, reason: 'package metadata not available' });
      continue;
    }
    const later = versionsOf(p).filter((v) => semver.gt(v, inst.version));
    // advisories every later version still has: no fix exists for them
    const noFix = inst.advisories.filter((a) => later.every((v) => idsAt(ctx, inst.name, v).includes(a)));
    const fixable = inst.advisories.filter((a) => !noFix.includes(a));
    if (noFix.length) unfixable.push({ package: inst.name, version: inst.version, advisories: noFix, reason: 'no published version fixes it' });
    if (!fixable.length) continue;
    const isSafe = (v: string): boolean => idsAt(ctx, inst.name, v).every((a) => noFix.includes(a));
    const target = later.find(isSafe);
    if (!target) {
      unfixable.push({ package: inst.name, version: inst.version, advisories: fixable, reason: 'every fixed version has other advisories' });
      continue;
    }
    const proposal = await propose(ctx, inst, target, isSafe, pkgFile, lockFile);
    if (!proposal) {
      unfixable.push({
        package: inst.name,
        version: inst.version,
        advisories: fixable,
        reason: project.entries.get(inst.key)?.inBundle
          ? `fixed in ${target}, but this copy is bundled inside ${bundlerOf(project, inst.key)}: only a new release of it changes the copy`
          : `fixed in ${target}, but no allowed strategy (${[...ctx.strategies].join(', ')}; --max-bump ${ctx.maxBump}) gets it installed`,
      });
      continue;
    }
    const key = `${proposal.strategy}|${proposal.changes.map((c) => `${c.kind}:${c.under ?? ''}:${c.package}:${c.to}`).sort().join(',')}`;
    const copies = instances.filter((i) => i.name === inst.name && i.version === inst.version).length;
    const fix: StepFix = { package: inst.name, from: inst.version, ...(proposal.to ? { to: proposal.to } : {}), lowestSafe: target, advisories: fixable, locations: [inst.key], copies };
    const existing = steps.get(key);
    if (existing) {
      const same = existing.fixes.find((f) => f.package === fix.package && f.from === fix.from);
      if (!same) existing.fixes.push(fix);
      else if (!same.locations?.includes(inst.key)) same.locations = [...(same.locations ?? []), inst.key];
      for (const n of proposal.notes) if (!existing.notes.includes(n)) existing.notes.push(n);
    } else {
      steps.set(key, { strategy: proposal.strategy, changes: proposal.changes, fixes: [fix], removed: 0, packagesChanged: 0, risk: proposal.risk, notes: proposal.notes });
    }
  }
  for (const s of steps.values()) {
    s.removed = new Set(s.fixes.flatMap((f) => f.advisories.map((a) => `${f.package}@${f.from} ${a}`))).size;
    s.packagesChanged = new Set([...s.changes.map((c) => c.package), ...s.fixes.map((f) => f.package)]).size;
  }
  const seenUnfixable = new Set<string>();
  const unfixableOnce = unfixable.filter((u) => {
    const k = `${u.package}@${u.version} ${u.advisories.join(',')} ${u.reason}`;
    if (seenUnfixable.has(k)) return false;
    seenUnfixable.add(k);
    return true;
  });
  return {
    schemaVersion: FIX_SCHEMA_VERSION,
    ecosystem: 'npm',
    files: [project.packageJsonPath, project.lockPath],
    findings,
    steps: [...steps.values()],
    unfixable: unfixableOnce,
    containment: [],
    warnings: ctx.warnings,
  };
}

async function propose(
  ctx: Ctx,
  inst: { key: string; name: string; version: string },
  target: string,
  isSafe: (v: string) => boolean,
  pkgFile: string,
  lockFile: string,
): Promise<Proposal | undefined> {
  const { project } = ctx;
  const p = (await packumentOf(ctx, inst.name))!;
  const dependents = project.dependents.get(inst.key) ?? [];
  const admits = (spec: string): string | undefined => {
    const v = npmPick(p, spec);
    return v && isSafe(v) ? v : undefined;
  };

  const bundled = project.entries.get(inst.key)?.inBundle === true;
  // 1. in-range: one version satisfying every declared range, and npm's pick for them is safe
  if (ctx.strategies.has('in-range') && dependents.length && !bundled) {
    const specs = dependents.map((d) => d.spec);
    const all = specs.every((s) => semver.validRange(s));
    const v = all ? semver.maxSatisfying(versionsOf(p), specs.join(' ')) : null;
    const latest = p['dist-tags']?.['latest'];
    const pick = latest && all && specs.every((s) => semver.satisfies(latest, s)) ? latest : v;
    if (pick && isSafe(pick) && withinBump(inst.version, pick, ctx.maxBump)) {
      return {
        strategy: 'in-range',
        changes: [{ file: lockFile, kind: 'relock', package: inst.name, from: inst.version, to: pick }],
        risk: semverRisk(inst.version, pick),
        notes:
          project.manager === 'yarn'
            ? [`yarn: remove the ${inst.name}@${inst.version} entry from yarn.lock, then run yarn install`]
            : project.manager === 'pnpm'
              ? [`pnpm: pnpm update ${inst.name}${dependents.some((d) => project.entries.get(d.key)?.isRoot) ? '' : ' --depth Infinity'}`]
              : [],
        to: pick,
      };
    }
  }

  // 2. parent: raise what package.json declares
  if (ctx.strategies.has('parent')) {
    const changes: PlanChange[] = [];
    const notes: string[] = [];
    let ok = dependents.length > 0;
    let installed: string | null | undefined;
    const chainNotes: string[] = [];
    const topVersions = new Map<string, string>();
    const blockers = dependents.filter((d) => !(semver.validRange(d.spec) && admits(d.spec)));
    for (const b of blockers) {
      if (!ok) break;
      const entry = project.entries.get(b.key);
      if (entry?.isRoot) {
        // the vulnerable package is a direct dependency: raise its declared range to the target.
        // Only the project's own package.json is edited (not a workspace's), and only a registry range.
        if (entry.key !== '' || !semver.validRange(b.spec) || !withinBump(inst.version, target, ctx.maxBump)) {
          ok = false;
          break;
        }
        changes.push({ file: pkgFile, kind: 'bump', package: inst.name, from: b.spec, to: raiseSpec(b.spec, target) });
        continue;
      }
      // a bundled copy changes only with its bundler: the chain ends at the bundler
      const chains = chainsTo(project, b.key);
      if (!chains.length) {
        ok = false;
        break;
      }
      for (const chain of chains) {
        const top = project.entries.get(chain[0]!)!;
        const declared = rootSpecOf(project, top.name);
        const tp = declared !== undefined ? await packumentOf(ctx, top.name) : undefined;
        // a git/file/alias declaration is not a registry range: raising it is not ours to guess
        if (!tp || declared === undefined || !semver.validRange(declared)) {
          ok = false;
          break;
        }
        const below = [...chain.slice(1).map((k) => project.entries.get(k)?.name ?? nameOfKey(k)), inst.name];
        const before = idsAt(ctx, top.name, top.version);
        topVersions.set(top.name, top.version);
        let found: string | undefined;
        let reached: string | null | undefined;
        for (const v of versionsOf(tp).filter((x) => semver.gt(x, top.version))) {
          if (!withinBump(top.version, v, ctx.maxBump)) break;
          if (!idsAt(ctx, top.name, v).every((a) => before.includes(a))) continue;
          const pv = tp.versions[v]!;
          reached = await chainReachesSafe(ctx, { ...pv.peerDependencies, ...pv.optionalDependencies, ...pv.dependencies }, below, isSafe);
          if (reached !== undefined) {
            found = v;
            break;
          }
        }
        if (!found) {
          ok = false;
          break;
        }
        const prev = changes.find((c) => c.kind === 'bump' && c.package === top.name);
        const spec = raiseSpec(declared, found);
        if (prev) {
          if (semver.gt(found, semver.minVersion(prev.to)?.version ?? '0.0.0')) prev.to = spec;
        } else {
          changes.push({ file: pkgFile, kind: 'bump', package: top.name, from: declared, to: spec });
        }
        if (installed === undefined || (reached && installed && semver.lt(reached, installed))) installed = reached;
        if (chain.length > 1) chainNotes.push(`${chain.length + 1} levels: ${[top.name, ...below].join(' > ')}`);
      }
    }
    if (ok && changes.length) {
      const risks = changes.map((c) => {
        const from = c.package === inst.name ? inst.version : (topVersions.get(c.package) ?? (semver.validRange(c.from ?? '') ? semver.minVersion(c.from!)?.version : undefined) ?? '0.0.0');
        return semverRisk(from, semver.minVersion(c.to)?.version ?? c.to);
      });
      const risk = worstRisk(risks);
      if (chainNotes.length) notes.push(`walks ${chainNotes[0]}${chainNotes.length > 1 ? ` (and ${chainNotes.length - 1} more chain(s))` : ''}`);
      if (risk === 'major') notes.push('semver-major: read the changelog before applying');
      return { strategy: 'parent', changes, risk, notes, to: blockers.length === dependents.length && installed !== undefined ? installed : target };
    }
  }

  // 3. override: force the safe version under the packages that declared an older range
  if (ctx.strategies.has('override') && !bundled) {
    const direct = dependents.some((d) => project.entries.get(d.key)?.isRoot);
    if (direct) return undefined; // npm refuses an override that contradicts a direct dependency's range
    const parents = [...new Set(dependents.map((d) => project.entries.get(d.key)?.name ?? nameOfKey(d.key)))].sort();
    const declared = [...new Set(dependents.map((d) => `${project.entries.get(d.key)?.name}@${project.entries.get(d.key)?.version} declares ${d.spec}`))];
    return {
      strategy: 'override',
      changes: parents.map((under) => ({ file: pkgFile, kind: 'override' as const, package: inst.name, from: inst.version, to: target, under })),
      risk: 'override',
      notes: [
        `forces ${inst.name}@${target} where ${declared.join('; ')}: test the dependents`,
        ...(project.manager === 'yarn' ? [`yarn: add to package.json "resolutions": ${parents.map((p) => `"**/${p}/${inst.name}": "${target}"`).join(', ')}`] : []),
        ...(project.manager === 'pnpm' ? [`pnpm: add to package.json "pnpm": {"overrides": {${parents.map((p) => `"${p}>${inst.name}": "${target}"`).join(', ')}}}`] : []),
      ],
      to: target,
    };
  }
  return undefined;
}
