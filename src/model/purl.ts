/**
 * Package URLs as ECMA-427 and the purl type definitions say (../shared/conformance/purl): parse a
 * purl string into its canonical components and build the canonical string from components.
 * Canonical strings are what every component is keyed by.
 *
 * The canonical string percent-encodes every character of a component except the letters and
 * digits, `.-_~` and `:` (5.4) — so `+` is `%2B`, `@` is `%40` and `/` inside a qualifier value
 * is `%2F` — and each type's rules (./purl-types.ts) decide the case: npm, Go, NuGet and Maven
 * names keep theirs, PyPI, Composer, Debian … are lower-cased. packageurl-js, which vouch used
 * before, lowered npm names (`JSONStream` is another package than `jsonstream`), kept `+` and
 * encoded `:`, and its Go validator threw a ReferenceError on `v19.03.0+incompatible`; the
 * conformance suite runs whole in purl-conformance.test.ts.
 *
 * Parsing is lenient where the specification's own normalisation examples are (an upper-case
 * type or qualifier key, a raw `@` in an npm scope, `%3A` for `:`, stray slashes around a
 * subpath) so that no component of an SBOM another tool wrote is lost; `{ strict: true }` refuses
 * a qualifier key that is not lower case, as ECMA-427 5.6.6 requires of a valid purl.
 */
import { VouchError } from './errors.js';
import { type PurlParts, PURL_TYPES, namespaceExempt } from './purl-types.js';

export type { PurlParts };

export interface ParseOptions {
  /** Refuse a qualifier key that is not lower case (instead of lower-casing it). */
  strict?: boolean;
}

/** A purl that does not parse, or components that make none. The one error the purl code throws. */
export class InvalidPurlError extends VouchError {
  constructor(
    /** Why, without the purl: `a name is required`. */
    readonly reason: string,
    /** The purl string, or the components as JSON. */
    readonly subject: string,
  ) {
    super('INPUT_PARSE', `invalid purl ${subject}: ${reason}`);
  }
}

const TYPE = /^[a-z][a-z0-9.-]*$/;
const QUALIFIER_KEY = /^[a-z][a-z0-9._-]*$/;
/** What no component's encoding changes: the letters, digits, `.-_~` and the colon (never encoded). */
const PLAIN = /^[A-Za-z0-9._~:-]*$/;
/** The same, with '/': a namespace of such segments is written as it is. */
const PLAIN_PATH = /^[A-Za-z0-9._~:/-]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Percent-encodes one component (or segment) as 5.4 says: all but letters, digits, `.-_~` and `:`, as UTF-8. */
function encode(s: string, what: string): string {
  if (PLAIN.test(s)) return s;
  if (LONE_SURROGATE.test(s)) throw new InvalidPurlError(`the ${what} is not valid Unicode (a lone surrogate)`, JSON.stringify(s));
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/g, ':');
}

