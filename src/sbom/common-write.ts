/**
 * What the CycloneDX and SPDX writers share: the options, the document's subject (the roots of
 * the graph), a sorted view of components and edges, the packages named without a version (as
 * versionless components), the creation time and the document's unique id (random, or derived
 * from the content with `deterministic`).
 */
import { createHash } from 'node:crypto';
import type { Component, Hash, Location } from '../model/component.js';
import type { DependencyGraph, RootIdentity } from '../model/graph.js';
import type { Inventory } from '../model/inventory.js';
import { VouchError } from '../model/errors.js';
import { InvalidPurlError, buildPurl, parsePurl, tryParsePurl } from '../model/purl.js';
import { baseEcosystem } from '../model/advisory.js';
import { ecosystemByOsvName, nameFromPurl, purlOf } from '../ecosystems/index.js';
import type { Ecosystem } from '../ecosystems/types.js';
import { byCodePoint } from '../model/order.js';
import { randomUuid } from '../io/uuid.js';

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
  /**
   * Packages the inputs name without a version (`CollectedInventory.unresolved`): each one with
   * an ecosystem and a name a purl can carry is listed as a component without a version (see
   * `versionlessComponents`). Left out: none are listed.
   */
  unresolved?: readonly UnresolvedEntry[];
}

/** One package an input names but does not pin, with the file it was found in. */
export type UnresolvedEntry = Inventory['unresolved'][number] & { path?: string };

/** The property (CycloneDX) / annotation (SPDX) names a versionless component carries. */
export const PROP_UNRESOLVED = 'vouch:unresolved';
export const PROP_REQUIREMENT = 'vouch:requirement';

/**
 * A package listed without a version: every unresolved entry of the same versionless purl
 * (same ecosystem and name, from any file or line) collapsed into one.
 */
export interface VersionlessComponent {
  /** The purl without a version: the bom-ref, and what the SPDXID is made from. */
  purl: string;
  /** The OSV ecosystem as the input gave it (`npm`, `Debian:12`). */
  ecosystem: string;
  /** The name as the purl carries it (the ecosystem's spelling, e.g. `@scope/name`, `group:artifact`). */
  name: string;
  /** Where it was named, sorted (path, then line). */
  locations: Location[];
  /** Why it has no version (each distinct reason, sorted). */
  reasons: string[];
  /** The requirements as written (`>=2.0`, a git URL), distinct, sorted. */
  specs: string[];
  /** Git repositories (with the commit) the requirements point at, distinct, sorted. */
  vcs: string[];
}

/** OS package purl types: their namespace is the distribution (as the dpkg and apk readers write it). */
const DISTRO_NAMESPACE: Record<string, string> = { deb: 'debian', apk: 'alpine' };

/**
 * The unresolved entries as versionless components, sorted by purl. An entry becomes one when it
 * has an ecosystem vouch knows and a name the purl builder accepts; others are left out (they
 * stay in the scan report's unresolved list). OS packages get the namespace and `distro`
 * qualifier of the versioned packages read from the same file (else `debian` + `debian-<release>`
 * from `Debian:<release>`, `alpine` without a distro: the Alpine branch is not the VERSION_ID the
 * apk reader writes); their `arch` is not known, so it is left out.
 */
export function versionlessComponents(unresolved: readonly UnresolvedEntry[], graph?: DependencyGraph): VersionlessComponent[] {
  const byPurl = new Map<string, { c: VersionlessComponent; locs: Map<string, Location> }>();
  const distroCache = new Map<string, Record<string, string>>();
  for (const u of unresolved) {
    const purl = versionlessPurl(u, graph, distroCache);
    if (purl === undefined) continue;
    let e = byPurl.get(purl);
    if (!e) {
      const eco = ecosystemByOsvName(u.ecosystem!)!;
      const name = nameFromPurl(eco, parsePurl(purl));
      e = { c: { purl, ecosystem: u.ecosystem!, name, locations: [], reasons: [], specs: [], vcs: [] }, locs: new Map() };
      byPurl.set(purl, e);
    }
    if (u.path !== undefined) {
      const loc: Location = u.line !== undefined && u.line >= 0 ? { path: u.path, line: u.line } : { path: u.path };
      e.locs.set(`${loc.path}\0${loc.line ?? ''}`, loc);
    }
    const reason = u.reason.trim();
    if (reason && !e.c.reasons.includes(reason)) e.c.reasons.push(reason);
    const spec = u.spec?.trim();
    if (spec && !e.c.specs.includes(spec)) e.c.specs.push(spec);
    const vcs = spec ? vcsUrl(spec, reason) : undefined;
    if (vcs && !e.c.vcs.includes(vcs)) e.c.vcs.push(vcs);
  }
  return [...byPurl.values()]
    .map(({ c, locs }) => ({ ...c, locations: sortedLocations([...locs.values()]), reasons: c.reasons.sort(byCodePoint), specs: c.specs.sort(byCodePoint), vcs: c.vcs.sort(byCodePoint) }))
    .sort((a, b) => byCodePoint(a.purl, b.purl));
}

/**
 * Unresolved entries that name something other than a package the input depends on: a Maven
 * parent POM missing from disk (its version is known; the entry says its content is unknown).
 */
const NOT_A_REQUIREMENT = /^parent POM /;

