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
 * - A JSON document over STREAM_ABOVE_BYTES is read as it streams in (readSpdxInput), with the
 *   result of the in-memory reader: neither its text nor its whole parsed tree is held at once.
 */
import type { Hash, Scope } from '../model/component.js';
import { strongerScope } from '../model/component.js';
import { VouchError } from '../model/errors.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import type { Extractor } from '../ecosystems/types.js';
import { decodeText, parseJsonInput } from '../io/json.js';
import { type JsonKind, parseJsonStream } from '../io/json-stream.js';
import { LineIndex } from '../io/lines.js';
import {
  addLine,
  annotationPair,
  baseName,
  exact,
  firstNonBlankByte,
  isRecord,
  jsonStringLines,
  makeHash,
  newReadState,
  type PackageEntry,
  purlStatus,
  type ReadState,
  resolveEntry,
  SbomGraphBuilder,
  str,
  STREAM_ABOVE_BYTES,
  takeLine,
  toInventory,
  type ValueLines,
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
    return readSpdxInput(input);
  },
};

/**
 * Reads an SPDX input: in memory, or streamed when it is larger than `streamAbove` bytes and is a
 * JSON document (tag-value is read whole). Both give the same Inventory.
 */
export async function readSpdxInput(input: InputFile, opts: { streamAbove?: number } = {}): Promise<Inventory> {
  if (input.stream && input.size > (opts.streamAbove ?? STREAM_ABOVE_BYTES) && [0x7b, 0x5b].includes((await firstNonBlankByte(input)) ?? -1) /* '{' '[' */) {
    const doc = await jsonDocumentStreamed(input.stream(), input.path);
    return inventoryOf(doc, input.path);
  }
  const text = decodeText(await input.read(), input.path);
  return readSpdx(text, input.path);
}

/** Reads SPDX text (JSON or tag-value). Throws VouchError INPUT_PARSE / INPUT_UNSUPPORTED for unreadable documents. */
export function readSpdx(text: string, path: string): Inventory {
  const first = text.trimStart()[0];
  if (first === '<') {
    throw new VouchError('INPUT_UNSUPPORTED', 'SPDX RDF/XML is not read; use the JSON or tag-value form', { path });
  }
  const doc = first === '{' || first === '[' ? jsonDocument(text, path) : tagValueDocument(text, path);
  return inventoryOf(doc, path);
}

function inventoryOf(doc: SpdxDocument, path: string): Inventory {
  const s = newReadState(path, SPDX_EXTRACTOR_ID);
  // one push per warning: a spread of a very large list would overflow the call stack
  for (const w of doc.warnings) s.warnings.push(w);
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
  // each record is dropped once read, so a large document's records and the graph built from them
  // are not all held at once
  const relationships = doc.relationships;
  for (let i = 0; i < relationships.length; i++) {
    const r = relationships[i]!;
    (relationships as (SpdxRelationship | undefined)[])[i] = undefined;
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
  const packages = doc.packages;
  for (let i = 0; i < packages.length; i++) {
    const p = packages[i]!;
    (packages as (SpdxPackage | undefined)[])[i] = undefined;
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
  if (!isRecord(doc)) throw notAnObject(path);
  const spdxVersion = checkedJsonVersion(path, doc['spdxVersion'], doc['bomFormat'], doc['@context']);
  const lines = new LineIndex(text);
  const idLines = jsonStringLines(text, 'SPDXID', lines);
  const warnings: string[] = [];

  const list = (key: string): unknown[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      warnings.push(notAList(key));
      return [];
    }
    return v;
  };
  const packages: SpdxPackage[] = [];
  list('packages').forEach((raw, i) => {
    const p = jsonPackage(raw, i, warnings);
    if (p) {
      p.line = takeLine(idLines, p.id);
      packages.push(p);
    }
  });
  const relationships: SpdxRelationship[] = [];
  list('relationships').forEach((raw, i) => jsonRelationship(raw, i, relationships, warnings));
  const otherIds: string[] = [];
  for (const key of ['files', 'snippets']) for (const el of list(key)) otherElement(el, otherIds);

  return {
    spdxVersion,
    docId: str(doc['SPDXID']) ?? 'SPDXRef-DOCUMENT',
    name: str(doc['name']),
    packages,
    relationships,
    describes: describesOf(doc['documentDescribes']),
    otherIds,
    warnings,
  };
}

function notAnObject(path: string): VouchError {
  return new VouchError('INPUT_UNSUPPORTED', 'not an SPDX document: the JSON is not an object', { path });
}

function notAList(key: string): string {
  return `$.${key}: not a list; ignored`;
}

/** The document's `spdxVersion`, trimmed; an input error when it is absent (saying what the JSON is instead) or not SPDX 2. */
function checkedJsonVersion(path: string, version: unknown, bomFormat: unknown, context: unknown): string | undefined {
  if (version === undefined) {
    const what =
      bomFormat === 'CycloneDX'
        ? 'a CycloneDX document'
        : context !== undefined && JSON.stringify(context).includes('spdx.org')
          ? 'SPDX 3 (JSON-LD), which vouch does not read yet'
          : 'JSON without "spdxVersion"';
    throw new VouchError('INPUT_UNSUPPORTED', `not an SPDX 2 document: ${what}`, { path });
  }
  const spdxVersion = str(version);
  checkVersion(spdxVersion, path);
  return spdxVersion?.trim();
}

/**
 * One `packages[i]` value as an SpdxPackage (its line is given by the caller), or undefined with a
 * warning: one conversion for the document read whole and the one read as it streams.
 */
function jsonPackage(raw: unknown, i: number, warnings: string[]): SpdxPackage | undefined {
  const where = `$.packages[${i}]`;
  if (!isRecord(raw)) {
    warnings.push(`${where}: not a package object; ignored`);
    return undefined;
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
  return {
    id,
    name: str(raw['name']) ?? id ?? '(unnamed package)',
    version: versionValue(str(raw['versionInfo'])),
    purls: exact(purls),
    licenses: exact(licenses),
    hashes: exact(hashes),
    line: undefined,
    where,
    vouch: Array.isArray(raw['annotations'])
      ? vouchNotes(raw['annotations'].map((a: unknown) => annotationPair(isRecord(a) ? str(a['comment']) : undefined)))
      : undefined,
  };
}

function jsonRelationship(raw: unknown, i: number, out: SpdxRelationship[], warnings: string[]): void {
  const from = isRecord(raw) ? str(raw['spdxElementId']) : undefined;
  const type = isRecord(raw) ? str(raw['relationshipType']) : undefined;
  const to = isRecord(raw) ? str(raw['relatedSpdxElement']) : undefined;
  if (from === undefined || type === undefined || to === undefined) {
    warnings.push(`$.relationships[${i}]: incomplete relationship; ignored`);
    return;
  }
  out.push({ from, type, to });
}

/** A file's or snippet's SPDXID: an element that exists but is never a component. */
function otherElement(el: unknown, out: string[]): void {
  const id = isRecord(el) ? str(el['SPDXID']) : undefined;
  if (id) out.push(id);
}

function describesOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x: unknown): x is string => typeof x === 'string') : [];
}

