/**
 * VERS version ranges (`vers:npm/>=1.0.0|<2.0.0`, package-url/vers-spec), as CycloneDX VEX writes
 * them in `affects[].versions[].range`: parsing, and the spec's containment check with the
 * ecosystem's own version order (src/ecosystems). Schemes vouch has no version order for are
 * "unsupported": such a range never covers anything.
 */
import { ecosystemByPurlType } from '../../ecosystems/index.js';

export type VersComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface VersRange {
  scheme: string;
  /** `vers:x/*`: every version. */
  star: boolean;
  constraints: { comparator: VersComparator; version: string }[];
}

/** Parses a vers string; throws an Error whose message says what is wrong. Order is not checked (see sortedVers). */
export function parseVers(s: string): VersRange {
  if (/\s/.test(s)) throw new Error('whitespace in a vers range');
  const colon = s.indexOf(':');
  if (colon === -1 || s.slice(0, colon) !== 'vers') throw new Error('a vers range starts with "vers:"');
  const spec = s.slice(colon + 1);
  const slash = spec.indexOf('/');
  if (slash <= 0) throw new Error('no versioning scheme (vers:<scheme>/<constraints>)');
  const scheme = spec.slice(0, slash);
  if (scheme !== scheme.toLowerCase()) throw new Error(`the scheme "${scheme}" must be lowercase`);
  const body = spec.slice(slash + 1);
  if (body === '') throw new Error('no constraints');
  if (body === '*') return { scheme, star: true, constraints: [] };
  if (body.startsWith('|') || body.endsWith('|') || body.includes('||')) throw new Error('empty constraint (a leading, trailing or doubled "|")');
  const constraints = body.split('|').map((c) => {
    const m = /^(>=|<=|!=|<|>|=)?(.*)$/.exec(c)!;
    const comparator = (m[1] ?? '=') as VersComparator;
    const raw = m[2]!;
    if (raw === '') throw new Error(`constraint "${c}" has no version`);
    if (raw === '*') throw new Error('"*" must be the only constraint');
    if (/%(?![0-9A-F]{2})/.test(raw)) throw new Error(`invalid percent-encoding in "${raw}" (upper-case hex triplets only)`);
    return { comparator, version: decodeURIComponent(raw) };
  });
  return { scheme, star: false, constraints };
}

/** vers schemes that are not purl types of the same name. */
const SCHEME_TO_PURL_TYPE: Readonly<Record<string, string>> = { alpine: 'apk', semver: 'npm', debian: 'deb', go: 'golang', pub: 'pub' };

/** The version order of a vers scheme, or undefined when vouch has none. */
export function versCompare(scheme: string): ((a: string, b: string) => number) | undefined {
  const type = Object.hasOwn(SCHEME_TO_PURL_TYPE, scheme) ? SCHEME_TO_PURL_TYPE[scheme]! : scheme;
  const eco = ecosystemByPurlType(type);
  if (!eco) return undefined;
  return (a, b) => eco.versioning.compare(a, b);
}

/**
 * Is `version` in the range? The vers-spec containment procedure (constraints sorted by version
 * first: CycloneDX examples write them in any order). Undefined when the scheme has no version
 * order in vouch or a version does not parse in it.
 */
export function versContains(range: VersRange, version: string): boolean | undefined {
  if (range.star) return true;
  const compare = versCompare(range.scheme);
  if (!compare) return undefined;
  try {
    const cs = [...range.constraints].sort((x, y) => compare(x.version, y.version));
    for (const c of cs) {
      if (compare(version, c.version) !== 0) continue;
      if (c.comparator === '=' || c.comparator === '<=' || c.comparator === '>=') return true;
      if (c.comparator === '!=') return false;
    }
    const ranges = cs.filter((c) => c.comparator !== '=' && c.comparator !== '!=');
    if (ranges.length === 0) {
      // only = and != constraints: in the range when it lists only exclusions the version escapes
      return cs.length > 0 && cs.every((c) => c.comparator === '!=');
    }
    const below = (c: { version: string }): boolean => compare(version, c.version) < 0;
    const above = (c: { version: string }): boolean => compare(version, c.version) > 0;
    const isLess = (c: { comparator: VersComparator }): boolean => c.comparator === '<' || c.comparator === '<=';
    if (ranges.length === 1) return isLess(ranges[0]!) ? below(ranges[0]!) : above(ranges[0]!);
    for (let i = 0; i + 1 < ranges.length; i++) {
      const cur = ranges[i]!;
      const next = ranges[i + 1]!;
      if (i === 0 && isLess(cur) && below(cur)) return true;
      if (i + 2 === ranges.length && !isLess(next) && above(next)) return true;
      if (!isLess(cur) && isLess(next) && above(cur) && below(next)) return true;
    }
    return false;
  } catch {
    return undefined;
  }
}

/**
 * Why the constraints are not in the canonical order (ascending versions, each once), or undefined
 * when they are or the scheme has no version order in vouch. Reading VEX does not require it.
 */
export function versOrderProblem(range: VersRange): string | undefined {
  const compare = versCompare(range.scheme);
  if (!compare || range.star) return undefined;
  try {
    for (let i = 1; i < range.constraints.length; i++) {
      const c = compare(range.constraints[i - 1]!.version, range.constraints[i]!.version);
      if (c === 0) return `version ${range.constraints[i]!.version} appears twice`;
      if (c > 0) return `constraints not sorted by version (${range.constraints[i - 1]!.version} before ${range.constraints[i]!.version})`;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
