/**
 * Alpine (apk) version order: osv-scalibr's vectors (each both ways) and hand-checked cases that
 * matter for advisory matching.
 */
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { checkOrder, outcome, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Alpine';
const VECTOR_FILES: [string, number][] = [
  ['alpine-versions.txt', 778],
  ['alpine-versions-generated.txt', 13_979],
];

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: all %i vectors hold both ways', (file, count) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(count);
    expect(vectorFailures(versioning, vectors)).toEqual([]);
  });

  it('compare() is reflexive, and antisymmetric over spread pairs of the versions the vectors name', () => {
    const distinct = [...new Set(VECTORS.flatMap((v) => [v.a, v.b]))];
    const failures: string[] = [];
    for (let i = 0; i < distinct.length; i++) {
      const a = distinct[i]!;
      const b = distinct[(i * 7919 + 13) % distinct.length]!;
      if (outcome(versioning, a, a) !== 0) failures.push(`${a} != itself`);
      const fwd = outcome(versioning, a, b);
      const back = outcome(versioning, b, a);
      if (typeof fwd !== 'number' || back !== -fwd) failures.push(`${a} vs ${b}: ${fwd} / ${back}`);
    }
    expect(failures).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // build numbers
    ['3.0.7-r0', '<', '3.0.7-r1'],
    ['3.0.7-r9', '<', '3.0.7-r10'],
    ['1.2.3-r4', '<', '1.2.4-r0'],
    ['1.0', '=', '1.0-r0'],
    ['1.0-r', '=', '1.0-r0'],
    // suffixes: alpha < beta < pre < rc < (none) < p
    ['1.0_alpha1', '<', '1.0_beta1'],
    ['1.0_beta2', '<', '1.0_pre1'],
    ['1.0_pre1', '<', '1.0_rc1'],
    ['1.0_rc1', '<', '1.0'],
    ['1.0', '<', '1.0_p1'],
    ['1.0_rc1', '<', '1.0_rc2'],
    ['1.0_rc10', '>', '1.0_rc9'],
    ['1.0_git20240101', '<', '1.0_p1'],
    // letters
    ['1.1.1t-r0', '<', '1.1.1u-r0'],
    ['1.1.1', '<', '1.1.1a'],
    ['1.1.1z', '<', '1.1.2'],
    // numbers, with the leading-zero rule after the first
    ['1.10', '>', '1.9'],
    ['1.35.0-r29', '>', '1.35.0-r3'],
    ['2023.01', '<', '2023.1'],
    ['01.1', '=', '1.1'],
    ['18446744073709551617', '>', '18446744073709551616'],
    // the hash is ignored
    ['1.0~abc123-r0', '=', '1.0~def456-r0'],
    // invalid versions compare as strings with each other, and before the valid one they extend
    ['1.0-x', '<', '1.0'],
    ['1.0-x', '<', '1.0-y'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects only the empty string and whitespace or control characters', () => {
    for (const bad of ['', ' ', '1.0 ', '1.0\n', '1.\t0']) {
      expect(versioning.parse(bad), JSON.stringify(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
      expect(() => versioning.compare('1.0', bad)).toThrow(VouchError);
    }
    for (const ok of ['0', '1.0', '2.12.10-r1', '1.2.3_rc1_p2~a1b2-r3', '1.0-x']) {
      expect(versioning.parse(ok), ok).toBeDefined();
    }
  });
});
