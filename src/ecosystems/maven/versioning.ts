/**
 * Maven version order, as OSV evaluates Maven ranges.
 *
 * Rule: the "Version Order Specification" of the POM reference
 * (https://maven.apache.org/pom.html#version-order-specification), which describes Maven 3's
 * `ComparableVersion`, read the way osv.dev and osv-scalibr (`semantic/version-maven.go`) apply
 * it; their test vectors are the conformance suite of this file. Written from the spec, no code copied.
 *
 * - The string is cut into tokens at `.` and `-` and at every digit/non-digit transition; each
 *   token remembers the separator before it (a transition counts as `-`; the first token has none).
 *   An empty token reads as `0`; letters are case-insensitive.
 * - Aliases: `cr` = `rc`; `ga`, `final`, `release` = the empty qualifier; `a`, `b`, `m` directly
 *   followed by a digit are `alpha`, `beta`, `milestone` (`1a1` = `1-alpha-1`, but `1a` is the
 *   unknown qualifier `a`).
 * - Trimming: from the end, "null" tokens (`0`, empty) are dropped; at the first token that is
 *   not null, trimming jumps to before the start of its `-` group and goes on from there.
 * - Comparing: token by token; the shorter side is padded with a null of the other side's kind
 *   (`.0` against a `.` token, except an empty `.` against `.sp`; an empty `-` against a `-` token).
 *   Same separator: numbers numerically (any length); a real number sorts after any qualifier;
 *   qualifiers `alpha < beta < milestone < rc < snapshot < "" < sp`, then unknown ones lexically
 *   (after the known ones). Different separators: `.qualifier < -qualifier < -number < .number`.
 *
 * Not a version: the empty string, or one containing whitespace or control characters.
 *
 * Known: trimming makes this rule intransitive in corner cases (2.0.0 < 2.0.0-raft-beta1 <
 * 2.0.0.CR1 < 2.0.0), and Apache Maven 3.9's own ComparableVersion orders 19 of osv-scalibr's
 * 14,854 vectors (e.g. `1.5.9.RC1` vs `1.5.9-RC0`) and 3 of the vers-spec pairs differently.
 * OSV evaluates Maven advisories with this rule, so matching follows it.
 */
import type { Versioning } from '../types.js';
import { cachedParser } from '../shared/parse-cache.js';
import { compareDigits } from '../../model/order.js';

const SEP_NONE = 0; // first token
const SEP_DOT = 1;
const SEP_DASH = 2;
type Sep = typeof SEP_NONE | typeof SEP_DOT | typeof SEP_DASH;

/** Qualifier ranks; every other qualifier (and the padded `0`) is UNKNOWN and compared lexically. */
const RANK: ReadonlyMap<string, number> = new Map([
  ['alpha', 0],
  ['beta', 1],
  ['milestone', 2],
  ['rc', 3],
  ['snapshot', 4],
  ['', 5],
  ['sp', 6],
]);
const UNKNOWN = 7;

interface Token {
  readonly sep: Sep;
  /** A digit run: `value` is its digits without leading zeros ("0" for zero). */
  readonly num: boolean;
  /** Lower-cased qualifier, or the digits of a number. */
  readonly value: string;
  readonly rank: number;
  /** A padding token (only the padded `.0` behaves differently from a real `.0`). */
  readonly pad: boolean;
}

/** The parsed form: tokens after alias mapping and trimming. */
export interface MavenVersion {
  readonly kind: 'maven';
  readonly tokens: readonly Token[];
}

const PAD_DOT_ZERO: Token = { sep: SEP_DOT, num: true, value: '0', rank: UNKNOWN, pad: true };
const PAD_DOT_EMPTY: Token = { sep: SEP_DOT, num: false, value: '', rank: 5, pad: true };
const PAD_DASH: Token = { sep: SEP_DASH, num: false, value: '', rank: 5, pad: true };

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function numberToken(sep: Sep, digits: string): Token {
  return { sep, num: true, value: stripZeros(digits), rank: UNKNOWN, pad: false };
}

