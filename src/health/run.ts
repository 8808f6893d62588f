/** `vouch health REPO`: every check on one local clone, the aggregate and the criticality score. */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../model/errors.js';
import { binaryArtifacts, dependencyUpdateTool, fuzzing, license, securityPolicy } from './checks-files.js';
import { type SignatureOptions, codeReview, contributors, maintained, signedReleases } from './checks-history.js';
import { dangerousWorkflow, packaging, pinnedDependencies, sast, tokenPermissions } from './checks-workflows.js';
import { loadContext } from './context.js';
import { type Criticality, criticality } from './criticality.js';
import { git } from './git.js';
import { type CheckResult, aggregateScore } from './types.js';
import { vulnerabilities } from './vulnerabilities.js';

export const HEALTH_SCHEMA = 'vouch-health/1';

export interface HealthReport {
  schema: typeof HEALTH_SCHEMA;
  repo: string;
  /** HEAD commit checked */
  head: string | null;
  /** the "now" the checks used, ISO 8601 */
  now: string;
  /** Scorecard-weighted mean of the checks that ran, 0–10 (null: none ran) */
  score: number | null;
  checks: CheckResult[];
  criticality: Criticality;
  /** Things that limit what the report can say (e.g. a shallow clone). */
  notes: string[];
}

export interface HealthOptions extends SignatureOptions {
  /** reference time; default: the current time */
  now?: Date;
  /** store folder for the Vulnerabilities check */
  home?: string;
  /** projects of a portfolio depending on this repository (criticality's dependents signal) */
  dependents?: number;
  /** skip the Vulnerabilities check (e.g. portfolio runs that scan separately) */
  skipVulnerabilities?: boolean;
}

/** Checks a local git clone. Throws INPUT_MISSING / INPUT_UNSUPPORTED when REPO is not a git work tree. */
export async function checkRepository(repo: string, opts: HealthOptions = {}): Promise<HealthReport> {
  const root = path.resolve(repo);
  const st = await stat(root).catch(() => undefined);
  if (!st) throw new VouchError('INPUT_MISSING', 'no such directory', { path: repo });
  if (!st.isDirectory()) throw new VouchError('INPUT_UNSUPPORTED', 'not a directory (vouch health takes a local git clone)', { path: repo });
  const top = await git(root, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) throw new VouchError('INPUT_UNSUPPORTED', 'not a git work tree (clone the repository first; a bare repository has no files to check)', { path: repo });
  const toplevel = top.stdout.trim();
  // the clone's own configuration (core.worktree) must not move the work tree off the folder given:
  // the checks would read files of the host
  const [realRoot, realTop] = await Promise.all([realpath(root).catch(() => root), realpath(toplevel).catch(() => toplevel)]);
  const inside = path.relative(realTop, realRoot);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new VouchError('INPUT_UNSAFE', `the repository's configuration puts its work tree elsewhere (${toplevel}, core.worktree?): not checked`, { path: repo });
  }
  const headR = await git(toplevel, ['rev-parse', '--verify', '-q', 'HEAD']);
  const notes: string[] = [];
  const shallow = await git(toplevel, ['rev-parse', '--is-shallow-repository']);
  if (shallow.stdout.trim() === 'true') notes.push('shallow clone: Maintained, Contributors, Code-Review and the criticality signals see only the fetched history (git fetch --unshallow for the full picture)');
  const now = opts.now ?? new Date();
  const ctx = await loadContext(toplevel, Math.floor(now.getTime() / 1000));
  const checks: CheckResult[] = [
    await binaryArtifacts(ctx),
    codeReview(ctx),
    contributors(ctx),
    dangerousWorkflow(ctx),
    dependencyUpdateTool(ctx),
    await fuzzing(ctx),
    await license(ctx),
    maintained(ctx),
    packaging(ctx),
    await pinnedDependencies(ctx),
    sast(ctx),
    await securityPolicy(ctx),
    await signedReleases(ctx, opts),
    tokenPermissions(ctx),
    opts.skipVulnerabilities
      ? { name: 'Vulnerabilities', risk: 'High', score: null, reason: 'not run', evidence: [], remediation: 'Update the affected dependencies.' }
      : await vulnerabilities(ctx, { home: opts.home }),
  ];
  return {
    schema: HEALTH_SCHEMA,
    repo: toplevel,
    head: headR.code === 0 ? headR.stdout.trim() : null,
    now: now.toISOString(),
    score: aggregateScore(checks),
    checks,
    criticality: criticality(ctx, opts.dependents),
    notes,
  };
}
