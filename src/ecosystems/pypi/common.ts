/**
 * Shared pieces of the PyPI extractors: the per-file context (graph, unresolved, warnings), purls,
 * TOML parsing with file + line errors, and the linear line scan for `[[package]]` tables.
 */
import type { Component, Hash, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';

export const ECOSYSTEM = 'PyPI';

/** PEP 503 normalised name (the key dependency names are resolved by). */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

/** A file name without its folders (either separator). */
export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface AddOptions {
  name: string;
  version: string;
  scope: Scope;
  line?: number | undefined;
  path?: string | undefined;
  hashes?: Hash[] | undefined;
  direct?: boolean;
}

export class PyContext {
  readonly graph = new DependencyGraph();
  readonly unresolved: Inventory['unresolved'] = [];
  readonly warnings: string[] = [];
  /** Entries the file holds that could not be read (the input is then `partial`). */
  readonly lost: string[] = [];
  readonly rootId: string;
  private readonly purls = new Map<string, string>();

  constructor(
    readonly file: string,
    readonly extractor: string,
    rootLabel?: string,
  ) {
    this.rootId = `root:${file}`;
    this.graph.addRoot(this.rootId, rootLabel ?? file);
  }

  purl(name: string, version: string): string {
    const key = `${name}@${version}`;
    let p = this.purls.get(key);
    if (p === undefined) {
      p = buildPurl({ type: 'pypi', name, version });
      this.purls.set(key, p);
    }
    return p;
  }

  /** Adds (or merges) a component; returns its purl, or undefined with a warning when no purl can be built. */
  add(o: AddOptions): string | undefined {
    let purl: string;
    try {
      purl = this.purl(o.name, o.version);
    } catch (e) {
      this.warnings.push(`${o.line !== undefined ? `line ${o.line}: ` : ''}${o.name}@${o.version}: ${(e as Error).message}; skipped`);
      return undefined;
    }
    const path = o.path ?? this.file;
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name: o.name,
      version: o.version,
      scope: o.scope,
      direct: o.direct ?? false,
      ...(o.hashes?.length ? { hashes: o.hashes } : {}),
      locations: [o.line !== undefined ? { path, line: o.line } : { path }],
    };
    this.graph.add(c);
    return purl;
  }

  unresolvedEntry(name: string, reason: string, spec?: string, line?: number): void {
    this.unresolved.push({
      name,
      ecosystem: ECOSYSTEM,
      ...(spec !== undefined && spec !== '' ? { spec } : {}),
      ...(line !== undefined ? { line } : {}),
      reason,
    });
  }

  /** Edge; a root as `from` makes the target direct. */
  link(from: string, to: string): void {
    if (from === to) return;
    this.graph.addEdge(from, to);
    if (this.graph.roots.has(from)) {
      const c = this.graph.components.get(to);
      if (c) c.direct = true;
    }
  }

  inventory(): Inventory {
    return {
      source: { path: this.file, extractor: this.extractor },
      graph: this.graph,
      unresolved: this.unresolved,
      warnings: this.warnings,
      ...(this.lost.length ? { lost: this.lost } : {}),
    };
  }
}

export { parseTomlInput } from '../../io/toml.js';

/**
 * 1-based lines of every `[[<name>]]` array-of-tables header, in document order: one pass over the
 * lines, skipping multi-line strings (`"""` / `'''`) so a header quoted inside one is not counted.
 * The i-th parsed table is the i-th header (TOML keeps array order).
 */
export function arrayTableLines(text: string, name: string): number[] {
  const out: number[] = [];
  const header = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]\\]\\s*(?:#.*)?$`);
  let inString: string | undefined;
  let line = 0;
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    line++;
    const l = text.slice(start, end);
    if (inString) {
      if (countDelims(l, inString) % 2 === 1) inString = undefined;
    } else if (l.includes('"""') || l.includes("'''")) {
      for (const d of ['"""', "'''"]) if (countDelims(l, d) % 2 === 1) inString = d;
    } else if (l.charCodeAt(0) === 91 /* [ */ || /^\s+\[\[/.test(l)) {
      if (header.test(l)) out.push(line);
    }
    start = end + 1;
  }
  return out;
}

function countDelims(l: string, d: string): number {
  let c = 0;
  for (let i = l.indexOf(d); i >= 0; i = l.indexOf(d, i + 3)) c++;
  return c;
}

/** A field that must be a string when present. */
export function optString(
  file: string,
  obj: Record<string, unknown>,
  key: string,
  where: string,
  line: number | undefined,
): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw wrongType(file, `${where}.${key}`, 'a string', v, line);
  return v;
}

export function wrongType(file: string, jsonPath: string, want: string, got: unknown, line?: number): VouchError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  return new VouchError('INPUT_PARSE', `${jsonPath} should be ${want}, found ${kind}`, {
    path: file,
    position: line !== undefined ? { line, jsonPath } : { jsonPath },
  });
}

/** `sha256:abc…` → Hash (undefined for anything else). */
export function parseHash(s: string): Hash | undefined {
  const m = /^(sha1|sha224|sha256|sha384|sha512|md5|blake2b):([0-9a-fA-F]+)$/.exec(s.trim());
  return m ? { alg: m[1]!, value: m[2]!.toLowerCase() } : undefined;
}

