/**
 * Reads an SPDX 2.2 / 2.3 document (JSON or tag-value) into an Inventory.
 *
 * - Components: packages with a purl in `externalRefs` (category `PACKAGE-MANAGER` or
 *   `PACKAGE_MANAGER`, type `purl`). A package without one is an `unresolved` entry ("no purl");
 *   an invalid purl or a purl without any version is a warning plus an `unresolved` entry. A
 *   package vouch wrote without a version (annotations `vouch:unresolved: …` / `vouch:requirement:
 *   …`, in JSON on the package, in tag-value by `SPDXREF`) comes back as the unresolved entry it
 *   was written from, without the warning.
 * - The root: the document, `root:<input path>`, labelled with its name. `DESCRIBES` /
 *   `documentDescribes` give the root's edges; what a described package depends on counts as
 *   direct, like the metadata component's dependencies in CycloneDX.
 * - Edges: `DEPENDS_ON`, `CONTAINS`, `STATIC_LINK`, `DYNAMIC_LINK` (from → to) and `DEPENDENCY_OF`,
 *   `CONTAINED_BY`, `*_DEPENDENCY_OF`, `*_TOOL_OF` (reversed). Scope from the relationship:
 *   DEV/TEST/BUILD dependencies and tools → dev, OPTIONAL → optional, RUNTIME → prod, others unknown.
 *   Elements without a purl (files, purl-less packages) are looked through. A package no path from
 *   the root reaches gets an edge from the root (not direct).
 * - Licences: `licenseConcluded`, then `licenseDeclared`, unless NOASSERTION/NONE. Checksums → hashes.
 * - Locations: tag-value gives the line of each `PackageName:`; JSON the line of the package's SPDXID.
 */
import type { Hash, Scope } from '../model/component.js';
import { strongerScope } from '../model/component.js';
import { VouchError } from '../model/errors.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import type { Extractor } from '../ecosystems/types.js';
import { decodeText, parseJsonInput } from '../io/json.js';
import { LineIndex } from '../io/lines.js';
import {
  baseName,
  isRecord,
  jsonStringLines,
  makeHash,
  annotationPair,
  newReadState,
  type PackageEntry,
  purlStatus,
  type ReadState,
  resolveEntry,
  SbomGraphBuilder,
  str,
  takeLine,
  toInventory,
  vouchNotes,
} from './common.js';

export const SPDX_EXTRACTOR_ID = 'sbom/spdx';

interface PurlRef {
  value: string;
  where: string;
}

interface SpdxPackage {
  id: string | undefined;
  name: string;
  version: string | undefined;
  purls: PurlRef[];
  licenses: string[];
  hashes: Hash[];
  line: number | undefined;
  where: string;
  /** `vouch:unresolved: …` / `vouch:requirement: …` annotations (a versionless package vouch wrote). */
  vouch?: PackageEntry['vouch'];
}

interface SpdxRelationship {
  from: string;
  type: string;
  to: string;
}

interface SpdxDocument {
  spdxVersion: string | undefined;
  docId: string;
  name: string | undefined;
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  describes: string[];
  /** Ids of files and snippets: elements that exist but are never components. */
  otherIds: string[];
  warnings: string[];
}

export const spdxExtractor: Extractor = {
  id: SPDX_EXTRACTOR_ID,
  needs: { network: false, runsCode: false },

  wants(path: string): boolean {
    const b = baseName(path);
    return b.endsWith('.spdx') || b.endsWith('.spdx.json') || b.endsWith('.spdx.tv') || b.endsWith('.spdx.txt');
  },

  sniff(head: string): boolean {
    // "SPDXID": "SPDXRef-…" too: tools that sort keys put spdxVersion near the end, past the head.
    return /"spdxVersion"/.test(head) || /"SPDXID"\s*:\s*"SPDXRef-/.test(head) || /^\s*SPDXVersion\s*:/m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    return readSpdx(text, input.path);
  },
};

