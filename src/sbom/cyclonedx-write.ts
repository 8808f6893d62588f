/**
 * Writes a DependencyGraph as CycloneDX 1.6, JSON or XML. Both serialisations come from one
 * document model, so they say the same thing:
 *
 * - `metadata.timestamp`, `metadata.tools.components` (vouch and its version), `serialNumber`
 *   (`urn:uuid:`, random or, with `deterministic`, derived from the content).
 * - `metadata.component`, the subject: with one root, that project (bom-ref = the root id,
 *   named by the root's label); with several (workspaces, several lockfiles) or none, an
 *   application named after the scanned path, with the roots as its sub-components. A root whose
 *   input records its own name and version (a workspace member, the lockfile's own package) is
 *   written with them and its purl.
 * - `components`: one `library` per component, bom-ref = purl; `group`/`name` split as the
 *   ecosystem's CycloneDX tools do (Maven groupId, npm scope, Composer vendor → `group`; a Go
 *   module keeps its whole path as `name`; OS package namespaces, the distro, are left out);
 *   `scope` prod → required, dev → excluded, optional → optional (unknown: omitted); hashes with
 *   CycloneDX's algorithm names (others are left out); licences as `license.id` (an SPDX id),
 *   one `expression`, or `license.name`; `evidence.occurrences` with each location (file + line).
 * - Versionless components: every package an input names without a version (`opts.unresolved`)
 *   that has an ecosystem and a valid purl, as a `library` without `version`: bom-ref and purl =
 *   the purl without a version (entries of the same purl collapse into one, with an occurrence
 *   per file + line), properties `vouch:unresolved` (why: not pinned, a git dependency ...) and
 *   `vouch:requirement` (the spec as written), and an external reference of type `vcs` when the
 *   spec is a git URL. No version is invented. They have no node in the dependency graph, so they
 *   are left out of `dependencies` (CycloneDX: unlisted = dependencies unknown).
 * - `dependencies`: the subject, every root and every component, `dependsOn` sorted.
 *
 * Everything is sorted (components by purl, versionless ones among them; dependencies by the same order), so the output
 * depends on the graph only. The XML follows the element order of bom-1.6.xsd and is escaped here.
 */
import type { Component, Scope } from '../model/component.js';
import type { DependencyGraph } from '../model/graph.js';
import { VERSION } from '../version.js';
import {
  creationTime,
  distinctLicenses,
  finishUuid,
  purlParts,
  type SbomWriteOptions,
  type SubjectRoot,
  sortedGraph,
  sortedHashes,
  sortedLocations,
  UUID_PLACEHOLDER,
  PROP_REQUIREMENT,
  PROP_UNRESOLVED,
  type VersionlessComponent,
  versionlessComponents,
  xmlSafe,
} from './common-write.js';
import { classifyLicense } from './license-write.js';
import { byCodePoint } from '../model/order.js';

export const CYCLONEDX_SPEC_VERSION = '1.6';

/** The subject's bom-ref when it stands for several roots. */
export const SUBJECT_REF = 'vouch:subject';

type CdxScope = 'required' | 'optional' | 'excluded';

interface CdxHash {
  alg: string;
  content: string;
}

type CdxLicenseChoice = { license: { id: string } | { name: string } } | { expression: string };

interface CdxOccurrence {
  location: string;
  line?: number;
}

interface CdxComponent {
  type: 'application' | 'library';
  'bom-ref'?: string;
  group?: string;
  name: string;
  version?: string;
  scope?: CdxScope;
  hashes?: CdxHash[];
  licenses?: CdxLicenseChoice[];
  purl?: string;
  externalReferences?: { type: 'vcs'; url: string }[];
  properties?: { name: string; value: string }[];
  components?: CdxComponent[];
  evidence?: { occurrences: CdxOccurrence[] };
}

interface CdxDependency {
  ref: string;
  dependsOn: string[];
}

export interface CdxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: string;
  serialNumber: string;
  version: number;
  metadata: {
    timestamp: string;
    tools: { components: CdxComponent[] };
    component: CdxComponent;
  };
  components: CdxComponent[];
  dependencies: CdxDependency[];
}

/** vouch's algorithm spelling (`normalizeHashAlg`) → CycloneDX's enumeration, with the hex length CycloneDX accepts. */
const HASH_ALGS: Record<string, string> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  'sha3-256': 'SHA3-256',
  'sha3-384': 'SHA3-384',
  'sha3-512': 'SHA3-512',
  'blake2b-256': 'BLAKE2b-256',
  'blake2b-384': 'BLAKE2b-384',
  'blake2b-512': 'BLAKE2b-512',
  blake3: 'BLAKE3',
};
const HASH_CONTENT_RE = /^([a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64}|[a-f0-9]{96}|[a-f0-9]{128})$/;

/** purl types whose namespace is the distribution, not a group of the package's own. */
const NAMESPACE_IS_DISTRO = new Set(['deb', 'apk', 'rpm', 'alpm', 'qpkg']);
/** purl types whose namespace is part of the name as the ecosystem writes it. */
const NAMESPACE_IN_NAME = new Set(['golang', 'swift', 'github', 'bitbucket']);

