/**
 * Pub version order: osv-scalibr's vectors (each both ways), order properties over every version
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

const ECOSYSTEM = 'Pub';
const VECTOR_FILES = ['pub-versions.txt'];

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
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
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
