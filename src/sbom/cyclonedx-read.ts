/**
 * Reads a CycloneDX SBOM (JSON or XML, spec 1.2–1.6; older and newer 1.x are read as far as they
 * match, with a warning) into an Inventory.
 *
 * - Components: every `components[]` entry, nested `components` at any depth, and
 *   `metadata.component`'s own nested components. Identity is the purl, rebuilt canonically.
 * - The root: `root:<input path>`, labelled with `metadata.component.name` (or the path). The
 *   metadata component is the project itself, so it becomes a component only when its purl is of an
 *   ecosystem vouch knows (then root → it, and it counts as direct).
 * - Edges: `dependencies[]` (`ref`/`dependsOn`, nested `<dependency>` in XML), bom-refs resolved
 *   to purls; refs without a purl (services, files, purl-less components) are looked through, so
 *   A → X → B keeps a path A → B. What the metadata component depends on is `direct: true`.
 * - No dependency graph (or components it leaves unreachable): each such component gets an edge
 *   from the component that contains it (nesting) or else from the root, so every component has
 *   a path; `direct` stays false because the SBOM does not say.
 * - Per-component problems (no purl, invalid purl, no version) become `unresolved` entries, with a
 *   warning naming the JSON path (`$.components[3].purl`) or XML position for the last two. A
 *   component vouch wrote without a version (properties `vouch:unresolved` / `vouch:requirement`)
 *   comes back as the unresolved entry it was written from, without the warning.
 */
import type { Hash, Scope } from '../model/component.js';
import { VouchError } from '../model/errors.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import type { Extractor } from '../ecosystems/types.js';
import { decodeText, parseJsonInput } from '../io/json.js';
import { type JsonKind, parseJsonStream } from '../io/json-stream.js';
import { LineIndex } from '../io/lines.js';
import {
  addLine,
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
  xmlText,
} from './common.js';
import { parseXmlDocument } from '../io/xml.js';
import { cut } from '../model/text.js';

export const CYCLONEDX_EXTRACTOR_ID = 'sbom/cyclonedx';

/** Spec versions this reader is written and tested against. */
const SUPPORTED = new Set(['1.2', '1.3', '1.4', '1.5', '1.6']);

