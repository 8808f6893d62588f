/**
 * `yarn.lock`: yarn v1 (its own indented text format) and yarn berry (v2+, YAML with `__metadata`).
 *
 * v1: an entry is a header of descriptors (`"a@^1", a@~1.2:`) and indented fields (`version`,
 * `resolved`, `integrity`, `dependencies` / `optionalDependencies` blocks). The name is the first
 * descriptor's (`foo@npm:bar@^1` is an alias of `bar`). Edges match each dependency's `name@range`
 * to the entry listing that descriptor. The lockfile does not record the project: a `package.json`
 * beside it (read from disk) gives the direct dependencies and their sections; without one, direct
 * and scope are unknown.
 *
 * berry: keys are descriptors (`a@npm:^1.0.0`), `resolution` names the locator (its name is the
 * real name for aliases), `version` the version. `@workspace:` entries are roots, never components
 * (the root `.` is `root:<file>`, others `root:<file>#<folder>`); their `dependencies` are the
 * direct dependencies (dev and prod merged: the workspace's package.json, when on disk, tells them
 * apart, and gives the workspace its name and version as the SBOM's subject: the lockfile's
 * `0.0.0-use.local` is a placeholder). `@patch:` entries carry the version of the package they patch, so they merge into it.
 * `link:` / `portal:` entries (local folders, version `0.0.0-use.local`) go to `unresolved`. The
 * `checksum` is of yarn's own cache zip, not of the published tarball, so it is not a hash.
 */
import { readLockYaml } from '../../io/yaml-lock.js';
import type { Hash, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { hashesOf, rootIdentity } from './common.js';
import { LockGraph, type Manifest, aliasTarget, isObject, manifestKind, readManifest, splitDescriptor } from './lock-graph.js';

const ID = 'npm/yarn-lock';

export const yarnLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['yarn.lock'],

  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    return parts[parts.length - 1] === 'yarn.lock' && !parts.includes('node_modules');
  },

  sniff(head: string): boolean {
    return /^# yarn lockfile v1/m.test(head) || /^__metadata:\s*$/m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    const warnings: string[] = [];
    const berry = /^__metadata:/m.test(text);
    if (berry) return parseYarnBerry(text, input.path, (ws, w) => readManifest(input, ws, w));
    return parseYarnV1(text, input.path, await readManifest(input, '.', warnings), warnings);
  },
};

// ---------------------------------------------------------------------------------------------
// v1

interface V1Entry {
  line: number;
  descriptors: string[];
  fields: Map<string, string>;
  deps: [string, string, Scope][];
}

/** One v1 token: a double-quoted string (JSON escapes) or a bare word. */
function unquote(s: string, file: string, line: number): string {
  if (!s.startsWith('"')) return s;
  try {
    return JSON.parse(s) as string;
  } catch {
    throw new VouchError('INPUT_PARSE', `bad quoted string ${s.slice(0, 60)}`, { path: file, position: { line } });
  }
}

/** Splits `key value` (either side may be quoted) at the first space outside quotes. */
function keyValue(s: string, file: string, line: number): [string, string] {
  let i = 0;
  if (s.startsWith('"')) {
    i = 1;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    i++;
  } else {
    while (i < s.length && s[i] !== ' ') i++;
  }
  const key = unquote(s.slice(0, i), file, line);
  return [key, unquote(s.slice(i).trim(), file, line)];
}

const HEADER_PART = /\s*("(?:[^"\\]|\\.)*"|[^,]+?)\s*(?:,|$)/y;