/** Percent-decodes one component (or segment); a `+` stays a `+`. */
function decode(s: string, what: string, purl: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch (e) {
    if (e instanceof URIError) throw new InvalidPurlError(`the ${what} is not valid percent-encoded UTF-8`, JSON.stringify(purl));
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// parsing

/** Parse a purl into its canonical components; throws InvalidPurlError. */
export function parsePurl(purl: string, opts: ParseOptions = {}): PurlParts {
  const bad = (reason: string): never => {
    throw new InvalidPurlError(reason, JSON.stringify(purl));
  };
  let rest = purl;

  let subpath: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    const segments: string[] = [];
    for (const raw of rest.slice(hash + 1).split('/')) {
      const seg = decode(raw, 'subpath', purl);
      if (seg === '' || seg === '.' || seg === '..') continue;
      if (seg.includes('/')) bad('a subpath segment holds an encoded "/"');
      segments.push(seg);
    }
    if (segments.length) subpath = segments.join('/');
    rest = rest.slice(0, hash);
  }

  let qualifiers: Record<string, string> | undefined;
  const question = rest.indexOf('?');
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      const key = rawKey.toLowerCase();
      if (opts.strict && key !== rawKey) bad(`the qualifier key "${rawKey}" is not lower case`);
      if (!QUALIFIER_KEY.test(key)) bad(`the qualifier key "${rawKey}" is not a letter followed by letters, digits, ".", "-" or "_"`);
      const value = eq < 0 ? '' : decode(pair.slice(eq + 1), `"${key}" qualifier`, purl);
      if (qualifiers && Object.hasOwn(qualifiers, key)) bad(`the qualifier key "${key}" appears twice`);
      if (value === '') continue; // a key without a value is no qualifier
      (qualifiers ??= {})[key] = value;
    }
    rest = rest.slice(0, question);
  }

  const colon = rest.indexOf(':');
  if (colon < 0 || rest.slice(0, colon).toLowerCase() !== 'pkg') bad('a purl starts with "pkg:"');
  let path = rest.slice(colon + 1);
  let start = 0;
  while (path.charCodeAt(start) === 47 /* / */) start++;
  path = path.slice(start);

  const slash = path.indexOf('/');
  if (slash < 0) bad('a type and a name are required ("pkg:type/name")');
  const type = path.slice(0, slash).toLowerCase();
  if (!TYPE.test(type)) bad(`the type "${path.slice(0, slash)}" is not a letter followed by letters, digits, "." or "-"`);
  path = path.slice(slash + 1);

  // the version follows the last '@' after the last '/': a raw '@' before it is an npm scope's
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at >= 0 && at > path.lastIndexOf('/')) {
    version = decode(path.slice(at + 1), 'version', purl) || undefined;
    path = path.slice(0, at);
  }

  const raw = path.split('/');
  const rawName = raw.pop()!;
  const segments: string[] = [];
  for (const s of raw) {
    if (s === '') continue;
    const seg = decode(s, 'namespace', purl);
    if (seg.includes('/')) bad('a namespace segment holds an encoded "/"');
    segments.push(seg);
  }
  const name = decode(rawName, 'name', purl);
  if (name === '') bad('a name is required');
  const parts: PurlParts = { type, name };
  if (segments.length) parts.namespace = segments.join('/');
  if (version !== undefined) parts.version = version;
  if (qualifiers) parts.qualifiers = sortedKeys(qualifiers);
  if (subpath !== undefined) parts.subpath = subpath;
  const normal = normalize(parts);
  const why = invalid(normal);
  if (why !== undefined) bad(why);
  return normal;
}

/** parsePurl, or undefined for a string that is no valid purl (any other error is thrown). */
export function tryParsePurl(purl: string, opts?: ParseOptions): PurlParts | undefined {
  try {
    return parsePurl(purl, opts);
  } catch (e) {
    if (e instanceof InvalidPurlError) return undefined;
    throw e;
  }
}

/** The canonical form of a purl string (parse, then build). */
export function canonicalPurl(purl: string, opts?: ParseOptions): string {
  return buildPurl(parsePurl(purl, opts));
}

// ---------------------------------------------------------------------------------------------
// building

/** The canonical purl string of some components; throws InvalidPurlError. */
export function buildPurl(input: PurlParts): string {
  const p = canonicalParts(input);
  let s = `pkg:${p.type}/`;
  if (p.namespace !== undefined) s += `${PLAIN_PATH.test(p.namespace) ? p.namespace : p.namespace.split('/').map((seg) => encode(seg, 'namespace')).join('/')}/`;
  s += p.type === 'git' ? p.name.split('/').map((seg) => encode(seg, 'name')).join('/') : encode(p.name, 'name');
  if (p.version !== undefined) s += `@${encode(p.version, 'version')}`;
  if (p.qualifiers !== undefined) {
    s += '?';
    let first = true;
    for (const key of Object.keys(p.qualifiers)) {
      s += `${first ? '' : '&'}${key}=${encode(p.qualifiers[key]!, `"${key}" qualifier`)}`;
      first = false;
    }
  }
  if (p.subpath !== undefined) s += `#${p.subpath.split('/').map((seg) => encode(seg, 'subpath')).join('/')}`;
  return s;
}

