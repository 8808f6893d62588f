/**
 * Loads the peer-written version-ordering vectors of ../shared/conformance/versions
 * (osv-scalibr semantic/testdata) for one ecosystem, as table rows, and the vers-spec cases of
 * ../shared/conformance/vers/tests; and the checks the versioning tests run on them, each given
 * the `Versioning` under test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Versioning } from '../ecosystems/types.js';
import { shared } from './shared.js';

export interface VersionVector {
  a: string;
  op: '<' | '=' | '>';
  b: string;
  file: string;
  line: number;
}

interface EcosystemsJson {
  mapping: { ecosystem: string; file: string }[];
  invalidVersions: { ecosystem: string; versions: string[] }[];
}

function ecosystemsJson(): EcosystemsJson {
  return JSON.parse(readFileSync(shared('conformance', 'versions', 'ecosystems.json'), 'utf8')) as EcosystemsJson;
}

/** `ecosystem` as ecosystems.json writes it ("cargo" for crates.io). */
export function versionVectors(ecosystem: string): VersionVector[] {
  const files = ecosystemsJson().mapping.filter((m) => m.ecosystem === ecosystem).map((m) => m.file);
  if (files.length === 0) throw new Error(`no version vectors mapped to ${ecosystem}`);
  const out: VersionVector[] = [];
  for (const file of files) {
    const lines = readFileSync(shared('conformance', 'versions', file), 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '' || line.startsWith('# ') || line.startsWith('// ')) return;
      const parts = line.split(' ');
      if (parts.length !== 3) throw new Error(`${file}:${i + 1}: expected "<a> <op> <b>", got ${JSON.stringify(line)}`);
      const [a, op, b] = parts as [string, string, string];
      if (op !== '<' && op !== '=' && op !== '>') throw new Error(`${file}:${i + 1}: bad operator ${op}`);
      out.push({ a, op, b, file: path.basename(file), line: i + 1 });
    });
  }
  return out;
}

export function invalidVersions(ecosystem: string): string[] {
  return ecosystemsJson().invalidVersions.find((v) => v.ecosystem === ecosystem)?.versions ?? [];
}

/** The sign a comparison must have for a vector. */
export function expectedSign(op: '<' | '=' | '>'): -1 | 0 | 1 {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}

// ---- checks shared by the versioning tests, each for one `Versioning` ----

export type VersionOp = '<' | '=' | '>';

export interface OutcomeOptions {
  /** Take compare()'s number as it is, not its sign: then a vector holds only if it is exactly -1, 0 or 1. */
  exact?: boolean;
}

