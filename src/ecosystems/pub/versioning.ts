/**
 * Pub (Dart) version order: Dart's `pub_semver` rules, as OSV and osv-scalibr apply them to Pub
 * ranges; osv-scalibr's `pub-versions.txt` vectors are the conformance suite of this file.
 * Written from the pub_semver documentation, no code copied.
 *
 * SemVer 2.0.0 with one difference: build metadata is not ignored. After the release numbers and
 * the prerelease (a release sorts after its prereleases), a version without build metadata sorts
 * before the same version with it (`1.0.0 < 1.0.0+build`), and build identifiers compare like
 * prerelease identifiers: digit-only ones numerically and before the others, the others in ASCII
 * order (`1.2.3+9 < 1.2.3+a < 1.2.3+a1`), a longer list after its prefix (`1.2.3+a < 1.2.3+a.1`).
 *
 * Parsing shares the SemVer grammar of ../shared/semver.ts (an optional leading `v`, numbers of
 * any length, a fourth numeric component and everything after it counted as build metadata, the
 * way osv-scalibr reads `1.1.3.4.5`).
 */
import { VouchError } from '../../model/errors.js';
import { compareParsedSemver, parseSemver, type SemverVersion } from '../shared/semver.js';
import type { Versioning } from '../types.js';

export interface PubVersion {
  readonly core: SemverVersion;
  /** Build identifiers; empty when there is no build metadata. */
  readonly build: readonly string[];
}

/** The build metadata of a string that parseSemver accepted, as written (without `+`). */
function buildOf(s: string): string {
  const plus = s.indexOf('+');
  if (plus >= 0) return s.slice(plus + 1);
  // `1.2.3.4.5`: the fourth numeric component starts the build
  const m = /^v?\d+\.\d+\.\d+\.(\d[0-9A-Za-z.-]*)$/.exec(s);
  return m ? m[1]! : '';
}

const cache = new Map<string, PubVersion | null>();
const CACHE_MAX = 8192;

export function parsePub(version: string): PubVersion | undefined {
  const hit = cache.get(version);
  if (hit !== undefined) return hit ?? undefined;
  const core = parseSemver(version);
  let parsed: PubVersion | undefined;
  if (core !== undefined) {
    const b = buildOf(version);
    parsed = { core, build: b === '' ? [] : b.split('.') };
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(version, parsed ?? null);
  return parsed;
}

const DIGITS = /^\d+$/;

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareBuild(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = DIGITS.test(x);
    const yn = DIGITS.test(y);
    if (xn && yn) {
      const d = compareDigits(x, y);
      if (d !== 0) return d;
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePub(a: PubVersion, b: PubVersion): number {
  return compareParsedSemver(a.core, b.core) || compareBuild(a.build, b.build);
}

function mustParse(s: string): PubVersion {
  const v = parsePub(s);
  if (v === undefined) throw new VouchError('INPUT_PARSE', `not a Pub version: ${JSON.stringify(s)}`);
  return v;
}

export const versioning: Versioning = {
  parse: parsePub,
  compare: (a, b) => comparePub(mustParse(a), mustParse(b)),
};