function qualifierToken(sep: Sep, raw: string, followedByDigit: boolean): Token {
  let q = raw.toLowerCase();
  if (q === 'cr') q = 'rc';
  else if (q === 'ga' || q === 'final' || q === 'release') q = '';
  else if (followedByDigit) {
    if (q === 'a') q = 'alpha';
    else if (q === 'b') q = 'beta';
    else if (q === 'm') q = 'milestone';
  }
  return { sep, num: false, value: q, rank: RANK.get(q) ?? UNKNOWN, pad: false };
}

/** Cut `s[start, end)` (text between separators) into digit/non-digit runs. */
function pushPiece(tokens: Token[], s: string, start: number, end: number, sep: Sep): void {
  if (start === end) {
    tokens.push(numberToken(sep, '0'));
    return;
  }
  let runSep = sep;
  let runStart = start;
  while (runStart < end) {
    const digit = isDigit(s.charCodeAt(runStart));
    let runEnd = runStart + 1;
    while (runEnd < end && isDigit(s.charCodeAt(runEnd)) === digit) runEnd++;
    const run = s.slice(runStart, runEnd);
    tokens.push(digit ? numberToken(runSep, run) : qualifierToken(runSep, run, runEnd < end));
    runSep = SEP_DASH;
    runStart = runEnd;
  }
}

function isNullToken(t: Token): boolean {
  return t.num ? t.value === '0' : t.value === '';
}

// eslint-disable-next-line no-control-regex
const NOT_A_VERSION = /[\s\u0000-\u001f\u007f]/;

function parseMaven(s: string): MavenVersion | undefined {
  if (s.length === 0 || NOT_A_VERSION.test(s)) return undefined;
  const tokens: Token[] = [];
  let sep: Sep = SEP_NONE;
  let pieceStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e || c === 0x2d) {
      pushPiece(tokens, s, pieceStart, i, sep);
      sep = c === 0x2e ? SEP_DOT : SEP_DASH;
      pieceStart = i + 1;
    }
  }
  pushPiece(tokens, s, pieceStart, s.length, sep);

  // Trim nulls from the end, then from the end of each earlier `-` group.
  let i = tokens.length - 1;
  while (i > 0) {
    if (isNullToken(tokens[i]!)) {
      tokens.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && tokens[i]!.sep !== SEP_DASH) i--;
    i--;
  }
  return { kind: 'maven', tokens };
}

function padFor(other: Token): Token {
  if (other.sep === SEP_DOT) return !other.num && other.value === 'sp' ? PAD_DOT_EMPTY : PAD_DOT_ZERO;
  return PAD_DASH;
}

/** Code-point order (the byte order of UTF-8), not UTF-16 unit order. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** `.qualifier < -qualifier < -number < .number` */
function sepClass(t: Token): number {
  if (t.sep === SEP_DOT) return t.num ? 3 : 0;
  return t.num ? 2 : 1;
}

/** Order of two tokens that are not equal (separator or value differ). */
function compareTokens(l: Token, r: Token): number {
  if (l.sep !== r.sep) return sepClass(l) < sepClass(r) ? -1 : 1;
  if (l.num && r.num) return compareDigits(l.value, r.value);
  if (l.num && !l.pad) return 1;
  if (r.num && !r.pad) return -1;
  if (l.rank === UNKNOWN && r.rank === UNKNOWN) return compareCodePoints(l.value, r.value);
  return l.rank < r.rank ? -1 : l.rank > r.rank ? 1 : 0;
}

function compareParsed(a: MavenVersion, b: MavenVersion): number {
  const at = a.tokens;
  const bt = b.tokens;
  const n = Math.max(at.length, bt.length);
  for (let i = 0; i < n; i++) {
    const l = i < at.length ? at[i]! : padFor(bt[i]!);
    const r = i < bt.length ? bt[i]! : padFor(at[i]!);
    if (l.sep === r.sep && l.value === r.value) continue;
    return compareTokens(l, r);
  }
  return 0;
}

const { parse: parseCached, mustParse } = cachedParser(parseMaven, 'Maven');

export const versioning: Versioning = {
  parse: (version) => parseCached(version),
  compare: (a, b) => {
    const pa = mustParse(a);
    return a === b ? 0 : compareParsed(pa, mustParse(b));
  },
};
