/**
 * Packagist version order: osv-scalibr's vectors (each both ways), a total-order check over every
 * version the vectors name, and hand-checked cases that matter for advisory matching.
 */
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import {
  antisymmetryFailures,
  checkOrder,
  totalOrderFailures,
  vectorCount,
  vectorFailures,
  type VersionOp,
  versionVectors,
} from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Packagist';
const VECTOR_FILES = ['packagist-versions.txt', 'packagist-versions-generated.txt'];

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: every vector holds both ways', (file) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(vectorCount(file));
    expect(vectorFailures(versioning, vectors)).toEqual([]);
  });

  it('compare() is antisymmetric over random pairs of the versions the vectors name', () => {
    expect(antisymmetryFailures(versioning, VECTORS, 20_000)).toEqual([]);
  });

  it('compare() is one total order over every version the vectors name, but for `#`', () => {
    // PHP's `#` stands for any number, so it equals numbers that differ: see the next test.
    const plain = VECTORS.filter((v) => !v.a.includes('#') && !v.b.includes('#'));
    expect(plain.length).toBeGreaterThan(10_000);
    expect(totalOrderFailures(versioning, plain, 50_000)).toEqual([]);
  });

  it('known: `#` equals any number, so equality is not transitive around it', () => {
    // From the vectors: 1.2.3.# = 1.2.3 and 1.2.3.# = 1.2.3.1, while 1.2.3 < 1.2.3.1.
    expect(versioning.compare('1.2.3.#', '1.2.3')).toBe(0);
    expect(versioning.compare('1.2.3.#', '1.2.3.1')).toBe(0);
    expect(Math.sign(versioning.compare('1.2.3', '1.2.3.1'))).toBe(-1);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
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
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
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
