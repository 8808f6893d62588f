/**
 * `vouch fix` below the CLI: find what a path holds (an npm, pnpm or yarn project, requirements.txt,
 * go.mod, pom.xml), plan, attach the containment playbook, apply.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AdvisoryLookup } from '../advisories/match.js';
import { VouchError, isVouchError } from '../model/errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { containmentFor, loadPlaybook } from './containment.js';
import type { PackageMetadataSource } from './metadata.js';
import { type ApplyResult, type NpmApplyOptions, applyNpm } from './npm/apply.js';
import { readNpmProject } from './npm/lock.js';
import { readYarnProject } from './npm/yarn-lock.js';
import { readPnpmProject } from './npm/pnpm-lock.js';
import { type NpmPlanOptions, planNpm, vulnerableInstances } from './npm/plan.js';
import { type TextKind, applyText, planText, textAdvisories, textKindOf } from './text-plan.js';
import type { FixPlan } from './types.js';
import { type EcoKind, ecoKindOf, ecoManifest, planEco } from './eco/plan.js';

export type { FixPlan } from './types.js';
export type { PackageMetadataSource, Packument } from './metadata.js';
export { DirectoryMetadataSource, registryMetadataSource } from './metadata.js';

export type FixTarget =
  | {
      kind: 'npm' | 'yarn' | 'pnpm';
      /** The project folder. */
      dir: string;
    }
  /** text manifests; and pyproject.toml (poetry.lock / uv.lock), Cargo.toml, Gemfile, composer.json: `file` (the manifest) is edited, the lockfile beside it read. */
  | { kind: TextKind | EcoKind; file: string };

const ECO_KINDS: readonly string[] = ['poetry', 'uv', 'cargo', 'bundler', 'composer'] satisfies EcoKind[];
function isEco(t: FixTarget): t is { kind: EcoKind; file: string } {
  return ECO_KINDS.includes(t.kind);
}

/** What `path` names: an npm/pnpm/yarn project folder or its files, or a requirements.txt / go.mod / pom.xml (or a folder holding one). */
export function resolveTarget(p: string): FixTarget {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new VouchError('INPUT_MISSING', 'no such file or folder', { path: p });
  const isDir = statSync(abs).isDirectory();
  const dir = isDir ? abs : path.dirname(abs);
  const base = isDir ? undefined : path.basename(abs);
  const hasNpmLock = existsSync(path.join(dir, 'package-lock.json')) || existsSync(path.join(dir, 'npm-shrinkwrap.json'));
  if (base === 'pnpm-lock.yaml' || ((isDir || base === 'package.json') && !hasNpmLock && existsSync(path.join(dir, 'pnpm-lock.yaml')))) {
    return { kind: 'pnpm', dir: isDir ? p : path.dirname(p) };
  }
  if (base === 'yarn.lock' || ((isDir || base === 'package.json') && !hasNpmLock && existsSync(path.join(dir, 'yarn.lock')))) {
    return { kind: 'yarn', dir: isDir ? p : path.dirname(p) };
  }
  if ((isDir && existsSync(path.join(dir, 'package.json'))) || base === 'package.json' || base === 'package-lock.json' || base === 'npm-shrinkwrap.json') {
    return { kind: 'npm', dir: isDir ? p : path.dirname(p) };
  }
  const eco = ecoKindOf(abs);
  if (base && eco) return { kind: eco, file: ecoManifest(eco, path.dirname(p)) };
  if (isDir) {
    for (const name of ['pyproject.toml', 'Cargo.toml', 'Gemfile', 'composer.json']) {
      const k = existsSync(path.join(dir, name)) ? ecoKindOf(path.join(dir, name)) : undefined;
      if (k) return { kind: k, file: path.join(p, name) };
    }
  }
  if (base) {
    const kind = textKindOf(base);
    if (kind) return { kind, file: p };
  } else {
    for (const [name, kind] of [['requirements.txt', 'requirements'], ['go.mod', 'go.mod'], ['pom.xml', 'pom']] as const) {
      if (existsSync(path.join(dir, name))) return { kind, file: path.join(p, name) };
    }
  }
  throw new VouchError('INPUT_UNSUPPORTED', 'nothing vouch fix can plan here (it reads package.json with package-lock.json, pnpm-lock.yaml or yarn.lock; requirements.txt; go.mod; pom.xml; pyproject.toml with poetry.lock or uv.lock; Cargo.toml + Cargo.lock; Gemfile + Gemfile.lock; composer.json + composer.lock)', { path: p });
}

export interface PlanOptions extends NpmPlanOptions {
  metadata: PackageMetadataSource;
  /** The playbook file (default: vouch.containment.yaml in the project folder, then the current folder). */
  containment?: string;
}

