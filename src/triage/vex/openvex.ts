/**
 * OpenVEX reader: 0.2.x documents and the earlier shapes real tools still emit (`@context`
 * https://openvex.dev/ns or /ns/v0.0.1, vulnerability as a string, products as strings, statement
 * level `subcomponents`). Structural problems throw VouchError(INPUT_PARSE) naming the JSON path.
 */
import { VouchError } from '../../model/errors.js';
import { isJsonObject, jsonTypeName } from '../../io/json.js';
import { OPENVEX_JUSTIFICATIONS, OPENVEX_STATUSES, type VexDocument, type VexStatement } from './types.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';
const CONTEXT_RE = /^https?:\/\/openvex\.dev\/ns(\/v0\.\d+\.\d+)?\/?$/;

/** True when the parsed JSON looks like an OpenVEX document (its `@context` names openvex.dev/ns). */
export function isOpenVex(doc: unknown): boolean {
  if (!isJsonObject(doc)) return false;
  const ctx = contextOf(doc['@context']);
  return ctx !== undefined && /^https?:\/\/openvex\.dev\/ns/.test(ctx);
}

/** `@context` is a string; JSON-LD also allows a list, of which the OpenVEX entry counts. */
function contextOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.find((x): x is string => typeof x === 'string' && x.includes('openvex.dev/ns'));
  return undefined;
}

