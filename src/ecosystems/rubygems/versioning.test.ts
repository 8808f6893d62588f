/**
 * RubyGems version order: osv-scalibr's vectors (each both ways), a total-order check over every
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

const ECOSYSTEM = 'RubyGems';
const VECTOR_FILES = ['rubygems-versions.txt', 'rubygems-versions-generated.txt'];

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

  it('compare() is one total order over every version the vectors name', () => {
    expect(totalOrderFailures(versioning, VECTORS, 50_000)).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // rails / rack / nokogiri style fixes: numbers are numbers, not text
    ['6.1.7.3', '>', '6.1.7.2'],
    ['7.0.4.3', '<', '7.0.5'],
    ['1.13.10', '>', '1.13.9'],
    ['1.14.3', '>', '1.13.10'],
    ['2.2.6.4', '<', '2.2.7'],
    ['3.0', '=', '3.0.0'],
    ['1.007', '=', '1.7'],
    ['1.18446744073709551617', '>', '1.18446744073709551616'], // beyond 2^64
    ['9007199254740993', '>', '9007199254740992'], // beyond 2^53: a float would call these equal
    // prereleases (any letter) sort before the release
    ['7.0.0.rc1', '<', '7.0.0'],
    ['7.0.0.alpha2', '<', '7.0.0.rc1'],
    ['7.0.0.rc2', '>', '7.0.0.rc1'],
    ['2.0.0.b1', '<', '2.0.0'],
    ['1.0.0-beta', '=', '1.0.0.pre.beta'], // '-' reads as '.pre.'
    ['1.0.0.a10', '>', '1.0.0.a9'],
    ['1.0.a', '<', '1.0.b'],
    ['1.0.A', '<', '1.0.a'], // strings compare by bytes, case-sensitively
    ['1.0.0.a.0', '=', '1.0.a'],
    ['1.0', '<', '1.0.0.1'],
    [' 1.2 ', '=', '1.2'], // surrounding whitespace is stripped
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', '   ', 'junk', '1..2', '1.2 3.4', '1.0\n2.0', '.1', '1.0-', 'v1.0']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('', '')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    for (const good of ['0', '1.0', '1.0.a10', '1.0.0-beta.2', '1beta']) expect(versioning.parse(good)).toBeDefined();
  });
});
