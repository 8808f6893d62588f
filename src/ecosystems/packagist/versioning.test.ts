/**
 * Packagist version order: osv-scalibr's vectors (each both ways), a total-order check over every
 * version the vectors name, and hand-checked cases that matter for advisory matching.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { expectedSign, versionVectors, type VersionVector } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Packagist';
const VECTOR_FILES = ['packagist-versions.txt', 'packagist-versions-generated.txt'];

// ---- helpers (kept alike in the maven, rubygems, packagist and nuget versioning tests) ----

type Op = '<' | '=' | '>';

/** The sign of compare(a, b), or the error it threw, as text for a failure message. */
function outcome(a: string, b: string): number | string {
  try {
    const c = versioning.compare(a, b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** Checks `a op b` and `b (inverse op) a`; returns a failure line, or undefined. */
function check(a: string, op: Op, b: string, where: string): string | undefined {
  const want = expectedSign(op);
  const fwd = outcome(a, b);
  const back = outcome(b, a);
  if (fwd === want && back === -want) return undefined;
  return `${where}: ${JSON.stringify(a)} ${op} ${JSON.stringify(b)}: compare(a,b) gave ${fwd}, compare(b,a) gave ${back}`;
}

function checkAll(vectors: readonly VersionVector[]): string[] {
  const failures: string[] = [];
  for (const v of vectors) {
    const f = check(v.a, v.op, v.b, `${v.file}:${v.line}`);
    if (f !== undefined) failures.push(f);
  }
  return failures;
}

function vectorCount(file: string): number {
  const json = JSON.parse(readFileSync(shared('conformance', 'versions', 'ecosystems.json'), 'utf8')) as {
    vectorCounts: Record<string, number>;
  };
  return json.vectorCounts[file] ?? -1;
}

/** A deterministic PRNG (mulberry32) for sampling pairs. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sorts every distinct version, ranks equal neighbours together, then checks that the vectors and
 * random pairs agree with the ranks: compare() behaves as one total order, not just pairwise.
 */
function totalOrderFailures(vectors: readonly VersionVector[], samples: number): string[] {
  const distinct = [...new Set(vectors.flatMap((v) => [v.a, v.b]))].sort((x, y) => versioning.compare(x, y));
  const rank = new Map<string, number>();
  let r = 0;
  distinct.forEach((v, i) => {
    if (i > 0 && versioning.compare(distinct[i - 1]!, v) !== 0) r++;
    rank.set(v, r);
  });
  const failures: string[] = [];
  const agree = (a: string, b: string): void => {
    const byRank = Math.sign(rank.get(a)! - rank.get(b)!);
    const byCompare = Math.sign(versioning.compare(a, b));
    if (byRank !== byCompare) failures.push(`sorted order ranks ${JSON.stringify(a)} vs ${JSON.stringify(b)} as ${byRank}, compare gives ${byCompare}`);
  };
  for (const v of vectors) agree(v.a, v.b);
  const rnd = prng(0x5eed);
  for (let i = 0; i < samples; i++) {
    agree(distinct[Math.floor(rnd() * distinct.length)]!, distinct[Math.floor(rnd() * distinct.length)]!);
  }
  return failures;
}

/** compare(a, b) = -compare(b, a) for random pairs of the versions the vectors name. */
function antisymmetryFailures(vectors: readonly VersionVector[], samples: number): string[] {
  const distinct = [...new Set(vectors.flatMap((v) => [v.a, v.b]))];
  const failures: string[] = [];
  const rnd = prng(0xa5a5);
  for (let i = 0; i < samples; i++) {
    const a = distinct[Math.floor(rnd() * distinct.length)]!;
    const b = distinct[Math.floor(rnd() * distinct.length)]!;
    const fwd = outcome(a, b);
    const back = outcome(b, a);
    if (typeof fwd !== 'number' || back !== -fwd) failures.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${fwd} / ${back}`);
  }
  return failures;
}

// ---- suites ----

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: every vector holds both ways', (file) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(vectorCount(file));
    expect(checkAll(vectors)).toEqual([]);
  });

  it('compare() is antisymmetric over random pairs of the versions the vectors name', () => {
    expect(antisymmetryFailures(VECTORS, 20_000)).toEqual([]);
  });

  it('compare() is one total order over every version the vectors name, but for `#`', () => {
    // PHP's `#` stands for any number, so it equals numbers that differ: see the next test.
    const plain = VECTORS.filter((v) => !v.a.includes('#') && !v.b.includes('#'));
    expect(plain.length).toBeGreaterThan(10_000);
    expect(totalOrderFailures(plain, 50_000)).toEqual([]);
  });

  it('known: `#` equals any number, so equality is not transitive around it', () => {
    // From the vectors: 1.2.3.# = 1.2.3 and 1.2.3.# = 1.2.3.1, while 1.2.3 < 1.2.3.1.
    expect(versioning.compare('1.2.3.#', '1.2.3')).toBe(0);
    expect(versioning.compare('1.2.3.#', '1.2.3.1')).toBe(0);
    expect(Math.sign(versioning.compare('1.2.3', '1.2.3.1'))).toBe(-1);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, Op, string][] = [
    // symfony / laravel style: a leading v is ignored, numbers are numbers
    ['v5.4.21', '<', 'v5.4.22'],
    ['v5.4.22', '=', '5.4.22'],
    ['2.4.1', '<', '2.4.10'],
    ['10.0.0', '>', '9.5.0'],
    ['1.0.0', '>', '1.0'],
    ['1.18446744073709551617', '>', '1.18446744073709551616'], // beyond 2^64
    ['1.0.18446744073709551616', '>', '1.0'], // a long number next still counts as a number
    // dev < alpha = a < beta = b < RC = rc < (release, '#') < p = pl
    ['6.0.0-dev', '<', '6.0.0-alpha1'],
    ['6.0.0-alpha1', '<', '6.0.0-beta1'],
    ['6.0.0-beta1', '<', '6.0.0-RC1'],
    ['6.0.0-RC1', '<', '6.0.0'],
    ['6.0.0-RC1', '=', '6.0.0-rc1'],
    ['6.0.0-beta2', '>', '6.0.0-beta1'],
    ['6.0.0', '<', '6.0.0-p1'],
    ['6.0.0-pl1', '=', '6.0.0-p1'],
    ['1.0.0-beta2.1', '=', '1.0.0-b.2.1'],
    ['dev-main', '<', '1.0.0'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(check(a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', 'v', 'V', ' 1.0', '1.0 ', '1.0\t1', '1.0\n']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('', '')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    for (const good of ['1.0', 'v1.0', 'dev-main', '1.0.0-RC1', '#']) expect(versioning.parse(good)).toBeDefined();
  });
});
