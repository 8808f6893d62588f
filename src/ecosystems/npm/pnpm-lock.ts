/**
 * `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
 *
 * Package keys (dependency paths): v5 `/name/1.0.0_peer@2.0.0` (or `host/name/1.0.0` for another
 * registry), v6 `/name@1.0.0(peer@2.0.0)`, v9 `name@1.0.0` in `packages` with the peer-suffixed
 * instances (`name@1.0.0(peer@2.0.0)`) in `snapshots`. An entry's own `name` / `version` fields win
 * over its key (git, tarball and `file:` packages are keyed by URL or folder). Peer suffixes are
 * never part of a version. Keys that cannot be read as a dependency path are an error naming each
 * one; keys whose version is not a version (`github.com/user/repo` without a `version`) go to
 * `unresolved`.
 *
 * Importers (`importers`, or the top-level `dependencies` of a single-project v5/v6 file) are roots:
 * `.` is `root:<file>`, others `root:<file>#<folder>`. Their `dependencies` / `devDependencies` /
 * `optionalDependencies` give the direct dependencies and their scope; `link:` dependencies point
 * at other importers. Package `dependencies` / `optionalDependencies` (v9: of `snapshots`) are the
 * edges. Scope propagates from the importers; packages no importer reaches keep the v5/v6 `dev` /
 * `optional` flags.
 */
import { readLockYaml } from '../../io/yaml-lock.js';
import type { Hash, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { hashesOf } from './common.js';
import { LockGraph, isObject } from './lock-graph.js';

const ID = 'npm/pnpm-lock';

export const pnpmLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['pnpm-lock.yaml'],

  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    return parts[parts.length - 1] === 'pnpm-lock.yaml' && !parts.includes('node_modules');
  },

  sniff(head: string): boolean {
    return /^lockfileVersion: '?[5-9]/m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parsePnpmLock(decodeText(await input.read(), input.path), input.path);
  },
};

interface Entry {
  key: string;
  line: number | undefined;
  value: Record<string, unknown>;
}

const SECTIONS: ReadonlySet<string> = new Set(['packages', 'snapshots', 'importers']);

/** The top-level sections, each as its entries with their key lines. */
function sections(text: string, file: string): { top: Record<string, unknown>; entries: Map<string, Entry[]> } {
  // the machine-written subset read fast; anything else by the full parser, where syntax, duplicate
  // keys, custom tags and any alias are one-line errors (io/yaml-lock.ts, io/yaml.ts)
  const doc = readLockYaml(text, file, { duplicateKeys: 'error', childrenOf: SECTIONS });
  const entries = new Map<string, Entry[]>();
  if (doc.root === 'empty') return { top: {}, entries };
  if (doc.root !== 'map') throw new VouchError('INPUT_UNSUPPORTED', 'not a pnpm lockfile (top level is not a map)', { path: file });
  const top: Record<string, unknown> = {};
  for (const t of doc.top) {
    if ('entries' in t) {
      const list: Entry[] = [];
      for (const p of t.entries) {
        const value = p.value ?? {};
        if (!isObject(value)) {
          throw new VouchError('INPUT_PARSE', `${t.key} entry "${p.key}" is not a map`, { path: file, ...(p.line ? { position: { line: p.line } } : {}) });
        }
        list.push({ key: p.key, line: p.line, value });
      }
      entries.set(t.key, list);
    } else {
      top[t.key] = t.value;
    }
  }
  return { top, entries };
}

/** `name@1.0.0(peer@2)` / `/name@1.0.0(peer@2)` → [name, version]; undefined when not of that shape. */
function parseV6(key: string): [string, string] | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  const at = k.indexOf('@', 1);
  if (at < 0 || at === k.length - 1) return undefined;
  return [k.slice(0, at), k.slice(at + 1)];
}

