/**
 * Hex version order: osv-scalibr's vectors (each both ways), order properties over every version
 * the vectors name, and hand-checked cases.
 */
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import {
  checkOrder,
  totalOrderFailures,
  vectorCount,
  vectorFailures,
  type VersionOp,
  versionVectors,
} from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Hex';
const VECTOR_FILES = ['semver-versions.txt'];

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: every vector holds both ways', (file) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(vectorCount(file));
    expect(vectorFailures(versioning, vectors)).toEqual([]);
  });

  it('compare() is one total order over every version the vectors name (all pairs)', () => {
    expect(totalOrderFailures(versioning, VECTORS, 'all')).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // plug (CVE-2018-1000883 fixed 1.3.5/1.4.5/1.5.1/...), phoenix 1.4.17
    ['1.11.1', '>', '1.11.0'],
    ['1.11.1', '>', '1.9.0'],
    ['1.4.17', '>', '1.4.9'],
    ['1.7.0-rc.0', '<', '1.7.0'],
    ['1.7.0-rc.0', '<', '1.7.0-rc.1'],
    ['0.4.2', '=', '0.4.2+build'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', 'x', '1.0.0-']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0.0')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('x', '1.0.0')).toThrow(VouchError);
  });
});
