/**
 * The peer lockfile conformance cases of ../shared/conformance/lockfiles (README §3): each suite's
 * expected.json, and osv-scanner's file-name vectors (osv-scanner-v1/should-extract.json), for the
 * extractor tests. Without ../shared every loader gives [] (the suites skip themselves).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { VouchError } from '../model/errors.js';
import { HAS_SHARED, shared } from './shared.js';

/** One package a case expects, as upstream wrote it. */
export interface ExpectedPackage {
  name: string;
  /** '' where upstream records none (git and path dependencies); absent in a few suites (requirements, pom.xml). */
  version: string;
  /** absent in a few osv-scalibr suites */
  ecosystem?: string;
  depGroups?: string[];
  commit?: string;
  purlType?: string;
  compareAs?: string;
  metadataType?: string;
}

/** One case of an expected.json; `P` for suites whose packages may lack a field ExpectedPackage requires. */
export interface LockfileCase<P = ExpectedPackage> {
  /** osv-scanner's test name */
  test?: string;
  /** osv-scalibr's test name */
  name?: string;
  goTestFile?: string;
  parser?: string;
  /** relative to the suite's folder */
  fixture: string;
  fixtureExists: boolean;
  expectError: null | { is?: string; contains?: string; any?: unknown };
  match?: string;
  expectedPackages?: P[];
  mustInclude?: P[];
  expectedCount?: number;
}

export interface LoadedCase<P = ExpectedPackage> {
  /** e.g. `osv-scanner-v1/npm` */
  suite: string;
  /** the suite's folder */
  dir: string;
  /** the fixture's path */
  file: string;
  /** the case's place in its expected.json */
  index: number;
  /** `suite: test (fixture)`, a test title */
  label: string;
  c: LockfileCase<P>;
}

/** The folder of a suite (`osv-scanner-v1/npm`, `osv-scalibr/javascript-yarnlock`). */
export function conformanceDir(suite: string): string {
  return shared('conformance', 'lockfiles', ...suite.split('/'));
}

/** Every case of the suites, in order ([] without ../shared). */
export function lockfileCases<P = ExpectedPackage>(suites: readonly string[]): LoadedCase<P>[] {
  if (!HAS_SHARED) return [];
  return suites.flatMap((suite) => {
    const dir = conformanceDir(suite);
    const doc = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { cases: LockfileCase<P>[] };
    return doc.cases.map((c, index) => ({
      suite,
      dir,
      file: path.join(dir, c.fixture),
      index,
      label: `${suite}: ${c.test ?? `${c.goTestFile} ${c.name}`} (${c.fixture})`,
      c,
    }));
  });
}

export interface ShouldExtractVector {
  /** osv-scanner's extractor (`GoLockExtractor`), null for vectors no extractor claims */
  extractor: string | null;
  path: string;
  want: boolean;
  /** the upstream test (`parse-cargo-lock_test.go#TestCargoLockExtractor_ShouldExtract`) */
  source: string;
}

/**
 * osv-scanner's file-name vectors for one extractor: by its name, or by a pattern on the upstream
 * test they come from ([] without ../shared).
 */
export function shouldExtractVectors(of: string | RegExp): ShouldExtractVector[] {
  const file = shared('conformance', 'lockfiles', 'osv-scanner-v1', 'should-extract.json');
  if (!HAS_SHARED || !existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as { cases: ShouldExtractVector[] };
  return data.cases.filter((v) => (typeof of === 'string' ? v.extractor === of : of.test(v.source)));
}

/** The VouchError `p` rejects with (fails the test when it resolves or rejects with anything else). */
export async function errorOf(p: Promise<unknown>): Promise<VouchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    return e as VouchError;
  }
  throw new Error('expected a VouchError, got a result');
}
