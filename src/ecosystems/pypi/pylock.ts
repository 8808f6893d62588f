/**
 * `pylock.toml` / `pylock.<name>.toml` (PEP 751, lock-version 1.x): `[[packages]]` with `name`,
 * `version`, `index`, `vcs`, `directory`, `archive`, `sdist`, `wheels`, `dependencies`.
 *
 * - A `directory` package without a version (the project itself, usually `editable`) is a root.
 * - A package without a version otherwise (a `vcs`/`archive` entry) goes to `unresolved`; a VCS
 *   package that records a version keeps it, with a warning naming the commit.
 * - Edges from the optional `dependencies` lists ({name, version?}); without them the lock is flat
 *   and every package hangs off the root (paths exist; none is marked direct). Scope: prod (the
 *   lock's markers on extras/groups are not evaluated).
 * - Hashes: `sdist`, `wheels` and `archive` `hashes = { sha256 = … }`.
 */
import type { Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText, shownValue } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { baseName, isPlainObject, nameOf, normalizeName, packageTables, parseTomlInput, PyContext, wrongType } from './common.js';

const ID = 'pypi/pylock';

export const pylockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['pylock.toml'],
  wants: (p: string) => /^pylock\.(?:[^.\\/]+\.)?toml$/.test(baseName(p)),
  async extract(input: InputFile): Promise<Inventory> {
    return parsePylock(decodeText(await input.read(), input.path), input.path);
  },
};

function hashesOf(v: unknown): Hash[] {
  const out: Hash[] = [];
  const one = (x: unknown): void => {
    if (!isPlainObject(x) || !isPlainObject(x['hashes'])) return;
    for (const [alg, value] of Object.entries(x['hashes'])) {
      if (typeof value === 'string' && /^[0-9a-f]+$/i.test(value) && !out.some((h) => h.value === value.toLowerCase())) {
        out.push({ alg, value: value.toLowerCase() });
      }
    }
  };
  if (Array.isArray(v)) v.forEach(one);
  else one(v);
  return out;
}

export function parsePylock(text: string, file: string): Inventory {
  const data = parseTomlInput(text, file);
  const lv = data['lock-version'];
  if (lv !== undefined && (typeof lv !== 'string' || !/^1(\.|$)/.test(lv))) {
    throw new VouchError('INPUT_UNSUPPORTED', `lock-version ${shownValue(lv)} is not supported (vouch reads 1.x)`, {
      path: file,
      position: { jsonPath: '$.lock-version' },
    });
  }
  const ctx = new PyContext(file, ID);
  const tables = packageTables(data, text, file, ctx.warnings, 'packages');
  const byName = new Map<string, { id: string; version: string | undefined }[]>();
  const deps: { id: string; list: { name: string; version: string | undefined }[] }[] = [];
  let anyDeps = false;
  for (const t of tables) {
    const name = nameOf(ctx, t);
    if (name === undefined) continue;
    const version = t.obj['version'];
    if (version !== undefined && typeof version !== 'string') throw wrongType(file, `${t.where}.version`, 'a string', version, t.line);
    let id: string;
    if (version === undefined) {
      if (isPlainObject(t.obj['directory'])) {
        id = `${ctx.rootId}#${name}`;
        ctx.graph.addRoot(id, name);
      } else {
        const src = ['vcs', 'archive'].find((k) => t.obj[k] !== undefined);
        ctx.unresolvedEntry(name, `no version recorded${src ? ` (${src} source)` : ''}`, undefined, t.line);
        continue;
      }
    } else {
      const hashes = [...hashesOf(t.obj['sdist']), ...hashesOf(t.obj['wheels']), ...hashesOf(t.obj['archive'])];
      const purl = ctx.add({ name, version, scope: 'prod', line: t.line, hashes });
      if (!purl) continue;
      id = purl;
      const vcs = t.obj['vcs'];
      if (isPlainObject(vcs)) {
        ctx.warnings.push(
          `line ${t.line ?? '?'}: ${name}@${version} comes from ${shownValue(vcs['type'] ?? 'vcs')} ${shownValue(vcs['url'] ?? vcs['path'] ?? '')}${typeof vcs['commit-id'] === 'string' ? `@${vcs['commit-id']}` : ''}, not the registry; version as the lockfile records it`,
        );
      }
    }
    const k = normalizeName(name);
    let l = byName.get(k);
    if (!l) byName.set(k, (l = []));
    l.push({ id, version: typeof version === 'string' ? version : undefined });
    const d = t.obj['dependencies'];
    if (d !== undefined) {
      if (!Array.isArray(d)) throw wrongType(file, `${t.where}.dependencies`, 'an array', d, t.line);
      anyDeps = true;
      deps.push({
        id,
        list: d.filter(isPlainObject).flatMap((x) =>
          typeof x['name'] === 'string' ? [{ name: x['name'], version: typeof x['version'] === 'string' ? x['version'] : undefined }] : [],
        ),
      });
    }
  }
  if (anyDeps) {
    for (const { id, list } of deps) {
      for (const dep of list) {
        const cands = byName.get(normalizeName(dep.name)) ?? [];
        const exact = dep.version !== undefined ? cands.filter((c) => c.version === dep.version) : [];
        for (const c of exact.length ? exact : cands) ctx.link(id, c.id);
      }
    }
  } else {
    for (const c of ctx.graph.components.keys()) ctx.graph.addEdge(ctx.rootId, c);
  }
  return ctx.inventory();
}
