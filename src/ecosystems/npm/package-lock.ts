/**
 * npm `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
 *
 * - v2/v3: the `packages` map, keyed by install folder (`node_modules/a/node_modules/b`). v2 also
 *   carries the v1 `dependencies` tree for old npm clients; we read `packages` only.
 * - v1 (and old shrinkwraps without `lockfileVersion`): the nested `dependencies` tree, turned into
 *   the same folder keys (`a` under `b` = `node_modules/b/node_modules/a`) so both share one resolver.
 *
 * What becomes what:
 * - `node_modules/…` entries are components. The package name is the `name` field when present (an
 *   alias install `"x": "npm:y@^1"` stores the real name `y` in `name`; v1 writes the version as
 *   `npm:y@1.2.3`), else the last `node_modules/` segment of the key.
 * - v2/v3 entries carry the package's `license` as npm copied it from its package.json: kept as
 *   given (an SPDX expression or a name; the legacy `{ type }` object and list forms by their
 *   `type`), the SBOM writers classify it.
 * - `link: true` entries are never components: a link stands for the folder it points at.
 * - Folders outside node_modules (`packages/app`) matched by the root's `workspaces` are roots of
 *   their own (`root:<file>#<folder>`), so a path names the workspace that pulls a package in. Any
 *   other folder (a `file:` dependency) with a version is a component, noted as local; one
 *   without a version is treated as a root (an importer) as well.
 * - Entries whose version is missing or not semver-shaped (v1 git/file deps record the URL as the
 *   version) are skipped with a warning and listed in `unresolved`; git/file/tarball-sourced deps
 *   that do record a version keep it, with a warning noting the source.
 *
 * Edges follow npm's resolution: a dependency of the package in folder K resolves to the nearest
 * `K/node_modules/<name>`, walking up to parent folders, then the top-level `node_modules/<name>`.
 * `dependencies`, `optionalDependencies` and `peerDependencies` of every package, `devDependencies`
 * of roots and workspaces only; dependencies not installed (optional, unmet peers) are left out. v1
 * lockfiles do not record the project's own dependencies, so a top-level entry that no other entry
 * requires is taken as a direct dependency (then, for cycles, any top-level entry still unreachable).
 *
 * Scope: `dev` → dev (also with `optional`: only dev deps reach it, so production installs skip
 * it); `devOptional` → optional (npm sets it when both the dev tree and the optional part of the
 * production tree reach the package, so a production install includes it unless optional deps are
 * omitted); `optional` → optional; otherwise prod. A name@version at several folders is one
 * component with one location per folder; the strongest scope wins.
 *
 * When `npm-shrinkwrap.json` sits beside a `package-lock.json`, npm ignores the package-lock; so do
 * we (empty inventory plus a warning), for files on disk.
 */
import path from 'node:path';
import type { Component, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText, isJsonObject, parseJsonInput, wrongJsonType } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { closingQuote, hashesOf, npmPurl, rootIdentity } from './common.js';

const ID = 'npm/package-lock';
const ECOSYSTEM = 'npm';
const LOCK_NAMES = new Set(['package-lock.json', 'npm-shrinkwrap.json']);