/** The commit of a git source URL (`…#<sha>` or `…@<sha>`), when it names one. */
export function gitCommit(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /[#@]([0-9a-f]{40})(?:$|[^0-9a-f])/.exec(url);
  return m?.[1];
}

/**
 * Scope by reachability: prod from the roots' prod edges, optional from optional edges, dev from
 * dev edges (each class then follows ordinary edges); the strongest class reaching a package wins.
 */
export function scopesByReach(
  edges: ReadonlyMap<string, ReadonlySet<string>>,
  starts: { prod: Iterable<string>; optional: Iterable<string>; dev: Iterable<string> },
): Map<string, Scope> {
  const out = new Map<string, Scope>();
  for (const scope of ['prod', 'optional', 'dev'] as const) {
    const queue = [...starts[scope]].filter((s) => !out.has(s));
    for (const s of queue) out.set(s, scope);
    for (let i = 0; i < queue.length; i++) {
      for (const to of edges.get(queue[i]!) ?? []) {
        if (!out.has(to)) {
          out.set(to, scope);
          queue.push(to);
        }
      }
    }
  }
  return out;
}

/** Everything reachable from `from` (including itself). */
export function reachable(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    for (const to of edges.get(queue[i]!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/**
 * Lockfiles that do not record the project's own requirements (poetry.lock, pdm.lock without
 * groups): link the root to every package no other package requires, then to any package still
 * unreachable (cycles). An inference from the graph, documented as such where used.
 */
export function linkUnrequired(ctx: PyContext, purls: readonly string[]): void {
  const required = new Set<string>();
  for (const p of purls) for (const to of ctx.graph.edges.get(p) ?? []) if (to !== p) required.add(to);
  for (const p of purls) if (!required.has(p)) ctx.link(ctx.rootId, p);
  const reached = reachable(ctx.graph.edges, ctx.rootId);
  for (const p of purls) {
    if (reached.has(p)) continue;
    ctx.link(ctx.rootId, p);
    for (const r of reachable(ctx.graph.edges, p)) reached.add(r);
  }
}

export interface PackageTable {
  obj: Record<string, unknown>;
  /** `$.package[3]` */
  where: string;
  line: number | undefined;
}

/**
 * The `[[package]]` tables of a parsed TOML lockfile with the line of each header. Not an array →
 * INPUT_PARSE; an entry that is not a table → INPUT_PARSE with its path.
 */
export function packageTables(
  data: Record<string, unknown>,
  text: string,
  file: string,
  warnings: string[],
  key = 'package',
): PackageTable[] {
  const list = data[key];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw wrongType(file, `$.${key}`, `an array of tables ([[${key}]])`, list);
  let lines: (number | undefined)[] = arrayTableLines(text, key);
  if (lines.length !== list.length) {
    // an inline array (`packages = [{ … }]`) has no headers: no line numbers, nothing to warn about
    if (lines.length) warnings.push(`found ${lines.length} [[${key}]] headers for ${list.length} entries; line numbers left out`);
    lines = [];
  }
  return list.map((obj, i) => {
    const where = `$.${key}[${i}]`;
    if (!isPlainObject(obj)) throw wrongType(file, where, 'a table', obj, lines[i]);
    return { obj, where, line: lines[i] };
  });
}

/** PEP 508 names: letters and digits, with `.`, `_`, `-` inside. */
export const PEP508_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** The distribution name at the start of a PEP 508 requirement string (`six>=1; marker` → `six`). */
export function requirementName(req: string): string | undefined {
  return /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(req)?.[1];
}

/** name → purls, by PEP 503 name, for resolving dependency names to the packages of one lockfile. */
export class NameIndex {
  private readonly map = new Map<string, string[]>();
  add(name: string, purl: string): void {
    const k = normalizeName(name);
    const l = this.map.get(k);
    if (!l) this.map.set(k, [purl]);
    else if (!l.includes(purl)) l.push(purl);
  }
  get(name: string): readonly string[] {
    return this.map.get(normalizeName(name)) ?? [];
  }
}

/** `where: name: version "x"`; a missing version is reported as unresolved, never invented. */
export function versionOrUnresolved(ctx: PyContext, t: PackageTable, name: string): string | undefined {
  const v = t.obj['version'];
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (v !== undefined && typeof v !== 'string') throw wrongType(ctx.file, `${t.where}.version`, 'a string', v, t.line);
  ctx.unresolvedEntry(name, 'no version recorded in the lockfile', undefined, t.line);
  return undefined;
}

/** The `name` of a package table: required string. Missing → warning and undefined. */
export function nameOf(ctx: PyContext, t: PackageTable): string | undefined {
  const n = t.obj['name'];
  if (typeof n === 'string' && n.trim() !== '') return n;
  if (n !== undefined && typeof n !== 'string') throw wrongType(ctx.file, `${t.where}.name`, 'a string', n, t.line);
  ctx.warnings.push(`${t.line !== undefined ? `line ${t.line} ` : ''}${t.where}: package without a name; skipped`);
  return undefined;
}

/** Hashes of `files = [{ file, hash }]` / `{ url, hash }` lists (poetry, pdm, uv wheels). */
export function fileHashes(v: unknown): Hash[] {
  const out: Hash[] = [];
  const add = (x: unknown): void => {
    if (!isPlainObject(x) || typeof x['hash'] !== 'string') return;
    const h = parseHash(x['hash']);
    if (h && !out.some((o) => o.alg === h.alg && o.value === h.value)) out.push(h);
  };
  if (Array.isArray(v)) v.forEach(add);
  else add(v);
  return out;
}