export async function planTarget(target: FixTarget, lookup: AdvisoryLookup, opts: PlanOptions): Promise<FixPlan> {
  if (isEco(target)) {
    const ep = await planEco(target.file, target.kind, lookup);
    const playbook = await loadPlaybook(opts.containment, [path.dirname(target.file), process.cwd()]);
    ep.plan.containment = containmentFor(playbook, ep.found);
    return ep.plan;
  }
  if ('file' in target) {
    const { plan } = await planText(target.file, lookup, target.kind as TextKind);
    const playbook = await loadPlaybook(opts.containment, [path.dirname(target.file), process.cwd()]);
    plan.containment = containmentFor(playbook, await textAdvisories(target.file, lookup, target.kind as TextKind));
    return plan;
  }
  const warnings: string[] = [];
  const project =
    target.kind === 'yarn' ? await readYarnProject(target.dir) : target.kind === 'pnpm' ? await readPnpmProject(target.dir, opts.metadata, warnings) : await readNpmProject(target.dir);
  const plan = await planNpm(project, lookup, opts.metadata, opts);
  plan.warnings.unshift(...warnings);
  const playbook = await loadPlaybook(opts.containment, [target.dir, process.cwd()]);
  const found = vulnerableInstances(project, lookup).flatMap((i) =>
    lookup
      .advisoriesFor('npm', i.name)
      .filter((a) => i.advisories.includes(a.id))
      .map((advisory) => ({ package: i.name, advisory })),
  );
  plan.containment = containmentFor(playbook, found);
  return plan;
}

export async function applyTarget(target: FixTarget, lookup: AdvisoryLookup, opts: NpmApplyOptions & { metadata: PackageMetadataSource }): Promise<ApplyResult> {
  if (isEco(target)) return applyEco(target.file, target.kind, lookup);
  if (!('file' in target)) {
    if (target.kind === 'npm') return applyNpm(target.dir, lookup, opts.metadata, opts);
    throw new VouchError('INPUT_UNSUPPORTED', `--apply relocks package-lock.json projects only; for ${target.kind === 'yarn' ? 'yarn.lock' : 'pnpm-lock.yaml'}, apply the plan by hand (its notes say how)`, { path: target.dir });
  }
  const tp = await planText(target.file, lookup, target.kind as TextKind);
  const pairs = (p: FixPlan): string[] => [...p.steps.flatMap((s) => s.fixes), ...p.unfixable].flatMap((f) => f.advisories.map((a) => `${f.package}@${'from' in f ? f.from : f.version} ${a}`)).sort();
  const before = pairs(tp.plan);
  if (!(await applyText(tp, target.file))) return { plan: tp.plan, applied: [], before, after: before, packageJsonChanged: false };
  let after: string[];
  try {
    after = pairs((await planText(target.file, lookup, target.kind as TextKind)).plan);
    const key = (pair: string): string => pair.replace(/@[^@ ]+ /, ' ');
    const had = new Set(before.map(key));
    const added = after.filter((x) => !had.has(key(x)));
    if (added.length) throw new VouchError('INPUT_UNSUPPORTED', `the edited file has advisories that were not there before (${added.slice(0, 3).join(', ')})`, { path: target.file });
  } catch (e) {
    await writeFileAtomic(target.file, tp.original);
    throw new VouchError(isVouchError(e) ? e.code : 'INPUT_UNSUPPORTED', `fix not applied, ${path.basename(target.file)} restored: ${isVouchError(e) ? e.oneLine() : (e as Error).message}`, { cause: e });
  }
  return { plan: tp.plan, applied: tp.plan.steps, before, after, packageJsonChanged: false };
}

/**
 * Writes the manifest edits of an eco plan atomically. The lockfile is not touched (the ecosystem's
 * tool regenerates it: each step's `command`), so `after` lists what the lockfile still holds; the
 * plan's warnings say so. A failed write leaves the manifest as it was (atomic rename).
 */
export async function applyEco(manifest: string, kind: EcoKind, lookup: AdvisoryLookup): Promise<ApplyResult> {
  const ep = await planEco(manifest, kind, lookup);
  const pairs = [...ep.plan.steps.flatMap((s) => s.fixes), ...ep.plan.unfixable].flatMap((f) => f.advisories.map((a) => `${f.package}@${'from' in f ? f.from : f.version} ${a}`)).sort();
  const applied = ep.plan.steps.filter((s) => s.changes.some((c) => c.kind === 'bump'));
  if (ep.edited !== ep.original) await writeFileAtomic(manifest, ep.edited);
  const commands = [...new Set(ep.plan.steps.flatMap((s) => (s.command ? [s.command] : [])))];
  if (commands.length) {
    ep.plan.warnings.push(`${path.basename(manifest)} ${applied.length ? 'edited' : 'unchanged'}; the lockfile is not: regenerate it with ${commands.join(' && ')} (vouch does not run it), then rescan`);
  }
  return { plan: ep.plan, applied, before: pairs, after: pairs, packageJsonChanged: false };
}
