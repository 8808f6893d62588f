/**
 * Helpers shared by the CycloneDX and SPDX readers: turning an SBOM's package entry into a
 * Component (or an `unresolved` entry plus a warning), hash-name normalisation, cheap line lookup,
 * and the graph builder that resolves the document's own ids (bom-refs, SPDXIDs) to purls.
 */
import type { Component, Hash, Scope } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import { InvalidPurlError, buildPurl, parsePurl, tryParsePurl, type PurlParts } from '../model/purl.js';
import { ecosystemByPurlType, nameFromPurl } from '../ecosystems/index.js';
import type { LineIndex } from '../io/lines.js';

/** Lower-cased file name of a display path (also after `archive.jar!/` and Windows separators). */
export function baseName(path: string): string {
  const parts = path.split(/[/\\!]/);
  return (parts[parts.length - 1] ?? '').toLowerCase();
}

/**
 * One spelling per hash algorithm: `SHA-256`/`SHA256` → `sha256`, `SHA3-256` → `sha3-256`,
 * `BLAKE2b-256` → `blake2b-256`, `MD5` → `md5`.
 */
export function normalizeHashAlg(alg: string): string {
  const a = alg.trim().toLowerCase().replace(/_/g, '-');
  const sha = /^sha-?(1|224|256|384|512)$/.exec(a);
  if (sha) return `sha${sha[1]}`;
  return a;
}

export function makeHash(alg: unknown, value: unknown): Hash | undefined {
  if (typeof alg !== 'string' || typeof value !== 'string' || !alg.trim() || !value.trim()) return undefined;
  return { alg: normalizeHashAlg(alg), value: value.trim().toLowerCase() };
}

/**
 * Lines recorded per string value: a number for a value met once (most are), a list for one met
 * several times — a list per value costs ~150 bytes more, which for the few million keys of a
 * gigabyte SBOM is hundreds of megabytes.
 */
export type ValueLines = Map<string, number | number[]>;

/** Records that `value` was met on `line` (after the lines it was met on before). */
export function addLine(lines: ValueLines, value: string, line: number): void {
  const had = lines.get(value);
  if (had === undefined) lines.set(value, line);
  else if (typeof had === 'number') lines.set(value, [had, line]);
  else had.push(line);
}

/**
 * Lines of every `"key": "value"` string pair in a JSON text, by decoded value, in document order.
 * Cheap (one regex pass); used for locations only, so an odd hit costs a wrong line, never data.
 */
export function jsonStringLines(text: string, key: string, lines: LineIndex): ValueLines {
  const out: ValueLines = new Map();
  const re = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let value: unknown;
    try {
      value = JSON.parse(m[1]!);
    } catch {
      continue;
    }
    if (typeof value !== 'string') continue;
    addLine(out, value, lines.lineOf(m.index));
  }
  return out;
}

/** Takes the next recorded line for `value` (so duplicates get their own lines in order). */
export function takeLine(lines: ValueLines, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const list = lines.get(value);
  if (list === undefined || typeof list === 'number') return list;
  if (list.length > 2) return list.shift();
  // two left: the first is taken, the last stays for every later take
  lines.set(value, list[1]!);
  return list[0];
}

/** The mutable result of one SBOM read, turned into an Inventory at the end. */
export interface ReadState {
  readonly path: string;
  readonly extractor: string;
  readonly rootId: string;
  readonly graph: DependencyGraph;
  readonly unresolved: Inventory['unresolved'];
  readonly warnings: string[];
  /** Entries that could not be read (an invalid purl): the input is then partial. */
  readonly lost: string[];
}

export function newReadState(path: string, extractor: string): ReadState {
  return { path, extractor, rootId: `root:${path}`, graph: new DependencyGraph(), unresolved: [], warnings: [], lost: [] };
}

export function toInventory(s: ReadState): Inventory {
  return {
    source: { path: s.path, extractor: s.extractor },
    graph: s.graph,
    unresolved: s.unresolved,
    warnings: s.warnings,
    ...(s.lost.length ? { lost: s.lost } : {}),
  };
}

