/**
 * The parts of an npm project the fix planner needs: package.json's declared ranges and the
 * lockfile's install tree (package-lock.json / npm-shrinkwrap.json, lockfileVersion 2 or 3), with
 * for every installed folder the packages that resolve to it and the range each one declared.
 * Resolution follows npm: a dependency of the package in folder K is the nearest
 * `K/node_modules/<name>`, walking up the folders, then `node_modules/<name>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VouchError } from '../../../model/errors.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../../io/input.js';

export interface LockEntry {
  /** Folder key as in the lockfile (`node_modules/a/node_modules/b`; `""` is the project). */
  key: string;
  name: string;
  version: string;
  /** Declared ranges of this entry (dependencies, optional, peer; devDependencies for the project and workspaces). */
  deps: Record<string, string>;
  dev: boolean;
  optional: boolean;
  /** A project or workspace folder (not under node_modules). */
  isRoot: boolean;
  /** Shipped inside its parent's tarball (bundleDependencies): only a new release of the parent changes it. */
  inBundle: boolean;
}

export interface Dependent {
  /** The folder key of the package that declares the dependency (`""` = the project). */
  key: string;
  /** The range it declares. */
  spec: string;
}

export interface NpmProject {
  dir: string;
  packageJsonPath: string;
  lockPath: string;
  packageJsonText: string;
  lockText: string;
  entries: Map<string, LockEntry>;
  /** folder key → the packages that resolve to it */
  dependents: Map<string, Dependent[]>;
  /** npm (package-lock.json / npm-shrinkwrap.json), yarn classic (yarn.lock) or pnpm (pnpm-lock.yaml). */
  manager: 'npm' | 'yarn' | 'pnpm';
}

export async function readNpmProject(dir: string): Promise<NpmProject> {
  const packageJsonPath = path.join(dir, 'package.json');
  const shrink = path.join(dir, 'npm-shrinkwrap.json');
  const lockPath = existsSync(shrink) ? shrink : path.join(dir, 'package-lock.json');
  if (!existsSync(packageJsonPath)) throw new VouchError('INPUT_MISSING', 'no package.json here', { path: packageJsonPath });
  if (!existsSync(lockPath)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'no lockfile beside package.json (package-lock.json, pnpm-lock.yaml or yarn.lock); run `npm install --package-lock-only` first', { path: lockPath });
  }
  const packageJsonText = (await readRegularFile(packageJsonPath)).toString('utf8');
  parseJson(packageJsonText, packageJsonPath);
  const lockText = (await readRegularFile(lockPath, { maxBytes: MAX_INPUT_BYTES })).toString('utf8');
  const lock = parseJson(lockText, lockPath) as { lockfileVersion?: unknown; packages?: unknown };
  if (typeof lock !== 'object' || lock === null) throw new VouchError('INPUT_PARSE', 'not a JSON object', { path: lockPath, position: { jsonPath: '$' } });
  if (lock.lockfileVersion !== 2 && lock.lockfileVersion !== 3) {
    throw new VouchError('INPUT_UNSUPPORTED', `lockfileVersion ${JSON.stringify(lock.lockfileVersion)} is not planned (2 and 3 are); upgrade it with \`npm install --package-lock-only\``, {
      path: lockPath,
      position: { jsonPath: '$.lockfileVersion' },
    });
  }
  if (typeof lock.packages !== 'object' || lock.packages === null) {
    throw new VouchError('INPUT_PARSE', 'no "packages" object', { path: lockPath, position: { jsonPath: '$.packages' } });
  }
  const entries = new Map<string, LockEntry>();
  for (const [key, raw] of Object.entries(lock.packages as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) {
      throw new VouchError('INPUT_PARSE', 'package entry is not an object', { path: lockPath, position: { jsonPath: `$.packages[${JSON.stringify(key)}]` } });
    }
    const e = raw as Record<string, unknown>;
    if (e['link'] === true) continue;
    const isRoot = !key.startsWith('node_modules/') && !key.includes('/node_modules/');
    const name = typeof e['name'] === 'string' && !isRoot ? e['name'] : nameOfKey(key);
    const deps: Record<string, string> = {};
    const fields = isRoot ? ['devDependencies', 'optionalDependencies', 'peerDependencies', 'dependencies'] : ['optionalDependencies', 'peerDependencies', 'dependencies'];
    for (const f of fields) {
      const d = e[f];
      if (typeof d === 'object' && d !== null) for (const [n, s] of Object.entries(d)) if (typeof s === 'string') deps[n] = s;
    }
    entries.set(key, {
      key,
      name,
      version: typeof e['version'] === 'string' ? e['version'] : '',
      deps,
      dev: e['dev'] === true,
      optional: e['optional'] === true || e['devOptional'] === true,
      isRoot,
      inBundle: e['inBundle'] === true,
    });
  }
  const dependents = new Map<string, Dependent[]>();
  for (const e of entries.values()) {
    for (const [dep, spec] of Object.entries(e.deps)) {
      const to = resolveFrom(entries, e.key, dep);
      if (to === undefined) continue;
      let list = dependents.get(to);
      if (!list) dependents.set(to, (list = []));
      list.push({ key: e.key, spec });
    }
  }
  return { dir, packageJsonPath, lockPath, packageJsonText, lockText, entries, dependents, manager: 'npm' };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `not valid JSON (${(e as Error).message})`, { path: file, cause: e });
  }
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
export function nameOfKey(key: string): string {
  const i = key.lastIndexOf('node_modules/');
  return i < 0 ? key : key.slice(i + 'node_modules/'.length);
}

/** The folder npm resolves `name` to from the package in folder `from`. */
export function resolveFrom(entries: ReadonlyMap<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const cand = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (entries.has(cand)) return cand;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
}

/**
 * Chains of folder keys from a project root's direct dependency down to `key` (first = the direct
 * dependency, last = `key`), shortest first, at most `limit`.
 */
export function chainsTo(project: NpmProject, key: string, limit = 20): string[][] {
  const out: string[][] = [];
  let frontier: string[][] = [[key]];
  for (let depth = 0; frontier.length && out.length < limit && depth < 32; depth++) {
    const next: string[][] = [];
    for (const partial of frontier) {
      for (const d of project.dependents.get(partial[0]!) ?? []) {
        if (project.entries.get(d.key)?.isRoot) {
          if (out.length < limit) out.push(partial);
          continue;
        }
        if (partial.includes(d.key)) continue;
        next.push([d.key, ...partial]);
      }
    }
    frontier = next.slice(0, limit * 20);
  }
  // a folder reached from the root by several chains may appear once per chain: dedupe
  const seen = new Set<string>();
  return out.filter((c) => {
    const k = c.join('>');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
