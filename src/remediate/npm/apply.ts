/**
 * Applying an npm, yarn classic or pnpm fix plan: back up package.json and the lockfile, edit
 * package.json minimally, relock with the package manager's own CLI (lockfile only, no scripts),
 * rescan. Any failure — the manager exits non-zero, the rescan finds an advisory that was not there
 * before, the run is interrupted — puts both files back byte for byte.
 *
 * Relocking, per manager:
 * - npm: `npm install --package-lock-only`, then `npm update NAMES --package-lock-only`;
 * - yarn classic: the vulnerable entries are deleted from yarn.lock (yarn's own way to re-resolve
 *   one package), then `yarn install --modules-folder TMP`: yarn 1 has no lockfile-only mode, so
 *   it downloads and links the tree into a temporary folder, never the project's node_modules;
 * - pnpm: `pnpm install --lockfile-only`, then `pnpm update NAMES --lockfile-only --depth Infinity --no-save` (package.json keeps its ranges).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
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
import { type NpmProject, readNpmProject } from './lock.js';
import { type NpmPlanOptions, findingPairs, planNpm } from './plan.js';
import { readPnpmProject } from './pnpm-lock.js';
import { dropYarnEntries, readYarnProject } from './yarn-lock.js';

/** The package manager that owns the lockfile. */
export type Manager = 'npm' | 'yarn' | 'pnpm';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the package manager (npm, yarn or pnpm); injectable so tests relock without a registry and can fail on purpose. */
export type PackageManagerRunner = (args: string[], opts: { cwd: string; signal?: AbortSignal }) => Promise<RunResult>;
/** @deprecated the same as {@link PackageManagerRunner} */
export type NpmRunner = PackageManagerRunner;

/** The environment variable naming each manager's executable, and how to install it. */
export const MANAGER_TOOLS: Record<Manager, { env: string; install: string; relockByHand: string }> = {
  npm: { env: 'VOUCH_NPM', install: 'install Node.js (npm comes with it)', relockByHand: 'npm install --package-lock-only --ignore-scripts' },
  yarn: { env: 'VOUCH_YARN', install: 'install yarn classic with `npm install -g yarn@1` or `corepack enable`', relockByHand: 'yarn install --ignore-scripts' },
  pnpm: { env: 'VOUCH_PNPM', install: 'install pnpm with `npm install -g pnpm` or `corepack enable`', relockByHand: 'pnpm install --lockfile-only --ignore-scripts' },
};

/**
 * The executable of `manager`: `$VOUCH_NPM` / `$VOUCH_YARN` / `$VOUCH_PNPM` when set, else the
 * first `npm` / `yarn` / `pnpm` on PATH (a corepack shim counts). Undefined when there is none.
 */
export function findManager(manager: Manager, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[MANAGER_TOOLS[manager].env];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const d of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!d) continue;
    for (const x of exts) {
      const f = path.join(d, manager + x);
      if (isExecutable(f)) return f;
    }
  }
  return undefined;
}