/** The top-level members the streamed reader keeps whole (small), and the lists it takes item by item. */
const TOP_VALUES = ['spdxVersion', 'bomFormat', '@context', 'SPDXID', 'name', 'documentDescribes'] as const;
const TOP_LISTS = ['packages', 'relationships', 'files', 'snippets'] as const;
type TopList = (typeof TOP_LISTS)[number];

/**
 * An SPDX JSON document read as it streams in (io/json-stream.ts): the same SpdxDocument as
 * jsonDocument gives for the same bytes, for a file too large to hold as one string. Packages,
 * relationships, files and snippets are converted one by one as they arrive (a file or snippet
 * keeps only its SPDXID); the line of each SPDXID key is taken from the tokens and given to the
 * packages at the end, in jsonDocument's order.
 */
async function jsonDocumentStreamed(chunks: AsyncIterable<Buffer>, path: string): Promise<SpdxDocument> {
  const idLines: ValueLines = new Map();
  const top = new Map<string, unknown>();
  const kinds = new Map<string, JsonKind>();
  const packages: SpdxPackage[] = [];
  const relationships: SpdxRelationship[] = [];
  const otherIds: Record<'files' | 'snippets', string[]> = { files: [], snippets: [] };
  const warnings: Record<'packages' | 'relationships', string[]> = { packages: [], relationships: [] };
  const isList = (key: TopList): boolean => kinds.get(key) === 'array';

  await parseJsonStream(chunks, path, {
    paths: [...TOP_VALUES.map((k) => `$.${k}`), ...TOP_LISTS.map((k) => `$.${k}.*`)],
    keyLines: ['SPDXID'],
    onTop(kind) {
      if (kind !== 'object') throw notAnObject(path);
    },
    onTopKey(key, kind) {
      kinds.set(key, kind);
      // a key given twice: the last one counts, as JSON.parse keeps it
      if (key === 'packages') {
        packages.length = 0;
        warnings.packages.length = 0;
      } else if (key === 'relationships') {
        relationships.length = 0;
        warnings.relationships.length = 0;
      } else if (key === 'files' || key === 'snippets') {
        otherIds[key].length = 0;
      } else if ((TOP_VALUES as readonly string[]).includes(key)) {
        top.delete(key);
      }
    },
    onKeyLine(_key, value, line) {
      addLine(idLines, value, line);
    },
    onValue(value, keys) {
      const [key, index] = keys;
      if (keys.length === 1) {
        top.set(key as string, value);
      } else if (keys.length === 2 && typeof index === 'number') {
        if (key === 'packages' && isList('packages')) {
          const p = jsonPackage(value, index, warnings.packages);
          if (p) packages.push(p);
        } else if (key === 'relationships' && isList('relationships')) {
          jsonRelationship(value, index, relationships, warnings.relationships);
        } else if ((key === 'files' || key === 'snippets') && isList(key)) {
          otherElement(value, otherIds[key]);
        }
      }
    },
  });
  const spdxVersion = checkedJsonVersion(path, top.get('spdxVersion'), top.get('bomFormat'), top.get('@context'));
  // jsonDocument's warnings in its order: packages, relationships, then files and snippets that are not lists
  const all: string[] = [];
  for (const key of TOP_LISTS) {
    const kind = kinds.get(key);
    if (kind !== undefined && kind !== 'array' && kind !== 'null') all.push(notAList(key));
    else if (key === 'packages' || key === 'relationships') for (const w of warnings[key]) all.push(w);
  }
  for (const p of packages) p.line = takeLine(idLines, p.id);
  return {
    spdxVersion,
    docId: str(top.get('SPDXID')) ?? 'SPDXRef-DOCUMENT',
    name: str(top.get('name')),
    packages,
    relationships,
    describes: describesOf(top.get('documentDescribes')),
    otherIds: [...otherIds.files, ...otherIds.snippets],
    warnings: all,
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