const CDX_NAMESPACE_RE = /xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)["']/;

/** One component as either serialisation writes it, before it becomes a Component. */
interface CdxComponent {
  ref: string | undefined;
  purl: string | undefined;
  name: string | undefined;
  group: string | undefined;
  version: string | undefined;
  scope: string | undefined;
  licenses: string[];
  hashes: Hash[];
  line: number | undefined;
  /** `vouch:unresolved` / `vouch:requirement` properties (a versionless component vouch wrote). */
  vouch?: PackageEntry['vouch'];
  /** Position of the component for warnings: `$.components[3]` or `/bom/components/component[4] (line 9)`. */
  where: string;
  /** Position of its purl for warnings; `<where>.purl` when absent (JSON: one string fewer per component). */
  purlWhere?: string;
  children: CdxComponent[];
}

interface CdxDependency {
  ref: string;
  dependsOn: string[];
}

interface CdxDocument {
  specVersion: string | undefined;
  metadata: CdxComponent | undefined;
  components: CdxComponent[];
  dependencies: CdxDependency[] | undefined;
  /** bom-refs of things that are not components (services ...), so edges through them are not "unknown". */
  otherRefs: string[];
  /** Structural remarks found while reading (a list that is not a list, a dependency without ref ...). */
  warnings: string[];
}

export const cyclonedxExtractor: Extractor = {
  id: CYCLONEDX_EXTRACTOR_ID,
  needs: { network: false, runsCode: false },

  wants(path: string): boolean {
    const b = baseName(path);
    // a CycloneDX VEX beside the inputs (`app.vex.cdx.json`) is read by the VEX loader, not as an SBOM
    if (b.endsWith('.vex.cdx.json')) return false;
    return (
      b === 'bom.json' ||
      b === 'bom.xml' ||
      b.endsWith('.cdx.json') ||
      b.endsWith('.cdx.xml') ||
      b.endsWith('.bom.json') ||
      b.endsWith('.bom.xml')
    );
  },

  sniff(head: string): boolean {
    return /"bomFormat"\s*:\s*"CycloneDX"/.test(head) || /http:\/\/cyclonedx\.org\/schema\/bom\/1\./.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return readCycloneDxInput(input);
  },
};

/**
 * Reads a CycloneDX input: in memory, or streamed when it is larger than `streamAbove` bytes and
 * the input can be streamed (a JSON document; XML is read whole). Both give the same Inventory.
 */
export async function readCycloneDxInput(input: InputFile, opts: { streamAbove?: number } = {}): Promise<Inventory> {
  if (input.stream && input.size > (opts.streamAbove ?? STREAM_ABOVE_BYTES) && (await firstNonBlankByte(input)) !== 0x3c /* '<': XML */) {
    const doc = await jsonDocumentStreamed(input.stream(), input.path);
    return inventoryOf(doc, input.path);
  }
  const text = decodeText(await input.read(), input.path);
  return readCycloneDx(text, input.path);
}

/** Reads CycloneDX text (JSON or XML). Throws VouchError INPUT_PARSE / INPUT_UNSUPPORTED for unreadable documents. */
export function readCycloneDx(text: string, path: string): Inventory {
  const first = text.trimStart()[0];
  const doc = first === '<' ? xmlDocument(text, path) : jsonDocument(text, path);
  return inventoryOf(doc, path);
}

function inventoryOf(doc: CdxDocument, path: string): Inventory {
  const s = newReadState(path, CYCLONEDX_EXTRACTOR_ID);
  for (const w of doc.warnings) s.warnings.push(w);
  if (doc.specVersion !== undefined && !SUPPORTED.has(doc.specVersion)) {
    s.warnings.push(`CycloneDX ${doc.specVersion} is outside the versions vouch reads (1.2–1.6); read as far as it matches`);
  }
  buildInventory(doc, s);
  return toInventory(s);
}

// ---------------------------------------------------------------------------------------------
// From either serialisation to the graph

function scopeOf(scope: string | undefined): Scope {
  switch (scope?.trim().toLowerCase()) {
    case 'required':
      return 'prod';
    case 'optional':
      return 'optional';
    case 'excluded':
      return 'dev';
    default:
      return 'unknown';
  }
}

function displayName(c: CdxComponent): string {
  const name = c.name ?? c.ref ?? '(unnamed component)';
  return c.group ? `${c.group}/${name}` : name;
}

function buildInventory(doc: CdxDocument, s: ReadState): void {
  const builder = new SbomGraphBuilder(s.rootId);
  /** bom-ref (and raw/canonical purl) → builder node id */
  const refs = new Map<string, string>();
  let synthetic = 0;

  const register = (c: CdxComponent, purl: string | undefined, containedBy: string | undefined): string => {
    const id = c.ref && !refs.has(c.ref) ? c.ref : `\0#${synthetic++}`; // NUL: never a bom-ref
    builder.node(id, purl, containedBy);
    if (c.ref && !refs.has(c.ref)) refs.set(c.ref, id);
    for (const alias of [c.purl?.trim(), purl]) if (alias && !refs.has(alias)) refs.set(alias, id);
    return id;
  };

  const visit = (c: CdxComponent, containedBy: string | undefined): void => {
    const comp = resolveEntry(s, {
      purl: c.purl,
      purlWhere: c.purlWhere ?? `${c.where}.purl`,
      where: c.where,
      displayName: displayName(c),
      version: c.version,
      scope: scopeOf(c.scope),
      licenses: c.licenses,
      hashes: c.hashes,
      line: c.line,
      vouch: c.vouch,
    });
    if (comp) s.graph.add(comp);
    const id = register(c, comp?.purl, containedBy);
    for (const child of c.children) visit(child, id);
  };

  // The root, and the metadata component as the project itself.
  const meta = doc.metadata;
  s.graph.addRoot(s.rootId, meta?.name?.trim() || s.path);
  let metaId: string | undefined;
  let metaPurl: string | undefined;
  if (meta) {
    // It is a vulnerable-component candidate only with a purl of a known ecosystem; an unparsable
    // purl still gets its warning and unresolved entry.
    const status = purlStatus(meta.purl);
    const candidate = status === 'known' || status === 'invalid';
    const comp = candidate
      ? resolveEntry(s, {
          purl: meta.purl,
          purlWhere: meta.purlWhere ?? `${meta.where}.purl`,
          where: meta.where,
          displayName: displayName(meta),
          version: meta.version,
          scope: scopeOf(meta.scope),
          licenses: meta.licenses,
          hashes: meta.hashes,
          line: meta.line,
        })
      : undefined;
    if (comp) {
      comp.direct = true;
      s.graph.add(comp);
      metaPurl = comp.purl;
    }
    metaId = register(meta, metaPurl, undefined);
    builder.edge(s.rootId, metaId);
    for (const child of meta.children) visit(child, metaId);
  }
  // each record is dropped once read, so a large document's records and the graph built from them
  // are not all held at once
  const components = doc.components;
  for (let i = 0; i < components.length; i++) {
    visit(components[i]!, undefined);
    (components as (CdxComponent | undefined)[])[i] = undefined;
  }

  // The dependency graph as recorded.
  for (const r of doc.otherRefs) {
    if (refs.has(r)) continue;
    refs.set(r, r);
    builder.node(r, undefined);
  }
  const unknownRefs = new Set<string>();
  const nodeFor = (ref: string): string => {
    const id = refs.get(ref) ?? refs.get(ref.trim());
    if (id !== undefined) return id;
    unknownRefs.add(ref);
    const own = `\0?${ref}`;
    builder.node(own, undefined);
    refs.set(ref, own);
    return own;
  };
  const dependencies = doc.dependencies ?? [];
  for (let i = 0; i < dependencies.length; i++) {
    const d = dependencies[i]!;
    (dependencies as (CdxDependency | undefined)[])[i] = undefined;
    const from = nodeFor(d.ref);
    for (const to of d.dependsOn) builder.edge(from, nodeFor(to));
  }
  if (unknownRefs.size) {
    const sample = [...unknownRefs].slice(0, 3).join(', ');
    s.warnings.push(
      `dependencies name ${unknownRefs.size} bom-ref(s) that no component or service carries (${sample}${unknownRefs.size > 3 ? ', …' : ''})`,
    );
  }

  // Direct = what the project (metadata component) depends on, as the SBOM records it.
  if (metaId !== undefined) {
    for (const p of builder.children(metaId)) {
      const c = s.graph.components.get(p);
      if (c) c.direct = true;
    }
  }
  builder.build(s.graph);
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * How deep components may nest in a CycloneDX JSON document (assemblies nest a few levels; the XML
 * parser's own limit of 1000 tags bounds the XML form). Each level is a frame of the reader and a
 * longer JSON path: a document 100,000 levels deep is refused in one line.
 */
export const MAX_COMPONENT_DEPTH = 256;

function jsonDocument(text: string, path: string): CdxDocument {
  const doc = parseJsonInput(text, path);
  if (!isRecord(doc)) throw notAnObject(path);
  if (doc['bomFormat'] !== 'CycloneDX') throw notCycloneDx(path, doc['spdxVersion']);
  const lines = new LineIndex(text);
  const purlLines = jsonStringLines(text, 'purl', lines);
  const refLines = jsonStringLines(text, 'bom-ref', lines);
  const parts = jsonParts(path, (purl, ref) => firstLine(takeLine(purlLines, purl), takeLine(refLines, ref)));

  const warnings: string[] = [];
  const metadata = isRecord(doc['metadata']) ? doc['metadata'] : undefined;
  const metaComponent = metadata?.['component'] !== undefined ? parts.component(metadata['component'], '$.metadata.component', warnings) : undefined;
  const components = parts.componentList(doc['components'], '$.components', warnings);

  let dependencies: CdxDependency[] | undefined;
  if (Array.isArray(doc['dependencies'])) {
    dependencies = [];
    doc['dependencies'].forEach((d: unknown, i: number) => parts.dependency(d, i, dependencies!, warnings));
  }
  const otherRefs: string[] = [];
  parts.services(doc['services'], otherRefs);
  return { specVersion: str(doc['specVersion']), metadata: metaComponent, components, dependencies, otherRefs, warnings };
}

function notAnObject(path: string): VouchError {
  return new VouchError('INPUT_UNSUPPORTED', 'not a CycloneDX document: the JSON is not an object', { path });
}

function notCycloneDx(path: string, spdxVersion: unknown): VouchError {
  const what = typeof spdxVersion === 'string' ? 'an SPDX document' : 'JSON without "bomFormat": "CycloneDX"';
  return new VouchError('INPUT_UNSUPPORTED', `not a CycloneDX document: ${what}`, { path });
}

/**
 * CycloneDX JSON values to CdxComponents and dependencies: one conversion for the document read
 * whole and the one read as it streams. `lineFor` gives a component its line from its purl and
 * bom-ref (called in reading order: a component, then its nested ones).
 */
function jsonParts(path: string, lineFor: (purl: string | undefined, ref: string | undefined) => number | undefined) {
  const component = (v: unknown, where: string, warnings: string[], depth = 1): CdxComponent | undefined => {
    if (!isRecord(v)) return undefined;
    if (depth > MAX_COMPONENT_DEPTH) {
      throw new VouchError('INPUT_PARSE', `components nested more than ${MAX_COMPONENT_DEPTH} deep: not read`, { path, position: { jsonPath: cut(where, 120) } });
    }
    const purl = str(v['purl']);
    const ref = str(v['bom-ref']);
    const c: CdxComponent = {
      ref,
      purl,
      name: str(v['name']),
      group: str(v['group']),
      version: str(v['version']),
      scope: str(v['scope']),
      licenses: jsonLicenses(v['licenses']),
      hashes: jsonHashes(v['hashes']),
      line: lineFor(purl, ref),
      vouch: Array.isArray(v['properties'])
        ? vouchNotes(v['properties'].map((p: unknown) => (isRecord(p) ? { name: str(p['name']), value: str(p['value']) } : { name: undefined, value: undefined })))
        : undefined,
      where,
      children: [],
    };
    c.children = componentList(v['components'], `${where}.components`, warnings, depth + 1);
    return c;
  };

  const componentList = (v: unknown, where: string, warnings: string[], depth = 1): CdxComponent[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      warnings.push(`${where}: not a list; ignored`);
      return [];
    }
    const out: CdxComponent[] = [];
    v.forEach((item, i) => {
      const c = component(item, `${where}[${i}]`, warnings, depth);
      if (c) out.push(c);
      else warnings.push(`${where}[${i}]: not a component object; ignored`);
    });
    return out;
  };

  const dependency = (d: unknown, i: number, out: CdxDependency[], warnings: string[]): void => {
    const ref = isRecord(d) ? str(d['ref']) : undefined;
    if (!isRecord(d) || ref === undefined) {
      warnings.push(`$.dependencies[${i}]: no "ref"; ignored`);
      return;
    }
    const on = Array.isArray(d['dependsOn']) ? d['dependsOn'].map((x: unknown) => (isRecord(x) ? str(x['ref']) : str(x))) : [];
    out.push({ ref, dependsOn: exact(on.filter((x): x is string => x !== undefined)) });
  };

  const services = (v: unknown, out: string[]): void => {
    if (!Array.isArray(v)) return;
    for (const svc of v) {
      if (!isRecord(svc)) continue;
      const r = str(svc['bom-ref']);
      if (r) out.push(r);
      services(svc['services'], out);
    }
  };

  return { component, componentList, dependency, services };
}

/**
 * A CycloneDX JSON document read as it streams in (io/json-stream.ts): the same CdxDocument as
 * jsonDocument gives for the same bytes, for a file too large to hold as one string. Each
 * component and dependency is converted as it arrives; lines are found from the tokens (the key's
 * line, as jsonStringLines finds them) and given out at the end in jsonDocument's order.
 */
async function jsonDocumentStreamed(chunks: AsyncIterable<Buffer>, path: string): Promise<CdxDocument> {
  const purlLines: ValueLines = new Map();
  const refLines: ValueLines = new Map();
  /**
   * The components' bom-refs, each string once: a dependency names them again (its ref and its
   * dependsOn), and each of those is a string of its own as parsed — several copies of every
   * bom-ref held to the end. Dependencies take the component's string instead.
   */
  const refStrings = new Map<string, string>();
  const keepRefs = (c: CdxComponent): void => {
    if (c.ref !== undefined && !refStrings.has(c.ref)) refStrings.set(c.ref, c.ref);
    for (const child of c.children) keepRefs(child);
  };
  const same = (ref: string): string => refStrings.get(ref) ?? ref;
  const parts = jsonParts(path, () => undefined);
  let bomFormat: unknown;
  let spdxVersion: unknown;
  let specVersion: unknown;
  let metadata: unknown;
  let services: unknown;
  const kinds = new Map<string, JsonKind>();
  const metaWarnings: string[] = [];
  const componentWarnings: string[] = [];
  const dependencyWarnings: string[] = [];
  const components: CdxComponent[] = [];
  const dependencies: CdxDependency[] = [];

  await parseJsonStream(chunks, path, {
    paths: ['$.bomFormat', '$.spdxVersion', '$.specVersion', '$.metadata', '$.components.*', '$.dependencies.*', '$.services'],
    keyLines: ['purl', 'bom-ref'],
    onTop(top) {
      if (top !== 'object') throw notAnObject(path);
    },
    onTopKey(key, kind) {
      kinds.set(key, kind);
      // a key given twice: the last one counts, as JSON.parse keeps it
      if (key === 'components') {
        components.length = 0;
        componentWarnings.length = 0;
      } else if (key === 'dependencies') {
        dependencies.length = 0;
        dependencyWarnings.length = 0;
      }
    },
    onKeyLine(key, value, line) {
      addLine(key === 'purl' ? purlLines : refLines, value, line);
    },
    onValue(value, keys) {
      const [top, index] = keys;
      if (top === 'components' && typeof index === 'number' && kinds.get('components') === 'array') {
        const c = parts.component(value, `$.components[${index}]`, componentWarnings);
        if (c) {
          components.push(c);
          keepRefs(c);
        } else componentWarnings.push(`$.components[${index}]: not a component object; ignored`);
      } else if (top === 'dependencies' && typeof index === 'number' && kinds.get('dependencies') === 'array') {
        const before = dependencies.length;
        parts.dependency(value, index, dependencies, dependencyWarnings);
        if (dependencies.length > before) {
          const d = dependencies[before]!;
          d.ref = same(d.ref);
          for (let i = 0; i < d.dependsOn.length; i++) d.dependsOn[i] = same(d.dependsOn[i]!);
        }
      } else if (keys.length === 1) {
        if (top === 'bomFormat') bomFormat = value;
        else if (top === 'spdxVersion') spdxVersion = value;
        else if (top === 'specVersion') specVersion = value;
        else if (top === 'metadata') metadata = value;
        else if (top === 'services') services = value;
      }
    },
  });
  if (bomFormat !== 'CycloneDX') throw notCycloneDx(path, spdxVersion);
  const componentsKind = kinds.get('components');
  if (componentsKind !== undefined && componentsKind !== 'array' && componentsKind !== 'null') {
    componentWarnings.push('$.components: not a list; ignored');
  }
  const meta = isRecord(metadata) && metadata['component'] !== undefined ? parts.component(metadata['component'], '$.metadata.component', metaWarnings) : undefined;
  // lines in jsonDocument's order: the metadata component, then the components, each before its nested ones
  const assign = (c: CdxComponent): void => {
    c.line = firstLine(takeLine(purlLines, c.purl), takeLine(refLines, c.ref));
    for (const child of c.children) assign(child);
  };
  if (meta) assign(meta);
  for (const c of components) assign(c);
  const otherRefs: string[] = [];
  parts.services(services, otherRefs);
  return {
    specVersion: str(specVersion),
    metadata: meta,
    components,
    dependencies: kinds.get('dependencies') === 'array' ? dependencies : undefined,
    otherRefs,
    warnings: [...metaWarnings, ...componentWarnings, ...dependencyWarnings],
  };
}

/** The component's line: the earlier of its purl's and its bom-ref's, whichever are known. */
function firstLine(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function jsonLicenses(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const choice of v) {
    if (!isRecord(choice)) continue;
    const expr = str(choice['expression']);
    if (expr) out.push(expr);
    const lic = choice['license'];
    if (isRecord(lic)) {
      const id = str(lic['id']) ?? str(lic['name']);
      if (id) out.push(id);
    }
  }
  return exact(out);
}

function jsonHashes(v: unknown): Hash[] {
  if (!Array.isArray(v)) return [];
  const out: Hash[] = [];
  for (const h of v) {
    if (!isRecord(h)) continue;
    const hash = makeHash(h['alg'], h['content']);
    if (hash) out.push(hash);
  }
  return exact(out);
}

// ---------------------------------------------------------------------------------------------
// XML

type XmlNode = Record<string, unknown>;


/** Child elements named `name` (fast-xml-parser gives every element as an array here). */
function kids(node: XmlNode | undefined, name: string): XmlNode[] {
  const v = node?.[name];
  if (!Array.isArray(v)) return [];
  return v.map((x: unknown) => (isRecord(x) ? x : { '#text': x }));
}

function childText(node: XmlNode | undefined, name: string): string | undefined {
  const k = kids(node, name)[0];
  const t = k === undefined ? undefined : xmlText(k);
  return t === undefined ? undefined : t;
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  return str(node?.[`@_${name}`]);
}

function xmlDocument(text: string, path: string): CdxDocument {
  const ns = CDX_NAMESPACE_RE.exec(text.slice(0, 65536));
  if (!ns) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a CycloneDX document: XML without the http://cyclonedx.org/schema/bom/1.x namespace', {
      path,
    });
  }
  const doc = parseXmlDocument(text, path, ns[1] ? { stripPrefix: `${ns[1]}:` } : {});
  const bom = kids(doc.root, 'bom')[0];
  if (!bom) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a CycloneDX document: the root element is not <bom>', { path });
  }
  const lineOf = (n: XmlNode): number | undefined => doc.lineOf(n);
  const warnings: string[] = [];

  const component = (n: XmlNode, where: string): CdxComponent => {
    const line = lineOf(n);
    const at = line !== undefined ? `${where} (line ${line})` : where;
    const licenses: string[] = [];
    for (const ls of kids(n, 'licenses')) {
      for (const l of kids(ls, 'license')) {
        const id = childText(l, 'id') ?? childText(l, 'name');
        if (id) licenses.push(id);
      }
      for (const e of kids(ls, 'expression')) {
        const t = xmlText(e);
        if (t) licenses.push(t);
      }
    }
    const hashes: Hash[] = [];
    for (const hs of kids(n, 'hashes')) {
      for (const h of kids(hs, 'hash')) {
        const hash = makeHash(attr(h, 'alg'), xmlText(h));
        if (hash) hashes.push(hash);
      }
    }
    return {
      ref: attr(n, 'bom-ref'),
      purl: childText(n, 'purl'),
      name: childText(n, 'name'),
      group: childText(n, 'group'),
      version: childText(n, 'version'),
      scope: childText(n, 'scope'),
      licenses,
      hashes,
      line,
      vouch: vouchNotes(kids(n, 'properties').flatMap((ps) => kids(ps, 'property').map((p) => ({ name: attr(p, 'name'), value: xmlText(p) })))),
      where: at,
      purlWhere: `${where}/purl${line !== undefined ? ` (line ${line})` : ''}`,
      children: componentList(n, `${where}/components`),
    };
  };
  const componentList = (parent: XmlNode, where: string): CdxComponent[] => {
    const out: CdxComponent[] = [];
    for (const list of kids(parent, 'components')) {
      kids(list, 'component').forEach((c, i) => out.push(component(c, `${where}/component[${i + 1}]`)));
    }
    return out;
  };

  const metaNode = kids(kids(bom, 'metadata')[0], 'component')[0];
  const metadata = metaNode ? component(metaNode, '/bom/metadata/component') : undefined;
  const components = componentList(bom, '/bom/components');

  let dependencies: CdxDependency[] | undefined;
  const depLists = kids(bom, 'dependencies');
  if (depLists.length) {
    dependencies = [];
    const walk = (n: XmlNode): void => {
      const ref = attr(n, 'ref');
      const inner = kids(n, 'dependency');
      if (ref === undefined) {
        const line = lineOf(n);
        warnings.push(`<dependency>${line !== undefined ? ` at line ${line}` : ''} has no ref; ignored`);
      } else {
        dependencies!.push({ ref, dependsOn: inner.map((d) => attr(d, 'ref')).filter((x): x is string => x !== undefined) });
      }
      for (const d of inner) if (kids(d, 'dependency').length) walk(d);
    };
    for (const list of depLists) for (const d of kids(list, 'dependency')) walk(d);
  }

  const otherRefs: string[] = [];
  const services = (parent: XmlNode | undefined): void => {
    for (const list of kids(parent, 'services')) {
      for (const svc of kids(list, 'service')) {
        const r = attr(svc, 'bom-ref');
        if (r) otherRefs.push(r);
        services(svc);
      }
    }
  };
  services(bom);

  return { specVersion: ns[2], metadata, components, dependencies, otherRefs, warnings };
}
