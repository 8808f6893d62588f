/**
 * CycloneDX VEX reader (spec 1.4–1.6, JSON or XML): each `vulnerabilities[]` entry with an
 * `analysis.state` becomes one statement about the components its `affects[].ref` names.
 * Refs are resolved through the document's bom-refs (metadata.component, components at any depth)
 * to purls; `urn:cdx:<serial>/<version>#<bom-ref>` refs (BOM-Link) use the fragment, which is a
 * purl in most VEX files written beside an SBOM. State and justification mapping: docs/vex.md.
 */
import { VouchError } from '../../model/errors.js';
import { isJsonObject, jsonTypeName } from '../../io/json.js';
import { isVersionlessPurl, withVersion } from '../purl-match.js';
import { parseVers, versCompare } from './vers.js';
import type { VexDocument, VexStatement, VexStatus } from './types.js';
import { parseXmlDocument } from '../../io/xml.js';

/** CycloneDX `analysis.state` → VEX status. */
export const CDX_STATE_MAP: Readonly<Record<string, VexStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'false_positive',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

/** CycloneDX `analysis.justification` → the nearest OpenVEX justification (the original is kept in the text). */
export const CDX_JUSTIFICATION_MAP: Readonly<Record<string, string>> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_not_in_execute_path',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

/** Justifications whose OpenVEX name says the same thing: no need to repeat the original. */
const EXACT = new Set(['code_not_present', 'code_not_reachable']);

/** True when parsed JSON is a CycloneDX BOM. */
export function isCycloneDxJson(doc: unknown): boolean {
  return isJsonObject(doc) && doc['bomFormat'] === 'CycloneDX';
}

type Where = (kind: 'vuln' | 'field', i: number, field?: string) => string;

const JSON_WHERE: Where = (kind, i, field) => (kind === 'vuln' ? `$.vulnerabilities[${i}]` : `$.vulnerabilities[${i}]${field ? `.${field}` : ''}`);
/** XML element path of a JSON field path: `affects[0].versions[1]` → `affects/target[1]/versions/version[2]`. */
const XML_LIST_ITEM: Readonly<Record<string, string>> = { affects: 'target', versions: 'version', references: 'reference', response: 'responses/response' };
const XML_WHERE: Where = (kind, i, field) =>
  `/bom/vulnerabilities/vulnerability[${i + 1}]${
    kind === 'field' && field
      ? `/${field
          .split('.')
          .map((seg) => seg.replace(/^(\w+)\[(\d+)\]$/, (_m, name: string, n: string) => `${name}/${XML_LIST_ITEM[name] ?? name}[${Number(n) + 1}]`))
          .join('/')}`
      : ''
  }`;

export function readCycloneDxVexJson(doc: unknown, path: string): VexDocument {
  return readCdx(doc, path, JSON_WHERE);
}

export function readCycloneDxVexXml(text: string, path: string): VexDocument {
  return readCdx(xmlToJsonShape(text, path), path, XML_WHERE);
}

