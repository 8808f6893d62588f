/**
 * Applying an npm fix plan: back up package.json and the lockfile, edit package.json minimally,
 * relock with npm (lockfile only, no scripts), rescan. Any failure — npm exits non-zero, the
 * rescan finds an advisory that was not there before, the run is interrupted — puts both files
 * back byte for byte.
 */
import { spawn } from 'node:child_process';
import semver from 'semver';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdvisoryLookup } from '../../advisories/match.js';
import { VouchError, isVouchError } from '../../model/errors.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { DEP_SECTIONS, findString, setString, upsertString } from '../json-edit.js';
import type { PackageMetadataSource } from '../metadata.js';
import type { FixPlan, FixStep } from '../types.js';
import { readNpmProject } from './lock.js';
import { type NpmPlanOptions, findingPairs, planNpm } from './plan.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs npm; injectable so tests relock without a registry and can fail on purpose. */
export type NpmRunner = (args: string[], opts: { cwd: string; signal?: AbortSignal }) => Promise<RunResult>;

/** `$VOUCH_NPM` (a path to an npm-compatible executable) or `npm` from PATH. */
export function defaultNpmRunner(): NpmRunner {
  const cmd = process.env['VOUCH_NPM'] || 'npm';
  return (args, { cwd, signal }) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => reject(e));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

export const RELOCK_FLAGS = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];

export interface NpmApplyOptions extends NpmPlanOptions {
  runner?: NpmRunner;
  /** Aborting (Ctrl-C) stops npm and restores the project. */
  signal?: AbortSignal;
}

export interface ApplyResult {
  plan: FixPlan;
  applied: FixStep[];
  /** (name@version advisory) pairs before and after. */
  before: string[];
  after: string[];
  /** The package.json after the edit (for the before → after display). */
  packageJsonChanged: boolean;
}

/** Edits package.json text for the steps: bumps in the section that declares the package, overrides added. */
export function editPackageJson(text: string, steps: readonly FixStep[], file: string): string {
  let out = text;
  // two steps may raise one package (to fix different things): the higher raise wins
  const highest = new Map<string, string>();
  const slot = (c: FixStep['changes'][number]): string => `${c.kind} ${c.under ?? ''} ${c.package}`;
  for (const c of steps.flatMap((s) => s.changes)) {
    if (c.kind === 'relock') continue;
    const prev = highest.get(slot(c));
    const floor = (r: string): string => (semver.validRange(r) ? semver.minVersion(r)?.version : undefined) ?? '0.0.0';
    if (!prev || semver.gt(floor(c.to), floor(prev))) highest.set(slot(c), c.to);
  }
  for (const s of steps) {
    for (const c of s.changes) {
      if (c.kind === 'bump') {
        if (highest.get(slot(c)) !== c.to) continue;
        const section = DEP_SECTIONS.find((sec) => findString(out, [sec, c.package]) !== undefined);
        if (!section) throw new VouchError('INPUT_PARSE', `${c.package} is not declared in package.json`, { path: file });
        out = setString(out, [section, c.package], c.to, file);
      } else if (c.kind === 'override' && highest.get(slot(c)) === c.to) {
        out = upsertString(out, c.under ? ['overrides', c.under, c.package] : ['overrides', c.package], c.to, file);
      }
    }
  }
  return out;
}

export async function applyNpm(dir: string, lookup: AdvisoryLookup, meta: PackageMetadataSource, opts: NpmApplyOptions = {}): Promise<ApplyResult> {
  const project = await readNpmProject(dir);
  const plan = await planNpm(project, lookup, meta, opts);
  const before = [...findingPairs(project, lookup)].sort();
  if (plan.steps.length === 0) return { plan, applied: [], before, after: before, packageJsonChanged: false };

  const runner = opts.runner ?? defaultNpmRunner();
  const originals: [string, Buffer][] = [
    [project.packageJsonPath, await readFile(project.packageJsonPath)],
    [project.lockPath, await readFile(project.lockPath)],
  ];
  // on-disk copies survive a crash of this process; removed once the run ends either way
  const backupDir = await mkdtemp(path.join(os.tmpdir(), 'vouch-fix-backup-'));
  for (const [p, data] of originals) await writeFile(path.join(backupDir, path.basename(p)), data);

  const check = (): void => {
    if (opts.signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: dir });
  };
  try {
    const edited = editPackageJson(project.packageJsonText, plan.steps, project.packageJsonPath);
    const changed = edited !== project.packageJsonText;
    if (changed) await writeFileAtomic(project.packageJsonPath, edited);
    check();
    await run(runner, ['install', ...RELOCK_FLAGS], dir, opts.signal);
    check();
    // a relock keeps locked versions that still satisfy their ranges: update the vulnerable ones
    const names = [...new Set(plan.steps.filter((s) => s.strategy !== 'override').flatMap((s) => s.fixes.map((f) => f.package)))].sort();
    if (names.length) {
      await run(runner, ['update', ...names, ...RELOCK_FLAGS], dir, opts.signal);
      check();
    }
    const after = [...findingPairs(await readNpmProject(dir), lookup)].sort();
    // new = an advisory on a package that did not have it before (versions change, so compare name + id)
    const key = (pair: string): string => pair.replace(/@[^@ ]+ /, ' ');
    const had = new Set(before.map(key));
    const added = after.filter((p) => !had.has(key(p)));
    if (added.length) {
      throw new VouchError('INPUT_UNSUPPORTED', `the relocked tree has ${added.length} advisory finding(s) that were not there before (${added.slice(0, 3).join(', ')}${added.length > 3 ? ', ...' : ''})`, { path: project.lockPath });
    }
    await rm(backupDir, { recursive: true, force: true });
    return { plan, applied: plan.steps, before, after, packageJsonChanged: changed };
  } catch (e) {
    try {
      for (const [p, data] of originals) await writeFileAtomic(p, data);
    } catch (restoreError) {
      throw new VouchError('INPUT_UNSAFE', `fix failed and the project could not be restored; the originals are in ${backupDir}`, { path: dir, cause: restoreError });
    }
    await rm(backupDir, { recursive: true, force: true });
    const why = isVouchError(e) ? e.oneLine() : (e as Error).message;
    throw new VouchError(isVouchError(e) ? e.code : 'INPUT_UNSUPPORTED', `fix not applied, package.json and the lockfile restored: ${why}`, { cause: e });
  }
}

async function run(runner: NpmRunner, args: string[], cwd: string, signal: AbortSignal | undefined): Promise<void> {
  let r: RunResult;
  try {
    r = await runner(args, { cwd, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: cwd });
    throw new VouchError('INPUT_UNSUPPORTED', `cannot run npm (${(e as Error).message}); set VOUCH_NPM to the npm executable`, { cause: e });
  }
  if (signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: cwd });
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300);
    throw new VouchError('INPUT_UNSUPPORTED', `\`npm ${args.join(' ')}\` failed (exit ${r.code})${last ? `: ${last}` : ''}`, { path: cwd });
  }
}
