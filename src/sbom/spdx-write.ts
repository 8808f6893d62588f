/**
 * Writes a DependencyGraph as SPDX 2.3, JSON or tag-value. Both serialisations come from one
 * document model:
 *
 * - Creation info: `Tool: vouch-<version>`, the creation time; `documentNamespace`
 *   `https://spdx.org/spdxdocs/<name>-<uuid>`, the UUID random or, with `deterministic`, derived
 *   from the content. The document is named after the scanned path.
 * - Packages: one per root (the project; purpose APPLICATION, no version) and one per component
 *   (purpose LIBRARY): SPDXIDs made from the label or purl, sanitised to `[A-Za-z0-9.-]` and made
 *   unique; `versionInfo`; `downloadLocation` NOASSERTION; `filesAnalyzed` false; the purl as an
 *   `externalRefs` entry (PACKAGE-MANAGER / purl); checksums with SPDX's algorithm names;
 *   `licenseConcluded` NOASSERTION (vouch concludes nothing) and `licenseDeclared` from the data:
 *   an SPDX id or expression as it is, free text as a `LicenseRef-` with the text under
 *   `hasExtractedLicensingInfos`, several licences joined with AND, none → NOASSERTION.
 * - Versionless packages: every package an input names without a version (`opts.unresolved`)
 *   that has an ecosystem and a valid purl, without `versionInfo` (optional in SPDX 2.3), its purl
 *   without a version as the PACKAGE-MANAGER ref (entries of the same purl collapse into one),
 *   `downloadLocation` the git repository in SPDX's VCS form (`git+https://host/repo.git@commit`)
 *   when the requirement is a git URL, else NOASSERTION, and one annotation (type OTHER, by the
 *   tool) per reason / requirement: `vouch:unresolved: <why>`, `vouch:requirement: <spec>`.
 *   No version is invented; they have no node in the graph, so no relationship.
 * - Relationships: DOCUMENT DESCRIBES each root; every edge `A DEPENDS_ON B`, except a root's
 *   edge to a dev (optional) component, written `B DEV_DEPENDENCY_OF A` (`OPTIONAL_DEPENDENCY_OF`)
 *   so the scope survives a round trip through a reader that takes it from relationships.
 *
 * Everything is sorted: packages (roots by id, then components by purl), relationships in the
 * same order, each package's targets by purl.
 */
import type { Component } from '../model/component.js';
import type { DependencyGraph } from '../model/graph.js';
import { VERSION } from '../version.js';
import {
  creationTime,
  distinctLicenses,
  finishUuid,
  type SbomWriteOptions,
  sortedGraph,
  sortedHashes,
  UUID_PLACEHOLDER,
  PROP_REQUIREMENT,
  PROP_UNRESOLVED,
  type VersionlessComponent,
  versionlessComponents,
} from './common-write.js';
import { classifyLicense } from './license-write.js';

export const SPDX_VERSION = 'SPDX-2.3';
const DOC_ID = 'SPDXRef-DOCUMENT';
const NOASSERTION = 'NOASSERTION';

/** vouch's algorithm spelling → SPDX 2.3's; others are left out. */
const CHECKSUM_ALGS: Record<string, string> = {
  md2: 'MD2',
  md4: 'MD4',
  md5: 'MD5',
  md6: 'MD6',
  sha1: 'SHA1',
  sha224: 'SHA224',
  sha256: 'SHA256',
  sha384: 'SHA384',
  sha512: 'SHA512',
  'sha3-256': 'SHA3-256',
  'sha3-384': 'SHA3-384',
  'sha3-512': 'SHA3-512',
  'blake2b-256': 'BLAKE2b-256',
  'blake2b-384': 'BLAKE2b-384',
  'blake2b-512': 'BLAKE2b-512',
  blake3: 'BLAKE3',
  adler32: 'ADLER32',
};

interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  checksums?: { algorithm: string; checksumValue: string }[];
  licenseConcluded: string;
  licenseDeclared: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose: 'APPLICATION' | 'LIBRARY';
  annotations?: SpdxAnnotation[];
}

interface SpdxAnnotation {
  annotationDate: string;
  annotationType: 'OTHER';
  annotator: string;
  comment: string;
}

interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}

interface SpdxExtractedLicense {
  licenseId: string;
  extractedText: string;
  name: string;
}

export interface SpdxDocument {
  spdxVersion: string;
  dataLicense: 'CC0-1.0';
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
}

/** `[A-Za-z0-9.-]` only: every other run of characters becomes one '-'. */
export function sanitizeSpdxId(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';
}

