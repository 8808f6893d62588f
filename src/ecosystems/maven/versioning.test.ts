/**
 * Maven version order: osv-scalibr's vectors (each both ways), the vers-spec Maven comparison
 * suite, order properties over every version the vectors name, and hand-checked cases that
 * matter for advisory matching.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import {
  antisymmetryFailures,
  checkOrder,
  totalOrderFailures,
  vectorCount,
  vectorFailures,
  versCaseFailures,
  versCases,
  type VersionOp,
  versionVectors,
  versPath,
} from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

const ECOSYSTEM = 'Maven';
const VECTOR_FILES = ['maven-versions.txt', 'maven-versions-generated.txt'];
const VERS_FILE = 'maven_version_cmp_test.json';

const VECTORS = HAS_SHARED ? versionVectors(ECOSYSTEM) : [];
const VERS_PATH = versPath(VERS_FILE);

describe.skipIf(!HAS_SHARED)(`${ECOSYSTEM} versioning: osv-scalibr vectors`, () => {
  it.each(VECTOR_FILES)('%s: every vector holds both ways', (file) => {
    const vectors = VECTORS.filter((v) => v.file === file);
    expect(vectors.length).toBe(vectorCount(file));
    expect(vectorFailures(versioning, vectors)).toEqual([]);
  });

  it('compare() is antisymmetric over random pairs of the versions the vectors name', () => {
    expect(antisymmetryFailures(versioning, VECTORS, 20_000)).toEqual([]);
  });

  it('known: the rule is not transitive, so sorting the vectors\' versions does not give one order', () => {
    // Trimming `2.0.0-raft-beta1` to `2-raft-beta-1` puts a `-` token where `2.0.0.CR1` keeps `.0`,
    // while `2.0.0` (= `2`) is padded against each: 2.0.0 < 2.0.0-raft-beta1 < 2.0.0.CR1 < 2.0.0.
    // osv.dev and osv-scalibr order these the same way, and matching must agree with them, so
    // this is kept; compare() evaluates one pair at a time and never assumes transitivity.
    // (Apache Maven 3.9 orders 2.0.0.CR1 < 2.0.0 < 2.0.0-raft-beta1.)
    expect(Math.sign(versioning.compare('2.0.0', '2.0.0-raft-beta1'))).toBe(-1);
    expect(Math.sign(versioning.compare('2.0.0-raft-beta1', '2.0.0.CR1'))).toBe(-1);
    expect(Math.sign(versioning.compare('2.0.0.CR1', '2.0.0'))).toBe(-1);
    expect(totalOrderFailures(versioning, VECTORS, 0).length).toBeGreaterThan(0);
  });
});

describe.skipIf(!HAS_SHARED || !existsSync(VERS_PATH))(`${ECOSYSTEM} versioning: vers-spec ${VERS_FILE}`, () => {
  it('every comparison and equality case holds', () => {
    // None excluded: all 977 cases (919 comparison, 58 equality) follow the same rule.
    const cases = versCases(VERS_FILE);
    expect(cases.length).toBe(977);
    expect(versCaseFailures(versioning, cases)).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // log4j-core (CVE-2021-44228 / -45046 / -44832): fixes 2.15.0, 2.16.0, 2.17.0, 2.17.1
    ['2.17.1', '>', '2.17.0'],
    ['2.17.0', '>', '2.17.0-rc1'],
    ['2.17.0-rc1', '>', '2.17.0-beta1'],
    ['2.15.0', '<', '2.16.0'],
    ['2.0-beta9', '<', '2.0-rc1'],
    ['2.0-rc1', '<', '2.0'],
    ['2.0', '=', '2.0.0'],
    // numbers are numbers, not text
    ['5.3.18', '<', '5.3.20'],
    ['2.9.10', '>', '2.9.9'],
    ['2.12.6.1', '>', '2.12.6'],
    ['2.13.2.2', '<', '2.13.3'],
    ['9007199254740993', '>', '9007199254740992'], // beyond 2^53: a float would call these equal
    ['1.18446744073709551617', '>', '1.18446744073709551616'],
    ['1.007', '=', '1.7'],
    // JBoss / Spring release qualifiers
    ['1.0.0.Final', '=', '1.0.0'],
    ['5.0.0.RELEASE', '=', '5.0.0'],
    ['1.0.GA', '=', '1'],
    ['5.0.0.M1', '<', '5.0.0.RC1'],
    ['5.0.0.RC1', '<', '5.0.0.RELEASE'],
    ['5.0.0.CR1', '=', '5.0.0.RC1'],
    ['1.0-SNAPSHOT', '<', '1.0'],
    ['1.0-RC1', '<', '1.0-SNAPSHOT'],
    ['1.0', '<', '1.0-sp1'],
    ['1.0-alpha-1', '=', '1.0a1'],
    // unknown qualifiers sort after the release, lexically among themselves
    ['31.1-jre', '>', '31.1'],
    ['31.1-android', '<', '31.1-jre'],
    ['32.0.0-android', '>', '31.1-jre'],
    ['9.4.51.v20230217', '<', '9.4.52.v20230823'],
    ['9.4.51.v20230217', '>', '9.4.51'],
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', ' ', '1.0 ', '1.0\n', '1.\t0']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('', '')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    expect(versioning.parse('1.0')).toBeDefined();
    expect(versioning.parse('final')).toBeDefined();
  });
});
