/**
 * NuGet version order: osv-scalibr's vectors (each both ways), the vers-spec NuGet comparison
 * suite, a total-order check over every version the vectors name, and hand-checked cases that
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

const ECOSYSTEM = 'NuGet';
const VECTOR_FILES = ['nuget-versions.txt'];
const VERS_FILE = 'nuget_version_cmp_test.json';

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

  it('compare() is one total order over every version the vectors name', () => {
    expect(totalOrderFailures(versioning, VECTORS, 50_000)).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED || !existsSync(VERS_PATH))(`${ECOSYSTEM} versioning: vers-spec ${VERS_FILE}`, () => {
  it('every comparison and equality case holds', () => {
    // None excluded: all 33 cases (14 comparison, 19 equality) follow the same rule.
    const cases = versCases(VERS_FILE);
    expect(cases.length).toBe(33);
    expect(versCaseFailures(versioning, cases)).toEqual([]);
  });
});

describe(`${ECOSYSTEM} versioning: hand-checked cases`, () => {
  const rows: [string, VersionOp, string][] = [
    // numbers are numbers, missing parts are 0, build metadata is ignored
    ['13.0.1', '>', '12.0.3'],
    ['4.3.0', '=', '4.3.0.0'],
    ['4.3', '=', '4.3.0'],
    ['1.0.01', '=', '1.0.1'],
    ['2.1.10', '>', '2.1.9'],
    ['1.0.0.1', '>', '1.0.0'],
    ['1.0.0+build.5', '=', '1.0.0'],
    ['1.0.0-beta+a', '=', '1.0.0-beta+b'],
    ['9007199254740993.0.0', '>', '9007199254740992.0.0'], // beyond 2^53: a float would call these equal
    // prereleases: before the release, labels one by one
    ['6.0.0-preview.7.21377.19', '<', '6.0.0-rc.1.21451.13'],
    ['6.0.0-rc.1.21451.13', '<', '6.0.0-rc.2.21480.5'],
    ['6.0.0-rc.2.21480.5', '<', '6.0.0'],
    ['1.0.0-alpha.10', '>', '1.0.0-alpha.9'],
    ['1.0.0-alpha.1', '<', '1.0.0-alpha.beta'], // numeric labels before text
    ['1.0.0-alpha', '<', '1.0.0-alpha.1'], // more labels after fewer
    ['1.0.0-Beta', '=', '1.0.0-beta'], // labels ignore case
    ['1.0.0-10', '>', '1.0.0-9'],
    ['1.0.0-alpha.18446744073709551617', '>', '1.0.0-alpha.18446744073709551616'],
    [' 1.0.0 ', '=', '1.0.0'], // surrounding whitespace is trimmed
  ];
  it.each(rows)('%s %s %s', (a, op, b) => {
    expect(checkOrder(versioning, a, op, b, 'hand')).toBeUndefined();
  });

  it('parse() rejects what is not a version; compare() then throws INPUT_PARSE', () => {
    for (const bad of ['', ' ', 'v1.0.0', '1.2.3.4.5', '1.0.0-', '1.0.0-beta..1', '1.0.0+', '1.0.0-be ta', 'a.b', '1.0.0_beta', '.1']) {
      expect(versioning.parse(bad)).toBeUndefined();
      expect(() => versioning.compare(bad, '1.0')).toThrow(VouchError);
      expect(() => versioning.compare('1.0', bad)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    }
    expect(() => versioning.compare('', '')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    for (const good of ['1', '1.0', '1.0.0.0', '1.0.0-beta.1+sha.abc', '1.0.0+build']) expect(versioning.parse(good)).toBeDefined();
  });
});
