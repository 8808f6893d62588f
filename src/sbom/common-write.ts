/**
 * What the CycloneDX and SPDX writers share: the options, the document's subject (the roots of
 * the graph), a sorted view of components and edges, the creation time and the document's unique
 * id (random, or derived from the content with `deterministic`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Component, Hash, Location } from '../model/component.js';
import type { DependencyGraph, RootIdentity } from '../model/graph.js';
import { VouchError } from '../model/errors.js';
import { parsePurl } from '../model/purl.js';

export interface SbomWriteOptions {
  /**
   * What was scanned, as the user named it (`.`, `app/package-lock.json`): the name of the
   * document, and of the subject when the graph has several roots (or none).
   */
  subjectName: string;
  /**
   * Byte-identical output for identical input: the creation time is `sourceDateEpoch` (else
   * 1970-01-01T00:00:00Z) and the serial number / namespace is derived from a hash of the content.
   */
  deterministic?: boolean;
  /** `SOURCE_DATE_EPOCH` (seconds since 1970), used when deterministic. */
  sourceDateEpoch?: string | undefined;
  /** The creation time when not deterministic (default: now). */
  now?: Date;
}

/** A root of the graph, as the writers list it. */
export interface SubjectRoot {
  /** The root id (`root:<file>`), used as the CycloneDX bom-ref. */
  id: string;
  label: string;
  /** The project's own name, version and purl, when the input records them. */
  identity?: RootIdentity;
}

/** The graph in the order the writers emit it: everything sorted, edges only between known nodes. */
export interface SortedGraph {
  roots: SubjectRoot[];
  components: Component[];
  /** from id (root id or purl) → sorted target ids; every root and component has an entry. */
  edges: Map<string, string[]>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortedGraph(graph: DependencyGraph): SortedGraph {
  const roots = [...graph.roots]
    .map(([id, label]): SubjectRoot => {
      const identity = graph.rootIdentities.get(id);
      return identity ? { id, label, identity } : { id, label };
    })
    .sort((a, b) => cmp(a.id, b.id));
  const components = [...graph.components.values()].sort((a, b) => cmp(a.purl, b.purl));
  const known = new Set<string>([...graph.roots.keys(), ...graph.components.keys()]);
  const edges = new Map<string, string[]>();
  for (const id of [...roots.map((r) => r.id), ...components.map((c) => c.purl)]) {
    edges.set(id, [...(graph.edges.get(id) ?? [])].filter((t) => t !== id && known.has(t)).sort(cmp));
  }
  return { roots, components, edges };
}

/** Locations sorted by path, then line (a location without a line first). */
export function sortedLocations(locations: readonly Location[]): Location[] {
  return [...locations].sort((a, b) => cmp(a.path, b.path) || (a.line ?? -1) - (b.line ?? -1));
}

/** Hashes with one entry per algorithm, sorted by algorithm. */
export function sortedHashes(hashes: readonly Hash[] | undefined): Hash[] {
  const seen = new Set<string>();
  const out: Hash[] = [];
  for (const h of hashes ?? []) {
    if (seen.has(h.alg)) continue;
    seen.add(h.alg);
    out.push({ alg: h.alg, value: h.value.toLowerCase() });
  }
  return out.sort((a, b) => cmp(a.alg, b.alg));
}

/** Distinct licence strings, in the order the input gave them. */
export function distinctLicenses(c: Component): string[] {
  return [...new Set((c.licenses ?? []).map((l) => l.trim()).filter(Boolean))];
}

/** The creation time: ISO 8601 in UTC without fractions (`2024-05-01T12:00:00Z`). */
export function creationTime(opts: SbomWriteOptions): string {
  let d: Date;
  if (opts.deterministic) {
    const epoch = opts.sourceDateEpoch?.trim();
    if (epoch) {
      if (!/^\d+$/.test(epoch)) {
        throw new VouchError('USAGE', `SOURCE_DATE_EPOCH must be a whole number of seconds (got "${opts.sourceDateEpoch}")`);
      }
      d = new Date(Number(epoch) * 1000);
      if (Number.isNaN(d.getTime())) throw new VouchError('USAGE', `SOURCE_DATE_EPOCH is out of range (got "${epoch}")`);
    } else {
      d = new Date(0);
    }
  } else {
    d = opts.now ?? new Date();
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Written where the document's unique id goes, then replaced by `finishUuid`. */
export const UUID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/**
 * Replaces the placeholder in `text` by a random UUID, or with `deterministic` by a UUID made
 * from the SHA-256 of the text (version 8, RFC 9562: a name-based UUID of our own hashing).
 */
export function finishUuid(text: string, opts: SbomWriteOptions): string {
  const uuid = opts.deterministic ? contentUuid(text) : randomUUID();
  return text.split(UUID_PLACEHOLDER).join(uuid);
}

export function contentUuid(text: string): string {
  const b = createHash('sha256').update(text, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A purl's parts, for the writers' name/group split; undefined for a purl that does not parse. */
export function purlParts(purl: string): ReturnType<typeof parsePurl> | undefined {
  try {
    return parsePurl(purl);
  } catch {
    return undefined;
  }
}

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/CR, lone surrogates, U+FFFE/F) → U+FFFD. */
export function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
