/**
 * `uv.lock`: `[[package]]` tables with `name`, `version`, `source`, `dependencies`,
 * `optional-dependencies` (extras) and `dev-dependencies` (dependency groups).
 *
 * - Packages whose source is `virtual` or `editable` (the project and its workspace members) are
 *   roots (`root:<file>#<name>`), not components. Other local sources (`directory`, `path`) and
 *   `git`/`url` sources stay components with a warning naming the source.
 * - Edges: every dependency list, each `{ name, version?, source? }` resolved to the locked package
 *   of that name (by version when several are locked).
 * - Scope by reachability from the roots: their `dependencies` → prod, `optional-dependencies` →
 *   optional, `dev-dependencies` → dev (the strongest wins; anything unreached is prod). A root's
 *   targets are direct.
 * - Hashes: the sdist and wheel hashes.
 */
import type { Scope } from '../../model/component.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText, shownValue } from '../../io/json.js';
import type { Extractor } from '../types.js';
import {
  baseName, fileHashes, gitCommit, isPlainObject, nameOf, normalizeName, packageTables, parseTomlInput, PyContext,
  scopesByReach, wrongType, type PackageTable,
} from './common.js';

const ID = 'pypi/uv-lock';

export const uvLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['uv.lock'],
  wants: (p: string) => baseName(p) === 'uv.lock',
  async extract(input: InputFile): Promise<Inventory> {
    return parseUvLock(decodeText(await input.read(), input.path), input.path);
  },
};

interface Dep {
  name: string;
  version: string | undefined;
}

interface Node {
  id: string;
  isRoot: boolean;
  t: PackageTable;
  deps: Dep[];
  optional: Dep[];
  dev: Dep[];
}

export function parseUvLock(text: string, file: string): Inventory {
  const data = parseTomlInput(text, file);
  const ctx = new PyContext(file, ID);
  const tables = packageTables(data, text, file, ctx.warnings);
  const nodes: Node[] = [];
  const byName = new Map<string, { id: string; version: string | undefined }[]>();
  for (const t of tables) {
    const name = nameOf(ctx, t);
    if (name === undefined) continue;
    const source = t.obj['source'];
    if (source !== undefined && !isPlainObject(source)) throw wrongType(file, `${t.where}.source`, 'a table', source, t.line);
    const kind = source ? Object.keys(source)[0] : undefined;
    const version = typeof t.obj['version'] === 'string' ? t.obj['version'] : undefined;
    let id: string;
    let isRoot = false;
    if (kind === 'virtual' || kind === 'editable') {
      id = `${ctx.rootId}#${name}`;
      // the project itself (or a workspace member): its version is its own, not a dependency's
      ctx.graph.addRoot(id, name, version ? { name, version, purl: ctx.purl(name, version) } : undefined);
      isRoot = true;
    } else {
      if (version === undefined) {
        if (t.obj['version'] !== undefined) throw wrongType(file, `${t.where}.version`, 'a string', t.obj['version'], t.line);
        ctx.unresolvedEntry(name, `no version recorded${kind ? ` (${kind} source)` : ''}`, undefined, t.line);
        continue;
      }
      const hashes = [...fileHashes(t.obj['sdist']), ...fileHashes(t.obj['wheels'])];
      const purl = ctx.add({ name, version, scope: 'prod', line: t.line, hashes });
      if (!purl) continue;
      id = purl;
      if (kind && kind !== 'registry' && source) {
        const where = shownValue(source[kind]);
        const commit = kind === 'git' ? gitCommit(where) : undefined;
        ctx.warnings.push(
          `line ${t.line ?? '?'}: ${name}@${version} comes from ${kind} ${where}${commit ? ` (commit ${commit})` : ''}, not the registry; version as the lockfile records it`,
        );
      }
    }
    const key = normalizeName(name);
    let l = byName.get(key);
    if (!l) byName.set(key, (l = []));
    l.push({ id, version });
    nodes.push({
      id,
      isRoot,
      t,
      deps: depList(file, t.obj['dependencies'], `${t.where}.dependencies`, t.line),
      optional: depGroups(file, t.obj['optional-dependencies'], `${t.where}.optional-dependencies`, t.line),
      dev: depGroups(file, t.obj['dev-dependencies'], `${t.where}.dev-dependencies`, t.line),
    });
  }

  const resolve = (d: Dep): string[] => {
    const cands = byName.get(normalizeName(d.name)) ?? [];
    if (d.version !== undefined && cands.length > 1) {
      const exact = cands.filter((c) => c.version === d.version);
      if (exact.length) return exact.map((c) => c.id);
    }
    return cands.map((c) => c.id);
  };
  const starts = { prod: new Set<string>(), optional: new Set<string>(), dev: new Set<string>() };
  for (const n of nodes) {
    for (const [list, cls] of [
      [n.deps, 'prod'],
      [n.optional, 'optional'],
      [n.dev, 'dev'],
    ] as const) {
      for (const d of list) {
        for (const to of resolve(d)) {
          ctx.link(n.id, to);
          if (n.isRoot) starts[cls].add(to);
        }
      }
    }
  }
  const scopes = scopesByReach(ctx.graph.edges, starts);
  for (const c of ctx.graph.components.values()) c.scope = (scopes.get(c.purl) ?? 'prod') satisfies Scope;
  return ctx.inventory();
}

function depList(file: string, v: unknown, where: string, line: number | undefined): Dep[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw wrongType(file, where, 'an array', v, line);
  return v.map((d, i) => {
    if (!isPlainObject(d) || typeof d['name'] !== 'string') throw wrongType(file, `${where}[${i}]`, 'a table with a name', d, line);
    return { name: d['name'], version: typeof d['version'] === 'string' ? d['version'] : undefined };
  });
}

function depGroups(file: string, v: unknown, where: string, line: number | undefined): Dep[] {
  if (v === undefined) return [];
  if (!isPlainObject(v)) throw wrongType(file, where, 'a table', v, line);
  return Object.entries(v).flatMap(([g, list]) => depList(file, list, `${where}.${g}`, line));
}
