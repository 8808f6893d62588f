/**
 * Rust `Cargo.lock`, format versions 1 to 4 (parsed with smol-toml).
 *
 * What becomes what:
 * - Each `[[package]]` with a `source` (the crates.io index, another registry, a git repository)
 *   is a component, at the line of its `[[package]]` header. A registry `checksum` (v2+, or v1's
 *   `[metadata]` `"checksum name version (source)" = "…"` entries) is its sha256.
 * - A `[[package]]` without `source` is the workspace's own crate (a member or a path
 *   dependency): a root (`root:<file>#<name>@<version>`), not a component; v1's `[root]` table too.
 *   Crates from a git repository are kept, with a warning that they do not come from a registry.
 * - `dependencies = ["name", "name version", "name version (source)"]` are edges: cargo writes
 *   the shortest form that is unique in the file. A component a root depends on is direct.
 * - Scope is `unknown`: the lockfile holds dev- and build-dependencies beside normal ones
 *   without marking them.
 * - A package without a `version` (never written by cargo) goes to `unresolved`.
 */
import { tomlLib } from '../../io/libs.js';
import type { Component } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText, shownValue } from '../../io/json.js';
import type { Extractor } from '../types.js';

const ID = 'cargo/cargo-lock';
const ECOSYSTEM = 'crates.io';

export const cargoLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['Cargo.lock'],

  wants(p: string): boolean {
    const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return p.slice(i + 1) === 'Cargo.lock';
  },

  sniff(head: string): boolean {
    return /^\s*\[\[package\]\]\s*$/m.test(head) && /^name\s*=\s*"/m.test(head) && /^(?:version|source)\s*=/m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseCargoLock(decodeText(await input.read(), input.path), input.path);
  },
};

interface Pkg {
  index: number;
  name: string;
  version: string | undefined;
  source: string | undefined;
  checksum: string | undefined;
  deps: string[];
  line: number | undefined;
  /** graph id: a purl, or a root id for the workspace's own crates */
  id?: string;
}

/** The purl of a crate. */
export function cargoPurl(name: string, version: string): string {
  return buildPurl({ type: 'cargo', name, version });
}

