/**
 * PyPI versions: PEP 440 through @renovatebot/pep440, plus what that library does not do and the
 * peer vectors (osv-scalibr semantic/testdata/pypi-versions*.txt, generated with Python's
 * `packaging` from before version 22) require:
 *
 * 1. Legacy versions. A string that is not PEP 440 (`0.9-doduo`, `2013-01-21T20:33:09+0100`,
 *    `trunk`) is still a version on PyPI and in OSV records: `packaging` < 22 parsed it as a
 *    `LegacyVersion` that sorts before every PEP 440 version (epoch -1) and among legacy versions by
 *    setuptools' old `parse_version` key. osv-scalibr does the same. The library rejects these
 *    (its `compare` throws a TypeError), so the legacy key is written out below, following
 *    `packaging`'s `_legacy_cmpkey` (the reference the vectors were generated with). Consequence for
 *    matching: a legacy version is never inside a range whose bounds are PEP 440 versions.
 *    So parse() accepts every non-blank string; the parsed value says whether it was legacy.
 * 2. Local segments (`+ubuntu.1`). The library turns each local part into a number with
 *    `Number(part)`, so `0x1a`, `1e5` or `Infinity` become numbers where PEP 440 says only
 *    all-digit parts are numeric, and long digit runs lose precision. We compare the public part
 *    with the library and the local part here, by PEP 440's rules (digit-only parts numerically as
 *    digit strings and above alphanumeric parts, alphanumeric parts case-insensitively, a longer
 *    local wins when the shorter is its prefix; no local sorts before any local).
 * 3. Precision. The library holds epoch/release/pre/post/dev numbers as JS numbers. Rounding is
 *    monotonic, so it can only make two different numbers equal; that can change a result only if
 *    both versions carry a number above 2^53-1. Then we throw VouchError(INPUT_PARSE) rather than
 *    answer a possibly wrong order (no such version exists in the vectors or, as far as we know,
 *    on PyPI; string-identical versions still compare equal).
 */
import { parse as pep440Parse, compare as pep440Compare } from '@renovatebot/pep440';
import { VouchError } from '../../model/errors.js';
import type { Versioning } from '../types.js';
import { compareDigits } from '../../model/order.js';

export type PypiVersion =
  | {
      readonly legacy: false;
      /** Trimmed, lower-cased input without the local segment: what the library compares. */
      readonly public: string;
      /** Local segment parts, lower-cased (digit-only parts without leading zeros); empty if none. */
      readonly local: readonly string[];
      /** Some epoch/release/pre/post/dev number exceeds Number.MAX_SAFE_INTEGER. */
      readonly unsafeNumbers: boolean;
    }
  | {
      readonly legacy: true;
      /** `packaging`'s legacy sort key (without its constant epoch -1). */
      readonly key: readonly string[];
    };

const CACHE_MAX = 8192;
const cache = new Map<string, PypiVersion | null>();

const DIGITS = /^[0-9]+$/;

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function isUnsafe(n: string | number | undefined): boolean {
  return typeof n === 'number' && !Number.isSafeInteger(n);
}

/**
 * `packaging` (< 22) `_legacy_cmpkey`: split into digit runs, letter runs, `.` and `-` (keeping
 * whatever lies between them, as Python's `re.split` does), rename a few tags, pad numbers to
 * 8 digits for string comparison, drop `-` before a prerelease tag and trailing zero runs.
 */
function legacyKey(version: string): string[] {
  const parts: string[] = [];
  const pieces = version.toLowerCase().split(/(\d+|[a-z]+|\.|-)/);
  pieces.push('final');
  for (let piece of pieces) {
    if (piece === 'pre' || piece === 'preview' || piece === 'rc') piece = 'c';
    else if (piece === '-') piece = 'final-';
    else if (piece === 'dev') piece = '@';
    if (piece === '' || piece === '.') continue;
    const c = piece.charCodeAt(0);
    const part = c >= 0x30 && c <= 0x39 ? piece.padStart(8, '0') : `*${piece}`;
    if (part.startsWith('*')) {
      if (part < '*final') while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

function parseUncached(version: string): PypiVersion | undefined {
  const trimmed = version.trim();
  if (trimmed === '') return undefined;
  const parsed = pep440Parse(trimmed);
  if (parsed === null) return Object.freeze({ legacy: true, key: Object.freeze(legacyKey(version)) });

  const lower = trimmed.toLowerCase();
  const plus = lower.indexOf('+');
  const local =
    plus < 0 ? [] : lower.slice(plus + 1).split(/[._-]/).map((p) => (DIGITS.test(p) ? stripZeros(p) : p));
  const unsafeNumbers =
    isUnsafe(parsed.epoch) ||
    parsed.release.some(isUnsafe) ||
    isUnsafe(parsed.pre?.[1]) ||
    isUnsafe(parsed.post?.[1]) ||
    isUnsafe(parsed.dev?.[1]);
  return Object.freeze({
    legacy: false,
    public: plus < 0 ? lower : lower.slice(0, plus),
    local: Object.freeze(local),
    unsafeNumbers,
  });
}

/** Parse, through a bounded cache. undefined only for a blank string: any other string is at least a legacy version. */
export function parsePypiVersion(version: string): PypiVersion | undefined {
  const hit = cache.get(version);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseUncached(version);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(version, parsed ?? null);
  return parsed;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Python tuple-of-strings order: element-wise, then the shorter first. */
function compareLegacy(a: readonly string[], b: readonly string[]): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

/** PEP 440 local segments: see the header (2). */
function compareLocal(a: readonly string[], b: readonly string[]): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xn = DIGITS.test(x);
    const yn = DIGITS.test(y);
    if (xn && yn) return compareDigits(x, y);
    if (xn !== yn) return xn ? 1 : -1; // numeric parts sort above alphanumeric ones
    return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function mustParse(version: string, side: string): PypiVersion {
  const parsed = parsePypiVersion(version);
  if (parsed === undefined) {
    throw new VouchError('INPUT_PARSE', `not a PyPI version (${side} side of a comparison): ${JSON.stringify(version)}`);
  }
  return parsed;
}

function comparePypi(a: string, b: string): number {
  const pa = mustParse(a, 'left');
  const pb = mustParse(b, 'right');
  if (pa === pb) return 0;
  if (pa.legacy || pb.legacy) {
    if (!pb.legacy) return -1;
    if (!pa.legacy) return 1;
    return compareLegacy(pa.key, pb.key);
  }
  if (pa.unsafeNumbers && pb.unsafeNumbers && pa.public !== pb.public) {
    throw new VouchError(
      'INPUT_PARSE',
      `cannot order PyPI versions exactly: both have a number above 2^53-1: ${JSON.stringify(a)}, ${JSON.stringify(b)}`,
    );
  }
  const publicOrder = pa.public === pb.public ? 0 : sign(pep440Compare(pa.public, pb.public));
  return publicOrder || compareLocal(pa.local, pb.local);
}

export const versioning: Versioning = {
  parse: parsePypiVersion,
  compare: comparePypi,
};
