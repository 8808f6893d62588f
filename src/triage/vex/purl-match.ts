/**
 * Does a VEX product identifier name a finding's package? Purls are compared by type, namespace
 * and name under the type's case rules (the purl-spec type definitions; npm names compared
 * case-insensitively too, PyPI names PEP 503-normalised); a statement version must equal the
 * finding's, and a statement without one covers every version; statement qualifiers must all be
 * on the finding's purl with the same value. Subpaths are ignored.
 */
import { tryParsePurl } from '../../model/purl.js';

export interface PurlKey {
  type: string;
  namespace: string;
  name: string;
  version: string | undefined;
  qualifiers: Record<string, string>;
}

/** purl-spec types whose names compare case-insensitively (type definitions: name case_sensitive false), plus npm. */
const NAME_CI = new Set([
  'alpm', 'apk', 'bitbucket', 'bitnami', 'brew', 'chrome-extension', 'composer', 'deb', 'github', 'hex',
  'luarocks', 'npm', 'oci', 'otp', 'pub', 'pypi', 'vscode-extension',
]);
/** ... and whose namespaces do (namespace case_sensitive false), plus npm scopes. */
const NAMESPACE_CI = new Set([
  'alpm', 'apk', 'bitbucket', 'brew', 'composer', 'deb', 'github', 'hex', 'luarocks', 'npm', 'qpkg', 'rpm',
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
  let namespace = parts.namespace ?? '';
  let name = parts.name;
  if (NAMESPACE_CI.has(type)) namespace = namespace.toLowerCase();
  if (NAME_CI.has(type)) name = name.toLowerCase();
  if (type === 'pypi') name = name.replace(/[-_.]+/g, '-');
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

/** True when a statement's product/subcomponent identifier covers the finding's purl. */
export function productMatches(statementId: string, findingPurl: string): boolean {
  if (statementId === findingPurl) return true;
  const s = purlKey(statementId);
  const f = purlKey(findingPurl);
  if (!s || !f) return false;
  if (s.type !== f.type || s.namespace !== f.namespace || s.name !== f.name) return false;
  if (s.version !== undefined && s.version !== f.version) return false;
  for (const [k, v] of Object.entries(s.qualifiers)) if (f.qualifiers[k] !== v) return false;
  return true;
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
