/**
 * Debian version order: osv-scalibr's vectors (each both ways), the invalid version of
 * ecosystems.json, and hand-checked cases that matter for advisory matching.
 */
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { checkOrder, invalidVersions, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Debian';
const VECTOR_FILES: [string, number][] = [
  ['debian-versions.txt', 30],
  ['debian-versions-generated.txt', 14_442],
];

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: all %i vectors hold both ways', (file, count) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(count);
    expect(vectorFailures(versioning, vectors)).toEqual([]);
  });

  it('sorting every version the vectors name gives one order that agrees with every vector', () => {
    const distinct = [...new Set(VECTORS.flatMap((v) => [v.a, v.b]))].sort((x, y) => versioning.compare(x, y));
    const failures: string[] = [];
    for (let i = 1; i < distinct.length; i++) {
      if (versioning.compare(distinct[i - 1]!, distinct[i]!) > 0) failures.push(`${distinct[i - 1]} > ${distinct[i]}`);
    }
    expect(failures).toEqual([]);
  });

  it('the invalid versions of ecosystems.json do not parse, and compare() throws INPUT_PARSE', () => {
    const invalid = invalidVersions(ECOSYSTEM);
    expect(invalid).toContain('1.2.3-not-a-debian:version!@#$');
    for (const bad of invalid) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
      expect(() => versioning.compare('1.0', bad)).toThrow(VouchError);
    }
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // the ~ rule: before anything, even the end
    ['1.0~rc1', '<', '1.0'],
    ['1.0~~', '<', '1.0~'],
    ['1.0~rc1-1', '<', '1.0-1'],
    ['1.2.3-1~deb11u1', '<', '1.2.3-1'],
    ['1.2.3-1+deb11u1', '>', '1.2.3-1'],
    ['2.31-13+deb11u5', '<', '2.31-13+deb11u6'],
    ['2.31-13+deb11u5', '<', '2.31-13+deb11u5+b1'], // binNMU
    // letters before non-letters
    ['1.0a', '<', '1.0+'],
    ['1.0a', '<', '1.0.'],
    ['1.0Z', '<', '1.0a'],
    ['1.0', '<', '1.0a'],
    // epochs
    ['1:1.0', '>', '9.9'],
    ['1:2.36.1-8', '>', '2.36.1-8+deb11u1'],
    ['0:1.0', '=', '1.0'],
    ['00:1.0', '=', '1.0'],
    ['18446744073709551617:1.0', '>', '18446744073709551616:1.0'],
    // numbers are numbers
    ['1.10', '>', '1.9'],
    ['1.010', '=', '1.10'],
    ['1.0', '=', '1.0-0'],
    ['1.0-1', '>', '1.0'],
    ['3.0.2-0ubuntu1.10', '>', '3.0.2-0ubuntu1.9'],
    ['1:2.02.176-4.1ubuntu3', '>', '2.02.176-4.1ubuntu3'],
    // upstream with hyphens: the revision is after the last one
    ['1.0-beta-1', '<', '1.0-beta-2'],
    ['2:1.0-a:b-1', '=', '2:1.0-a:b-1'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version', () => {
    for (const bad of ['', ' ', '1.0 ', 'a:1.0', ':1.0', '1:', '-1', '1.0-', '1.0-a_b', '1.0_1', '1.0/2', '1.0:2']) {
      expect(versioning.parse(bad), JSON.stringify(bad)).toBeUndefined();
    }
    for (const ok of ['0', '1.0', '1:1.0-1', '1.0+dfsg-1~bpo11+1', '1:2.0:3-1', '2.02.176-4.1ubuntu3', 'a1.0']) {
      expect(versioning.parse(ok), ok).toBeDefined();
    }
  });
});
