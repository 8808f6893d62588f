/**
 * `vouch verify-lockfile` below the CLI: the lockfile the user named (or the one in the folder),
 * npm's own configuration read in its folder, a registry client over it, and every registry
 * tarball checked against the lockfile's integrity (lockfile-integrity.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadNpmConfig } from '../ecosystems/npm/registry-config.js';
import type { NpmRegistryConfig } from '../ecosystems/npm/registry-config.js';
import { NpmRegistryClient } from '../ecosystems/npm/registry.js';
import { VouchError } from '../model/errors.js';
import { type IntegrityProgress, type IntegrityReport, verifyLockfile } from './lockfile-integrity.js';

const LOCK_NAMES = ['npm-shrinkwrap.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'];

export interface VerifyLockfileRequest {
  /** A lockfile, or the folder holding one. */
  input: string;
  /** The default registry instead of npm's configured one. */
  registry?: string | undefined;
  concurrency: number;
  timeoutMs: number;
  /** $VOUCH_HOME: the verified cache is under cache/npm. */
  home: string;
  keepTarballs?: boolean;
  refresh?: boolean;
  signal?: AbortSignal;
  /** Called with the configuration before anything is fetched (the CLI prints it with --verbose). */
  onConfig?: (config: NpmRegistryConfig) => void;
  /** Every URL fetched, credentials removed. */
  onRequest?: (url: string) => void;
  onProgress?: (p: IntegrityProgress) => void;
}

export async function verifyLockfileAt(req: VerifyLockfileRequest): Promise<IntegrityReport> {
  const file = await lockfileOf(req.input);
  const cacheDir = path.join(req.home, 'cache', 'npm');
  const config = await loadNpmConfig({ cwd: path.dirname(path.resolve(file)), ...(req.registry ? { registry: req.registry } : {}) });
  req.onConfig?.(config);
  const client = new NpmRegistryClient({
    config,
    concurrency: req.concurrency,
    timeoutMs: req.timeoutMs,
    cacheDir,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onRequest ? { onRequest: req.onRequest } : {}),
  });
  return verifyLockfile(file, {
    client,
    cacheDir,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.keepTarballs ? { keepTarballs: true } : {}),
    ...(req.refresh ? { refresh: true } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
}

/** The lockfile named, or the one lockfile in the folder named. */
async function lockfileOf(input: string): Promise<string> {
  let st;
  try {
    st = await stat(input);
  } catch {
    throw new VouchError('INPUT_MISSING', 'no such file or folder', { path: input });
  }
  if (!st.isDirectory()) return input;
  const found: string[] = [];
  for (const n of LOCK_NAMES) {
    const p = path.join(input, n);
    if (await stat(p).then((s) => s.isFile(), () => false)) found.push(p);
  }
  // npm reads npm-shrinkwrap.json instead of package-lock.json when both are there
  if (found.length === 2 && found[0]!.endsWith('npm-shrinkwrap.json') && found[1]!.endsWith('package-lock.json')) found.pop();
  if (found.length === 0) throw new VouchError('INPUT_MISSING', `no lockfile here (looked for ${LOCK_NAMES.join(', ')})`, { path: input });
  if (found.length > 1) throw new VouchError('USAGE', `several lockfiles here (${found.map((f) => path.basename(f)).join(', ')}): name the one to verify`, { path: input });
  return found[0]!;
}