/** The SPDX document as plain data (what the JSON writer prints and the tag-value writer walks). */
export function buildSpdx(graph: DependencyGraph, opts: SbomWriteOptions): SpdxDocument {
  const g = sortedGraph(graph);
  const used = new Set<string>([DOC_ID]);
  const unique = (base: string): string => {
    let id = base;
    for (let n = 2; used.has(id.toLowerCase()); n++) id = `${base}-${n}`;
    used.add(id.toLowerCase());
    return id;
  };
  /** graph id (root id or purl) → SPDXID */
  const ids = new Map<string, string>();
  for (const r of g.roots) ids.set(r.id, unique(`SPDXRef-Root-${sanitizeSpdxId(r.label || r.id)}`));
  for (const c of g.components) ids.set(c.purl, unique(`SPDXRef-Package-${sanitizeSpdxId(c.purl.replace(/^pkg:/, ''))}`));
  const versionless = versionlessComponents(opts.unresolved ?? [], graph);
  for (const v of versionless) ids.set(v.purl, unique(`SPDXRef-Package-${sanitizeSpdxId(v.purl.replace(/^pkg:/, ''))}`));
  const created = creationTime(opts);

  const extracted = new Map<string, SpdxExtractedLicense>();
  const packages: SpdxPackage[] = g.roots.map((r) => ({
    name: r.identity?.name ?? (r.label || r.id),
    SPDXID: ids.get(r.id)!,
    ...(r.identity ? { versionInfo: r.identity.version } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    ...(r.identity ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: r.identity.purl }] } : {}),
    primaryPackagePurpose: 'APPLICATION',
  }));
  for (const c of g.components) packages.push(componentPackage(c, ids.get(c.purl)!, extracted));
  for (const v of versionless) packages.push(versionlessPackage(v, ids.get(v.purl)!, created));

  const relationships: SpdxRelationship[] = g.roots.map((r) => ({
    spdxElementId: DOC_ID,
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: ids.get(r.id)!,
  }));
  const isRoot = new Set(g.roots.map((r) => r.id));
  for (const [from, tos] of g.edges) {
    for (const to of tos) {
      const scope = graph.components.get(to)?.scope;
      if (isRoot.has(from) && (scope === 'dev' || scope === 'optional')) {
        const type = scope === 'dev' ? 'DEV_DEPENDENCY_OF' : 'OPTIONAL_DEPENDENCY_OF';
        relationships.push({ spdxElementId: ids.get(to)!, relationshipType: type, relatedSpdxElement: ids.get(from)! });
      } else {
        relationships.push({ spdxElementId: ids.get(from)!, relationshipType: 'DEPENDS_ON', relatedSpdxElement: ids.get(to)! });
      }
    }
  }

  const doc: SpdxDocument = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: DOC_ID,
    name: opts.subjectName,
    documentNamespace: `https://spdx.org/spdxdocs/${sanitizeSpdxId(opts.subjectName)}-${UUID_PLACEHOLDER}`,
    creationInfo: { created, creators: [`Tool: vouch-${VERSION}`] },
    packages,
    relationships,
  };
  if (extracted.size) doc.hasExtractedLicensingInfos = [...extracted.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
  return doc;
}

function componentPackage(c: Component, id: string, extracted: Map<string, SpdxExtractedLicense>): SpdxPackage {
  const p: SpdxPackage = {
    name: c.name,
    SPDXID: id,
    ...(c.version ? { versionInfo: c.version } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: declaredLicense(distinctLicenses(c), extracted),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }],
    primaryPackagePurpose: 'LIBRARY',
  };
  const checksums = sortedHashes(c.hashes)
    .filter((h) => CHECKSUM_ALGS[h.alg] && /^[0-9a-f]+$/.test(h.value))
    .map((h) => ({ algorithm: CHECKSUM_ALGS[h.alg]!, checksumValue: h.value }));
  if (checksums.length) p.checksums = checksums;
  return p;
}

function versionlessPackage(v: VersionlessComponent, id: string, created: string): SpdxPackage {
  const annotation = (comment: string): SpdxAnnotation => ({ annotationDate: created, annotationType: 'OTHER', annotator: `Tool: vouch-${VERSION}`, comment });
  return {
    name: v.name,
    SPDXID: id,
    downloadLocation: v.vcs.length ? spdxVcsLocation(v.vcs[0]!) : NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: v.purl }],
    primaryPackagePurpose: 'LIBRARY',
    annotations: [
      ...v.reasons.map((r) => annotation(`${PROP_UNRESOLVED}: ${r}`)),
      ...v.specs.map((r) => annotation(`${PROP_REQUIREMENT}: ${r}`)),
    ],
  };
}

/**
 * A git URL in SPDX 2.3's VCS form (§7.7, `<vcs_tool>+<transport>://<host>/<path>@<revision>`):
 * `git+` before a plain transport, and the `#commit` of npm / mix as `@commit` (in SPDX `#` is a sub-path).
 */