/** What an SBOM says about one package, before it becomes a Component. */
export interface PackageEntry {
  /** The purl as written, if any. */
  purl: string | undefined;
  /** Where the purl sits, for warnings: `$.components[3].purl`, `/bom/components/component[4]/purl`, `line 12`. */
  purlWhere: string;
  /** Where the entry sits, for warnings about the entry as a whole. */
  where: string;
  /** A display name for unresolved entries when there is no usable purl (`group/name`, SPDX PackageName). */
  displayName: string;
  /** The entry's own version field, used when the purl has none. */
  version: string | undefined;
  scope: Scope;
  licenses: string[];
  hashes: Hash[];
  line: number | undefined;
  /**
   * What vouch wrote about a package it listed without a version (CycloneDX properties / SPDX
   * annotations `vouch:unresolved` and `vouch:requirement`), when the entry carries any.
   */
  vouch?: { reasons: string[]; specs: string[] } | undefined;
}

/**
 * Turns an entry into a Component, or records why not: no purl → `unresolved` ("no purl");
 * an invalid purl → warning + `unresolved` ("invalid purl: …"); no version anywhere → warning +
 * `unresolved` ("no version"). Nothing is dropped silently. A versionless package vouch wrote
 * (with `vouch:unresolved`) comes back as the entry it was written from (its reason, its
 * requirement as `spec`) without a warning: the document says why it has no version.
 */
export function resolveEntry(s: ReadState, e: PackageEntry): Component | undefined {
  const version = e.version?.trim() || undefined;
  if (e.purl === undefined || !e.purl.trim()) {
    s.unresolved.push({
      name: e.displayName,
      ...(version ? { spec: version } : {}),
      ...(e.line !== undefined ? { line: e.line } : {}),
      reason: 'no purl',
    });
    return undefined;
  }
  let parts: PurlParts;
  let purl: string;
  try {
    parts = parsePurl(e.purl.trim());
    if (!parts.version && version) parts = { ...parts, version };
    purl = buildPurl(parts);
  } catch (err) {
    // only a purl that is no purl is the input's problem; any other error is a bug, and is thrown
    if (!(err instanceof InvalidPurlError)) throw err;
    const reason = err.reason;
    // listed as unresolved, but it cannot be matched: the input was read only in part
    s.lost.push(`${e.purlWhere}: invalid purl ${JSON.stringify(e.purl)}: ${reason}`);
    s.unresolved.push({
      name: e.displayName,
      spec: e.purl,
      ...(e.line !== undefined ? { line: e.line } : {}),
      reason: `invalid purl: ${reason}`,
    });
    return undefined;
  }
  const eco = ecosystemByPurlType(parts.type);
  const name = eco ? nameFromPurl(eco, parts) : parts.name;
  // the OS release and source package an OS package's purl carries (Debian, Alpine)
  const identity = eco?.fromPurl?.(parts) ?? {};
  const ecosystem = identity.ecosystem ?? eco?.osvName;
  if (!parts.version && e.vouch?.reasons.length) {
    s.unresolved.push({
      name,
      ...(ecosystem ? { ecosystem } : {}),
      ...(e.vouch.specs.length ? { spec: e.vouch.specs.join('; ') } : {}),
      ...(e.line !== undefined ? { line: e.line } : {}),
      reason: e.vouch.reasons.join('; '),
    });
    return undefined;
  }
  if (!parts.version) {
    s.warnings.push(`${e.where}: ${purl} has no version; not matched against advisories`);
    s.unresolved.push({
      name,
      ...(ecosystem ? { ecosystem } : {}),
      spec: purl,
      ...(e.line !== undefined ? { line: e.line } : {}),
      reason: 'no version',
    });
    return undefined;
  }
  const c: Component = {
    purl,
    ecosystem,
    name,
    version: parts.version,
    ...(identity.advisoryName ? { advisoryName: identity.advisoryName } : {}),
    ...(identity.advisoryVersion ? { advisoryVersion: identity.advisoryVersion } : {}),
    scope: e.scope,
    direct: false,
    locations: [{ path: s.path, ...(e.line !== undefined ? { line: e.line } : {}) }],
  };
  const licenses = [...new Set(e.licenses.map((l) => l.trim()).filter(Boolean))];
  if (licenses.length) c.licenses = licenses;
  const hashes: Hash[] = [];
  for (const h of e.hashes) if (!hashes.some((x) => x.alg === h.alg)) hashes.push(h);
  if (hashes.length) c.hashes = exact(hashes);
  return c;
}

