/**
 * Carrying out an npm, yarn classic or pnpm fix plan: package.json edited minimally, the lockfile
 * relocked with the package manager's own CLI (lockfile only, no scripts), the lockfile rescanned.
 * The backup, the writes and the byte-for-byte restore on any failure are src/remediate's (see
 * FixApplication in ecosystems/types.ts).
 *
 * Relocking, per manager:
 * - npm: `npm install --package-lock-only`, then `npm update NAMES --package-lock-only`;
 * - yarn classic: the vulnerable entries are deleted from yarn.lock (yarn's own way to re-resolve
 *   one package), then `yarn install --modules-folder TMP`: yarn 1 has no lockfile-only mode, so
 *   it downloads and links the tree into a temporary folder, never the project's node_modules;
 * - pnpm: `pnpm install --lockfile-only`, then `pnpm update NAMES --lockfile-only --depth Infinity --no-save` (package.json keeps its ranges).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { VouchError } from '../../../model/errors.js';
import type { FixPlan, FixStep } from '../../../model/fix.js';
import { writeFileAtomic } from '../../../io/atomic-write.js';
import { findString, setString, upsertString } from '../../../io/json-edit.js';
import type { FixApplication, FixContext, ToolResult, ToolRunner } from '../../types.js';
import { type NpmProject, readNpmProject } from './lock.js';
import type { PackageMetadataSource } from './metadata.js';
import { findingPairs } from './plan.js';
import { readPnpmProject } from './pnpm-lock.js';
import { dropYarnEntries, readYarnProject } from './yarn-lock.js';
import { assertOnline } from '../../../io/network.js';

/** The package manager that owns the lockfile. */
export type Manager = 'npm' | 'yarn' | 'pnpm';

/** Runs the package manager (npm, yarn or pnpm); injectable (FixContext.runner) so tests relock without a registry and can fail on purpose. */
export type PackageManagerRunner = ToolRunner;

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
export function defaultNpmRunner(): PackageManagerRunner {
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

/** Where each manager reads a forced version from: npm `overrides`, yarn `resolutions`, pnpm `pnpm.overrides`. */
export function overridePath(manager: Manager, pkg: string, under: string | undefined): string[] {
  if (manager === 'yarn') return ['resolutions', under ? `**/${under}/${pkg}` : `**/${pkg}`];
  if (manager === 'pnpm') return ['pnpm', 'overrides', under ? `${under}>${pkg}` : pkg];
  return under ? ['overrides', under, pkg] : ['overrides', pkg];
}

/** The dependency sections of package.json, in the order a direct dependency is looked up. */
const DEP_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

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

/** Reads the project of `manager` in `dir` (package.json with package-lock.json, yarn.lock or pnpm-lock.yaml). */
export async function readProject(manager: Manager, dir: string, meta: PackageMetadataSource, warnings: string[]): Promise<NpmProject> {
  if (manager === 'yarn') return readYarnProject(dir);
  if (manager === 'pnpm') return readPnpmProject(dir, meta, warnings);
  return readNpmProject(dir);
}

/** How a plan of `project` is carried out: see the file comment. */
export function npmApplication(project: NpmProject, meta: PackageMetadataSource, ctx: FixContext): FixApplication {
  const { manager, dir } = project;
  let runner: PackageManagerRunner | undefined;
  return {
    files: [project.packageJsonPath, project.lockPath],
    // a failed yarn run leaves its log behind
    leftovers: manager === 'yarn' ? [path.join(dir, 'yarn-error.log')] : [],
    // before anything is touched: the manager is there, and is the one that writes this lockfile
    check: async (plan) => {
      runner = ctx.runner ?? defaultRunner(manager);
      if (manager === 'npm') return;
      const v = await run(runner, manager, ['--version'], dir, ctx.signal);
      const version = v.stdout.trim().split('\n').pop() ?? '';
      if (manager === 'yarn' && !/^1\./.test(version)) {
        throw new VouchError('INPUT_UNSUPPORTED', `yarn ${version || '(unknown version)'} is yarn berry, which would migrate this yarn classic (v1) yarn.lock; set VOUCH_YARN to a yarn 1 executable (\`npm install -g yarn@1\`); nothing was changed`, { path: project.lockPath });
      }
      if (manager === 'pnpm') {
        const lockMajor = /^lockfileVersion:\s*'?(\d+)/m.exec(project.lockText)?.[1];
        const pnpmMajor = semver.coerce(version)?.major;
        if (lockMajor === '6' && pnpmMajor !== undefined && pnpmMajor >= 9) plan.warnings.push(`pnpm ${version} rewrites pnpm-lock.yaml from lockfileVersion 6.0 to 9.0`);
      }
    },
    edits: (plan) => {
      const edited = editPackageJson(project.packageJsonText, plan.steps, project.packageJsonPath, manager);
      return edited === project.packageJsonText ? [] : [{ file: project.packageJsonPath, text: edited }];
    },
    relock: (plan) => relock(project, runner ?? defaultRunner(manager), plan, ctx.signal),
    rescan: async () => [...findingPairs(await readProject(manager, dir, meta, []), ctx.oracle)].sort(),
  };
}

async function relock(project: NpmProject, runner: PackageManagerRunner, plan: FixPlan, signal: AbortSignal | undefined): Promise<void> {
  const { manager, dir } = project;
  // a relock keeps locked versions that still satisfy their ranges: update the vulnerable ones
  const names = [...new Set(plan.steps.filter((s) => s.strategy !== 'override').flatMap((s) => s.fixes.map((f) => f.package)))].sort();
  if (manager === 'npm') {
    await run(runner, manager, ['install', ...RELOCK_FLAGS], dir, signal);
    if (names.length) await run(runner, manager, ['update', ...names, ...RELOCK_FLAGS], dir, signal);
  } else if (manager === 'pnpm') {
    await run(runner, manager, ['install', ...PNPM_RELOCK_FLAGS], dir, signal);
    if (names.length) await run(runner, manager, ['update', ...names, '--depth', 'Infinity', '--no-save', ...PNPM_RELOCK_FLAGS], dir, signal);
  } else {
    // every fixed version's entry goes (an override's too, so the resolution is read afresh)
    const drop = plan.steps.flatMap((s) => s.fixes.map((f) => ({ name: f.package, version: f.from })));
    const dropped = dropYarnEntries(project.lockText, drop);
    if (dropped !== project.lockText) await writeFileAtomic(project.lockPath, dropped);
    const modules = await mkdtemp(path.join(os.tmpdir(), 'vouch-fix-yarn-modules-'));
    try {
      await run(runner, manager, ['install', ...YARN_INSTALL_FLAGS, '--modules-folder', modules], dir, signal);
    } finally {
      await rm(modules, { recursive: true, force: true });
    }
  }
}

async function run(runner: PackageManagerRunner, manager: Manager, args: string[], cwd: string, signal: AbortSignal | undefined): Promise<ToolResult> {
  if (args[0] !== '--version') assertOnline(`relocking with ${manager} ${args[0] ?? ''}`.trim());
  let r: ToolResult;
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
