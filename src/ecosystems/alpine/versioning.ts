/**
 * Alpine (apk) version order, as OSV evaluates Alpine ranges.
 *
 * Rule: apk-package(5) `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`, read the way
 * osv-scalibr (`semantic/version-alpine.go`) applies it; its vectors are the conformance suite.
 * Written from the spec and those vectors, no code copied.
 *
 * Parsing, left to right, never fails on a non-empty string:
 * - numbers: digit runs separated by single dots; a dot not followed by a digit ends them (the
 *   dot is consumed);
 * - letter: one optional lower-case letter;
 * - suffixes: every `_(alpha|beta|pre|rc|cvs|svn|git|hg|p)N?` in the rest (N absent = 0); each one
 *   is consumed only while they follow each other at the start of the rest;
 * - hash: an optional `~[0-9a-f]+`, ignored when comparing;
 * - build: `-rN` (N absent = 0); any other text left over marks the version *invalid* and stays
 *   as the remainder.
 *
 * Comparing: two invalid versions compare as plain strings. Otherwise, in turn:
 * - numbers, position by position (a missing one is 0): as integers, except that from the second
 *   position on, when either side starts with `0`, the two are compared as strings;
 * - letter: none < any, then alphabetically;
 * - suffixes, position by position: `alpha < beta < pre < rc < cvs < svn < git < hg < p`, then by
 *   number; a missing suffix weighs as `cvs` 0 (so `1_rc1 < 1 < 1_p1`);
 * - build number;
 * - a version with no remainder sorts after one with a remainder.
 *
 * Not a version: the empty string, or one containing whitespace or control characters.
 */
import { VouchError } from '../../model/errors.js';
import type { Versioning } from '../types.js';
import { byCodePoint, compareDigits } from '../../model/order.js';

interface NumberPart {
  readonly text: string; // as written
  readonly value: string; // digits without leading zeros ("0" for zero)
}

interface Suffix {
  readonly weight: number;
  readonly number: string; // digits without leading zeros
}

export interface AlpineVersion {
  readonly original: string;
  readonly invalid: boolean;
  readonly numbers: readonly NumberPart[];
  readonly letter: string;
  readonly suffixes: readonly Suffix[];
  readonly build: string; // digits without leading zeros ("0" when absent)
  readonly remainder: string;
}

const SUFFIX_WEIGHT: ReadonlyMap<string, number> = new Map([
  ['alpha', 0],
  ['beta', 1],
  ['pre', 2],
  ['rc', 3],
  // 4: "no suffix" in the spec's list; a missing suffix is compared as weight 5 (see below)
  ['cvs', 5],
  ['svn', 6],
  ['git', 7],
  ['hg', 8],
  ['p', 9],
]);
const MISSING_SUFFIX: Suffix = { weight: 5, number: '0' };
const MISSING_NUMBER: NumberPart = { text: '0', value: '0' };

const SUFFIXES = /_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/g;
const HASH = /^~[0-9a-f]+/;
const BUILD = /^-r(\d*)/;
// eslint-disable-next-line no-control-regex
const NOT_A_VERSION = /[\s\x00-\x1f\x7f]/;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function stripZeros(d: string): string {
  let i = 0;
  while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
  return d.slice(i);
}

export function parseAlpineVersion(s: string): AlpineVersion | undefined {
  if (s.length === 0 || NOT_A_VERSION.test(s)) return undefined;
  // numbers: (digits .?)*
  const numbers: NumberPart[] = [];
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    const text = s.slice(start, i);
    numbers.push({ text, value: stripZeros(text) });
    if (s[i] === '.') i++;
  }
  let rest = s.slice(i);
  // letter
  let letter = '';
  const c0 = rest.charCodeAt(0);
  if (c0 >= 97 && c0 <= 122) {
    letter = rest[0]!;
    rest = rest.slice(1);
  }
  // suffixes: found anywhere in the rest, consumed while they lead it
  const suffixes: Suffix[] = [];
  for (const m of rest.matchAll(SUFFIXES)) {
    suffixes.push({ weight: SUFFIX_WEIGHT.get(m[1]!)!, number: stripZeros(m[2] || '0') });
    if (rest.startsWith(m[0])) rest = rest.slice(m[0].length);
  }
  // hash (ignored when comparing)
  const h = HASH.exec(rest);
  if (h) rest = rest.slice(h[0].length);
  // build
  let build = '0';
  let invalid = false;
  if (rest !== '') {
    const b = BUILD.exec(rest);
    if (b) {
      build = stripZeros(b[1] || '0');
      rest = rest.slice(b[0].length);
    } else {
      invalid = true;
    }
  }
  return { original: s, invalid, numbers, letter, suffixes, build, remainder: rest };
}

export function compareAlpineVersions(v: AlpineVersion, w: AlpineVersion): number {
  if (v.invalid && w.invalid) return byCodePoint(v.original, w.original);
  const n = Math.max(v.numbers.length, w.numbers.length);
  for (let i = 0; i < n; i++) {
    const a = v.numbers[i];
    const b = w.numbers[i];
    let d: number;
    if (i > 0 && a !== undefined && b !== undefined && (a.text[0] === '0' || b.text[0] === '0')) {
      d = byCodePoint(a.text, b.text);
    } else {
      d = compareDigits((a ?? MISSING_NUMBER).value, (b ?? MISSING_NUMBER).value);
    }
    if (d !== 0) return d;
  }
  if (v.letter !== w.letter) {
    if (v.letter === '') return -1;
    if (w.letter === '') return 1;
    return byCodePoint(v.letter, w.letter);
  }
  const m = Math.max(v.suffixes.length, w.suffixes.length);
  for (let i = 0; i < m; i++) {
    const a = v.suffixes[i] ?? MISSING_SUFFIX;
    const b = w.suffixes[i] ?? MISSING_SUFFIX;
    if (a.weight !== b.weight) return a.weight < b.weight ? -1 : 1;
    const d = compareDigits(a.number, b.number);
    if (d !== 0) return d;
  }
  const d = compareDigits(v.build, w.build);
  if (d !== 0) return d;
  if (v.remainder === '' && w.remainder !== '') return 1;
  if (v.remainder !== '' && w.remainder === '') return -1;
  return 0;
}

function mustParse(s: string): AlpineVersion {
  const v = parseAlpineVersion(s);
  if (v === undefined) throw new VouchError('INPUT_PARSE', `not an Alpine version: ${JSON.stringify(s)}`);
  return v;
}

export const versioning: Versioning = {
  parse: parseAlpineVersion,
  compare: (a, b) => compareAlpineVersions(mustParse(a), mustParse(b)),
};
