/**
 * Pub version order: osv-scalibr's vectors (each both ways), order properties over every version
 * the vectors name, and hand-checked cases.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { expectedSign, versionVectors, type VersionVector } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Pub';
const VECTOR_FILES = ['pub-versions.txt'];

// ---- helpers (kept alike in the versioning tests) ----

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

/**
 * Sorts every distinct version, ranks equal neighbours together, then checks that every pair
 * agrees with the ranks: compare() behaves as one total order, not just pairwise.
 */
function totalOrderFailures(vectors: readonly VersionVector[]): string[] {
  const distinct = [...new Set(vectors.flatMap((v) => [v.a, v.b]))].sort((x, y) => versioning.compare(x, y));
  const rank = new Map<string, number>();
  let r = 0;
  distinct.forEach((v, i) => {
    if (i > 0 && versioning.compare(distinct[i - 1]!, v) !== 0) r++;
    rank.set(v, r);
  });
  const failures: string[] = [];
  for (const a of distinct) {
    for (const b of distinct) {
      const byRank = Math.sign(rank.get(a)! - rank.get(b)!);
      const byCompare = Math.sign(versioning.compare(a, b));
      if (byRank !== byCompare) failures.push(`sorted order ranks ${JSON.stringify(a)} vs ${JSON.stringify(b)} as ${byRank}, compare gives ${byCompare}`);
    }
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

  it('compare() is one total order over every version the vectors name (all pairs)', () => {
    expect(totalOrderFailures(VECTORS)).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, Op, string][] = [
    ['2.2.1', '<', '2.10.0'],
    ['1.0.0', '<', '1.0.0+1'], // build metadata counts: without < with
    ['1.0.0+1', '<', '1.0.0+2'],
    ['1.0.0+2', '<', '1.0.0+10'], // numerically
    ['1.0.0+10', '<', '1.0.0+a'], // numbers before text
    ['1.0.0+a', '<', '1.0.0+a.1'], // a longer list after its prefix
    ['1.0.0-dev.1', '<', '1.0.0-dev.2'],
    ['1.0.0-dev.2', '<', '1.0.0'],
    ['1.0.0-dev+1', '<', '1.0.0'], // the prerelease decides before the build
    ['0.0.0', '=', 'v0.0.0'],
    ['1.0.01', '=', '1.0.1'],
    ['18446744073709551617.0.0', '>', '18446744073709551616.0.0'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(check(a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', 'x', '1.0.0-', '1.0.0+', '1.0.0-a..b', '1.0.0 beta']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(versioning.parse('6.0.1')).toBeDefined();
  });
});