/** Reads SPDX text (JSON or tag-value). Throws VouchError INPUT_PARSE / INPUT_UNSUPPORTED for unreadable documents. */
export function readSpdx(text: string, path: string): Inventory {
  const first = text.trimStart()[0];
  if (first === '<') {
    throw new VouchError('INPUT_UNSUPPORTED', 'SPDX RDF/XML is not read; use the JSON or tag-value form', { path });
  }
  const doc = first === '{' || first === '[' ? jsonDocument(text, path) : tagValueDocument(text, path);
  const s = newReadState(path, SPDX_EXTRACTOR_ID);
  s.warnings.push(...doc.warnings);
  if (doc.spdxVersion !== 'SPDX-2.2' && doc.spdxVersion !== 'SPDX-2.3') {
    s.warnings.push(`${doc.spdxVersion} is outside the versions vouch reads (SPDX-2.2, SPDX-2.3); read as far as it matches`);
  }
  buildInventory(doc, s);
  return toInventory(s);
}

function checkVersion(version: string | undefined, path: string): void {
  if (version === undefined) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not an SPDX 2 document: no spdxVersion', { path });
  }
  if (!/^SPDX-2\.\d+$/.test(version.trim())) {
    throw new VouchError('INPUT_UNSUPPORTED', `${version} is not read: vouch reads SPDX 2.2 and 2.3`, { path });
  }
}

// ---------------------------------------------------------------------------------------------
// Relationships → graph

/** from → to as written. */
const FORWARD = new Set(['DEPENDS_ON', 'CONTAINS', 'STATIC_LINK', 'DYNAMIC_LINK']);

/** Written as "A <type> B" meaning B → A; the value is the scope A gets. */
const REVERSED: Record<string, Scope> = {
  DEPENDENCY_OF: 'unknown',
  CONTAINED_BY: 'unknown',
  RUNTIME_DEPENDENCY_OF: 'prod',
  OPTIONAL_DEPENDENCY_OF: 'optional',
  DEV_DEPENDENCY_OF: 'dev',
  TEST_DEPENDENCY_OF: 'dev',
  BUILD_DEPENDENCY_OF: 'dev',
  PROVIDED_DEPENDENCY_OF: 'unknown',
  BUILD_TOOL_OF: 'dev',
  DEV_TOOL_OF: 'dev',
  TEST_TOOL_OF: 'dev',
};

function isExternalOrNone(id: string): boolean {
  return id === 'NOASSERTION' || id === 'NONE' || id.startsWith('DocumentRef-');
}

function buildInventory(doc: SpdxDocument, s: ReadState): void {
  const builder = new SbomGraphBuilder(s.rootId);
  s.graph.addRoot(s.rootId, doc.name?.trim() || s.path);
  const nodeId = (id: string): string => (id === doc.docId ? s.rootId : id);

  // Edges and scopes first: a package's scope comes from the relationships that pull it in.
  const scopes = new Map<string, Scope>();
  const edges: [string, string][] = [];
  const described = new Set<string>(doc.describes);
  for (const r of doc.relationships) {
    const type = r.type.toUpperCase();
    if (type === 'DESCRIBES' && r.from === doc.docId) described.add(r.to);
    else if (type === 'DESCRIBED_BY' && r.to === doc.docId) described.add(r.from);
    else if (FORWARD.has(type)) edges.push([r.from, r.to]);
    else if (type in REVERSED) {
      edges.push([r.to, r.from]);
      scopes.set(r.from, strongerScope(scopes.get(r.from) ?? 'unknown', REVERSED[type]!));
    }
  }
  for (const d of described) edges.push([doc.docId, d]);

  const known = new Set<string>([doc.docId, ...doc.otherIds]);
  for (const p of doc.packages) {
    const comp = resolvePackage(s, p, scopes.get(p.id ?? '') ?? 'unknown');
    if (comp) s.graph.add(comp);
    if (p.id !== undefined) {
      builder.node(p.id, comp?.purl);
      known.add(p.id);
    }
  }
  const unknownIds = new Set<string>();
  for (const [from, to] of edges) {
    if (isExternalOrNone(from) || isExternalOrNone(to)) continue;
    for (const id of [from, to]) if (!known.has(id)) unknownIds.add(id);
    builder.edge(nodeId(from), nodeId(to));
  }
  if (unknownIds.size) {
    const sample = [...unknownIds].slice(0, 3).join(', ');
    s.warnings.push(
      `relationships name ${unknownIds.size} SPDXID(s) the document does not define (${sample}${unknownIds.size > 3 ? ', …' : ''})`,
    );
  }

  // Direct: the described packages and what they depend on.
  const direct = new Set(builder.children(s.rootId));
  for (const d of described) if (builder.purlOf(d)) for (const p of builder.children(d)) direct.add(p);
  for (const p of direct) {
    const c = s.graph.components.get(p);
    if (c) c.direct = true;
  }
  builder.build(s.graph);
}

