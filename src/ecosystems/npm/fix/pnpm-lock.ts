/**
 * pnpm-lock.yaml (lockfileVersion 6 and 9) read into the planner's project shape. pnpm records the
 * resolved version of every dependency but not the range a package declared for it, so the range
 * of each transitive edge is read from the dependent's packument (the project's own ranges are the
 * importers' `specifier`s). Only the root importer (`.`) is a root here.
 */
import path from 'node:path';
import { parseDocument } from 'yaml';
import { VouchError, isVouchError } from '../../../model/errors.js';
import type { PackageMetadataSource } from './metadata.js';
import type { Dependent, LockEntry, NpmProject } from './lock.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../../io/input.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `/@s/a@1.0.0(peer@2)` or `@s/a@1.0.0` → [`@s/a`, `1.0.0`]. */
function splitKey(key: string): [string, string] {
  const k = key.replace(/^\//, '').replace(/\(.*$/, '');
  const at = k.lastIndexOf('@');
  return at <= 0 ? [k, ''] : [k.slice(0, at), k.slice(at + 1)];
}

/** A dependency's version as pnpm writes it (`1.0.0`, `1.0.0(peer@1)`, `link:../x`) → the plain version. */
function plainVersion(v: string): string {
  return v.replace(/\(.*$/, '');
}

export async function readPnpmProject(dir: string, meta: PackageMetadataSource, warnings: string[] = []): Promise<NpmProject> {
  const packageJsonPath = path.join(dir, 'package.json');
  const lockPath = path.join(dir, 'pnpm-lock.yaml');
  const packageJsonText = await readRegularFile(packageJsonPath).then((b) => b.toString('utf8')).catch(() => {
    throw new VouchError('INPUT_MISSING', 'no package.json beside pnpm-lock.yaml', { path: packageJsonPath });
  });
  const lockText = (await readRegularFile(lockPath, { maxBytes: MAX_INPUT_BYTES })).toString('utf8');
  const doc = parseDocument(lockText);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new VouchError('INPUT_PARSE', e.message.split('\n')[0]!, { path: lockPath, ...(e.linePos ? { position: { line: e.linePos[0].line } } : {}) });
  }
  const lock = doc.toJS() as unknown;
  if (!isObj(lock)) throw new VouchError('INPUT_PARSE', 'not a YAML map', { path: lockPath, position: { jsonPath: '$' } });
  const major = Number.parseFloat(String(lock['lockfileVersion'] ?? ''));
  if (!(major >= 6)) {
    throw new VouchError('INPUT_UNSUPPORTED', `lockfileVersion ${JSON.stringify(lock['lockfileVersion'])} is not planned (6 and 9 are)`, { path: lockPath, position: { jsonPath: '$.lockfileVersion' } });
  }
  const importer = isObj(lock['importers']) ? (lock['importers'] as Obj)['.'] : lock;
  const entries = new Map<string, LockEntry>();
  const rootDeps: Record<string, string> = {};
  const rootResolved: Record<string, string> = {};
  for (const f of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const d = isObj(importer) ? importer[f] : undefined;
    if (!isObj(d)) continue;
    for (const [n, v] of Object.entries(d)) {
      if (isObj(v) && typeof v['specifier'] === 'string' && typeof v['version'] === 'string') {
        rootDeps[n] = v['specifier'];
        rootResolved[n] = plainVersion(v['version']);
      }
    }
  }
  entries.set('', { key: '', name: '', version: '', deps: rootDeps, dev: false, optional: false, isRoot: true, inBundle: false });
  // resolved edges: package key → { dep name → version }
  const graph = isObj(lock['snapshots']) ? (lock['snapshots'] as Obj) : isObj(lock['packages']) ? (lock['packages'] as Obj) : {};
  const resolvedDeps = new Map<string, Record<string, string>>();
  for (const [key, v] of Object.entries(graph)) {
    const [name, version] = splitKey(key);
    if (!version) continue;
    const k = `pnpm:${name}@${version}`;
    const deps: Record<string, string> = {};
    if (isObj(v)) for (const f of ['dependencies', 'optionalDependencies']) if (isObj(v[f])) for (const [n, dv] of Object.entries(v[f] as Obj)) if (typeof dv === 'string') deps[n] = plainVersion(dv);
    resolvedDeps.set(k, { ...resolvedDeps.get(k), ...deps });
    if (!entries.has(k)) entries.set(k, { key: k, name, version, deps: {}, dev: false, optional: false, isRoot: false, inBundle: false });
  }
  const dependents = new Map<string, Dependent[]>();
  const addDependent = (to: string, d: Dependent): void => {
    let list = dependents.get(to);
    if (!list) dependents.set(to, (list = []));
    list.push(d);
  };
  for (const [n, v] of Object.entries(rootResolved)) {
    const to = `pnpm:${n}@${v}`;
    if (entries.has(to)) addDependent(to, { key: '', spec: rootDeps[n]! });
  }
  for (const [k, deps] of resolvedDeps) {
    const e = entries.get(k)!;
    if (!Object.keys(deps).length) continue;
    let declared: Record<string, string> = {};
    try {
      const pv = (await meta.packument(e.name)).versions[e.version];
      declared = { ...pv?.peerDependencies, ...pv?.optionalDependencies, ...pv?.dependencies };
    } catch (err) {
      if (!isVouchError(err)) throw err;
      warnings.push(`${e.name}: package metadata not available (${err.oneLine()}); its declared ranges are unknown`);
    }
    for (const [n, v] of Object.entries(deps)) {
      const to = `pnpm:${n}@${v}`;
      // an unknown range is the resolved version itself: nothing else is known to be admitted
      const spec = declared[n] ?? v;
      e.deps[n] = spec;
      if (entries.has(to)) addDependent(to, { key: k, spec });
    }
  }
  return { dir, packageJsonPath, lockPath, packageJsonText, lockText, entries, dependents, manager: 'pnpm' };
}