export function parseYarnV1(text: string, file: string, manifest: Manifest | undefined, warnings: string[] = []): Inventory {
  const ctx = new LockGraph(file, ID);
  ctx.warnings.push(...warnings);
  const entries: V1Entry[] = [];
  let cur: V1Entry | undefined;
  let section: Scope | 'skip' | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = line.length - trimmed.length;
    const ln = i + 1;
    if (indent === 0) {
      if (!line.endsWith(':')) {
        throw new VouchError('INPUT_PARSE', `expected an entry header ending in ":", got ${JSON.stringify(line.slice(0, 60))}`, {
          path: file,
          position: { line: ln },
        });
      }
      const head = line.slice(0, -1);
      const descriptors: string[] = [];
      HEADER_PART.lastIndex = 0;
      while (HEADER_PART.lastIndex < head.length) {
        const m = HEADER_PART.exec(head);
        if (!m) throw new VouchError('INPUT_PARSE', 'bad entry header', { path: file, position: { line: ln } });
        descriptors.push(unquote(m[1]!, file, ln));
      }
      cur = { line: ln, descriptors, fields: new Map(), deps: [] };
      entries.push(cur);
      section = undefined;
    } else if (!cur) {
      throw new VouchError('INPUT_PARSE', 'indented line outside an entry', { path: file, position: { line: ln } });
    } else if (indent <= 2) {
      if (trimmed.endsWith(':')) {
        const k = trimmed.slice(0, -1);
        section = k === 'dependencies' ? 'prod' : k === 'optionalDependencies' ? 'optional' : 'skip';
      } else {
        section = undefined;
        const [k, v] = keyValue(trimmed, file, ln);
        cur.fields.set(k, v);
      }
    } else {
      if (section === undefined) {
        throw new VouchError('INPUT_PARSE', 'unexpected nested line', { path: file, position: { line: ln } });
      }
      if (section === 'skip') continue;
      const [n, r] = keyValue(trimmed, file, ln);
      cur.deps.push([n, r, section]);
    }
  }

  ctx.graph.addRoot(ctx.rootId, manifest?.name ?? file, rootIdentity(manifest?.name, manifest?.version));
  const byDescriptor = new Map<string, string>();
  const ids: (string | undefined)[] = [];
  for (const e of entries) {
    const [first, range] = splitDescriptor(e.descriptors[0]!);
    const name = aliasTarget(range) ?? first;
    const version = e.fields.get('version');
    const resolved = e.fields.get('resolved');
    if (!version) {
      ctx.unresolvedEntry(name, e.descriptors.join(', '), e.line, 'no version recorded');
      ids.push(undefined);
      continue;
    }
    const integrity = e.fields.get('integrity');
    let hashes: Hash[] = integrity ? hashesOf(integrity) : [];
    if (!hashes.length && resolved) {
      const m = /\.tgz#([0-9a-f]{40})$/.exec(resolved);
      if (m) hashes = [{ alg: 'sha1', value: m[1]! }];
    }
    const id = ctx.component(name, version, e.line, 'unknown', hashes);
    ids.push(id);
    if (id === undefined) continue;
    for (const d of e.descriptors) byDescriptor.set(d, id);
    const source = sourceOf(range, resolved);
    if (source) ctx.warnings.push(`line ${e.line}: ${name}@${version} comes from ${source}, not the registry; version as the lockfile records it`);
  }

  let missing = 0;
  let firstMissing = '';
  entries.forEach((e, i) => {
    const from = ids[i];
    if (from === undefined) return;
    for (const [n, r, kind] of e.deps) {
      const res = manifest?.resolutions.get(n);
      const to = byDescriptor.get(`${n}@${r}`) ?? (res !== undefined ? byDescriptor.get(`${n}@${res}`) : undefined);
      if (to !== undefined) ctx.edge(from, to, kind);
      else if (kind !== 'optional') {
        missing++;
        firstMissing ||= `line ${e.line}: ${n}@${r}`;
      }
    }
  });
  if (missing) ctx.warnings.push(`${missing} dependency descriptor(s) match no entry (first: ${firstMissing})`);

  if (manifest) {
    for (const [sectionMap, kind] of [
      [manifest.prod, 'prod'],
      [manifest.optional, 'optional'],
      [manifest.peer, 'prod'],
      [manifest.dev, 'dev'],
    ] as const) {
      for (const [n, r] of sectionMap) {
        const to = byDescriptor.get(`${n}@${r}`);
        if (to !== undefined) ctx.edge(ctx.rootId, to, manifestKind(manifest, n) === 'unknown' ? kind : manifestKind(manifest, n));
      }
    }
  } else {
    ctx.warnings.push('no package.json beside the lockfile: direct dependencies and scopes are unknown');
  }
  return ctx.finish();
}

