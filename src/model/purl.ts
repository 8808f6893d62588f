/** Package URLs, through packageurl-js. Canonical strings are what every component is keyed by. */
import { createRequire } from 'node:module';
import type * as PurlLib from 'packageurl-js';
import { VouchError } from './errors.js';

// Loaded on first use: loading it costs 25–30 ms (it sets up an ICU collator and a URL parser),
// and building then parsing the ~300 purls of a large go.mod another ~15 ms — a quarter of a
// small `vouch sbom`. Most purls never need it: see `plainPurl` below.
let purlLib: typeof PurlLib | undefined;
function lib(): typeof PurlLib {
  return (purlLib ??= createRequire(import.meta.url)('packageurl-js') as typeof PurlLib);
}

export interface PurlParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers?: Record<string, string> | undefined;
  subpath?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// The plain case, without the library. A purl is "plain" when it has no qualifiers and no subpath,
// each namespace segment and the name consist of URL-unreserved characters only (which no purl
// encoder changes and no decoder touches; an npm scope's `@` is spelled %40), the version of those plus `+` and `:` (which the
// version encoder keeps), and the parts are already what packageurl-js's normaliser and validator
// for the type make of them (`isNormal`). For such parts the canonical string is simply the parts
// joined, and parsing it is splitting it. Anything else — and every type not listed — goes through
// packageurl-js. purl.test.ts checks both directions against the library on every purl vouch
// makes from ../shared/realworld and on edge cases of each rule.

const UNRESERVED = /^[A-Za-z0-9._~-]+$/;
const VERSION = /^[A-Za-z0-9._~+:-]+$/;
const LOWER = (s: string): boolean => s === s.toLowerCase();
// packageurl-js's golang validator: a version starting with `v` must be v + semver (semver.org's regexp)
const GO_SEMVER =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Per type: are the parts already as packageurl-js normalises and validates them? Types not here take the library path. */
const isNormal: Record<string, (p: PurlParts) => boolean> = {
  // normalised to lower case (namespace and name)
  npm: (p) => LOWER(p.name) && LOWER(p.namespace ?? ''),
  composer: (p) => LOWER(p.name) && LOWER(p.namespace ?? ''),
  hex: (p) => LOWER(p.name) && LOWER(p.namespace ?? ''),
  // lower case, `_` → `-`
  pypi: (p) => LOWER(p.name) && LOWER(p.namespace ?? '') && !p.name.includes('_'),
  // validated: name of [a-z0-9_] only (normalising lower-cases it and turns `-` into `_`)
  pub: (p) => /^[a-z0-9_]+$/.test(p.name),
  // validated: a `v` version must be v + semver
  golang: (p) => p.version === undefined || !p.version.startsWith('v') || GO_SEMVER.test(p.version),
  // validated: a namespace (the groupId) is required
  maven: (p) => p.namespace !== undefined,
  // neither normalised nor validated
  cargo: () => true,
  gem: () => true,
  nuget: () => true,
};

function plainParts(p: PurlParts): boolean {
  if (p.qualifiers !== undefined && Object.keys(p.qualifiers).length > 0) return false;
  if (p.subpath !== undefined && p.subpath !== '') return false;
  const normal = isNormal[p.type];
  if (!normal || !UNRESERVED.test(p.name)) return false;
  if (p.namespace !== undefined) {
    // an npm scope is the one namespace with an `@`, which the purl spells %40
    const scope = p.type === 'npm' && p.namespace.startsWith('@') ? p.namespace.slice(1) : undefined;
    if (scope !== undefined ? !UNRESERVED.test(scope) : !p.namespace.split('/').every((s) => UNRESERVED.test(s))) return false;
  }
  if (p.version !== undefined && !VERSION.test(p.version)) return false;
  return normal(p);
}

/** The canonical string of plain parts; undefined when the parts need the library. Exported for its test. */
export function plainPurl(p: PurlParts): string | undefined {
  const parts: PurlParts = {
    type: p.type,
    name: p.name,
    ...(p.namespace ? { namespace: p.namespace } : {}),
    ...(p.version ? { version: p.version } : {}),
    ...(p.qualifiers ? { qualifiers: p.qualifiers } : {}),
    ...(p.subpath ? { subpath: p.subpath } : {}),
  };
  if (!plainParts(parts)) return undefined;
  const ns = parts.namespace ? `${parts.namespace.replace(/^@/, '%40')}/` : '';
  return `pkg:${parts.type}/${ns}${parts.name}${parts.version ? `@${parts.version}` : ''}`;
}

const PLAIN_STRING = /^pkg:([a-z]+)\/((?:%40[A-Za-z0-9._~-]+\/)?(?:[A-Za-z0-9._~-]+\/)*)([A-Za-z0-9._~-]+)(?:@([A-Za-z0-9._~+:-]+))?$/;

/** The parts of a plain purl string; undefined when it needs the library. Exported for its test. */
export function plainParse(purl: string): PurlParts | undefined {
  const m = PLAIN_STRING.exec(purl);
  if (!m) return undefined;
  const namespace = m[2] ? m[2].slice(0, -1).replace(/^%40/, '@') : undefined;
  const parts: PurlParts = { type: m[1]!, name: m[3]!, ...(namespace ? { namespace } : {}), ...(m[4] !== undefined ? { version: m[4] } : {}) };
  return plainParts(parts) ? parts : undefined;
}

// ---------------------------------------------------------------------------------------------

/** Parse a purl; throws VouchError(INPUT_PARSE) with packageurl-js's reason. */
export function parsePurl(purl: string): PurlParts {
  return plainParse(purl) ?? parsePurlWithLibrary(purl);
}

/** Build the canonical purl string. */
export function buildPurl(parts: PurlParts): string {
  return plainPurl(parts) ?? buildPurlWithLibrary(parts);
}

/** parsePurl through packageurl-js always (exported for the test that holds the plain path to it). */
export function parsePurlWithLibrary(purl: string): PurlParts {
  try {
    const p = lib().PackageURL.fromString(purl);
    return {
      type: p.type,
      namespace: p.namespace ?? undefined,
      name: p.name,
      version: p.version ?? undefined,
      qualifiers: (p.qualifiers as Record<string, string> | undefined) ?? undefined,
      subpath: p.subpath ?? undefined,
    };
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `invalid purl "${purl}": ${(e as Error).message}`, { cause: e });
  }
}

/** buildPurl through packageurl-js always (exported for the test that holds the plain path to it). */
export function buildPurlWithLibrary(parts: PurlParts): string {
  try {
    return new (lib().PackageURL)(
      parts.type,
      parts.namespace ?? undefined,
      parts.name,
      parts.version ?? undefined,
      parts.qualifiers ?? undefined,
      parts.subpath ?? undefined,
    ).toString();
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `cannot build a purl from ${JSON.stringify(parts)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
