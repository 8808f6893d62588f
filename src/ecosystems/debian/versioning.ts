/**
 * Debian version order (dpkg), as OSV evaluates Debian (and Ubuntu) ranges.
 *
 * Rule: deb-version(7) / Debian Policy §5.6.12, as dpkg's `verrevcmp` applies it; osv-scalibr's
 * `semantic/version-debian.go` vectors are the conformance suite. Written from the spec.
 *
 * - `[epoch:]upstream[-revision]`: the epoch is the digits before the first `:` (absent = 0); the
 *   revision is what follows the last `-` (absent = `0`, which equals an empty revision).
 * - Epochs compare as integers (any length). Upstream, then revision, compare by alternating
 *   parts: the longest non-digit prefix, character by character with `~` before the end of the
 *   part, the end before letters, letters (ASCII) before every other character; then the longest
 *   digit prefix as an integer (empty = 0, leading zeros ignored, any length).
 *
 * Not a version: empty; an epoch that is not all digits; an empty upstream (`1:`, `-1`); an empty
 * revision after a `-`; any character outside `A-Za-z0-9 . + ~` (plus `-` in the upstream when a
 * revision follows, and `:` in the upstream when an epoch precedes it). An upstream that starts
 * with a letter is accepted (dpkg warns, it does not refuse).
 */
import { VouchError } from '../../model/errors.js';
import type { Versioning } from '../types.js';
import { compareDigits } from '../../model/order.js';

export interface DebianVersion {
  /** digits without leading zeros ("0" for zero) */
  readonly epoch: string;
  readonly upstream: string;
  readonly revision: string;
}

const EPOCH = /^\d+$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;
const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;

export function parseDebianVersion(s: string): DebianVersion | undefined {
  if (s.length === 0) return undefined;
  let rest = s;
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (!EPOCH.test(e)) return undefined;
    epoch = stripZeros(e);
    rest = rest.slice(colon + 1);
  }
  let upstream = rest;
  let revision = '';
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (!REVISION.test(revision)) return undefined;
  }
  if (upstream.length === 0 || !UPSTREAM.test(upstream)) return undefined;
  return { epoch, upstream, revision };
}

function stripZeros(d: string): string {
  let i = 0;
  while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
  return d.slice(i);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** The weight of a character in a non-digit part; undefined (end of the part, or a digit) weighs 0. */
function weight(c: number | undefined): number {
  if (c === undefined) return 0; // end of the part
  if (c === 126) return -1; // '~' sorts before everything, even the end
  if (isLetter(c)) return c;
  return c + 256; // every non-letter after every letter
}

/** dpkg's verrevcmp over one upstream or revision string. */
export function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // non-digit prefixes, character by character
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ca = i < a.length && !isDigit(a.charCodeAt(i)) ? a.charCodeAt(i) : undefined;
      const cb = j < b.length && !isDigit(b.charCodeAt(j)) ? b.charCodeAt(j) : undefined;
      const wa = weight(ca);
      const wb = weight(cb);
      if (wa !== wb) return wa < wb ? -1 : 1;
      if (ca !== undefined) i++;
      if (cb !== undefined) j++;
    }
    // digit prefixes, as integers
    const si = i;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const d = compareDigits(stripZeros(a.slice(si, i) || '0'), stripZeros(b.slice(sj, j) || '0'));
    if (d !== 0) return d;
  }
  return 0;
}

export function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  return compareDigits(a.epoch, b.epoch) || compareDebianPart(a.upstream, b.upstream) || compareDebianPart(a.revision, b.revision);
}

function mustParse(s: string): DebianVersion {
  const v = parseDebianVersion(s);
  if (v === undefined) throw new VouchError('INPUT_PARSE', `not a Debian version: ${JSON.stringify(s)}`);
  return v;
}

export const versioning: Versioning = {
  parse: parseDebianVersion,
  compare: (a, b) => compareDebianVersions(mustParse(a), mustParse(b)),
};