/** Parse the text of a Cargo.lock (`file` is its display path). */
export function parseCargoLock(text: string, file: string): Inventory {
  let data: Record<string, unknown>;
  try {
    data = tomlLib().parse(text) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { line?: number };
    const reason = err.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    throw new VouchError('INPUT_PARSE', `not valid TOML: ${reason}`, {
      path: file,
      ...(typeof err.line === 'number' ? { position: { line: err.line } } : {}),
      cause: e,
    });
  }
  const fail = (where: string, msg: string, line?: number): never => {
    throw new VouchError('INPUT_PARSE', msg, {
      path: file,
      position: line !== undefined ? { line, jsonPath: where } : { jsonPath: where },
    });
  };
  const version = data['version'];
  if (version !== undefined && version !== 1 && version !== 2 && version !== 3 && version !== 4) {
    // cargo refuses lockfile versions it does not know; so do we
    throw new VouchError('INPUT_UNSUPPORTED', `Cargo.lock version ${shownValue(version)} is not supported (vouch reads 1 to 4)`, {
      path: file,
      position: { jsonPath: '$.version' },
    });
  }
  const rawPackages = data['package'] ?? [];
  if (!Array.isArray(rawPackages)) fail('$.package', 'expected [[package]] tables');

  const headerLines = tableLines(text);
  const pkgs: Pkg[] = [];
  const all = rawPackages as unknown[];
  const rawRoot = data['root'];
  if (rawRoot !== undefined) all.unshift(rawRoot);
  for (let i = 0; i < all.length; i++) {
    const isV1Root = rawRoot !== undefined && i === 0;
    const at = isV1Root ? '$.root' : `$.package[${rawRoot !== undefined ? i - 1 : i}]`;
    const line = isV1Root ? headerLines.root : headerLines.packages[rawRoot !== undefined ? i - 1 : i];
    const raw = all[i];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, 'expected a table', line);
    const r = raw as Record<string, unknown>;
    const str = (k: string): string | undefined => {
      const v = r[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'string') fail(`${at}.${k}`, `expected a string, found ${typeof v}`, line);
      return v as string;
    };
    const name = str('name');
    if (!name) fail(`${at}.name`, 'package without a name', line);
    const deps = r['dependencies'] ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')) {
      fail(`${at}.dependencies`, 'expected an array of strings', line);
    }
    pkgs.push({
      index: i,
      name: name!,
      version: str('version'),
      source: isV1Root ? undefined : str('source'),
      checksum: str('checksum'),
      deps: deps as string[],
      line,
    });
  }

  // v1 keeps checksums in [metadata]: "checksum name version (source)" = "hex"
  const metadata = data['metadata'];
  const v1Checksums = new Map<string, string>();
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [k, v] of Object.entries(metadata as Record<string, unknown>)) {
      if (k.startsWith('checksum ') && typeof v === 'string') v1Checksums.set(k.slice('checksum '.length), v);
    }
  }

  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  const workspace = pkgs.filter((p) => p.source === undefined);
  // one workspace crate: it is the file's root; several: each is a root of its own as well
  const identity = (p: { name: string; version: string | undefined }) =>
    p.version ? { name: p.name, version: p.version, purl: cargoPurl(p.name, p.version) } : undefined;
  graph.addRoot(rootId, workspace.length === 1 ? workspace[0]!.name : file, workspace.length === 1 ? identity(workspace[0]!) : undefined);

  let gitCount = 0;
  let firstGit = '';
  for (const p of pkgs) {
    const where = p.line !== undefined ? `line ${p.line}` : `$.package[${p.index}]`;
    if (p.source === undefined) {
      const id = workspace.length <= 1 ? rootId : `${rootId}#${p.name}@${p.version ?? ''}`;
      if (id !== rootId) graph.addRoot(id, p.name, identity(p));
      p.id = id;
      continue;
    }
    if (p.version === undefined || p.version === '') {
      const reason = 'no version recorded';
      warnings.push(`${where}: ${p.name}: ${reason}; skipped`);
      unresolved.push({ name: p.name, ecosystem: ECOSYSTEM, ...(p.line !== undefined ? { line: p.line } : {}), reason });
      continue;
    }
    let purl: string;
    try {
      purl = cargoPurl(p.name, p.version);
    } catch (e) {
      warnings.push(`${where}: ${p.name}@${p.version}: ${(e as Error).message}; skipped`);
      continue;
    }
    if (p.source.startsWith('git+')) {
      gitCount++;
      firstGit ||= `${p.name}@${p.version} (${where})`;
    }
    const checksum = p.checksum ?? v1Checksums.get(`${p.name} ${p.version} (${p.source})`);
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name: p.name,
      version: p.version,
      scope: 'unknown',
      direct: false,
      ...(checksum && /^[0-9a-f]{64}$/i.test(checksum) ? { hashes: [{ alg: 'sha256', value: checksum.toLowerCase() }] } : {}),
      locations: [p.line !== undefined ? { path: file, line: p.line } : { path: file }],
    };
    graph.add(c);
    p.id = purl;
  }
  if (gitCount) {
    warnings.push(`${gitCount} crate(s) come from git repositories, not a registry (first: ${firstGit}); versions as the lockfile records them`);
  }

  // dependency strings → packages: "name", "name version", "name version (source)"
  const byName = new Map<string, Pkg[]>();
  for (const p of pkgs) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  let dangling = 0;
  let firstDangling = '';
  const resolved = new Map<string, Pkg | undefined>();
  for (const p of pkgs) {
    if (p.id === undefined) continue;
    for (const dep of p.deps) {
      let target = resolved.get(dep);
      if (target === undefined && !resolved.has(dep)) resolved.set(dep, (target = resolveDep(byName, dep)));
      if (target?.id === undefined) {
        dangling++;
        firstDangling ||= `${p.name} → "${dep}"`;
        continue;
      }
      graph.addEdge(p.id, target.id);
      if (graph.roots.has(p.id)) {
        const c = graph.components.get(target.id);
        if (c) c.direct = true;
      }
    }
  }
  if (dangling) warnings.push(`${dangling} dependency entr(ies) name no package in the file (first: ${firstDangling})`);
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

function resolveDep(byName: Map<string, Pkg[]>, dep: string): Pkg | undefined {
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+\((.+)\))?$/.exec(dep.trim());
  if (!m) return undefined;
  const candidates = byName.get(m[1]!);
  if (!candidates) return undefined;
  if (m[2] === undefined) return candidates.length === 1 ? candidates[0] : undefined;
  const sameVersion = candidates.filter((c) => c.version === m[2]);
  if (m[3] === undefined || sameVersion.length === 1) return sameVersion[0];
  return sameVersion.find((c) => c.source === m[3]);
}

/**
 * The line of every `[[package]]` header, in order (the n-th header is `package[n]`), and of a v1
 * `[root]` table: one pass over the text. Cargo writes headers at the start of a line, and no
 * multi-line strings, so a line-start match is enough.
 */
export function tableLines(text: string): { packages: number[]; root: number | undefined } {
  const packages: number[] = [];
  let root: number | undefined;
  let line = 1;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    // cargo writes table headers at the start of a line
    if (text.charCodeAt(start) === 91 /* [ */) {
      if (text.startsWith('[[package]]', start)) packages.push(line);
      else if (text.startsWith('[root]', start)) root = line;
    }
    line++;
    start = end + 1;
  }
  return { packages, root };
}