const SCOPES: Record<Scope, CdxScope | undefined> = { prod: 'required', dev: 'excluded', optional: 'optional', unknown: undefined };

/** The CycloneDX document as plain data (what the JSON writer prints and the XML writer walks). */
export function buildCycloneDx(graph: DependencyGraph, opts: SbomWriteOptions): CdxBom {
  const g = sortedGraph(graph);
  const rootComponent = (r: SubjectRoot): CdxComponent => {
    if (!r.identity) return { type: 'application', 'bom-ref': r.id, name: r.label || r.id };
    // a project with its own name and version (a workspace member, the lockfile's own package)
    const { group, name } = nameAndGroup({ purl: r.identity.purl, name: r.identity.name });
    return { type: 'application', 'bom-ref': r.id, ...(group ? { group } : {}), name, version: r.identity.version, purl: r.identity.purl };
  };

  let subject: CdxComponent;
  const dependencies: CdxDependency[] = [];
  if (g.roots.length === 1) {
    subject = rootComponent(g.roots[0]!);
  } else {
    subject = { type: 'application', 'bom-ref': SUBJECT_REF, name: opts.subjectName };
    if (g.roots.length) subject.components = g.roots.map(rootComponent);
    dependencies.push({ ref: SUBJECT_REF, dependsOn: g.roots.map((r) => r.id) });
  }
  for (const [ref, dependsOn] of g.edges) dependencies.push({ ref, dependsOn });

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${UUID_PLACEHOLDER}`,
    version: 1,
    metadata: {
      timestamp: creationTime(opts),
      tools: { components: [{ type: 'application', name: 'vouch', version: VERSION }] },
      component: subject,
    },
    components: [
      ...g.components.map(toCdxComponent),
      ...versionlessComponents(opts.unresolved ?? [], graph).map(toCdxVersionless),
    ].sort((a, b) => byCodePoint(a.purl!, b.purl!)),
    dependencies,
  };
}

function toCdxComponent(c: Component): CdxComponent {
  const out: CdxComponent = { type: 'library', 'bom-ref': c.purl, ...nameAndGroup(c) };
  if (c.version) out.version = c.version;
  const scope = SCOPES[c.scope];
  if (scope) out.scope = scope;
  const hashes: CdxHash[] = [];
  for (const h of sortedHashes(c.hashes)) {
    const alg = HASH_ALGS[h.alg];
    if (alg && HASH_CONTENT_RE.test(h.value)) hashes.push({ alg, content: h.value });
  }
  if (hashes.length) out.hashes = hashes;
  const licenses = cdxLicenses(distinctLicenses(c));
  if (licenses.length) out.licenses = licenses;
  out.purl = c.purl;
  const occurrences = sortedLocations(c.locations).map((l) => ({ location: l.path, ...(l.line !== undefined && l.line >= 0 ? { line: l.line } : {}) }));
  if (occurrences.length) out.evidence = { occurrences };
  return out;
}

/** A package named without a version: no `version`, the reasons and requirements as properties. */
function toCdxVersionless(v: VersionlessComponent): CdxComponent {
  const out: CdxComponent = { type: 'library', 'bom-ref': v.purl, ...nameAndGroup(v), purl: v.purl };
  if (v.vcs.length) out.externalReferences = v.vcs.map((url) => ({ type: 'vcs', url }));
  out.properties = [
    ...v.reasons.map((value) => ({ name: PROP_UNRESOLVED, value })),
    ...v.specs.map((value) => ({ name: PROP_REQUIREMENT, value })),
  ];
  const occurrences = v.locations.map((l) => ({ location: l.path, ...(l.line !== undefined ? { line: l.line } : {}) }));
  if (occurrences.length) out.evidence = { occurrences };
  return out;
}

function nameAndGroup(c: Pick<Component, 'purl' | 'name'>): { group?: string; name: string } {
  const p = purlParts(c.purl);
  if (!p) return { name: c.name };
  if (!p.namespace || NAMESPACE_IS_DISTRO.has(p.type)) return { name: p.name };
  if (NAMESPACE_IN_NAME.has(p.type)) return { name: `${p.namespace}/${p.name}` };
  return { group: p.namespace, name: p.name };
}

/**
 * A licence list as CycloneDX's licenseChoice allows it: either licences (`id` / `name`) or one
 * expression. Several strings of which some are expressions become one `AND` expression when all
 * are ids or expressions, else every string becomes a licence (an expression then by `name`).
 */
export function cdxLicenses(licenses: readonly string[]): CdxLicenseChoice[] {
  const kinds = licenses.map(classifyLicense);
  if (kinds.length === 1 && kinds[0]!.kind === 'expression') return [{ expression: kinds[0]!.expression }];
  const hasExpression = kinds.some((k) => k.kind === 'expression');
  if (hasExpression && kinds.every((k) => k.kind !== 'name')) {
    const parts = kinds.map((k) => (k.kind === 'id' ? k.id : k.kind === 'expression' ? (k.compound ? `(${k.expression})` : k.expression) : ''));
    return [{ expression: parts.join(' AND ') }];
  }
  return kinds.map((k) =>
    k.kind === 'id' ? { license: { id: k.id } } : { license: { name: k.kind === 'expression' ? k.expression : k.name } },
  );
}

/** CycloneDX 1.6 JSON, two-space indented, with a final newline. */
export function writeCycloneDxJson(graph: DependencyGraph, opts: SbomWriteOptions): string {
  return finishUuid(`${JSON.stringify(buildCycloneDx(graph, opts), null, 2)}\n`, opts);
}

// ---------------------------------------------------------------------------------------------
// XML

const XMLNS = 'http://cyclonedx.org/schema/bom/1.6';

export function escapeXmlText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttr(s: string): string {
  // tab, newline and CR as character references: attribute-value normalisation would turn them into spaces
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

class XmlOut {
  private readonly lines: string[] = [];
  private depth = 0;

  private pad(): string {
    return '  '.repeat(this.depth);
  }

  open(name: string, attrs: Record<string, string | undefined> = {}): void {
    this.lines.push(`${this.pad()}<${name}${attributes(attrs)}>`);
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.lines.push(`${this.pad()}</${name}>`);
  }

  empty(name: string, attrs: Record<string, string | undefined> = {}): void {
    this.lines.push(`${this.pad()}<${name}${attributes(attrs)}/>`);
  }

  leaf(name: string, text: string | number | undefined, attrs: Record<string, string | undefined> = {}): void {
    if (text === undefined) return;
    this.lines.push(`${this.pad()}<${name}${attributes(attrs)}>${escapeXmlText(String(text))}</${name}>`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function attributes(attrs: Record<string, string | undefined>): string {
  let s = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) s += ` ${k}="${escapeXmlAttr(v)}"`;
  return s;
}

/** CycloneDX 1.6 XML in the element order of bom-1.6.xsd, with an XML declaration and a final newline. */
export function writeCycloneDxXml(graph: DependencyGraph, opts: SbomWriteOptions): string {
  const bom = buildCycloneDx(graph, opts);
  const x = new XmlOut();
  x.open('bom', { xmlns: XMLNS, serialNumber: bom.serialNumber, version: String(bom.version) });
  x.open('metadata');
  x.leaf('timestamp', bom.metadata.timestamp);
  x.open('tools');
  x.open('components');
  for (const t of bom.metadata.tools.components) xmlComponent(x, t);
  x.close('components');
  x.close('tools');
  xmlComponent(x, bom.metadata.component);
  x.close('metadata');
  if (bom.components.length) {
    x.open('components');
    for (const c of bom.components) xmlComponent(x, c);
    x.close('components');
  } else {
    x.empty('components');
  }
  if (bom.dependencies.length) {
    x.open('dependencies');
    for (const d of bom.dependencies) {
      if (!d.dependsOn.length) {
        x.empty('dependency', { ref: d.ref });
        continue;
      }
      x.open('dependency', { ref: d.ref });
      for (const on of d.dependsOn) x.empty('dependency', { ref: on });
      x.close('dependency');
    }
    x.close('dependencies');
  }
  x.close('bom');
  return finishUuid(`<?xml version="1.0" encoding="UTF-8"?>\n${x.text()}`, opts);
}

function xmlComponent(x: XmlOut, c: CdxComponent, tag = 'component'): void {
  x.open(tag, { type: c.type, 'bom-ref': c['bom-ref'] });
  x.leaf('group', c.group);
  x.leaf('name', c.name);
  x.leaf('version', c.version);
  x.leaf('scope', c.scope);
  if (c.hashes?.length) {
    x.open('hashes');
    for (const h of c.hashes) x.leaf('hash', h.content, { alg: h.alg });
    x.close('hashes');
  }
  if (c.licenses?.length) {
    x.open('licenses');
    for (const l of c.licenses) {
      if ('expression' in l) {
        x.leaf('expression', l.expression);
        continue;
      }
      x.open('license');
      if ('id' in l.license) x.leaf('id', l.license.id);
      else x.leaf('name', l.license.name);
      x.close('license');
    }
    x.close('licenses');
  }
  x.leaf('purl', c.purl);
  if (c.externalReferences?.length) {
    x.open('externalReferences');
    for (const r of c.externalReferences) {
      x.open('reference', { type: r.type });
      x.leaf('url', r.url);
      x.close('reference');
    }
    x.close('externalReferences');
  }
  if (c.properties?.length) {
    x.open('properties');
    for (const p of c.properties) x.leaf('property', p.value, { name: p.name });
    x.close('properties');
  }
  if (c.components?.length) {
    x.open('components');
    for (const sub of c.components) xmlComponent(x, sub);
    x.close('components');
  }
  if (c.evidence?.occurrences.length) {
    x.open('evidence');
    x.open('occurrences');
    for (const o of c.evidence.occurrences) {
      x.open('occurrence');
      x.leaf('location', o.location);
      x.leaf('line', o.line);
      x.close('occurrence');
    }
    x.close('occurrences');
    x.close('evidence');
  }
  x.close(tag);
}