function isExecutable(f: string): boolean {
  try {
    if (!statSync(f).isFile()) return false;
    accessSync(f, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$VOUCH_NPM` (a path to an npm-compatible executable) or `npm` from PATH. */
export function defaultNpmRunner(): NpmRunner {
  return spawnRunner(process.env['VOUCH_NPM'] || 'npm');
}

/**
 * The runner of `manager` found by {@link findManager}. For yarn and pnpm, a manager that is not
 * installed is an INPUT_MISSING error naming what to install and what to run by hand.
 */
export function defaultRunner(manager: Manager): PackageManagerRunner {
  if (manager === 'npm') return defaultNpmRunner();
  const cmd = findManager(manager);
  if (!cmd) throw notInstalled(manager);
  return spawnRunner(cmd);
}

function notInstalled(manager: Manager): VouchError {
  const t = MANAGER_TOOLS[manager];
  const env = process.env[t.env];
  return new VouchError(
    'INPUT_MISSING',
    `${manager} is not installed (${env ? `${t.env}=${env} is not an executable` : `no ${manager} on PATH and ${t.env} is not set`}): ${t.install}, or apply the plan by hand (\`vouch fix --plan\`) and run \`${t.relockByHand}\`; nothing was changed`,
  );
}

function spawnRunner(cmd: string): PackageManagerRunner {
  return (args, { cwd, signal }) =>
    new Promise((resolve, reject) => {
      // a corepack shim must not stop to ask before downloading the pinned manager
      const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
      const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' && /\.cmd$/i.test(cmd), ...(signal ? { signal } : {}) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => reject(e));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

export const RELOCK_FLAGS = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
/** yarn classic: `install` flags besides `--modules-folder TMP` (no prompts, no scripts, no lockfile freeze). */
export const YARN_INSTALL_FLAGS = ['--non-interactive', '--ignore-scripts', '--no-progress'];
/** pnpm: lockfile only, no scripts; CI=true would freeze the lockfile, so unfreeze it explicitly. */
export const PNPM_RELOCK_FLAGS = ['--lockfile-only', '--ignore-scripts', '--no-frozen-lockfile'];

export interface NpmApplyOptions extends NpmPlanOptions {
  /** The manager whose lockfile is relocked (default npm). */
  manager?: Manager;
  runner?: PackageManagerRunner;
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

/** Where each manager reads a forced version from: npm `overrides`, yarn `resolutions`, pnpm `pnpm.overrides`. */
export function overridePath(manager: Manager, pkg: string, under: string | undefined): string[] {
  if (manager === 'yarn') return ['resolutions', under ? `**/${under}/${pkg}` : `**/${pkg}`];
  if (manager === 'pnpm') return ['pnpm', 'overrides', under ? `${under}>${pkg}` : pkg];
  return under ? ['overrides', under, pkg] : ['overrides', pkg];
}

/** Edits package.json text for the steps: bumps in the section that declares the package, overrides added. */
export function editPackageJson(text: string, steps: readonly FixStep[], file: string, manager: Manager = 'npm'): string {
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
        out = upsertString(out, overridePath(manager, c.package, c.under), c.to, file);
      }
    }
  }
  return out;
}

async function readProject(manager: Manager, dir: string, meta: PackageMetadataSource, warnings: string[]): Promise<NpmProject> {
  if (manager === 'yarn') return readYarnProject(dir);
  if (manager === 'pnpm') return readPnpmProject(dir, meta, warnings);
  return readNpmProject(dir);
}

/** Applies the plan of an npm (default), yarn classic or pnpm project; see the file comment. */
export async function applyNpm(dir: string, lookup: AdvisoryLookup, meta: PackageMetadataSource, opts: NpmApplyOptions = {}): Promise<ApplyResult> {
  const manager = opts.manager ?? 'npm';
  const warnings: string[] = [];
  const project = await readProject(manager, dir, meta, warnings);
  const plan = await planNpm(project, lookup, meta, opts);
  plan.warnings.unshift(...warnings);
  const before = [...findingPairs(project, lookup)].sort();
  if (plan.steps.length === 0) return { plan, applied: [], before, after: before, packageJsonChanged: false };

  // before anything is touched: the manager is there, and is the one that writes this lockfile
  const runner = opts.runner ?? defaultRunner(manager);
  if (manager !== 'npm') {
    const v = await run(runner, manager, ['--version'], dir, opts.signal);
    const version = v.stdout.trim().split('\n').pop() ?? '';
    if (manager === 'yarn' && !/^1\./.test(version)) {
      throw new VouchError('INPUT_UNSUPPORTED', `yarn ${version || '(unknown version)'} is yarn berry, which would migrate this yarn classic (v1) yarn.lock; set VOUCH_YARN to a yarn 1 executable (\`npm install -g yarn@1\`); nothing was changed`, { path: project.lockPath });
    }
    if (manager === 'pnpm') {
      const lockMajor = /^lockfileVersion:\s*'?(\d+)/m.exec(project.lockText)?.[1];
      const pnpmMajor = semver.coerce(version)?.major;
      if (lockMajor === '6' && pnpmMajor !== undefined && pnpmMajor >= 9) plan.warnings.push(`pnpm ${version} rewrites pnpm-lock.yaml from lockfileVersion 6.0 to 9.0`);
    }
  }
  const originals: [string, Buffer][] = [
    [project.packageJsonPath, await readFile(project.packageJsonPath)],
    [project.lockPath, await readFile(project.lockPath)],
  ];
  // files a failed run of the manager leaves behind, removed on restore when they were not there before
  const leftovers = (manager === 'yarn' ? ['yarn-error.log'] : []).map((f) => path.join(dir, f)).filter((f) => !existsSync(f));
  // on-disk copies survive a crash of this process; removed once the run ends either way
  const backupDir = await mkdtemp(path.join(os.tmpdir(), 'vouch-fix-backup-'));
  for (const [p, data] of originals) await writeFile(path.join(backupDir, path.basename(p)), data);

  const check = (): void => {
    if (opts.signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: dir });
  };
  try {
    const edited = editPackageJson(project.packageJsonText, plan.steps, project.packageJsonPath, manager);
    const changed = edited !== project.packageJsonText;
    if (changed) await writeFileAtomic(project.packageJsonPath, edited);
    check();
    // a relock keeps locked versions that still satisfy their ranges: update the vulnerable ones
    const names = [...new Set(plan.steps.filter((s) => s.strategy !== 'override').flatMap((s) => s.fixes.map((f) => f.package)))].sort();
    if (manager === 'npm') {
      await run(runner, manager, ['install', ...RELOCK_FLAGS], dir, opts.signal);
      check();
      if (names.length) await run(runner, manager, ['update', ...names, ...RELOCK_FLAGS], dir, opts.signal);
    } else if (manager === 'pnpm') {
      await run(runner, manager, ['install', ...PNPM_RELOCK_FLAGS], dir, opts.signal);
      check();
      if (names.length) await run(runner, manager, ['update', ...names, '--depth', 'Infinity', '--no-save', ...PNPM_RELOCK_FLAGS], dir, opts.signal);
    } else {
      // every fixed version's entry goes (an override's too, so the resolution is read afresh)
      const drop = plan.steps.flatMap((s) => s.fixes.map((f) => ({ name: f.package, version: f.from })));
      const dropped = dropYarnEntries(project.lockText, drop);
      if (dropped !== project.lockText) await writeFileAtomic(project.lockPath, dropped);
      const modules = await mkdtemp(path.join(os.tmpdir(), 'vouch-fix-yarn-modules-'));
      try {
        await run(runner, manager, ['install', ...YARN_INSTALL_FLAGS, '--modules-folder', modules], dir, opts.signal);
      } finally {
        await rm(modules, { recursive: true, force: true });
      }
    }
    check();
    const after = [...findingPairs(await readProject(manager, dir, meta, []), lookup)].sort();
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
      for (const f of leftovers) await rm(f, { force: true });
    } catch (restoreError) {
      throw new VouchError('INPUT_UNSAFE', `fix failed and the project could not be restored; the originals are in ${backupDir}`, { path: dir, cause: restoreError });
    }
    await rm(backupDir, { recursive: true, force: true });
    const why = isVouchError(e) ? e.oneLine() : (e as Error).message;
    throw new VouchError(isVouchError(e) ? e.code : 'INPUT_UNSUPPORTED', `fix not applied, package.json and the lockfile restored: ${why}`, { cause: e });
  }
}

async function run(runner: PackageManagerRunner, manager: Manager, args: string[], cwd: string, signal: AbortSignal | undefined): Promise<RunResult> {
  let r: RunResult;
  try {
    r = await runner(args, { cwd, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: cwd });
    throw new VouchError('INPUT_UNSUPPORTED', `cannot run ${manager} (${(e as Error).message}); set ${MANAGER_TOOLS[manager].env} to the ${manager} executable`, { cause: e });
  }
  if (signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: cwd });
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300);
    throw new VouchError('INPUT_UNSUPPORTED', `\`${manager} ${args.join(' ')}\` failed (exit ${r.code})${last ? `: ${last}` : ''}`, { path: cwd });
  }
  return r;
}
