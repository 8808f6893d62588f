/**
 * `vouch fix` below the CLI: find what a path holds (an npm project, requirements.txt, go.mod,
 * pom.xml), plan, attach the containment playbook, apply.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AdvisoryLookup } from '../advisories/match.js';
import { VouchError } from '../model/errors.js';
import { containmentFor, loadPlaybook } from './containment.js';
import type { PackageMetadataSource } from './metadata.js';
import { type ApplyResult, type NpmApplyOptions, applyNpm } from './npm/apply.js';
import { readNpmProject } from './npm/lock.js';
import { type NpmPlanOptions, planNpm, vulnerableInstances } from './npm/plan.js';
import type { FixPlan } from './types.js';

export type { FixPlan } from './types.js';
export type { PackageMetadataSource, Packument } from './metadata.js';
export { DirectoryMetadataSource, registryMetadataSource } from './metadata.js';

export interface FixTarget {
  kind: 'npm';
  /** The project folder (npm). */
  dir: string;
}

/** What `path` names: a folder with package.json, or package.json / package-lock.json itself. */
export function resolveTarget(p: string): FixTarget {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new VouchError('INPUT_MISSING', 'no such file or folder', { path: p });
  const isDir = statSync(abs).isDirectory();
  const dir = isDir ? abs : path.dirname(abs);
  const base = isDir ? undefined : path.basename(abs);
  if ((isDir && existsSync(path.join(dir, 'package.json'))) || base === 'package.json' || base === 'package-lock.json' || base === 'npm-shrinkwrap.json') {
    return { kind: 'npm', dir: isDir ? p : path.dirname(p) };
  }
  throw new VouchError('INPUT_UNSUPPORTED', 'nothing vouch fix can plan here (it reads package.json + package-lock.json)', { path: p });
}

export interface PlanOptions extends NpmPlanOptions {
  metadata: PackageMetadataSource;
  /** The playbook file (default: vouch.containment.yaml in the project folder, then the current folder). */
  containment?: string;
}

export async function planTarget(target: FixTarget, lookup: AdvisoryLookup, opts: PlanOptions): Promise<FixPlan> {
  const project = await readNpmProject(target.dir);
  const plan = await planNpm(project, lookup, opts.metadata, opts);
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
  return applyNpm(target.dir, lookup, opts.metadata, opts);
}