export function spdxVcsLocation(url: string): string {
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const rev = hash < 0 ? '' : url.slice(hash + 1);
  const withTool = /^git[+:]/i.test(base) ? base : `git+${base}`;
  return rev ? `${withTool}@${rev}` : withTool;
}

/** The licenseDeclared value for a component's licences (see the file comment). */
export function declaredLicense(licenses: readonly string[], extracted: Map<string, SpdxExtractedLicense>): string {
  const parts: string[] = [];
  for (const l of licenses) {
    const k = classifyLicense(l);
    if (k.kind === 'id') parts.push(k.id);
    else if (k.kind === 'expression') {
      parts.push(k.compound && licenses.length > 1 ? `(${k.expression})` : k.expression);
      // a LicenseRef of the input's own must be defined in this document too
      for (const ref of k.expression.match(/(?<![:\w-])LicenseRef-[A-Za-z0-9.-]+/g) ?? []) {
        if (!extracted.has(ref)) extracted.set(ref, { licenseId: ref, extractedText: `${ref} (the input names it without its text)`, name: ref });
      }
    } else {
      // two texts that sanitise alike ("Apache 2" / "Apache/2") get numbered ids
      const base = `LicenseRef-${sanitizeSpdxId(k.name)}`;
      let licenseId = base;
      for (let n = 2; extracted.has(licenseId) && extracted.get(licenseId)!.extractedText !== k.name; n++) licenseId = `${base}-${n}`;
      extracted.set(licenseId, { licenseId, extractedText: k.name, name: k.name });
      parts.push(licenseId);
    }
  }
  return parts.length ? parts.join(' AND ') : NOASSERTION;
}

/** SPDX 2.3 JSON, two-space indented, with a final newline. */
export function writeSpdxJson(graph: DependencyGraph, opts: SbomWriteOptions): string {
  return finishUuid(`${JSON.stringify(buildSpdx(graph, opts), null, 2)}\n`, opts);
}

/** One line of tag-value: line breaks in a single-line value become spaces. */
function tv(tag: string, value: string): string {
  return `${tag}: ${value.replace(/\s*[\r\n]+\s*/g, ' ').trim()}`;
}

/** A multi-line `<text>` value; `</text>` inside cannot be written, so it is broken up. */
function tvText(tag: string, value: string): string {
  return `${tag}: <text>${value.replace(/<\/text>/gi, '< /text>')}</text>`;
}

/** SPDX 2.3 tag-value (the document, packages, relationships, then extracted licences). */
export function writeSpdxTagValue(graph: DependencyGraph, opts: SbomWriteOptions): string {
  const doc = buildSpdx(graph, opts);
  const out: string[] = [
    tv('SPDXVersion', doc.spdxVersion),
    tv('DataLicense', doc.dataLicense),
    tv('SPDXID', doc.SPDXID),
    tv('DocumentName', doc.name),
    tv('DocumentNamespace', doc.documentNamespace),
    ...doc.creationInfo.creators.map((c) => tv('Creator', c)),
    tv('Created', doc.creationInfo.created),
  ];
  for (const p of doc.packages) {
    out.push('', tv('PackageName', p.name), tv('SPDXID', p.SPDXID));
    if (p.versionInfo !== undefined) out.push(tv('PackageVersion', p.versionInfo));
    out.push(tv('PackageDownloadLocation', p.downloadLocation), tv('FilesAnalyzed', String(p.filesAnalyzed)));
    for (const c of p.checksums ?? []) out.push(tv('PackageChecksum', `${c.algorithm}: ${c.checksumValue}`));
    out.push(tv('PackageLicenseConcluded', p.licenseConcluded), tv('PackageLicenseDeclared', p.licenseDeclared));
    for (const r of p.externalRefs ?? []) out.push(tv('ExternalRef', `${r.referenceCategory} ${r.referenceType} ${r.referenceLocator}`));
    out.push(tv('PrimaryPackagePurpose', p.primaryPackagePurpose));
    for (const a of p.annotations ?? []) {
      out.push(tv('Annotator', a.annotator), tv('AnnotationDate', a.annotationDate), tv('AnnotationType', a.annotationType), tv('SPDXREF', p.SPDXID), tvText('AnnotationComment', a.comment));
    }
  }
  if (doc.relationships.length) out.push('');
  for (const r of doc.relationships) out.push(tv('Relationship', `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`));
  for (const l of doc.hasExtractedLicensingInfos ?? []) {
    out.push('', tv('LicenseID', l.licenseId), tvText('ExtractedText', l.extractedText), tv('LicenseName', l.name));
  }
  return finishUuid(`${out.join('\n')}\n`, opts);
}