export function readOpenVex(doc: unknown, path: string): VexDocument {
  const fail = (jsonPath: string, msg: string): VouchError => new VouchError('INPUT_PARSE', msg, { path, position: { jsonPath } });
  if (!isJsonObject(doc)) throw fail('$', `expected an OpenVEX document (a JSON object), found ${jsonTypeName(doc)}`);
  const context = contextOf(doc['@context']);
  if (context === undefined) throw fail('$["@context"]', 'not an OpenVEX document: no @context');
  if (!CONTEXT_RE.test(context)) {
    throw fail('$["@context"]', `unsupported OpenVEX @context "${context}" (read: https://openvex.dev/ns, /ns/v0.0.1, /ns/v0.2.0)`);
  }
  const warnings: string[] = [];
  const docTimestamp = optString(doc, 'timestamp', '$', fail);
  if (docTimestamp !== undefined && Number.isNaN(Date.parse(docTimestamp))) throw fail('$.timestamp', `invalid timestamp "${docTimestamp}" (expected RFC 3339)`);
  const statementsRaw = doc['statements'];
  if (!Array.isArray(statementsRaw)) throw fail('$.statements', `expected a list of statements, found ${jsonTypeName(statementsRaw)}`);

  const statements = statementsRaw.map((s, i): VexStatement => {
    const at = `$.statements[${i}]`;
    if (!isJsonObject(s)) throw fail(at, `expected a statement object, found ${jsonTypeName(s)}`);
    const vulnerability = readVulnerability(s['vulnerability'], `${at}.vulnerability`, fail);
    // 0.0.x documents put aliases on the statement
    if (Array.isArray(s['aliases'])) {
      for (const a of s['aliases']) if (typeof a === 'string' && a && !vulnerability.aliases.includes(a)) vulnerability.aliases.push(a);
    }
    const status = s['status'];
    if (typeof status !== 'string' || !(OPENVEX_STATUSES as readonly string[]).includes(status)) {
      throw fail(`${at}.status`, `invalid status ${JSON.stringify(status)} (allowed: ${OPENVEX_STATUSES.join(', ')})`);
    }
    const products: string[] = [];
    const subcomponents: string[] = [];
    const productsRaw = s['products'];
    if (productsRaw !== undefined) {
      if (!Array.isArray(productsRaw)) throw fail(`${at}.products`, `expected a list of products, found ${jsonTypeName(productsRaw)}`);
      productsRaw.forEach((p, j) => {
        const pat = `${at}.products[${j}]`;
        products.push(...identifiersOf(p, pat, fail));
        if (isJsonObject(p) && p['subcomponents'] !== undefined) {
          const subs = p['subcomponents'];
          if (!Array.isArray(subs)) throw fail(`${pat}.subcomponents`, `expected a list of subcomponents, found ${jsonTypeName(subs)}`);
          subs.forEach((c, k) => subcomponents.push(...identifiersOf(c, `${pat}.subcomponents[${k}]`, fail)));
        }
      });
    }
    // 0.0.x: subcomponents beside products, as strings
    if (s['subcomponents'] !== undefined) {
      const subs = s['subcomponents'];
      if (!Array.isArray(subs)) throw fail(`${at}.subcomponents`, `expected a list of subcomponents, found ${jsonTypeName(subs)}`);
      subs.forEach((c, k) => subcomponents.push(...identifiersOf(c, `${at}.subcomponents[${k}]`, fail)));
    }
    if (products.length === 0) warnings.push(`${path} (${at}): statement names no product; it applies to nothing`);
    const justification = optString(s, 'justification', at, fail);
    if (justification !== undefined && !(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(justification)) {
      warnings.push(`${path} (${at}.justification): "${justification}" is not an OpenVEX justification (${OPENVEX_JUSTIFICATIONS.join(', ')})`);
    }
    const impactStatement = optString(s, 'impact_statement', at, fail);
    const actionStatement = optString(s, 'action_statement', at, fail);
    const notes = optString(s, 'status_notes', at, fail);
    if (status === 'not_affected' && !justification && !impactStatement) {
      warnings.push(`${path} (${at}): not_affected without a justification or impact_statement (the spec requires one)`);
    }
    if (status === 'affected' && !actionStatement) {
      warnings.push(`${path} (${at}): affected without an action_statement (the spec requires one)`);
    }
    const own = optString(s, 'timestamp', at, fail);
    if (own !== undefined && Number.isNaN(Date.parse(own))) throw fail(`${at}.timestamp`, `invalid timestamp "${own}" (expected RFC 3339)`);
    const timestamp = own ?? docTimestamp;
    return {
      vulnerability,
      products: dedupe(products),
      subcomponents: dedupe(subcomponents),
      status: status as VexStatement['status'],
      ...(justification ? { justification } : {}),
      ...(impactStatement ? { impactStatement } : {}),
      ...(actionStatement ? { actionStatement } : {}),
      ...(notes ? { notes } : {}),
      ...(timestamp ? { timestamp } : {}),
      source: `${path} (${at})`,
    };
  });
  return { path, format: 'openvex', formatVersion: context, statements, warnings };
}

type Fail = (jsonPath: string, msg: string) => VouchError;

function readVulnerability(v: unknown, at: string, fail: Fail): VexStatement['vulnerability'] {
  if (typeof v === 'string') {
    if (!v.trim()) throw fail(at, 'empty vulnerability id');
    return { id: v.trim(), aliases: [] };
  }
  if (!isJsonObject(v)) throw fail(at, `expected a vulnerability (an object with "name", or a string), found ${jsonTypeName(v)}`);
  const name = v['name'];
  const iri = v['@id'];
  const id = typeof name === 'string' && name.trim() ? name.trim() : undefined;
  if (id === undefined) {
    if (name !== undefined) throw fail(`${at}.name`, `expected the vulnerability id (a string), found ${jsonTypeName(name)}`);
    throw fail(at, 'vulnerability without a "name"');
  }
  const aliases: string[] = [];
  if (v['aliases'] !== undefined) {
    const al = v['aliases'];
    if (!Array.isArray(al)) throw fail(`${at}.aliases`, `expected a list of strings, found ${jsonTypeName(al)}`);
    al.forEach((a, i) => {
      if (typeof a !== 'string') throw fail(`${at}.aliases[${i}]`, `expected a string, found ${jsonTypeName(a)}`);
      if (a.trim() && a.trim() !== id) aliases.push(a.trim());
    });
  }
  if (iri !== undefined && typeof iri !== 'string') throw fail(`${at}["@id"]`, `expected an IRI (a string), found ${jsonTypeName(iri)}`);
  return { id, aliases: dedupe(aliases) };
}

/** The identifiers of a product or subcomponent: a string (0.0.x), or `@id` and `identifiers.purl/cpe22/cpe23`. */
function identifiersOf(p: unknown, at: string, fail: Fail): string[] {
  if (typeof p === 'string') {
    if (!p.trim()) throw fail(at, 'empty product identifier');
    return [p.trim()];
  }
  if (!isJsonObject(p)) throw fail(at, `expected a component (an object with "@id" or "identifiers", or a string), found ${jsonTypeName(p)}`);
  const out: string[] = [];
  const id = p['@id'];
  if (id !== undefined) {
    if (typeof id !== 'string') throw fail(`${at}["@id"]`, `expected an IRI (a string), found ${jsonTypeName(id)}`);
    if (id.trim()) out.push(id.trim());
  }
  const ids = p['identifiers'];
  if (ids !== undefined) {
    if (!isJsonObject(ids)) throw fail(`${at}.identifiers`, `expected an object (purl, cpe22, cpe23), found ${jsonTypeName(ids)}`);
    for (const k of ['purl', 'cpe22', 'cpe23']) {
      const v = ids[k];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw fail(`${at}.identifiers.${k}`, `expected a string, found ${jsonTypeName(v)}`);
      if (v.trim()) out.push(v.trim());
    }
  }
  if (out.length === 0) throw fail(at, 'component without "@id" or "identifiers"');
  return out;
}

function optString(o: Record<string, unknown>, key: string, at: string, fail: Fail): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(`${at}.${key}`, `expected a string, found ${jsonTypeName(v)}`);
  return v.trim() === '' ? undefined : v;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