/**
 * A name that can stand for a package: not a path or URL a reader kept as the name for want of
 * one (`./downloads/x.whl`, `http://…/x.whl`, pnpm's `file:../dir`), no white space, `/` or `:`
 * only where the ecosystem's names carry them (npm scopes, Go paths, Composer vendors; Maven
 * group:artifact), and what the ecosystem says a name is (`isPackageName`: PEP 508, npm scopes).
 */
export function usableName(eco: Ecosystem, name: string): boolean {
  if (!name || /[\s\p{Cc}]/u.test(name) || /^[./~-]/.test(name) || name.includes('://')) return false;
  if (eco.isPackageName && !eco.isPackageName(name)) return false;
  if (name.includes(':') && eco.purlNamespaceSeparator !== ':') return false;
  if (name.includes('/') && eco.purlNamespaceSeparator !== '/') return false;
  return true;
}

function versionlessPurl(u: UnresolvedEntry, graph: DependencyGraph | undefined, cache: Map<string, Record<string, string>>): string | undefined {
  if (!u.ecosystem) return undefined;
  const eco = ecosystemByOsvName(u.ecosystem);
  const name = u.name.trim();
  if (!eco || !usableName(eco, name) || NOT_A_REQUIREMENT.test(u.reason)) return undefined;
  try {
    const namespace = DISTRO_NAMESPACE[eco.purlType];
    if (namespace === undefined) return purlOf(eco, name, undefined);
    const key = `${u.ecosystem}\0${u.path ?? ''}`;
    let q = cache.get(key);
    if (!q) cache.set(key, (q = osQualifiers(u, graph, namespace)));
    const { namespace: ns, ...qualifiers } = q;
    return buildPurl({ type: eco.purlType, namespace: ns ?? namespace, name, qualifiers: Object.keys(qualifiers).length ? qualifiers : undefined });
  } catch (e) {
    if (e instanceof InvalidPurlError) return undefined; // a name no purl can carry: left out (it stays in the scan report's unresolved list)
    throw e;
  }
}

/** `namespace` and `distro` of a versioned package of the same ecosystem read from the same file; else derived from the ecosystem. */
function osQualifiers(u: UnresolvedEntry, graph: DependencyGraph | undefined, namespace: string): Record<string, string> {
  for (const c of graph?.components.values() ?? []) {
    if (c.ecosystem !== u.ecosystem || !c.locations.some((l) => l.path === u.path)) continue;
    const p = purlParts(c.purl);
    if (!p) continue;
    const distro = p.qualifiers?.['distro'];
    return { ...(p.namespace ? { namespace: p.namespace } : {}), ...(distro ? { distro } : {}) };
  }
  const release = u.ecosystem!.slice(baseEcosystem(u.ecosystem!).length + 1);
  if (namespace === 'debian' && /^\d+$/.test(release)) return { distro: `debian-${release}` };
  return {};
}

/**
 * The git repository a requirement points at, when it is a git URL with a scheme (npm's
 * `git+ssh://…#commit`, mix.lock's `https://…/repo.git#commit`, Pipfile.lock's `git: <url>`); undefined for anything else
 * (version ranges, file: paths, scp-like `git@host:path` and `github:` shorthands, which are no URLs).
 */
export function vcsUrl(spec: string, reason = ''): string | undefined {
  // Pipfile.lock git sources are recorded as `git: <url>`
  const labelled = /^git:\s+(\S+)$/.exec(spec);
  if (labelled) return vcsUrl(labelled[1]!, 'git dependency');
  const m = /^([a-z][a-z0-9+.-]*):\/\/[^\s]+$/i.exec(spec);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  // a git scheme, a `.git` repository path, or a reader that says the requirement is a git one
  const gitish = scheme.startsWith('git') || /\.git(?:[#/?]|$)/.test(spec) || /^git dependency\b|\(git\)$|^comes from a git repository\b/i.test(reason);
  if (!gitish || !/^(?:git|git\+[a-z]+|https?|ssh)$/.test(scheme)) return undefined;
  try {
    new URL(spec);
  } catch {
    return undefined;
  }
  return spec;
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

export function sortedGraph(graph: DependencyGraph): SortedGraph {
  const roots = [...graph.roots]
    .map(([id, label]): SubjectRoot => {
      const identity = graph.rootIdentities.get(id);
      return identity ? { id, label, identity } : { id, label };
    })
    .sort((a, b) => byCodePoint(a.id, b.id));
  const components = [...graph.components.values()].sort((a, b) => byCodePoint(a.purl, b.purl));
  const known = new Set<string>([...graph.roots.keys(), ...graph.components.keys()]);
  const edges = new Map<string, string[]>();
  for (const id of [...roots.map((r) => r.id), ...components.map((c) => c.purl)]) {
    edges.set(id, [...(graph.edges.get(id) ?? [])].filter((t) => t !== id && known.has(t)).sort(byCodePoint));
  }
  return { roots, components, edges };
}

/** Locations sorted by path, then line (a location without a line first). */
export function sortedLocations(locations: readonly Location[]): Location[] {
  return [...locations].sort((a, b) => byCodePoint(a.path, b.path) || (a.line ?? -1) - (b.line ?? -1));
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
  return out.sort((a, b) => byCodePoint(a.alg, b.alg));
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
  const uuid = opts.deterministic ? contentUuid(text) : randomUuid();
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
  return tryParsePurl(purl);
}

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/CR, lone surrogates, U+FFFE/F) → U+FFFD. */
export function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
