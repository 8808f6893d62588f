/**
 * SemVer 2.0.0 ordering as OSV's `SEMVER` range type and osv-scalibr apply it; used by npm, Go and
 * crates.io, and by the matcher for every OSV `SEMVER` range whatever the ecosystem.
 *
 * Hand-written rather than built on the npm `semver` package on purpose: `semver` rejects versions
 * that the peer vectors (osv-scalibr semantic/testdata/semver-versions.txt) and real advisories
 * contain — numeric components above Number.MAX_SAFE_INTEGER (`999999999999999999999999999991`)
 * and more than three release components (`1.1.3.4.5`) — and an advisory we cannot order is a
 * finding we silently miss.
 *
 * The order:
 * - an optional leading `v` (Go writes it; `v1.2.3` = `1.2.3`);
 * - release components compared numerically as digit strings of any length (never `Number`),
 *   leading zeros ignored; a missing minor or patch is 0 (`1` = `1.0` = `1.0.0`);
 * - anything after a third component that starts with `.<digit>` is build metadata: `1.1.3.4.5`
 *   = `1.1.3` (osv-scalibr, too, moves extra components into its build string);
 * - a prerelease (`-rc.1`, or leniently without the hyphen as osv-scalibr reads it: `1.2.3rc1`,
 *   `1.2.beta`) sorts before its release; identifiers compare per semver.org §11: digit-only ones
 *   numerically and before alphanumeric ones, alphanumeric ones in case-sensitive ASCII order,
 *   and a longer list wins when one is a prefix of the other;
 * - build metadata (`+...`) is ignored: `1.2.3+a` = `1.2.3+b` = `1.2.3`. So Go's
 *   `v2.0.0+incompatible` = `v2.0.0`, as Go itself orders them, and Go pseudo-versions
 *   (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019...`) order by their prerelease.
 *
 * Not a version (parse → undefined, compare throws VouchError INPUT_PARSE): the empty string,
 * no digit after the optional `v`, characters outside `[0-9A-Za-z.-]` in the prerelease or build,
 * an empty prerelease, prerelease identifier or build (`1.2.3-`, `1.2.3-a..b`, `1.2.3+`).
 *
 * On the hot path of matching: parses are cached (bounded), and compare allocates nothing.
 */
import { VouchError } from '../../model/errors.js';
import type { Versioning } from '../types.js';
import { compareDigits } from '../../model/order.js';

/** A parsed SemVer version. Shared from the cache: treat as read-only. */
export interface SemverVersion {
  /** Digit strings without leading zeros ("0" for zero). */
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Prerelease identifiers; empty for a release. Digit-only identifiers are stored without leading zeros. */
  readonly pre: readonly string[];
  /** `preNumeric[i]`: is `pre[i]` digit-only (compared numerically)? */
  readonly preNumeric: readonly boolean[];
}

const CACHE_MAX = 8192;
/** null = known not to parse. Cleared whole when full: cheap, and matching reuses few strings. */
const cache = new Map<string, SemverVersion | null>();

const DOT = 0x2e;
const HYPHEN = 0x2d;
const PLUS = 0x2b;
const LOWER_V = 0x76;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `[0-9A-Za-z-]`, the identifier characters of SemVer. */
function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === HYPHEN;
}

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** Build metadata: ignored for ordering, but must look like build metadata (`[0-9A-Za-z.-]+`). */
function validBuild(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== DOT && !isIdentChar(c)) return false;
  }
  return true;
}

const NO_PRE: readonly string[] = Object.freeze([]);
const NO_PRE_NUMERIC: readonly boolean[] = Object.freeze([]);

function make(nums: string[], pre: readonly string[], preNumeric: readonly boolean[]): SemverVersion {
  return Object.freeze({ major: nums[0] ?? '0', minor: nums[1] ?? '0', patch: nums[2] ?? '0', pre, preNumeric });
}

function parseUncached(s: string): SemverVersion | undefined {
  const n = s.length;
  let i = n > 0 && s.charCodeAt(0) === LOWER_V ? 1 : 0;
  if (i >= n || !isDigit(s.charCodeAt(i))) return undefined;

  // Up to three numeric release components.
  const nums: string[] = [];
  for (;;) {
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    nums.push(stripZeros(s.slice(start, i)));
    if (nums.length < 3 && i + 1 < n && s.charCodeAt(i) === DOT && isDigit(s.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    break;
  }
  if (i === n) return make(nums, NO_PRE, NO_PRE_NUMERIC);

  const c = s.charCodeAt(i);
  // A fourth numeric component: it and everything after it is build metadata.
  if (c === DOT && nums.length === 3 && i + 1 < n && isDigit(s.charCodeAt(i + 1))) {
    return validBuild(s, i + 1) ? make(nums, NO_PRE, NO_PRE_NUMERIC) : undefined;
  }
  if (c === PLUS) return validBuild(s, i + 1) ? make(nums, NO_PRE, NO_PRE_NUMERIC) : undefined;

  // A prerelease: after `-` or `.`, or (leniently) starting right at a letter: `1.2.3rc1`.
  const preStart = c === HYPHEN || c === DOT ? i + 1 : i;
  let plus = s.indexOf('+', preStart);
  if (plus < 0) plus = n;
  if (plus === preStart) return undefined;
  for (let j = preStart; j < plus; j++) {
    const d = s.charCodeAt(j);
    if (d !== DOT && !isIdentChar(d)) return undefined;
  }
  if (plus < n && !validBuild(s, plus + 1)) return undefined;

  const pre = s.slice(preStart, plus).split('.');
  const preNumeric = new Array<boolean>(pre.length);
  for (let k = 0; k < pre.length; k++) {
    const id = pre[k] ?? '';
    if (id === '') return undefined;
    const numeric = allDigits(id);
    preNumeric[k] = numeric;
    if (numeric) pre[k] = stripZeros(id);
  }
  return make(nums, Object.freeze(pre), Object.freeze(preNumeric));
}

/** Parse, through the bounded cache. */
export function parseSemver(version: string): SemverVersion | undefined {
  const hit = cache.get(version);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseUncached(version);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(version, parsed ?? null);
  return parsed;
}

/** Total order of two parsed versions: -1, 0 or 1. */
export function compareParsedSemver(a: SemverVersion, b: SemverVersion): number {
  if (a === b) return 0;
  const r = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (r !== 0) return r;

  const la = a.pre.length;
  const lb = b.pre.length;
  // A release sorts after any of its prereleases.
  if (la === 0 || lb === 0) return la === lb ? 0 : la === 0 ? 1 : -1;
  const m = la < lb ? la : lb;
  for (let i = 0; i < m; i++) {
    const x = a.pre[i] as string;
    const y = b.pre[i] as string;
    const xn = a.preNumeric[i] === true;
    const yn = b.preNumeric[i] === true;
    if (xn && yn) {
      const d = compareDigits(x, y);
      if (d !== 0) return d;
    } else if (xn !== yn) {
      return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1; // UTF-16 code-unit order = ASCII order for the allowed characters
    }
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

function mustParse(version: string, side: string): SemverVersion {
  const parsed = parseSemver(version);
  if (parsed === undefined) {
    throw new VouchError('INPUT_PARSE', `not a SemVer version (${side} side of a comparison): ${JSON.stringify(version)}`);
  }
  return parsed;
}

/** SemVer 2.0.0 with OSV / osv-scalibr leniencies; see the header of this file. */
export const semverVersioning: Versioning = {
  parse: parseSemver,
  compare(a: string, b: string): number {
    return compareParsedSemver(mustParse(a, 'left'), mustParse(b, 'right'));
  },
};