/** `/name/1.0.0_peer` / `host/@scope/name/1.0.0` → [name, version]; undefined when not of that shape. */
function parseV5(key: string): [string, string] | undefined {
  let rest: string;
  if (key.startsWith('/')) rest = key.slice(1);
  else {
    const slash = key.indexOf('/');
    if (slash < 0) return undefined;
    rest = key.slice(slash + 1);
  }
  const seg = rest.split('/');
  let name: string;
  let version: string | undefined;
  if (seg[0]!.startsWith('@')) {
    name = `${seg[0]}/${seg[1] ?? ''}`;
    version = seg[2];
  } else {
    name = seg[0]!;
    version = seg[1];
  }
  if (!name || name.endsWith('/') || !version) return undefined;
  const us = version.indexOf('_');
  return [name, us > 0 ? version.slice(0, us) : version];
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function parsePnpmLock(text: string, file: string): Inventory {
  const { top, entries } = sections(text, file);
  const ctx = new LockGraph(file, ID);
  const rawVersion = top['lockfileVersion'];
  const lockVersion = rawVersion === undefined ? NaN : Number.parseFloat(String(rawVersion));
  if (rawVersion !== undefined && (Number.isNaN(lockVersion) || lockVersion < 5 || lockVersion >= 10)) {
    throw new VouchError('INPUT_UNSUPPORTED', `lockfileVersion ${String(rawVersion)} is not supported (vouch reads 5.x, 6.x and 9.x)`, {
      path: file,
      position: { line: 1 },
    });
  }
  if (rawVersion === undefined && Object.keys(top).length && !entries.size && !('dependencies' in top)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a pnpm lockfile (no lockfileVersion)', { path: file });
  }
  const v6 = lockVersion >= 6;
  const parseKey = (k: string): [string, string] | undefined => (v6 ? (parseV6(k) ?? parseV5(k)) : parseV5(k));

  // packages → components
  const byKey = new Map<string, string>(); // key without leading '/' → purl
  const invalid: string[] = [];
  const flags = new Map<string, Scope>();
  for (const e of entries.get('packages') ?? []) {
    const f = e.value;
    const fromKey = parseKey(e.key);
    const name = typeof f['name'] === 'string' ? f['name'] : fromKey?.[0];
    const version = typeof f['version'] === 'string' || typeof f['version'] === 'number' ? String(f['version']) : fromKey?.[1];
    if (name === undefined) {
      if (/^(file|link):/.test(e.key)) ctx.unresolvedEntry(e.key, e.key, e.line, 'a local package without a name');
      else invalid.push(`invalid dependency path: ${e.key}${e.line ? ` (line ${e.line})` : ''}`);
      continue;
    }
    if (version === undefined || !VERSION.test(version)) {
      // a key that is not /name/version (a git or tarball dependency: `github.com/kevva/is-positive`)
      // and no `name` field: the key's first segment is not a package name, so none is claimed
      const named = typeof f['name'] === 'string';
      ctx.unresolvedEntry(
        named ? name : e.key,
        e.key,
        e.line,
        version === undefined ? 'no version recorded' : named ? `"${version}" is not a version` : 'a dependency path that is not /name/version, and no name field',
      );
      continue;
    }
    const resolution = isObject(f['resolution']) ? f['resolution'] : {};
    const integrity = resolution['integrity'];
    const hashes: Hash[] = typeof integrity === 'string' ? hashesOf(integrity) : [];
    const scope: Scope = f['dev'] === true ? 'dev' : f['optional'] === true ? 'optional' : f['dev'] === false ? 'prod' : 'unknown';
    const purl = ctx.component(name, version, e.line, scope, hashes);
    if (purl === undefined) continue;
    flags.set(purl, scope);
    byKey.set(e.key.startsWith('/') ? e.key.slice(1) : e.key, purl);
    if (/^(file|link):|^\.\.?\//.test(e.key)) ctx.warnings.push(`${ctx.at(e.line)}${name}@${version} comes from a local folder or file, not the registry`);
    else if (typeof resolution['tarball'] === 'string' || typeof resolution['commit'] === 'string') {
      ctx.warnings.push(`${ctx.at(e.line)}${name}@${version} comes from ${resolution['commit'] ? 'a git repository' : 'a tarball URL'}, not the registry`);
    }
  }
  if (invalid.length) {
    const first = (entries.get('packages') ?? []).find((e) => invalid[0]!.includes(`: ${e.key}`));
    throw new VouchError('INPUT_PARSE', invalid.slice(0, 5).join('; ') + (invalid.length > 5 ? `; and ${invalid.length - 5} more` : ''), {
      path: file,
      ...(first?.line ? { position: { line: first.line } } : {}),
    });
  }
  // v9 snapshots: peer-suffixed instances of a package
  for (const e of entries.get('snapshots') ?? []) {
    const paren = e.key.indexOf('(');
    const purl = byKey.get(paren > 0 ? e.key.slice(0, paren) : e.key);
    if (purl !== undefined) byKey.set(e.key, purl);
  }

  /** A dependency reference → purl: a version (`1.0.0(peer)`, `1.0.0_peer`) or a full path (alias, git). */
  const resolveRef = (name: string, ref: string): string | undefined => {
    const r = ref.startsWith('/') ? ref.slice(1) : ref;
    return byKey.get(v6 ? `${name}@${r}` : `${name}/${r}`) ?? byKey.get(r);
  };

  // importers → roots
  const importers: Entry[] =
    entries.get('importers') ??
    (['dependencies', 'devDependencies', 'optionalDependencies'].some((k) => k in top) ? [{ key: '.', line: undefined, value: top }] : []);
  const rootOf = (folder: string): string => (folder === '.' || folder === '' ? ctx.rootId : `${ctx.rootId}#${folder}`);
  ctx.graph.addRoot(ctx.rootId, file);
  for (const imp of importers) if (imp.key !== '.') ctx.graph.addRoot(rootOf(imp.key), imp.key);
  let missing = 0;
  let firstMissing = '';
  for (const imp of importers) {
    const from = rootOf(imp.key);
    for (const [field, kind] of [
      ['dependencies', 'prod'],
      ['optionalDependencies', 'optional'],
      ['devDependencies', 'dev'],
    ] as const) {
      const deps = imp.value[field];
      if (deps === undefined || deps === null) continue;
      if (!isObject(deps)) throw new VouchError('INPUT_PARSE', `importer "${imp.key}": ${field} is not a map`, { path: file, ...(imp.line ? { position: { line: imp.line } } : {}) });
      for (const [n, spec] of Object.entries(deps)) {
        const ref = isObject(spec) ? spec['version'] : spec;
        if (typeof ref !== 'string') continue;
        if (ref.startsWith('link:')) {
          const target = joinFolder(imp.key, ref.slice(5));
          if (importers.some((i) => i.key === target)) ctx.graph.addEdge(from, rootOf(target));
          continue;
        }
        const to = resolveRef(n, ref);
        if (to !== undefined) ctx.edge(from, to, kind);
        else if (kind !== 'optional') {
          missing++;
          firstMissing ||= `importer ${imp.key}: ${n}@${ref}`;
        }
      }
    }
  }

  // package edges: v9 from snapshots, else from packages
  const edgeSource = entries.get('snapshots') ?? entries.get('packages') ?? [];
  for (const e of edgeSource) {
    const from = byKey.get(e.key.startsWith('/') ? e.key.slice(1) : e.key);
    if (from === undefined) continue;
    for (const [field, kind] of [
      ['dependencies', 'prod'],
      ['optionalDependencies', 'optional'],
    ] as const) {
      const deps = e.value[field];
      if (!isObject(deps)) continue;
      for (const [n, ref] of Object.entries(deps)) {
        if (typeof ref !== 'string' && typeof ref !== 'number') continue;
        const r = String(ref);
        if (r.startsWith('link:')) continue;
        const to = resolveRef(n, r);
        if (to !== undefined) ctx.edge(from, to, kind);
        else if (kind !== 'optional') {
          missing++;
          firstMissing ||= `${ctx.at(e.line)}${n}@${r}`;
        }
      }
    }
  }
  if (missing) ctx.warnings.push(`${missing} dependency reference(s) match no package (first: ${firstMissing})`);

  const inv = ctx.finish();
  // packages no importer reaches keep the lockfile's own dev/optional flags
  for (const [purl, scope] of flags) {
    const c = ctx.graph.components.get(purl)!;
    if (c.scope === 'unknown' && scope !== 'unknown') c.scope = scope;
  }
  return inv;
}

/** `packages/a` + `../b` → `packages/b` (importer folders are relative to the lockfile). */
function joinFolder(base: string, rel: string): string {
  const parts = base === '.' ? [] : base.split('/');
  for (const p of rel.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.length ? parts.join('/') : '.';
}