/** none / invalid (does not parse) / known (an ecosystem vouch knows) / unknown (parses, other type). */
export function purlStatus(purl: string | undefined): 'none' | 'invalid' | 'known' | 'unknown' {
  if (purl === undefined || !purl.trim()) return 'none';
  const parts = tryParsePurl(purl.trim());
  if (!parts) return 'invalid';
  return ecosystemByPurlType(parts.type) ? 'known' : 'unknown';
}

/**
 * The dependency structure as the document writes it (its own ids: bom-refs, SPDXIDs), resolved
 * into purl edges. Nodes without a purl (files, purl-less packages, a metadata component vouch
 * does not list) are contracted: A → X → B with X unresolved becomes A → B, so a path survives.
 */
export class SbomGraphBuilder {
  private readonly purls = new Map<string, string>();
  private readonly out = new Map<string, Set<string>>();
  private readonly containedBy = new Map<string, string>();
  private readonly order: string[] = [];
  private readonly known = new Set<string>();
  private readonly closure = new Map<string, Set<string>>();

  constructor(readonly rootId: string) {}

  /** Declares a node; `purl` is its canonical purl when it became a component. */
  node(id: string, purl: string | undefined, containedBy?: string): void {
    if (this.known.has(id)) return;
    this.known.add(id);
    this.order.push(id);
    if (purl) this.purls.set(id, purl);
    if (containedBy !== undefined) this.containedBy.set(id, containedBy);
  }

  purlOf(id: string): string | undefined {
    return this.purls.get(id);
  }

  edge(from: string, to: string): void {
    if (from === to) return;
    let s = this.out.get(from);
    if (!s) this.out.set(from, (s = new Set()));
    s.add(to);
    this.closure.clear();
  }

