/**
 * The one purl matcher of triage: does a pattern purl (a VEX statement's product, a policy ignore
 * rule's or licence exception's package) name a finding's or component's purl? VEX and the policy
 * decide the same way about the same package.
 *
 * - Type: equal, case-insensitively.
 * - Name: compared as the ecosystem compares names (`Ecosystem.normalizeName`: PEP 503 for PyPI,
 *   case-insensitive crates.io / NuGet / Packagist, exact npm / Go / Maven ...), namespace and name
 *   joined the ecosystem's way (`@scope/name`, `group:artifact`); a type vouch has no ecosystem for
 *   follows the purl-spec type definitions' case rules for namespace and name.
 * - Version: a pattern without one covers every version; else equal in the ecosystem's version
 *   order when both parse there (PyPI `1.0` is `1.0.0`), else equal as text (decoded).
 * - Qualifiers: each of the pattern's (non-empty) qualifiers must be on the purl with the same value.
 *   Subpaths are ignored.
 * - A string that is not a purl matches only itself.
 */
import { ecosystemByPurlType, nameFromPurl } from '../ecosystems/index.js';
import { tryParsePurl } from '../model/purl.js';

export interface PurlKey {
  type: string;
  namespace: string;
  name: string;
  version: string | undefined;
  qualifiers: Record<string, string>;
}

/** purl-spec types whose names compare case-insensitively (type definitions: name case_sensitive false). */
const NAME_CI = new Set([
  'alpm', 'apk', 'bitbucket', 'bitnami', 'brew', 'chrome-extension', 'composer', 'deb', 'github', 'hex',
  'luarocks', 'oci', 'otp', 'pub', 'pypi', 'vscode-extension',
]);
/** ... and whose namespaces do (namespace case_sensitive false). */
const NAMESPACE_CI = new Set([
  'alpm', 'apk', 'bitbucket', 'brew', 'composer', 'deb', 'github', 'hex', 'luarocks', 'qpkg', 'rpm',
  'vscode-extension', 'yocto',
]);

const cache = new Map<string, PurlKey | null>();

/** The comparable form of a purl, or undefined when the string is not a purl. */
export function purlKey(s: string): PurlKey | undefined {
  const hit = cache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const key = computeKey(s);
  if (cache.size > 50_000) cache.clear();
  cache.set(s, key ?? null);
  return key;
}

function computeKey(s: string): PurlKey | undefined {
  if (!/^pkg:/i.test(s)) return undefined;
  // a purl that is not valid (a required namespace missing, a bad qualifier key …) is still split, tolerantly
  const parts = tryParsePurl(s) ?? splitPurl(s);
  if (!parts || !parts.name) return undefined;
  const type = parts.type.toLowerCase();
  const eco = ecosystemByPurlType(type);
  let namespace = parts.namespace ?? '';
  let name = parts.name;
  if (eco?.purlNamespaceSeparator) {
    // the ecosystem's package name holds the namespace (`@scope/name`, `group:artifact`, a Go path)
    name = eco.normalizeName(nameFromPurl(eco, { ...parts, type }));
    namespace = '';
  } else {
    if (NAMESPACE_CI.has(type)) namespace = namespace.toLowerCase();
    name = eco ? eco.normalizeName(name) : NAME_CI.has(type) ? name.toLowerCase() : name;
  }
  const qualifiers = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(parts.qualifiers ?? {})) if (v !== '') qualifiers[k.toLowerCase()] = v;
  return { type, namespace, name, version: parts.version || undefined, qualifiers };
}

/** A tolerant purl split (scheme, type, namespace segments, name, @version, ?qualifiers, #subpath), percent-decoded. */
export function splitPurl(s: string): { type: string; namespace?: string; name: string; version?: string; qualifiers?: Record<string, string> } | undefined {
  const m = /^pkg:\/*([^/?#]+)\/([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(s.trim());
  if (!m) return undefined;
  const type = m[1]!;
  let rest = m[2]!.replace(/\/+$/, '');
  let version: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const at = rest.indexOf('@', lastSlash + 1);
  if (at > lastSlash + 1) {
    version = dec(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segs = rest.split('/').filter(Boolean).map(dec);
  const name = segs.pop();
  if (!name) return undefined;
  const qualifiers = Object.create(null) as Record<string, string>;
  for (const pair of (m[3] ?? '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    qualifiers[pair.slice(0, eq).toLowerCase()] = dec(pair.slice(eq + 1));
  }
  return { type, ...(segs.length ? { namespace: segs.join('/') } : {}), name, ...(version ? { version } : {}), qualifiers };
}

function dec(x: string): string {
  try {
    return decodeURIComponent(x);
  } catch {
    return x;
  }
}

/** True when `pattern` (a VEX product, a policy rule's package) covers `purl`; see the module comment. */
export function purlCovers(pattern: string, purl: string): boolean {
  if (pattern === purl) return true;
  const p = purlKey(pattern);
  const f = purlKey(purl);
  if (!p || !f) return false;
  if (p.type !== f.type || p.namespace !== f.namespace || p.name !== f.name) return false;
  if (p.version !== undefined && (f.version === undefined || !sameVersion(p.type, p.version, f.version))) return false;
  for (const [k, v] of Object.entries(p.qualifiers)) if (f.qualifiers[k] !== v) return false;
  return true;
}

/** Equal in the ecosystem's order when both parse there, else equal as text. */
function sameVersion(type: string, a: string, b: string): boolean {
  if (a === b) return true;
  const v = ecosystemByPurlType(type)?.versioning;
  return v !== undefined && v.parse(a) !== undefined && v.parse(b) !== undefined && v.compare(a, b) === 0;
}

/** True for a purl without a version (a statement about every version). */
export function isVersionlessPurl(id: string): boolean {
  const k = purlKey(id);
  return k !== undefined && k.version === undefined;
}

/** The purl with `@version` inserted (before qualifiers and subpath). */
export function withVersion(purl: string, version: string): string {
  const m = /^([^?#]*)(.*)$/.exec(purl)!;
  return `${m[1]!.replace(/\/+$/, '')}@${encodeURIComponent(version)}${m[2]!}`;
}
