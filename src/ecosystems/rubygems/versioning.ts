/**
 * RubyGems version order: `Gem::Version#<=>` (rubygems/version.rb), the order OSV and
 * osv-scalibr (`semantic/version-rubygems.go`) apply to RubyGems ranges; their test vectors are the
 * conformance suite of this file. Written from the RubyGems documentation and behaviour, no code copied.
 *
 * - Valid versions are what `Gem::Version.correct?` accepts, surrounding whitespace stripped:
 *   `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, with two departures: the first
 *   piece may run on into letters (`1beta`, read as `1.beta`; RubyGems rejects it, but OSV's vectors
 *   order it), and a blank string is not a version (RubyGems reads it as `0`; nothing to match here).
 * - Each `-` reads as `.pre.`; the segments are the runs of digits (numbers, any length) and of
 *   letters (strings), so `1.0.a10` is `1, 0, a, 10`. A version with any letter is a prerelease.
 * - Canonical segments: the leading numbers and the rest (from the first string on), each with its
 *   trailing zeros dropped, joined again: `1.0.0` = `1`, `1.0.a.0` = `1.a`.
 * - Comparing: segment by segment, a missing segment reads as `0`; numbers numerically, strings by
 *   bytes (case-sensitive), and a string sorts before a number (`1.a` < `1` < `1.0.1`).
 */
import type { Versioning } from '../types.js';
import { cachedParser } from '../shared/parse-cache.js';
import { compareDigits } from '../../model/order.js';

/** A segment: a number's digits without leading zeros, or a string of letters. */
interface Segment {
  readonly num: boolean;
  readonly value: string;
}

/** The parsed form: canonical segments. */
export interface RubyGemsVersion {
  readonly kind: 'rubygems';
  readonly segments: readonly Segment[];
}

const ZERO: Segment = { num: true, value: '0' };
const PRE: Segment = { num: false, value: 'pre' };

const GEM_VERSION = /^[0-9][0-9a-zA-Z]*(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** Ruby's String#strip: NUL, tab, line feed, vertical tab, form feed, carriage return, space. */
const STRIP = /^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function isZero(s: Segment): boolean {
  return s.num && s.value === '0';
}

function parseGem(input: string): RubyGemsVersion | undefined {
  const s = input.replace(STRIP, '');
  if (s.length === 0 || !GEM_VERSION.test(s)) return undefined;

  // The pattern leaves only ASCII letters, digits, '.' and '-'.
  const segments: Segment[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      i++;
    } else if (c === 0x2d) {
      segments.push(PRE);
      i++;
    } else {
      const digit = isDigit(c);
      let j = i + 1;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (d === 0x2e || d === 0x2d || isDigit(d) !== digit) break;
        j++;
      }
      const run = s.slice(i, j);
      segments.push(digit ? { num: true, value: stripZeros(run) } : { num: false, value: run });
      i = j;
    }
  }

  // Canonical segments: drop trailing zeros of the numeric head and of the rest, separately.
  let firstString = segments.findIndex((seg) => !seg.num);
  if (firstString < 0) firstString = segments.length;
  let headEnd = firstString;
  while (headEnd > 0 && isZero(segments[headEnd - 1]!)) headEnd--;
  let tailEnd = segments.length;
  while (tailEnd > firstString && isZero(segments[tailEnd - 1]!)) tailEnd--;
  const canonical = segments.slice(0, headEnd).concat(segments.slice(firstString, tailEnd));
  return { kind: 'rubygems', segments: canonical };
}

function compareParsed(a: RubyGemsVersion, b: RubyGemsVersion): number {
  const as = a.segments;
  const bs = b.segments;
  const n = Math.max(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const l = i < as.length ? as[i]! : ZERO;
    const r = i < bs.length ? bs[i]! : ZERO;
    if (l.num !== r.num) return l.num ? 1 : -1;
    if (l.value === r.value) continue;
    // Letters are ASCII, so UTF-16 order is byte order.
    if (l.num) return compareDigits(l.value, r.value);
    return l.value < r.value ? -1 : 1;
  }
  return 0;
}

const { parse: parseCached, mustParse } = cachedParser(parseGem, 'RubyGems');

export const versioning: Versioning = {
  parse: (version) => parseCached(version),
  compare: (a, b) => {
    const pa = mustParse(a);
    return a === b ? 0 : compareParsed(pa, mustParse(b));
  },
};