export const packageLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['package-lock.json', 'npm-shrinkwrap.json'],

  /** `package-lock.json` / `npm-shrinkwrap.json`, not inside node_modules (a dependency's own files). */
  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    if (!LOCK_NAMES.has(parts[parts.length - 1] ?? '')) return false;
    return !parts.includes('node_modules');
  },

  sniff(head: string): boolean {
    if (!/^\s*\{/.test(head) || !/"lockfileVersion"\s*:\s*\d/.test(head)) return false;
    // bun.lock is JSON(C) with a lockfileVersion too; its `workspaces` is a map keyed by folder ("" = root)
    return !/"workspaces"\s*:\s*\{\s*""\s*:/.test(head);
  },

  /** npm reads npm-shrinkwrap.json, not package-lock.json, when a folder has both. */
  shadowedBy(p: string): string | undefined {
    return path.basename(p) === 'package-lock.json' ? 'npm-shrinkwrap.json' : undefined;
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    return parsePackageLock(text, input.path);
  },
};

/** Parse the text of a package-lock.json / npm-shrinkwrap.json (`file` is its display path). */
export function parsePackageLock(text: string, file: string): Inventory {
  const data = parseJsonInput(text, file);
  if (!isJsonObject(data) || !('lockfileVersion' in data || 'packages' in data || 'dependencies' in data)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not an npm lockfile (no lockfileVersion, packages or dependencies)', {
      path: file,
    });
  }
  const version = data['lockfileVersion'];
  if (version !== undefined && typeof version !== 'number') {
    throw wrongJsonType(file, '$.lockfileVersion', 'a number', version);
  }
  if (version !== undefined && version !== 1 && version !== 2 && version !== 3) {
    throw new VouchError('INPUT_UNSUPPORTED', `lockfileVersion ${version} is not supported (vouch reads 1, 2 and 3)`, {
      path: file,
      position: { jsonPath: '$.lockfileVersion' },
    });
  }
  const rootName = data['name'];
  if (rootName !== undefined && typeof rootName !== 'string') throw wrongJsonType(file, '$.name', 'a string', rootName);

  const ctx = new Context(file);
  const packages = data['packages'];
  // v2 has both sections and `packages` is the truth; some v2 files (and v1) only have `dependencies`
  if (packages !== undefined && version !== 1) {
    if (!isJsonObject(packages)) throw wrongJsonType(file, '$.packages', 'an object', packages);
    readPackages(ctx, packages, text, rootName);
  } else {
    const deps = data['dependencies'];
    if (deps !== undefined && !isJsonObject(deps)) throw wrongJsonType(file, '$.dependencies', 'an object', deps);
    const rootVersion = typeof data['version'] === 'string' ? data['version'] : undefined;
    readV1(ctx, deps ?? {}, text, rootName, rootVersion);
  }
  return {
    source: { path: file, extractor: ID },
    graph: ctx.graph,
    unresolved: ctx.unresolved,
    warnings: ctx.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// shared state and helpers

class Context {
  readonly graph = new DependencyGraph();
  readonly unresolved: Inventory['unresolved'] = [];
  readonly warnings: string[] = [];
  readonly rootId: string;
  /** name@version → purl (a lockfile names the same package many times) */
  private readonly purls = new Map<string, string>();

  constructor(readonly file: string) {
    this.rootId = `root:${file}`;
  }

  /** Adds the component of one lockfile entry; undefined (with a warning) when it has no usable version. */
  addComponent(
    where: Where,
    name: string,
    version: string | undefined,
    scope: Scope,
    integrity: string | undefined,
    resolved: string | undefined,
    local: boolean,
    licenses?: readonly string[],
  ): string | undefined {
    if (!name) {
      this.warnings.push(`${describe(where)}: no package name; skipped`);
      return undefined;
    }
    if (version === undefined || !SEMVER.test(version)) {
      const spec = version ?? resolved;
      const reason =
        version === undefined
          ? `no version recorded${resolved ? ` (resolved ${redact(resolved)})` : ''}`
          : `version "${redact(version)}" is not a semver version${sourceOf(version) ? ` (${sourceOf(version)})` : ''}`;
      this.warnings.push(`${describe(where)}: ${name}: ${reason}; skipped`);
      this.unresolved.push({
        name,
        ecosystem: ECOSYSTEM,
        ...(spec !== undefined ? { spec: redact(spec) } : {}),
        ...(where.line !== undefined ? { line: where.line } : {}),
        reason,
      });
      return undefined;
    }
    const nameAtVersion = `${name}@${version}`;
    let purl = this.purls.get(nameAtVersion);
    if (purl === undefined) {
      try {
        purl = npmPurl(name, version);
      } catch (e) {
        this.warnings.push(`${describe(where)}: ${nameAtVersion}: ${(e as Error).message}; skipped`);
        return undefined;
      }
      this.purls.set(nameAtVersion, purl);
    }
    const source = local ? 'a local folder' : sourceOf(resolved);
    if (source) {
      this.warnings.push(
        `${describe(where)}: ${nameAtVersion} comes from ${source}${resolved && !local ? ` (${redact(resolved)})` : ''}, not the registry; version as the lockfile records it`,
      );
    }
    // a second sighting of a purl carries the same tarball: its hashes are already there
    const hashes = integrity && !this.graph.components.has(purl) ? hashesOf(integrity) : [];
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope,
      direct: false,
      ...(licenses?.length ? { licenses: [...licenses] } : {}),
      ...(hashes.length ? { hashes } : {}),
      locations: [where.line !== undefined ? { path: this.file, line: where.line } : { path: this.file }],
    };
    this.graph.add(c);
    return purl;
  }

  /** Edge from a requester to a resolved node; a root requester makes a component direct. */
  link(from: string, to: string): void {
    if (from === to) return;
    this.graph.addEdge(from, to);
    if (this.graph.roots.has(from)) {
      const c = this.graph.components.get(to);
      if (c) c.direct = true;
    }
  }
}