function resolvePackage(s: ReadState, p: SpdxPackage, scope: Scope) {
  // Prefer a purl of an ecosystem vouch knows, then any valid purl; an invalid one is reported.
  const statuses = p.purls.map((r) => ({ ref: r, status: purlStatus(r.value) }));
  const chosen =
    statuses.find((x) => x.status === 'known') ?? statuses.find((x) => x.status === 'unknown') ?? statuses[0];
  for (const x of statuses) {
    if (x !== chosen && x.status === 'invalid') s.warnings.push(`${x.ref.where}: invalid purl "${x.ref.value}" ignored`);
  }
  return resolveEntry(s, {
    purl: chosen?.ref.value,
    purlWhere: chosen?.ref.where ?? p.where,
    where: p.where,
    displayName: p.name,
    version: p.version,
    scope,
    licenses: p.licenses,
    hashes: p.hashes,
    line: p.line,
    vouch: p.vouch,
  });
}

function licenseValue(v: string | undefined): string | undefined {
  const t = v?.trim();
  if (!t || t === 'NOASSERTION' || t === 'NONE') return undefined;
  return t;
}

function versionValue(v: string | undefined): string | undefined {
  const t = v?.trim();
  if (!t || t === 'NOASSERTION' || t === 'NONE') return undefined;
  return t;
}

function isPurlRef(category: string | undefined, type: string | undefined): boolean {
  const c = category?.trim().toUpperCase();
  return (c === 'PACKAGE-MANAGER' || c === 'PACKAGE_MANAGER') && type?.trim() === 'purl';
}

// ---------------------------------------------------------------------------------------------
// JSON