  /** Purls `id` depends on, looking through unresolved nodes. */
  children(id: string): Set<string> {
    const result = new Set<string>();
    const seen = new Set<string>([id]);
    const stack = [...(this.out.get(id) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const p = this.purls.get(n);
      if (p) {
        result.add(p);
        continue;
      }
      const memo = this.closure.get(n);
      if (memo) {
        for (const x of memo) result.add(x);
        continue;
      }
      for (const next of this.out.get(n) ?? []) stack.push(next);
    }
    if (!this.purls.has(id) && id !== this.rootId) this.closure.set(id, result);
    return result;
  }

  /**
   * The purls of `id`'s own edges when every one of them is a component (most are): children(id)
   * without its walk, sets and copies — the same purls, which build() adds in children()'s order
   * (the walk pops its stack: last edge first). Undefined when an edge leads through a node
   * without a purl, or back to `id`.
   */
  private purlChildren(id: string): string[] | undefined {
    const out = this.out.get(id);
    if (!out) return [];
    const purls: string[] = [];
    for (const n of out) {
      const p = n === id ? undefined : this.purls.get(n);
      if (p === undefined) return undefined;
      purls.push(p);
    }
    return purls;
  }

  /**
   * Writes the edges into `graph` (root id for `rootId`, purls for resolved nodes), then gives
   * every component that no path from the root reaches an edge of its own: from its nearest
   * containing component (CycloneDX nesting) or else from the root. Those fallback edges say
   * "found in this document", not "the project depends on it directly". Returns how many
   * components needed one.
   */
  build(graph: DependencyGraph): number {
    for (const from of [this.rootId, ...this.order]) {
      const fromKey = from === this.rootId ? this.rootId : this.purls.get(from);
      if (!fromKey) continue;
      const direct = from === this.rootId ? undefined : this.purlChildren(from);
      if (direct) for (let i = direct.length - 1; i >= 0; i--) graph.addEdge(fromKey, direct[i]!);
      else for (const to of this.children(from)) graph.addEdge(fromKey, to);
      // a component's own edges are read only here (children() stops at components): dropped as
      // the graph takes them, so the document's edges and the graph's are not all held at once
      if (from !== this.rootId) this.out.delete(from);
    }
    const reached = new Set<string>();
    const mark = (start: string): void => {
      const stack = [start];
      while (stack.length) {
        const n = stack.pop()!;
        if (reached.has(n)) continue;
        reached.add(n);
        for (const t of graph.edges.get(n) ?? []) stack.push(t);
      }
    };
    mark(this.rootId);
    const incoming = new Set<string>();
    for (const [from, tos] of graph.edges) for (const t of tos) if (from !== t) incoming.add(t);
    const purlsInOrder = new Set<string>();
    const ancestorOf = new Map<string, string>();
    for (const id of this.order) {
      const p = this.purls.get(id);
      if (!p || purlsInOrder.has(p)) continue;
      purlsInOrder.add(p);
      let up = this.containedBy.get(id);
      const guard = new Set<string>();
      while (up !== undefined && !this.purls.has(up) && !guard.has(up)) {
        guard.add(up);
        up = this.containedBy.get(up);
      }
      const anc = up !== undefined ? this.purls.get(up) : undefined;
      if (anc && anc !== p) ancestorOf.set(p, anc);
    }
    let attached = 0;
    const attach = (p: string): void => {
      graph.addEdge(ancestorOf.get(p) ?? this.rootId, p);
      attached++;
      mark(p);
    };
    // Sources first (nothing points at them), then whatever is left (members of unreachable cycles).
    for (const p of purlsInOrder) if (!reached.has(p) && !incoming.has(p)) attach(p);
    for (const p of purlsInOrder) if (!reached.has(p)) attach(p);
    return attached;
  }
}

/** The text of an XML node as fast-xml-parser gives it (string, or object with `#text`). */
export function xmlText(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (node && typeof node === 'object' && '#text' in node) return xmlText((node as Record<string, unknown>)['#text']);
  return undefined;
}

/**
 * `a` in an array of its own length. An array grown by push (or made by filter) keeps room for
 * 17 items: ~130 bytes more than an array of one, for each of the millions of small lists (hashes,
 * licences, dependsOn) a large SBOM holds until its graph is built.
 */
export function exact<T>(a: T[]): T[] {
  return a.length ? a.slice() : a;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `vouch:unresolved` / `vouch:requirement` values from name/value pairs (CycloneDX properties, or
 * SPDX annotation comments split at the first ": "); undefined when there are none.
 */
export function vouchNotes(pairs: readonly { name: string | undefined; value: string | undefined }[]): PackageEntry['vouch'] {
  const reasons: string[] = [];
  const specs: string[] = [];
  for (const { name, value } of pairs) {
    const v = value?.trim();
    if (!v) continue;
    if (name === 'vouch:unresolved') reasons.push(v);
    else if (name === 'vouch:requirement') specs.push(v);
  }
  return reasons.length || specs.length ? { reasons, specs } : undefined;
}

/** An SPDX annotation comment `vouch:unresolved: text` as a name/value pair. */
export function annotationPair(comment: string | undefined): { name: string | undefined; value: string | undefined } {
  const m = /^\s*(vouch:[a-z]+):\s?([\s\S]*)$/.exec(comment ?? '');
  return m ? { name: m[1], value: m[2] } : { name: undefined, value: undefined };
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * SBOM inputs larger than this are read as they stream in (JSON only), not as one string: V8's
 * longest string is about 512 MiB, and the text with its parsed tree held at once takes several
 * times the file's size. CycloneDX and SPDX readers both use it.
 */
export const STREAM_ABOVE_BYTES = 256 * 1024 * 1024;

/** The input's first byte that is not blank (after a UTF-8 BOM), or undefined when it is blank throughout: what tells JSON from XML or tag-value. */
export async function firstNonBlankByte(input: InputFile): Promise<number | undefined> {
  for await (const chunk of input.stream!()) {
    let i = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    while (i < chunk.length && (chunk[i] === 0x20 || chunk[i] === 0x09 || chunk[i] === 0x0a || chunk[i] === 0x0d)) i++;
    if (i < chunk.length) return chunk[i];
  }
  return undefined;
}
