/**
 * NuGet version order: osv-scalibr's vectors (each both ways), the vers-spec NuGet comparison
 * suite, a total-order check over every version the vectors name, and hand-checked cases that
 * matter for advisory matching.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { expectedSign, versionVectors, type VersionVector } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'NuGet';
const VECTOR_FILES = ['nuget-versions.txt'];
const VERS_FILE = 'nuget_version_cmp_test.json';

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

interface VersCase {
  description: string;
  test_type: string;
  input: { input_scheme: string; versions: string[] };
  expected_output: unknown;
}

function versCases(file: string): VersCase[] {
  return (JSON.parse(readFileSync(shared('conformance', 'vers', 'tests', file), 'utf8')) as { tests: VersCase[] }).tests;
}

/**
 * `comparison`: expected_output is the input sorted ascending, strictly increasing;
 * `equality`: expected_output says whether the two compare equal. Each is checked both ways.
 */
function checkVersCases(cases: readonly VersCase[]): string[] {
  const failures: string[] = [];
  cases.forEach((t, i) => {
    const [a, b] = t.input.versions as [string, string];
    const where = `${t.test_type} #${i}`;
    if (t.test_type === 'equality') {
      const fwd = outcome(a, b);
      const back = outcome(b, a);
      const ok = t.expected_output === true ? fwd === 0 && back === 0 : typeof fwd === 'number' && fwd !== 0 && back === -fwd;
      if (!ok) failures.push(`${where}: ${JSON.stringify(a)} ${t.expected_output === true ? '=' : '!='} ${JSON.stringify(b)}: compare(a,b) gave ${fwd}, compare(b,a) gave ${back}`);
    } else if (t.test_type === 'comparison') {
      const [lo, hi] = t.expected_output as [string, string];
      const f = check(lo, '<', hi, where);
      if (f !== undefined) failures.push(f);
      else {
        const sorted = [a, b].sort((x, y) => versioning.compare(x, y));
        if (outcome(sorted[0]!, lo) !== 0 || outcome(sorted[1]!, hi) !== 0) {
          failures.push(`${where}: input sorts to ${JSON.stringify(sorted)}, expected ${JSON.stringify([lo, hi])}`);
        }
      }
    } else {
      failures.push(`${where}: unknown test_type ${t.test_type}`);
    }
  });
  return failures;
}

// ---- suites ----

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];
const VERS_PATH = shared('conformance', 'vers', 'tests', VERS_FILE);

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: every vector holds both ways', (file) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(vectorCount(file));
    expect(checkAll(vectors)).toEqual([]);
  });

  it('compare() is antisymmetric over random pairs of the versions the vectors name', () => {
    expect(antisymmetryFailures(VECTORS, 20_000)).toEqual([]);
  });

  it('compare() is one total order over every version the vectors name', () => {
    expect(totalOrderFailures(VECTORS, 50_000)).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED || !existsSync(VERS_PATH))(`${ECOSYSTEM} versioning: vers-spec ${VERS_FILE}`, () => {
  it('every comparison and equality case holds', () => {
    // None excluded: all 33 cases (14 comparison, 19 equality) follow the same rule.
    const cases = versCases(VERS_FILE);
    expect(cases.length).toBe(33);
    expect(checkVersCases(cases)).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, Op, string][] = [
    // numbers are numbers, missing parts are 0, build metadata is ignored
    ['13.0.1', '>', '12.0.3'],
    ['4.3.0', '=', '4.3.0.0'],
    ['4.3', '=', '4.3.0'],
    ['1.0.01', '=', '1.0.1'],
    ['2.1.10', '>', '2.1.9'],
    ['1.0.0.1', '>', '1.0.0'],
    ['1.0.0+build.5', '=', '1.0.0'],
    ['1.0.0-beta+a', '=', '1.0.0-beta+b'],
    ['9007199254740993.0.0', '>', '9007199254740992.0.0'], // beyond 2^53: a float would call these equal
    // prereleases: before the release, labels one by one
    ['6.0.0-preview.7.21377.19', '<', '6.0.0-rc.1.21451.13'],
    ['6.0.0-rc.1.21451.13', '<', '6.0.0-rc.2.21480.5'],
    ['6.0.0-rc.2.21480.5', '<', '6.0.0'],
    ['1.0.0-alpha.10', '>', '1.0.0-alpha.9'],
    ['1.0.0-alpha.1', '<', '1.0.0-alpha.beta'], // numeric labels before text
    ['1.0.0-alpha', '<', '1.0.0-alpha.1'], // more labels after fewer
    ['1.0.0-Beta', '=', '1.0.0-beta'], // labels ignore case
    ['1.0.0-10', '>', '1.0.0-9'],
    ['1.0.0-alpha.18446744073709551617', '>', '1.0.0-alpha.18446744073709551616'],
    [' 1.0.0 ', '=', '1.0.0'], // surrounding whitespace is trimmed
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(check(a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', ' ', 'v1.0.0', '1.2.3.4.5', '1.0.0-', '1.0.0-beta..1', '1.0.0+', '1.0.0-be ta', 'a.b', '1.0.0_beta', '.1']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('', '')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    for (const good of ['1', '1.0', '1.0.0.0', '1.0.0-beta.1+sha.abc', '1.0.0+build']) expect(versioning.parse(good)).toBeDefined();
  });
});