/** Where a non-registry package comes from, judged by its descriptor range and resolved URL. */
function sourceOf(range: string, resolved: string | undefined): string | undefined {
  const r = range.startsWith('npm:') ? '' : range;
  if (/^(file|link|portal):/.test(r)) return 'a local folder';
  if (/^(git[+:]|ssh:|github:)/.test(r) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(r)) return 'a git repository';
  if (resolved && /^(git[+:]|ssh:)|codeload\.github\.com|\.git(#|$)/.test(resolved)) return 'a git repository';
  if (/^https?:/.test(r)) return 'a URL';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// berry

export async function parseYarnBerry(
  text: string,
  file: string,
  manifestOf: (workspace: string, warnings: string[]) => Promise<Manifest | undefined> = async () => undefined,
): Promise<Inventory> {
  const ctx = new LockGraph(file, ID);
  // the machine-written subset read fast; anything else by the full parser, where syntax, custom tags
  // and any alias are one-line errors; a repeated entry key is lost below (io/yaml-lock.ts, io/yaml.ts)
  const doc = readLockYaml(text, file, { duplicateKeys: 'report' });
  const duplicates = doc.duplicates;
  if (doc.root !== 'map') throw new VouchError('INPUT_UNSUPPORTED', 'not a yarn lockfile (top level is not a map)', { path: file });

  interface BerryEntry {
    line: number;
    descriptors: string[];
    resolution: string;
    value: Record<string, unknown>;
  }
  const entries: BerryEntry[] = [];
  for (const t of doc.top) {
    const key = t.key;
    if (key === '__metadata') continue;
    const line = t.line;
    const value = 'value' in t ? t.value : undefined;
    if (!isObject(value)) {
      throw new VouchError('INPUT_PARSE', `entry "${key}" is not a map`, { path: file, ...(line ? { position: { line } } : {}) });
    }
    const resolution = value['resolution'];
    entries.push({
      line: line ?? 0,
      descriptors: key.split(',').map((d) => d.trim()),
      resolution: typeof resolution === 'string' ? resolution : key.split(',')[0]!.trim(),
      value,
    });
  }

  ctx.graph.addRoot(ctx.rootId, file);
  const byDescriptor = new Map<string, string>();
  const ids: (string | undefined)[] = [];
  const workspaces: { id: string; folder: string }[] = [];
  for (const e of entries) {
    const [name, ref] = splitDescriptor(e.resolution);
    const rawVersion = e.value['version'];
    const version = typeof rawVersion === 'string' || typeof rawVersion === 'number' ? String(rawVersion) : undefined;
    let id: string | undefined;
    if (ref.startsWith('workspace:')) {
      const folder = ref.slice('workspace:'.length);
      id = folder === '.' ? ctx.rootId : `${ctx.rootId}#${folder}`;
      ctx.graph.addRoot(id, name);
      workspaces.push({ id, folder });
    } else if (/^(link|portal):/.test(ref)) {
      ctx.unresolvedEntry(name, e.resolution, e.line, `a local ${ref.slice(0, ref.indexOf(':'))} (no version of its own)`);
    } else if (!version) {
      ctx.unresolvedEntry(name, e.resolution, e.line, 'no version recorded');
    } else {
      id = ctx.component(name, version, e.line);
      const source = berrySource(ref);
      if (id && source) ctx.warnings.push(`line ${e.line}: ${name}@${version} comes from ${source}, not the registry; version as the lockfile records it`);
    }
    ids.push(id);
    if (id !== undefined) for (const d of e.descriptors) byDescriptor.set(d, id);
  }

  const manifests = new Map<string, Manifest | undefined>();
  for (const w of workspaces) {
    const manifest = await manifestOf(w.folder, ctx.warnings);
    manifests.set(w.id, manifest);
    // the lockfile gives a workspace the placeholder 0.0.0-use.local; its package.json, when on
    // disk, gives the project's own name and version (the SBOM's metadata.component and its parts)
    const identity = rootIdentity(manifest?.name, manifest?.version);
    if (identity) ctx.graph.addRoot(w.id, ctx.graph.roots.get(w.id) ?? identity.name, identity);
  }
  const resolutions = manifests.get(ctx.rootId)?.resolutions ?? new Map<string, string>();
  if (workspaces.length && ![...manifests.values()].some(Boolean)) {
    ctx.warnings.push('no workspace package.json on disk: direct dependencies are known, their scopes are not');
  }

  /** a dependency's entry; older berry writes bare ranges for `npm:` ones */
  const lookup = (n: string, range: string): string | undefined =>
    byDescriptor.get(`${n}@${range}`) ?? (range.includes(':') ? undefined : byDescriptor.get(`${n}@npm:${range}`));
  let missing = 0;
  let firstMissing = '';
  entries.forEach((e, i) => {
    const from = ids[i];
    if (from === undefined) return;
    const isRoot = ctx.graph.roots.has(from);
    const manifest = manifests.get(from);
    const meta = isObject(e.value['dependenciesMeta']) ? e.value['dependenciesMeta'] : {};
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      const deps = e.value[field];
      if (deps === undefined) continue;
      if (!isObject(deps)) {
        throw new VouchError('INPUT_PARSE', `${field} of "${e.descriptors[0]}" is not a map`, { path: file, position: { line: e.line } });
      }
      for (const [n, r] of Object.entries(deps)) {
        const range = String(r);
        const to = lookup(n, range) ?? (resolutions.has(n) ? lookup(n, resolutions.get(n)!) : undefined);
        const m = meta[n];
        const optional = field === 'optionalDependencies' || (isObject(m) && m['optional'] === true);
        if (to === undefined) {
          if (!optional) {
            missing++;
            firstMissing ||= `line ${e.line}: ${n}@${range}`;
          }
          continue;
        }
        if (isRoot && ctx.graph.roots.has(to)) {
          ctx.graph.addEdge(from, to); // a workspace depending on a workspace
          continue;
        }
        const kind: Scope = isRoot ? (optional ? 'optional' : manifestKind(manifest, n)) : optional ? 'optional' : 'prod';
        ctx.edge(from, to, kind);
      }
    }
  });
  if (missing) ctx.warnings.push(`${missing} dependency descriptor(s) match no entry (first: ${firstMissing})`);
  const inv = ctx.finish();
  // yarn never writes a key twice: both entries are read (no version goes unchecked), but which one
  // yarn installs for those descriptors cannot be known — the input is partial, not silently right
  if (!duplicates.length) return inv;
  return { ...inv, lost: [...(inv.lost ?? []), ...duplicates.map((d) => `line ${d.line}: entry ${JSON.stringify(d.key)} appears again; which of the two yarn installs cannot be known`)] };
}

function berrySource(ref: string): string | undefined {
  if (ref.startsWith('npm:') || ref.startsWith('patch:')) return undefined;
  if (ref.startsWith('file:')) return 'a local folder';
  if (/^(git[+:]|ssh:)|\.git(#|$)|#commit[=:]/.test(ref)) return 'a git repository';
  if (/^https?:/.test(ref)) return 'a URL';
  return undefined;
}