/** The sign of compare(a, b) (the number itself with `exact`), or the error it threw, as text for a failure message. */
export function outcome(versioning: Versioning, a: string, b: string, options: OutcomeOptions = {}): number | string {
  try {
    const c = versioning.compare(a, b);
    if (options.exact === true) return c;
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** Checks `a op b` and `b (inverse op) a`; returns a failure line, or undefined. */
export function checkOrder(
  versioning: Versioning,
  a: string,
  op: VersionOp,
  b: string,
  where: string,
  options: OutcomeOptions = {},
): string | undefined {
  const want = expectedSign(op);
  const fwd = outcome(versioning, a, b, options);
  const back = outcome(versioning, b, a, options);
  if (fwd === want && back === -want) return undefined;
  return `${where}: ${JSON.stringify(a)} ${op} ${JSON.stringify(b)}: compare(a,b) gave ${fwd}, compare(b,a) gave ${back}`;
}

/** Every vector checked both ways: the failure lines. */
export function vectorFailures(versioning: Versioning, vectors: readonly VersionVector[], options: OutcomeOptions = {}): string[] {
  const failures: string[] = [];
  for (const v of vectors) {
    const f = checkOrder(versioning, v.a, v.op, v.b, `${v.file}:${v.line}`, options);
    if (f !== undefined) failures.push(f);
  }
  return failures;
}

/** Asserts compare(a, b) and compare(b, a) are exactly the signs `a op b` asks for. */
export function expectOrderedBothWays(versioning: Versioning, a: string, op: VersionOp, b: string): void {
  const want = expectedSign(op);
  expect(versioning.compare(a, b)).toBe(want);
  expect(versioning.compare(b, a)).toBe(want === 0 ? 0 : -want);
}

/** How many vectors ecosystems.json says `file` holds (-1 when it does not say). */
export function vectorCount(file: string): number {
  const json = JSON.parse(readFileSync(shared('conformance', 'versions', 'ecosystems.json'), 'utf8')) as {
    vectorCounts: Record<string, number>;
  };
  return json.vectorCounts[file] ?? -1;
}

/** A deterministic PRNG (mulberry32): a failing sample can be reproduced from its seed. */
export function prng(seed: number): () => number {
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
 * Sorts every distinct version, ranks equal neighbours together, then checks that pairs agree with
 * the ranks: compare() behaves as one total order, not just pairwise. With a number, the pairs are
 * the vectors' own and that many random ones; with 'all', every pair of distinct versions.
 */
export function totalOrderFailures(versioning: Versioning, vectors: readonly VersionVector[], samples: number | 'all'): string[] {
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
  if (samples === 'all') {
    for (const a of distinct) for (const b of distinct) agree(a, b);
    return failures;
  }
  for (const v of vectors) agree(v.a, v.b);
  const rnd = prng(0x5eed);
  for (let i = 0; i < samples; i++) {
    agree(distinct[Math.floor(rnd() * distinct.length)]!, distinct[Math.floor(rnd() * distinct.length)]!);
  }
  return failures;
}

/** compare(a, b) = -compare(b, a) for random pairs of the versions the vectors name. */
export function antisymmetryFailures(versioning: Versioning, vectors: readonly VersionVector[], samples: number): string[] {
  const distinct = [...new Set(vectors.flatMap((v) => [v.a, v.b]))];
  const failures: string[] = [];
  const rnd = prng(0xa5a5);
  for (let i = 0; i < samples; i++) {
    const a = distinct[Math.floor(rnd() * distinct.length)]!;
    const b = distinct[Math.floor(rnd() * distinct.length)]!;
    const fwd = outcome(versioning, a, b);
    const back = outcome(versioning, b, a);
    if (typeof fwd !== 'number' || back !== -fwd) failures.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${fwd} / ${back}`);
  }
  return failures;
}

// ---- vers-spec (../shared/conformance/vers/tests) ----

export interface VersCase {
  description: string;
  test_type: string;
  input: unknown;
  expected_output: unknown;
}

/** The path of a vers-spec test file. */
export function versPath(file: string): string {
  return shared('conformance', 'vers', 'tests', file);
}

export function versCases(file: string): VersCase[] {
  return (JSON.parse(readFileSync(versPath(file), 'utf8')) as { tests: VersCase[] }).tests;
}

/**
 * `comparison`: expected_output is the input sorted ascending, strictly increasing;
 * `equality`: expected_output says whether the two compare equal. Each is checked both ways.
 */
export function versCaseFailures(versioning: Versioning, cases: readonly VersCase[]): string[] {
  const failures: string[] = [];
  cases.forEach((t, i) => {
    const [a, b] = (t.input as { versions: string[] }).versions as [string, string];
    const where = `${t.test_type} #${i}`;
    if (t.test_type === 'equality') {
      const fwd = outcome(versioning, a, b);
      const back = outcome(versioning, b, a);
      const ok = t.expected_output === true ? fwd === 0 && back === 0 : typeof fwd === 'number' && fwd !== 0 && back === -fwd;
      if (!ok) failures.push(`${where}: ${JSON.stringify(a)} ${t.expected_output === true ? '=' : '!='} ${JSON.stringify(b)}: compare(a,b) gave ${fwd}, compare(b,a) gave ${back}`);
    } else if (t.test_type === 'comparison') {
      const [lo, hi] = t.expected_output as [string, string];
      const f = checkOrder(versioning, lo, '<', hi, where);
      if (f !== undefined) failures.push(f);
      else {
        const sorted = [a, b].sort((x, y) => versioning.compare(x, y));
        if (outcome(versioning, sorted[0]!, lo) !== 0 || outcome(versioning, sorted[1]!, hi) !== 0) {
          failures.push(`${where}: input sorts to ${JSON.stringify(sorted)}, expected ${JSON.stringify([lo, hi])}`);
        }
      }
    } else {
      failures.push(`${where}: unknown test_type ${t.test_type}`);
    }
  });
  return failures;
}