function jsonDocument(text: string, path: string): SpdxDocument {
  const doc = parseJsonInput(text, path);
  if (!isRecord(doc)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not an SPDX document: the JSON is not an object', { path });
  }
  if (doc['spdxVersion'] === undefined) {
    const what =
      doc['bomFormat'] === 'CycloneDX'
        ? 'a CycloneDX document'
        : doc['@context'] !== undefined && JSON.stringify(doc['@context']).includes('spdx.org')
          ? 'SPDX 3 (JSON-LD), which vouch does not read yet'
          : 'JSON without "spdxVersion"';
    throw new VouchError('INPUT_UNSUPPORTED', `not an SPDX 2 document: ${what}`, { path });
  }
  const spdxVersion = str(doc['spdxVersion']);
  checkVersion(spdxVersion, path);
  const lines = new LineIndex(text);
  const idLines = jsonStringLines(text, 'SPDXID', lines);
  const warnings: string[] = [];

  const packages: SpdxPackage[] = [];
  const list = (key: string): unknown[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      warnings.push(`$.${key}: not a list; ignored`);
      return [];
    }
    return v;
  };
  list('packages').forEach((raw, i) => {
    const where = `$.packages[${i}]`;
    if (!isRecord(raw)) {
      warnings.push(`${where}: not a package object; ignored`);
      return;
    }
    const id = str(raw['SPDXID']);
    const purls: PurlRef[] = [];
    if (Array.isArray(raw['externalRefs'])) {
      raw['externalRefs'].forEach((ref: unknown, j: number) => {
        if (!isRecord(ref) || !isPurlRef(str(ref['referenceCategory']), str(ref['referenceType']))) return;
        const value = str(ref['referenceLocator']);
        if (value !== undefined) purls.push({ value, where: `${where}.externalRefs[${j}].referenceLocator` });
      });
    }
    const hashes: Hash[] = [];
    if (Array.isArray(raw['checksums'])) {
      for (const c of raw['checksums']) {
        const h = isRecord(c) ? makeHash(c['algorithm'], c['checksumValue']) : undefined;
        if (h) hashes.push(h);
      }
    }
    const licenses = [licenseValue(str(raw['licenseConcluded'])), licenseValue(str(raw['licenseDeclared']))].filter(
      (x): x is string => x !== undefined,
    );
    packages.push({
      id,
      name: str(raw['name']) ?? id ?? '(unnamed package)',
      version: versionValue(str(raw['versionInfo'])),
      purls,
      licenses,
      hashes,
      line: takeLine(idLines, id),
      where,
      vouch: Array.isArray(raw['annotations'])
        ? vouchNotes(raw['annotations'].map((a: unknown) => annotationPair(isRecord(a) ? str(a['comment']) : undefined)))
        : undefined,
    });
  });

  const relationships: SpdxRelationship[] = [];
  list('relationships').forEach((raw, i) => {
    const from = isRecord(raw) ? str(raw['spdxElementId']) : undefined;
    const type = isRecord(raw) ? str(raw['relationshipType']) : undefined;
    const to = isRecord(raw) ? str(raw['relatedSpdxElement']) : undefined;
    if (from === undefined || type === undefined || to === undefined) {
      warnings.push(`$.relationships[${i}]: incomplete relationship; ignored`);
      return;
    }
    relationships.push({ from, type, to });
  });

  const otherIds: string[] = [];
  for (const key of ['files', 'snippets']) {
    for (const el of list(key)) {
      const id = isRecord(el) ? str(el['SPDXID']) : undefined;
      if (id) otherIds.push(id);
    }
  }
  const describes = Array.isArray(doc['documentDescribes'])
    ? doc['documentDescribes'].filter((x: unknown): x is string => typeof x === 'string')
    : [];

  return {
    spdxVersion: spdxVersion?.trim(),
    docId: str(doc['SPDXID']) ?? 'SPDXRef-DOCUMENT',
    name: str(doc['name']),
    packages,
    relationships,
    describes,
    otherIds,
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Tag-value

const MAX_LINE_WARNINGS = 20;

function tagValueDocument(text: string, path: string): SpdxDocument {
  const lines = text.split(/\r\n|\n|\r/);
  const warnings: string[] = [];
  let skipped = 0;
  let spdxVersion: string | undefined;
  let docId = 'SPDXRef-DOCUMENT';
  let name: string | undefined;
  const packages: SpdxPackage[] = [];
  const relationships: SpdxRelationship[] = [];
  const otherIds: string[] = [];
  let section: 'document' | 'package' | 'file' | 'snippet' | 'license' = 'document';
  let pkg: SpdxPackage | undefined;
  let fileIdSeen = false;
  let concluded: string | undefined;
  let declared: string | undefined;
  /** Annotations (`SPDXREF` + `AnnotationComment`), attached to their packages at the end. */
  const annotations: { ref: string | undefined; comment: string | undefined }[] = [];

  const finishPackage = (): void => {
    if (pkg) pkg.licenses = [concluded, declared].filter((x): x is string => x !== undefined);
    pkg = undefined;
    concluded = declared = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const t = lines[i]!.trim();
    if (!t || t.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)$/.exec(t);
    if (!m) {
      if (skipped++ < MAX_LINE_WARNINGS) warnings.push(`line ${lineNo}: not a "Tag: value" line; ignored`);
      continue;
    }
    const tag = m[1]!;
    let value = m[2]!.trim();
    if (value.startsWith('<text>')) {
      let body = value.slice('<text>'.length);
      while (!body.includes('</text>')) {
        if (i + 1 >= lines.length) {
          throw new VouchError('INPUT_PARSE', `${tag}: <text> opened on line ${lineNo} is never closed`, {
            path,
            position: { line: lineNo },
          });
        }
        body += `\n${lines[++i]!}`;
      }
      value = body.slice(0, body.indexOf('</text>')).trim();
    }

    switch (tag) {
      case 'SPDXVersion':
        spdxVersion ??= value;
        break;
      case 'DocumentName':
        name ??= value;
        break;
      case 'SPDXID':
        if (section === 'document') docId = value;
        else if (section === 'package' && pkg && pkg.id === undefined) pkg.id = value;
        else if (section === 'file' && !fileIdSeen) {
          otherIds.push(value);
          fileIdSeen = true;
        }
        break;
      case 'PackageName':
        finishPackage();
        section = 'package';
        pkg = { id: undefined, name: value, version: undefined, purls: [], licenses: [], hashes: [], line: lineNo, where: `line ${lineNo}` };
        packages.push(pkg);
        break;
      case 'FileName':
        finishPackage();
        section = 'file';
        fileIdSeen = false;
        break;
      case 'SnippetSPDXID':
        finishPackage();
        section = 'snippet';
        otherIds.push(value);
        break;
      case 'LicenseID':
        finishPackage();
        section = 'license';
        break;
      case 'Annotator':
        // an annotation may sit among a package's fields: it does not end the package
        annotations.push({ ref: undefined, comment: undefined });
        break;
      case 'SPDXREF':
        if (annotations.length) annotations[annotations.length - 1]!.ref ??= value;
        break;
      case 'AnnotationComment':
        if (annotations.length) annotations[annotations.length - 1]!.comment ??= value;
        break;
      case 'Relationship': {
        const parts = value.split(/\s+/);
        if (parts.length < 3) {
          warnings.push(`line ${lineNo}: Relationship needs "<id> <TYPE> <id>"; ignored`);
          break;
        }
        relationships.push({ from: parts[0]!, type: parts[1]!, to: parts[2]! });
        break;
      }
      default:
        if (section !== 'package' || !pkg) break;
        switch (tag) {
          case 'PackageVersion':
            pkg.version = versionValue(value);
            break;
          case 'PackageLicenseConcluded':
            concluded = licenseValue(value);
            break;
          case 'PackageLicenseDeclared':
            declared = licenseValue(value);
            break;
          case 'PackageChecksum': {
            const c = /^([A-Za-z0-9_-]+)\s*:\s*(\S+)/.exec(value);
            const h = c ? makeHash(c[1], c[2]) : undefined;
            if (h) pkg.hashes.push(h);
            else warnings.push(`line ${lineNo}: PackageChecksum not "ALG: value"; ignored`);
            break;
          }
          case 'ExternalRef': {
            const parts = value.split(/\s+/);
            if (parts.length >= 3 && isPurlRef(parts[0], parts[1])) {
              pkg.purls.push({ value: parts.slice(2).join(' '), where: `line ${lineNo}` });
            }
            break;
          }
        }
    }
  }
  finishPackage();
  if (skipped > MAX_LINE_WARNINGS) warnings.push(`… and ${skipped - MAX_LINE_WARNINGS} more lines that are not "Tag: value"`);
  if (spdxVersion === undefined) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not an SPDX 2 document: no SPDXVersion line (tag-value) and not JSON', {
      path,
    });
  }
  checkVersion(spdxVersion, path);
  for (const p of packages) p.where = `line ${p.line} (PackageName: ${p.name})`;
  if (annotations.length) {
    const byId = new Map<string, SpdxPackage>();
    for (const p of packages) if (p.id !== undefined && !byId.has(p.id)) byId.set(p.id, p);
    const pairs = new Map<SpdxPackage, ReturnType<typeof annotationPair>[]>();
    for (const a of annotations) {
      const p = a.ref !== undefined ? byId.get(a.ref) : undefined;
      if (!p) continue;
      let list = pairs.get(p);
      if (!list) pairs.set(p, (list = []));
      list.push(annotationPair(a.comment));
    }
    for (const [p, list] of pairs) p.vouch = vouchNotes(list);
  }
  return { spdxVersion, docId, name, packages, relationships, describes: [], otherIds, warnings };
}