function readCdx(doc: unknown, path: string, where: Where): VexDocument {
  const fail = (at: string, msg: string): VouchError => new VouchError('INPUT_PARSE', msg, { path, position: { jsonPath: at } });
  if (!isJsonObject(doc)) throw fail('$', `expected a CycloneDX BOM (an object), found ${jsonTypeName(doc)}`);
  const specVersion = typeof doc['specVersion'] === 'string' ? doc['specVersion'] : '';
  const vulns = doc['vulnerabilities'];
  if (vulns === undefined) {
    throw new VouchError('INPUT_UNSUPPORTED', 'a CycloneDX BOM without vulnerabilities[] is not a VEX document', { path });
  }
  if (!Array.isArray(vulns)) throw fail('$.vulnerabilities', `expected a list of vulnerabilities, found ${jsonTypeName(vulns)}`);
  const warnings: string[] = [];
  const refs = bomRefs(doc);
  const metadata = isJsonObject(doc['metadata']) ? doc['metadata'] : undefined;
  const docTimestamp = typeof metadata?.['timestamp'] === 'string' ? metadata['timestamp'] : undefined;

  const statements: VexStatement[] = [];
  vulns.forEach((v, i) => {
    const at = where('vuln', i);
    if (!isJsonObject(v)) throw fail(at, `expected a vulnerability object, found ${jsonTypeName(v)}`);
    const id = v['id'];
    if (typeof id !== 'string' || !id.trim()) throw fail(where('field', i, 'id'), `expected the vulnerability id (a string), found ${jsonTypeName(id)}`);
    const analysis = v['analysis'];
    if (analysis === undefined) {
      warnings.push(`${path} (${at}): ${id} has no analysis; not a VEX statement`);
      return;
    }
    if (!isJsonObject(analysis)) throw fail(where('field', i, 'analysis'), `expected an object, found ${jsonTypeName(analysis)}`);
    const state = analysis['state'];
    if (state === undefined) {
      warnings.push(`${path} (${at}): ${id} has an analysis without a state; not a VEX statement`);
      return;
    }
    const status = typeof state === 'string' && Object.hasOwn(CDX_STATE_MAP, state) ? CDX_STATE_MAP[state] : undefined;
    if (status === undefined) {
      throw fail(where('field', i, 'analysis.state'), `invalid analysis state ${JSON.stringify(state)} (allowed: ${Object.keys(CDX_STATE_MAP).join(', ')})`);
    }
    const aliases: string[] = [];
    if (Array.isArray(v['references'])) {
      for (const r of v['references']) if (isJsonObject(r) && typeof r['id'] === 'string' && r['id'].trim() && r['id'] !== id) aliases.push(r['id'].trim());
    }
    const rawJust = analysis['justification'];
    if (rawJust !== undefined && (typeof rawJust !== 'string' || !Object.hasOwn(CDX_JUSTIFICATION_MAP, rawJust))) {
      throw fail(
        where('field', i, 'analysis.justification'),
        `invalid analysis justification ${JSON.stringify(rawJust)} (allowed: ${Object.keys(CDX_JUSTIFICATION_MAP).join(', ')})`,
      );
    }
    const detail = text(analysis['detail']);
    const responses = Array.isArray(analysis['response']) ? analysis['response'].filter((x): x is string => typeof x === 'string') : [];
    const recommendation = text(v['recommendation']);
    const justification = rawJust === undefined ? undefined : CDX_JUSTIFICATION_MAP[rawJust];
    const kept = rawJust !== undefined && !EXACT.has(rawJust) ? `CycloneDX justification: ${rawJust}` : undefined;
    const suppressing = status === 'not_affected' || status === 'false_positive';
    const impactStatement = suppressing ? join([kept, detail]) : undefined;
    const actionStatement = join([responses.length ? `response: ${responses.join(', ')}` : undefined, recommendation]);
    const notes = suppressing ? undefined : join([kept, detail]);
    const timestamp = text(analysis['lastUpdated']) ?? text(analysis['firstIssued']) ?? docTimestamp;

    const products: string[] = [];
    const ranges: { purl: string; range: string }[] = [];
    const affects = v['affects'];
    if (affects !== undefined && !Array.isArray(affects)) throw fail(where('field', i, 'affects'), `expected a list, found ${jsonTypeName(affects)}`);
    (affects ?? []).forEach((a: unknown, j: number) => {
      const aat = where('field', i, `affects[${j}]`);
      const vat = (k: number): string => where('field', i, `affects[${j}].versions[${k}]`);
      if (!isJsonObject(a) || typeof a['ref'] !== 'string' || !a['ref'].trim()) throw fail(aat, 'expected an object with a "ref"');
      const target = resolveRef(a['ref'].trim(), refs);
      const versions = a['versions'];
      if (versions === undefined || !isVersionlessPurl(target)) {
        if (versions !== undefined) warnings.push(`${path} (${where('field', i, `affects[${j}].versions`)}): ignored, "${target}" is not a purl without version`);
        products.push(target);
        return;
      }
      if (!Array.isArray(versions)) throw fail(where('field', i, `affects[${j}].versions`), `expected a list, found ${jsonTypeName(versions)}`);
      // A versionless purl with a version list: the statement is about those versions only.
      const want = status === 'affected' || status === 'under_investigation' ? 'affected' : 'unaffected';
      versions.forEach((ver: unknown, k: number) => {
        if (!isJsonObject(ver)) return;
        const st = text(ver['status']) ?? 'affected';
        const exact = text(ver['version']);
        const range = text(ver['range']);
        if (st !== want) {
          warnings.push(`${path} (${vat(k)}): status "${st}" disagrees with the analysis state "${String(state)}"; ignored`);
        } else if (exact !== undefined) {
          products.push(withVersion(target, exact));
        } else if (range !== undefined) {
          const problem = rangeProblem(range);
          if (problem) warnings.push(`${path} (${vat(k)}): version range "${range}" ${problem}; the statement does not cover it`);
          else ranges.push({ purl: target, range });
        }
      });
    });
    if (products.length === 0 && ranges.length === 0) warnings.push(`${path} (${at}): ${id} affects no product; it applies to nothing`);
    if (status === 'not_affected' && rawJust === undefined && !detail) {
      warnings.push(`${path} (${at}): not_affected without a justification or detail`);
    }
    statements.push({
      vulnerability: { id: id.trim(), aliases: [...new Set(aliases)] },
      products: [...new Set(products)],
      subcomponents: [],
      ...(ranges.length ? { versionRanges: ranges } : {}),
      status,
      ...(justification ? { justification } : {}),
      ...(impactStatement ? { impactStatement } : {}),
      ...(actionStatement ? { actionStatement } : {}),
      ...(notes ? { notes } : {}),
      ...(timestamp ? { timestamp } : {}),
      source: `${path} (${at})`,
    });
  });
  return { path, format: 'cyclonedx', formatVersion: specVersion, statements, warnings };
}

