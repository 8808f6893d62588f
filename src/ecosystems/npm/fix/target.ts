/** An npm, yarn classic or pnpm project planned for `vouch fix`: read, planned, and how the plan is applied (loaded when `vouch fix` plans one). */
import type { Component } from '../../../model/component.js';
import type { FixContext, FixTarget, FixerPlan } from '../../types.js';
import { type Manager, npmApplication, readProject } from './apply.js';
import { DirectoryMetadataSource, registryMetadataSource } from './metadata.js';
import { findingPairs, planNpm, vulnerableInstances } from './plan.js';

/** A component of npm `name@version`, for the oracle. */
function npmComponent(name: string, version: string): Component {
  return { purl: `pkg:npm/${name}@${version}`, ecosystem: 'npm', name, version, scope: 'prod', direct: false, locations: [] };
}

export async function planNpmTarget(target: FixTarget, ctx: FixContext): Promise<FixerPlan> {
  const manager = target.kind as Manager;
  // recorded packuments (--packuments), else the registry npm's own configuration names for the project
  const meta = ctx.metadataDir ? new DirectoryMetadataSource(ctx.metadataDir) : registryMetadataSource({ projectDir: target.dir, home: ctx.home });
  const warnings: string[] = [];
  const project = await readProject(manager, target.dir, meta, warnings);
  const plan = await planNpm(project, ctx.oracle, meta, { strategies: ctx.strategies, maxBump: ctx.maxBump });
  plan.warnings.unshift(...warnings);
  return {
    plan,
    found: () => vulnerableInstances(project, ctx.oracle).flatMap((i) => ctx.oracle.matches(npmComponent(i.name, i.version)).map((m) => ({ package: i.name, advisory: m.advisory }))),
    findings: () => [...findingPairs(project, ctx.oracle)].sort(),
    apply: npmApplication(project, meta, ctx),
  };
}