/** An entry's place: its JSON path (built only when a message needs it) and the line of its key. */
class Where {
  constructor(
    private readonly parentPath: string,
    private readonly key: string,
    readonly line: number | undefined,
  ) {}

  get jsonPath(): string {
    return keyPath(this.parentPath, this.key);
  }
}

function describe(w: Where): string {
  return w.line !== undefined ? `line ${w.line} ${w.jsonPath}` : w.jsonPath;
}

/** A semver-shaped version (no versioning module yet: shape only, no ordering). */
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Where a package came from when not the registry, from its `resolved` (or v1 `version`) URL. */
function sourceOf(resolved: string | undefined): string | undefined {
  if (!resolved) return undefined;
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(resolved) || /\.git(?:#|$)/.test(resolved)) return 'git';
  if (resolved.startsWith('file:')) return 'a local file';
  // registry tarballs are `<registry>/<name>/-/<file>.tgz` (npmjs, Verdaccio, Artifactory, Nexus);
  // GitHub Packages serves them under /download/
  if (/^https?:\/\//.test(resolved) && !resolved.includes('/-/') && !/^https:\/\/npm\.pkg\.github\.com\//.test(resolved)) {
    return 'a tarball URL';
  }
  return undefined;
}

/**
 * Drops credentials from URLs before they reach a warning or an SBOM (`https://token@host/…` →
 * `https://host/…`). An ssh URL's bare user name (`git+ssh://git@github.com/…`) is no secret, and
 * the address needs it: it stays.
 */
function redact(s: string): string {
  // a scan from each `//`, not /(\b[a-z][a-z0-9+.-]*:)?\/\/([^/@\s]+)@/gi, whose scheme part
  // retries from every letter of a long run: quadratic time on a 100 kB hostile version
  let out = '';
  let from = 0;
  for (let i = s.indexOf('//'); i >= 0; i = s.indexOf('//', i + 2)) {
    let j = i + 2;
    while (j < s.length && !/[/@\s]/.test(s[j]!)) j++;
    if (j === i + 2 || s[j] !== '@') continue;
    const userinfo = s.slice(i + 2, j);
    if (s.slice(Math.max(0, i - 4), i).toLowerCase() === 'ssh:' && !userinfo.includes(':')) continue;
    out += `${s.slice(from, i)}//`;
    from = j + 1;
    i = j - 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

function scopeOf(dev: boolean, optional: boolean, devOptional: boolean): Scope {
  if (devOptional) return 'optional';
  if (dev) return 'dev';
  if (optional) return 'optional';
  return 'prod';
}




const keyPath = (base: string, key: string): string => `${base}[${JSON.stringify(key)}]`;

/** Typed field readers: absent → undefined, wrong type → INPUT_PARSE with the JSON path. */
class Fields {
  constructor(
    private readonly file: string,
    private readonly obj: Record<string, unknown>,
    private readonly where: Where,
  ) {}

  private fail(field: string, expected: string): never {
    throw wrongJsonType(this.file, `${this.where.jsonPath}.${field}`, expected, this.obj[field], this.where.line);
  }

  str(field: string): string | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(field, 'a string');
    return v;
  }

  bool(field: string): boolean {
    const v = this.obj[field];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(field, 'a boolean');
    return v;
  }

  /** Names of a `{ name: range }` map. */
  names(field: string): string[] {
    const v = this.obj[field];
    if (v === undefined) return [];
    if (!isJsonObject(v)) this.fail(field, 'an object of version ranges');
    // one array of keys, not Object.entries' array of pairs: this runs for every entry of a lockfile
    const keys = Object.keys(v);
    for (const k of keys) {
      const range = v[k];
      if (typeof range !== 'string') {
        throw wrongJsonType(this.file, keyPath(`${this.where.jsonPath}.${field}`, k), 'a string', range, this.where.line);
      }
    }
    return keys;
  }
}

/**
 * npm's resolution over folder keys: a dependency `name` of the package in folder `from` is the
 * nearest `from/node_modules/name`, walking up parent folders, then the top-level
 * `node_modules/name`. Folders without a nested node_modules are skipped without a lookup.
 */
class Resolver {
  /** folders that have at least one `<folder>/node_modules/*` entry */
  private readonly parents = new Set<string>();

  constructor(private readonly keys: ReadonlySet<string> | ReadonlyMap<string, unknown>) {
    for (const k of keys.keys()) {
      const i = k.lastIndexOf('/node_modules/');
      if (i > 0) this.parents.add(k.slice(0, i));
    }
  }

  resolve(from: string, name: string): string | undefined {
    let base = from;
    while (base !== '') {
      if (this.parents.has(base)) {
        const key = `${base}/node_modules/${name}`;
        if (this.keys.has(key)) return key;
      }
      const i = base.lastIndexOf('/node_modules/');
      base = i >= 0 ? base.slice(0, i) : '';
    }
    const top = `node_modules/${name}`;
    return this.keys.has(top) ? top : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// v2 / v3: `packages`

interface PkgEntry {
  key: string;
  where: Where;
  name: string | undefined;
  version: string | undefined;
  resolved: string | undefined;
  integrity: string | undefined;
  link: boolean;
  scope: Scope;
  licenses: string[];
  deps: string[];
  devDeps: string[];
}

function readPackages(ctx: Context, packages: Record<string, unknown>, text: string, rootName: string | undefined): void {
  const lines = packagesKeyLinesAsNpmWrites(text, packages) ?? keyLines(text, 'packages');
  const entries = new Map<string, PkgEntry>();
  let workspaces: string[] = [];
  for (const key of Object.keys(packages)) {
    const raw = packages[key];
    const where = new Where('$.packages', key, lines.get(key));
    if (!isJsonObject(raw)) throw wrongJsonType(ctx.file, where.jsonPath, 'an object', raw, where.line);
    const f = new Fields(ctx.file, raw, where);
    entries.set(key, {
      key,
      where,
      name: f.str('name'),
      version: f.str('version'),
      resolved: f.str('resolved'),
      integrity: f.str('integrity'),
      link: f.bool('link'),
      scope: scopeOf(f.bool('dev'), f.bool('optional'), f.bool('devOptional')),
      licenses: lockLicenses(raw['license']),
      deps: concat(f.names('dependencies'), f.names('optionalDependencies'), f.names('peerDependencies')),
      devDeps: f.names('devDependencies'),
    });
    if (key === '') workspaces = workspacePatterns(ctx.file, raw['workspaces'], where);
  }

  const isWorkspace = globMatcher(workspaces);
  /** folder → the name a node_modules link gives it (`node_modules/x` → `deps/x` names it `x`) */
  const linkNames = new Map<string, string>();
  for (const e of entries.values()) {
    const nm = e.key.lastIndexOf('node_modules/');
    if (e.link && e.resolved !== undefined && nm >= 0) linkNames.set(e.resolved, e.key.slice(nm + 'node_modules/'.length));
  }
  /** folder key → graph id (root id or purl) */
  const node = new Map<string, string>();
  const root = entries.get('');
  ctx.graph.addRoot(ctx.rootId, root?.name ?? rootName ?? ctx.file, rootIdentity(root?.name, root?.version));
  node.set('', ctx.rootId);

  for (const e of entries.values()) {
    if (e.key === '' || e.link) continue;
    const nm = e.key.lastIndexOf('node_modules/');
    if (nm === 0 || (nm > 0 && e.key[nm - 1] === '/')) {
      const name = e.name ?? e.key.slice(nm + 'node_modules/'.length);
      const id = ctx.addComponent(e.where, name, e.version, e.scope, e.integrity, e.resolved, false, e.licenses);
      if (id) node.set(e.key, id);
    } else if (isWorkspace(e.key) || e.version === undefined) {
      // a workspace (or an importer folder without a version of its own): a root
      const id = `${ctx.rootId}#${e.key}`;
      ctx.graph.addRoot(id, e.name ?? linkNames.get(e.key) ?? e.key, rootIdentity(e.name ?? linkNames.get(e.key), e.version));
      node.set(e.key, id);
    } else {
      // a folder outside node_modules that is not a workspace: a `file:` dependency
      const name = e.name ?? linkNames.get(e.key) ?? e.key.slice(e.key.lastIndexOf('/') + 1);
      const id = ctx.addComponent(e.where, name, e.version, e.scope, e.integrity, e.resolved, true, e.licenses);
      if (id) node.set(e.key, id);
    }
  }

  const resolver = new Resolver(entries);
  let missing = 0;
  let firstMissing = '';
  for (const e of entries.values()) {
    const from = node.get(e.key);
    if (from === undefined) continue;
    const isRoot = ctx.graph.roots.has(from);
    const wanted = isRoot && e.devDeps.length ? [...e.deps, ...e.devDeps] : e.deps;
    for (const depName of wanted) {
      const key = resolver.resolve(e.key, depName);
      if (key === undefined) continue; // not installed: an optional dependency for another platform, an unmet peer
      const target = entries.get(key)!;
      let to: string | undefined;
      if (target.link) {
        to = target.resolved !== undefined ? node.get(target.resolved) : undefined;
        if (to === undefined) {
          missing++;
          firstMissing ||= `${key} → ${target.resolved ?? '(no resolved)'}`;
          continue;
        }
      } else {
        to = node.get(key);
      }
      if (to !== undefined) ctx.link(from, to);
    }
  }
  if (missing) {
    ctx.warnings.push(`${missing} link(s) point at folders the lockfile does not list (first: ${firstMissing})`);
  }
}

/**
 * An entry's `license` as npm copies it from the package's package.json (v2/v3 only): an SPDX
 * expression or a name, kept as given (the SBOM writers classify it). Old package.json files
 * give a `{ type, url }` object or a list of strings or such objects (the legacy `licenses`
 * form); the `type` of each is the licence. Anything else carries no usable licence and is left
 * out: a licence is metadata, never a reason to refuse the lockfile.
 */
function lockLicenses(v: unknown): string[] {
  const one = (x: unknown): string | undefined => {
    const s = typeof x === 'string' ? x : isJsonObject(x) && typeof x['type'] === 'string' ? x['type'] : undefined;
    return s?.trim() ? s.trim() : undefined;
  };
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v.map(one) : [one(v)];
  return [...new Set(list.filter((s): s is string => s !== undefined))];
}

/** a, b and c in one list; a itself when b and c are empty (most entries have no optional or peer dependencies) */
function concat(a: string[], b: string[], c: string[]): string[] {
  if (!b.length && !c.length) return a;
  return a.concat(b, c);
}

/** The root's `workspaces`: an array of globs, or `{ packages: [...] }`. */
function workspacePatterns(file: string, v: unknown, where: Where): string[] {
  if (v === undefined) return [];
  const list = isJsonObject(v) ? v['packages'] : v;
  const jsonPath = `${where.jsonPath}.workspaces${isJsonObject(v) ? '.packages' : ''}`;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw wrongJsonType(file, jsonPath, 'an array of folder globs', list, where.line);
  return list.map((p, i) => {
    if (typeof p !== 'string') throw wrongJsonType(file, `${jsonPath}[${i}]`, 'a string', p, where.line);
    return p;
  });
}

/** Folder globs as npm workspaces write them: `packages/*`, `apps/**`, `tools/cli`, `!packages/old`. */
function globMatcher(patterns: readonly string[]): (folder: string) => boolean {
  if (!patterns.length) return () => false;
  const compiled = patterns.map((p) => {
    const negate = p.startsWith('!');
    const body = (negate ? p.slice(1) : p).replace(/^\.\//, '').replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '*' && body[i + 1] === '*') {
        re += '.*';
        i++;
        if (body[i + 1] === '/') i++;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return { negate, re: new RegExp(`^${re}$`) };
  });
  return (folder) => {
    let hit = false;
    for (const { negate, re } of compiled) if (re.test(folder)) hit = !negate;
    return hit;
  };
}

// ---------------------------------------------------------------------------------------------
// v1: the nested `dependencies` tree

interface V1Entry {
  key: string; // as a v2 folder key: node_modules/a/node_modules/b
  requires: string[];
  top: boolean;
}

/**
 * How deep a v1 `dependencies` tree may nest. npm nests a package only where versions conflict, a
 * few levels in practice; each level's key repeats the path above it, so a tree thousands of levels
 * deep would take memory quadratic in its size (100,000 levels: tens of gigabytes).
 */
export const MAX_V1_DEPTH = 256;

function readV1(ctx: Context, deps: Record<string, unknown>, text: string, rootName: string | undefined, rootVersion: string | undefined): void {
  // the depth first, without recursion, before any path is built
  const levels: [Record<string, unknown>, number][] = [[deps, 1]];
  while (levels.length) {
    const [level, depth] = levels.pop()!;
    if (depth > MAX_V1_DEPTH) {
      throw new VouchError('INPUT_PARSE', `$.dependencies is nested more than ${MAX_V1_DEPTH} levels deep (npm nests a few): not read`, { path: ctx.file });
    }
    for (const v of Object.values(level)) {
      const nested = isJsonObject(v) ? v['dependencies'] : undefined;
      if (isJsonObject(nested)) levels.push([nested, depth + 1]);
    }
  }
  const lines = keyLines(text, 'dependencies');
  ctx.graph.addRoot(ctx.rootId, rootName ?? ctx.file, rootIdentity(rootName, rootVersion));
  const entries = new Map<string, V1Entry>();
  const node = new Map<string, string>();

  // depth-first in document order, without recursion (lockfiles can nest deeply)
  type Item = { installName: string; raw: unknown; prefix: string; parentPath: string };
  const pending: Item[] = [];
  const pushLevel = (level: Record<string, unknown>, prefix: string, parentPath: string): void => {
    const names = Object.keys(level);
    for (let i = names.length - 1; i >= 0; i--) {
      pending.push({ installName: names[i]!, raw: level[names[i]!], prefix, parentPath });
    }
  };
  pushLevel(deps, '', '$.dependencies');
  while (pending.length) {
    const { installName, raw, prefix, parentPath } = pending.pop()!;
    const key = `${prefix}node_modules/${installName}`;
    const where = new Where(parentPath, installName, lines.get(key));
    if (!isJsonObject(raw)) throw wrongJsonType(ctx.file, where.jsonPath, 'an object', raw, where.line);
    const f = new Fields(ctx.file, raw, where);
    let name = installName;
    let version = f.str('version');
    if (version?.startsWith('npm:')) {
      // alias install: "npm:<real name>@<version>"
      const spec = version.slice(4);
      const at = spec.lastIndexOf('@');
      if (at > 0) {
        name = spec.slice(0, at);
        version = spec.slice(at + 1);
      }
    }
    const scope = scopeOf(f.bool('dev'), f.bool('optional'), false);
    entries.set(key, { key, requires: f.names('requires'), top: prefix === '' });
    const id = ctx.addComponent(where, name, version, scope, f.str('integrity'), f.str('resolved'), false);
    if (id) node.set(key, id);
    const nested = raw['dependencies'];
    if (nested !== undefined) {
      if (!isJsonObject(nested)) {
        throw wrongJsonType(ctx.file, `${where.jsonPath}.dependencies`, 'an object', nested, where.line);
      }
      pushLevel(nested, `${key}/`, `${where.jsonPath}.dependencies`);
    }
  }

  const resolver = new Resolver(entries);
  const required = new Set<string>();
  for (const e of entries.values()) {
    const from = node.get(e.key);
    for (const depName of e.requires) {
      const key = resolver.resolve(e.key, depName);
      if (key === undefined) continue;
      if (key !== e.key) required.add(key);
      const to = node.get(key);
      if (from !== undefined && to !== undefined) ctx.link(from, to);
    }
  }
  // the project's own dependencies are not recorded in v1: top-level entries nothing requires
  const top = [...entries.values()].filter((e) => e.top && node.has(e.key));
  for (const e of top) if (!required.has(e.key)) ctx.link(ctx.rootId, node.get(e.key)!);
  // then cycles (a ↔ b, both only required by each other): any top-level entry still unreachable
  const reached = reachable(ctx.graph, ctx.rootId);
  for (const e of top) {
    const id = node.get(e.key)!;
    if (reached.has(id)) continue;
    ctx.link(ctx.rootId, id);
    for (const r of reachable(ctx.graph, id)) reached.add(r);
  }
}

function reachable(graph: DependencyGraph, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    for (const to of graph.edges.get(queue[i]!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// line numbers: one linear pass over the text

/**
 * keyLines(text, 'packages') for a lockfile laid out as npm writes it (two-space indent: the
 * section opens with `  "packages": {` on a line of its own, each entry's key opens a line at four
 * spaces after the previous entry's `    },` and the section closes with a line `  }`), found with
 * native string searches instead of a walk over every character. Undefined, for keyLines to do
 * it, when the text is laid out otherwise: unless the keys found are exactly the section's keys,
 * each once, in that layout.
 */
export function packagesKeyLinesAsNpmWrites(text: string, packages: Record<string, unknown>): Map<string, number> | undefined {
  const OPEN = '\n  "packages": {\n';
  const open = text.indexOf(OPEN);
  if (open < 0 || text.indexOf(OPEN, open + 1) >= 0) return undefined;
  const body = open + OPEN.length - 1; // the newline that ends the opening line
  const close = text.indexOf('\n  }', body);
  if (close < 0) return undefined;
  const keys = Object.keys(packages);
  const out = new Map<string, number>();
  const KEY = /\n {4}"((?:[^"\\\n]|\\.)*)": \{/y;
  // line of `body`: the newlines before it, counted once
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < body; i = text.indexOf('\n', i + 1)) line++;
  let at = body;
  for (;;) {
    KEY.lastIndex = at;
    const m = KEY.exec(text);
    if (!m) break;
    line++;
    let key = m[1]!;
    if (key.includes('\\')) key = JSON.parse(`"${key}"`) as string;
    if (out.has(key) || !Object.hasOwn(packages, key)) return undefined;
    out.set(key, line);
    if (text[KEY.lastIndex] === '}') {
      at = KEY.lastIndex + 1; // `{}`
    } else {
      // the entry ends at the next line `    }` (its fields are indented further); count the lines to it
      const end = text.indexOf('\n    }', KEY.lastIndex);
      if (end < 0 || end > close) return undefined;
      for (let i = text.indexOf('\n', KEY.lastIndex); i >= 0 && i <= end; i = text.indexOf('\n', i + 1)) line++;
      at = end + '\n    }'.length;
    }
    // then `,` and the next key's line, or the end of the section
    if (text[at] === ',') at++;
    else break;
  }
  return at === close && out.size === keys.length ? out : undefined;
}

const ROLE_OTHER = 0;
const ROLE_ROOT = 1;
const ROLE_PACKAGES = 2; // the v2 `packages` object: its keys are folder keys
const ROLE_V1_DEPS = 3; // a v1 `dependencies` object: its keys are package names
const ROLE_V1_ENTRY = 4; // one v1 entry: its `dependencies` key opens the next level

/**
 * 1-based line of every `packages` key (v2/v3), or of every nested `dependencies` entry key (v1,
 * keyed like v2 folders: `node_modules/a/node_modules/b`). A small tokenizer over text that
 * JSON.parse already accepted: it tracks objects, arrays, strings and keys, nothing else.
 */
export function keyLines(text: string, section: 'packages' | 'dependencies'): Map<string, number> {
  const out = new Map<string, number>();
  const roles: number[] = [];
  const prefixes: string[] = [];
  const keys: (string | undefined)[] = [];
  const isObject: boolean[] = [];
  let depth = -1;
  let expectKey = false;
  let line = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
    } else if (c === 34) {
      const end = closingQuote(text, i + 1);
      if (expectKey && depth >= 0) {
        const role = roles[depth]!;
        if (role !== ROLE_OTHER) {
          let key = text.slice(i + 1, end);
          if (key.includes('\\')) key = JSON.parse(text.slice(i, end + 1)) as string;
          keys[depth] = key;
          if (role === ROLE_PACKAGES) out.set(key, line);
          else if (role === ROLE_V1_DEPS) out.set(`${prefixes[depth]}node_modules/${key}`, line);
        }
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      // { or [
      let role = ROLE_OTHER;
      let prefix = '';
      if (c === 123) {
        if (depth < 0) role = ROLE_ROOT;
        else {
          const parent = roles[depth]!;
          const k = keys[depth];
          if (parent === ROLE_ROOT && k === section) role = section === 'packages' ? ROLE_PACKAGES : ROLE_V1_DEPS;
          else if (parent === ROLE_V1_DEPS && k !== undefined) {
            role = ROLE_V1_ENTRY;
            prefix = `${prefixes[depth]}node_modules/${k}`;
          } else if (parent === ROLE_V1_ENTRY && k === 'dependencies') {
            role = ROLE_V1_DEPS;
            prefix = `${prefixes[depth]}/`;
          }
        }
      }
      depth++;
      roles[depth] = role;
      prefixes[depth] = prefix;
      keys[depth] = undefined;
      isObject[depth] = c === 123;
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      // } or ]: the section is done once its object closes
      if ((roles[depth] === ROLE_PACKAGES || roles[depth] === ROLE_V1_DEPS) && depth === 1) return out;
      depth--;
      expectKey = false;
    } else if (c === 44) {
      expectKey = depth >= 0 && isObject[depth] === true;
    }
  }
  return out;
}