/** Components as buildPurl writes them (and parsePurl returns them); throws InvalidPurlError. */
export function canonicalParts(input: PurlParts): PurlParts {
  const bad = (reason: string): never => {
    throw new InvalidPurlError(reason, JSON.stringify(input));
  };
  if (typeof input.type !== 'string' || input.type === '') bad('a type is required');
  const type = input.type.toLowerCase();
  if (!TYPE.test(type)) bad(`the type "${input.type}" is not a letter followed by letters, digits, "." or "-"`);
  if (typeof input.name !== 'string') bad('a name is required');
  // git names are paths (`owner/repo`): their empty segments go, as a namespace's do
  const name = type === 'git' ? input.name.split('/').filter((s) => s !== '').join('/') : trimSlashes(input.name);
  if (name === '') bad('a name is required');
  const parts: PurlParts = { type, name };
  const ns = input.namespace;
  if (ns) {
    if (ns.charCodeAt(0) !== 47 && ns.charCodeAt(ns.length - 1) !== 47 && !ns.includes('//')) parts.namespace = ns;
    else {
      const segments = ns.split('/').filter((s) => s !== '');
      if (segments.length) parts.namespace = segments.join('/');
    }
  }
  if (input.version) parts.version = input.version;
  if (input.qualifiers) {
    let q: Record<string, string> | undefined;
    for (const [rawKey, value] of Object.entries(input.qualifiers)) {
      const key = rawKey.toLowerCase();
      if (!QUALIFIER_KEY.test(key)) bad(`the qualifier key "${rawKey}" is not a letter followed by letters, digits, ".", "-" or "_"`);
      if (q && Object.hasOwn(q, key)) bad(`the qualifier key "${key}" appears twice`);
      if (value === undefined || value === null || value === '') continue;
      (q ??= {})[key] = String(value);
    }
    if (q) parts.qualifiers = sortedKeys(q);
  }
  if (input.subpath) {
    const segments = input.subpath.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
    if (segments.length) parts.subpath = segments.join('/');
  }
  const normal = normalize(parts);
  const why = invalid(normal);
  if (why !== undefined) bad(why);
  return normal;
}

// ---------------------------------------------------------------------------------------------
// the type's rules

/** The type's case folding and normalisation (./purl-types.ts); the same object when nothing changes. */
function normalize(p: PurlParts): PurlParts {
  const rule = PURL_TYPES[p.type];
  if (!rule) return p;
  let out = p;
  const lower = rule.lower;
  if (lower) {
    const ns = lower.namespace && p.namespace !== undefined ? p.namespace.toLowerCase() : p.namespace;
    const name = lower.name ? p.name.toLowerCase() : p.name;
    const version = lower.version && p.version !== undefined ? p.version.toLowerCase() : p.version;
    const subpath = lower.subpath && p.subpath !== undefined ? p.subpath.toLowerCase() : p.subpath;
    if (ns !== p.namespace || name !== p.name || version !== p.version || subpath !== p.subpath) {
      out = { ...p, name };
      if (ns !== undefined) out.namespace = ns;
      if (version !== undefined) out.version = version;
      if (subpath !== undefined) out.subpath = subpath;
    }
  }
  return rule.normalize ? rule.normalize(out) : out;
}

/** Why normalised components are no purl of their type; undefined when they are one. */
function invalid(p: PurlParts): string | undefined {
  const rule = PURL_TYPES[p.type];
  if (!rule) return undefined;
  if (rule.namespace === 'required' && p.namespace === undefined && !namespaceExempt(p)) return `a ${p.type} purl needs a namespace`;
  if (rule.namespace === 'prohibited' && p.namespace !== undefined) return `a ${p.type} purl has no namespace`;
  for (const key of rule.qualifiers ?? []) {
    if (p.qualifiers?.[key] === undefined) return `a ${p.type} purl needs a "${key}" qualifier`;
  }
  return rule.check?.(p);
}

function trimSlashes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 47) a++;
  while (b > a && s.charCodeAt(b - 1) === 47) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Keys in code-point order (ASCII keys: plain sort). */
function sortedKeys(q: Record<string, string>): Record<string, string> {
  const keys = Object.keys(q);
  if (keys.length < 2) return q;
  const out: Record<string, string> = {};
  for (const k of keys.sort()) out[k] = q[k]!;
  return out;
}