/** Why a VERS range cannot be used, or undefined when it can. */
function rangeProblem(range: string): string | undefined {
  let parsed;
  try {
    parsed = parseVers(range);
  } catch (e) {
    return `is not valid (${(e as Error).message})`;
  }
  if (!parsed.star && !versCompare(parsed.scheme)) return `uses the scheme "${parsed.scheme}", which vouch has no version order for`;
  return undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function join(parts: (string | undefined)[]): string | undefined {
  const p = parts.filter((x): x is string => !!x);
  return p.length ? p.join('. ') : undefined;
}

/** bom-ref → purl of every component (metadata.component, components, nested components). */
function bomRefs(doc: Record<string, unknown>): Map<string, string> {
  const refs = new Map<string, string>();
  const visit = (c: unknown): void => {
    if (!isJsonObject(c)) return;
    const ref = c['bom-ref'];
    const purl = c['purl'];
    if (typeof ref === 'string' && typeof purl === 'string' && purl.trim()) refs.set(ref, purl.trim());
    if (Array.isArray(c['components'])) c['components'].forEach(visit);
  };
  const metadata = doc['metadata'];
  if (isJsonObject(metadata)) visit(metadata['component']);
  if (Array.isArray(doc['components'])) doc['components'].forEach(visit);
  return refs;
}

/** A ref as an identifier: a local bom-ref's purl, a BOM-Link's fragment (or its bom-ref's purl), else the ref itself. */
function resolveRef(ref: string, refs: Map<string, string>): string {
  const local = refs.get(ref);
  if (local) return local;
  if (ref.startsWith('urn:cdx:')) {
    const hash = ref.indexOf('#');
    if (hash !== -1) {
      let frag = ref.slice(hash + 1);
      try {
        frag = decodeURIComponent(frag);
      } catch {
        // keep it as written
      }
      if (frag.startsWith('pkg:')) return frag;
      return refs.get(frag) ?? ref;
    }
  }
  return ref;
}

// ---------------------------------------------------------------------------------------------
// XML → the JSON shape readCdx reads (only the parts VEX needs)

type XmlNode = Record<string, unknown>;

const CDX_NAMESPACE_RE = /xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)["']/;

function xmlToJsonShape(textIn: string, path: string): Record<string, unknown> {
  const ns = CDX_NAMESPACE_RE.exec(textIn.slice(0, 65536));
  if (!ns) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a CycloneDX document: XML without the http://cyclonedx.org/schema/bom/1.x namespace', { path });
  }
  const parsed = parseXmlDocument(textIn, path, ns[1] ? { stripPrefix: `${ns[1]}:` } : {}).root;
  const bom = kids(parsed, 'bom')[0];
  if (!bom) throw new VouchError('INPUT_UNSUPPORTED', 'not a CycloneDX document: the root element is not <bom>', { path });

  const component = (c: XmlNode): Record<string, unknown> => ({
    'bom-ref': attr(c, 'bom-ref'),
    purl: leaf(c, 'purl'),
    components: kids(c, 'components').flatMap((cs) => kids(cs, 'component')).map(component),
  });
  const metadata = kids(bom, 'metadata')[0];
  const vulnsEl = kids(bom, 'vulnerabilities');
  return {
    bomFormat: 'CycloneDX',
    specVersion: ns[2],
    metadata: metadata
      ? { timestamp: leaf(metadata, 'timestamp'), component: kids(metadata, 'component').map(component)[0] }
      : undefined,
    components: kids(bom, 'components').flatMap((cs) => kids(cs, 'component')).map(component),
    vulnerabilities: vulnsEl.length === 0 ? undefined : vulnsEl.flatMap((vs) => kids(vs, 'vulnerability')).map((v) => {
      const an = kids(v, 'analysis')[0];
      return {
        id: leaf(v, 'id'),
        recommendation: leaf(v, 'recommendation'),
        references: kids(v, 'references').flatMap((rs) => kids(rs, 'reference')).map((r) => ({ id: leaf(r, 'id') })),
        analysis: an
          ? {
              state: leaf(an, 'state'),
              justification: leaf(an, 'justification'),
              response: kids(an, 'responses').flatMap((rs) => kids(rs, 'response')).map((r) => xmlText(r)),
              detail: leaf(an, 'detail'),
              firstIssued: leaf(an, 'firstIssued'),
              lastUpdated: leaf(an, 'lastUpdated'),
            }
          : undefined,
        affects: kids(v, 'affects').flatMap((as) => kids(as, 'target')).map((t) => {
          const versions = kids(t, 'versions').flatMap((vs) => kids(vs, 'version')).map((x) => ({
            version: leaf(x, 'version'),
            range: leaf(x, 'range'),
            status: leaf(x, 'status'),
          }));
          return { ref: leaf(t, 'ref'), ...(versions.length ? { versions } : {}) };
        }),
      };
    }),
  };
}

function kids(n: unknown, name: string): XmlNode[] {
  if (!isJsonObject(n)) return [];
  const v = n[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (isJsonObject(x) ? x : { '#text': x }));
}

function xmlText(n: unknown): string | undefined {
  if (typeof n === 'string') return n;
  if (isJsonObject(n) && '#text' in n) return xmlText(n['#text']);
  return undefined;
}

function leaf(n: XmlNode, name: string): string | undefined {
  const k = kids(n, name)[0];
  return k === undefined ? undefined : xmlText(k);
}

function attr(n: XmlNode, name: string): string | undefined {
  const v = n[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}
