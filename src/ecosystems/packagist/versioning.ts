/**
 * Packagist version order: PHP's `version_compare` (ext/standard/versioning.c) as osv-scalibr
 * applies it to Packagist ranges (`semantic/version-packagist.go`); its test vectors are the
 * conformance suite of this file. Written from the PHP documentation and those vectors, no code copied.
 *
 * - One leading `v` or `V` is ignored. `-`, `_`, `+` and `.` separate components (an empty
 *   component is kept); a digit/non-digit transition also separates (`1.0rc1` = `1.0.rc.1`).
 * - Components: digit runs are numbers (any length); other text is a "special form", ranked by
 *   prefix, case-sensitively: `dev` 0, `a…` 1, `b…` 2, `RC…`/`rc…` 3, `#` 4, `p…` 5, anything
 *   else 0 (osv-scalibr; PHP itself ranks unknown forms -1, below `dev`).
 * - Comparing component by component: numbers numerically; forms by rank; a number against a form
 *   counts as `#` (so `1.0 > 1.0rc1` and `1.0 < 1.0pl1`).
 * - When one side runs out: a number next on the longer side makes it greater; a form is ranked
 *   against `#` (ties move on to the component after it): `1.0.0 > 1.0`, `1.0-dev < 1.0`.
 *   Unlike osv-scalibr, a number too large for a machine int still counts as a number here.
 *
 * Not a version: the empty string (or a bare `v`), or one containing whitespace or control characters.
 */
import type { Versioning } from '../types.js';
import { cachedParser } from '../shared/parse-cache.js';
import { compareDigits } from '../../model/order.js';

/** Rank of `#`, which a number stands for when compared with a special form. */
const NUMBER_RANK = 4;

interface Component {
  readonly num: boolean;
  /** A number's digits without leading zeros, or the special form's text. */
  readonly value: string;
  /** Special-form rank (NUMBER_RANK for numbers). */
  readonly rank: number;
}

/** The parsed form: the canonical components. */
export interface PackagistVersion {
  readonly kind: 'packagist';
  readonly components: readonly Component[];
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isSeparator(c: number): boolean {
  return c === 0x2e || c === 0x2d || c === 0x5f || c === 0x2b; // . - _ +
}

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function rankOf(form: string): number {
  if (form.startsWith('RC') || form.startsWith('rc')) return 3;
  if (form.startsWith('dev')) return 0;
  if (form.startsWith('a')) return 1;
  if (form.startsWith('b')) return 2;
  if (form.startsWith('#')) return 4;
  if (form.startsWith('p')) return 5;
  return 0;
}

function component(text: string, digits: boolean): Component {
  return digits ? { num: true, value: stripZeros(text), rank: NUMBER_RANK } : { num: false, value: text, rank: rankOf(text) };
}

// eslint-disable-next-line no-control-regex
const NOT_A_VERSION = /[\s\u0000-\u001f\u007f]/;

function parsePackagist(input: string): PackagistVersion | undefined {
  if (NOT_A_VERSION.test(input)) return undefined;
  const first = input.charCodeAt(0);
  const s = first === 0x76 || first === 0x56 ? input.slice(1) : input; // v V
  if (s.length === 0) return undefined;

  const components: Component[] = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || isSeparator(s.charCodeAt(i))) {
      // Cut s[start, i) at its digit/non-digit transitions (an empty piece is one empty form).
      if (start === i) components.push(component('', false));
      let runStart = start;
      while (runStart < i) {
        const digit = isDigit(s.charCodeAt(runStart));
        let runEnd = runStart + 1;
        while (runEnd < i && isDigit(s.charCodeAt(runEnd)) === digit) runEnd++;
        components.push(component(s.slice(runStart, runEnd), digit));
        runStart = runEnd;
      }
      start = i + 1;
    }
  }
  return { kind: 'packagist', components };
}

/** The longer side's rest against nothing: > 0 when it is greater. */
function compareRest(rest: readonly Component[], from: number): number {
  for (let i = from; i < rest.length; i++) {
    const c = rest[i]!;
    if (c.num) return 1;
    if (c.rank !== NUMBER_RANK) return c.rank < NUMBER_RANK ? -1 : 1;
  }
  return 0;
}

function compareParsed(a: PackagistVersion, b: PackagistVersion): number {
  const ac = a.components;
  const bc = b.components;
  const n = Math.min(ac.length, bc.length);
  for (let i = 0; i < n; i++) {
    const l = ac[i]!;
    const r = bc[i]!;
    if (l.num && r.num) {
      const d = compareDigits(l.value, r.value);
      if (d !== 0) return d;
    } else if (l.rank !== r.rank) {
      return l.rank < r.rank ? -1 : 1;
    }
  }
  if (ac.length > n) return compareRest(ac, n);
  if (bc.length > n) return -compareRest(bc, n);
  return 0;
}

const { parse: parseCached, mustParse } = cachedParser(parsePackagist, 'Packagist');

export const versioning: Versioning = {
  parse: (version) => parseCached(version),
  compare: (a, b) => {
    const pa = mustParse(a);
    return a === b ? 0 : compareParsed(pa, mustParse(b));
  },
};
