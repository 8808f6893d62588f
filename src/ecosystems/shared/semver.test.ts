/**
 * semverVersioning: the peer vectors (osv-scalibr semver-versions.txt, run there as npm, cargo,
 * Go and Hex), a node-semver cross-check on every pair it accepts, and hand-verified cases.
 *
 * vers/tests (package-url/vers-spec) has no `comparison`/`equality` tests for a SemVer scheme
 * (npm, golang, cargo): only npm_range_from_native (native range syntax → vers string: range
 * conversion, not version ordering) and npm_range_containment (one `vers:npm/*` test: vers range
 * evaluation). Both are excluded for that reason.
 */
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectOrderedBothWays, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { compareParsedSemver, parseSemver, semverVersioning } from './semver.js';

const cmp = (a: string, b: string): number => semverVersioning.compare(a, b);

describe.skipIf(!HAS_SHARED)('semverVersioning: osv-scalibr semver-versions.txt', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('npm');
    const failures = vectorFailures(semverVersioning, vectors, { exact: true });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(vectors.length).toBe(86);
  });

  it('agrees with node-semver on every pair of vector versions node-semver accepts', () => {
    const versions = [...new Set(versionVectors('npm').flatMap((v) => [v.a, v.b]))].filter(
      (v) => semver.valid(v) !== null,
    );
    expect(versions.length).toBeGreaterThan(40);
    const failures: string[] = [];
    for (const a of versions) {
      for (const b of versions) {
        if (cmp(a, b) !== semver.compare(a, b)) failures.push(`${a} vs ${b}: ours ${cmp(a, b)}, node-semver ${semver.compare(a, b)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('semverVersioning: hand-verified cases', () => {
  it.each`
    a                                          | op     | b
    ${'4.17.21'}                               | ${'>'} | ${'4.17.15'}
    ${'1.10.0'}                                | ${'>'} | ${'1.9.0'}
    ${'1.0.0-rc.1'}                            | ${'<'} | ${'1.0.0'}
    ${'1.0.0-beta.2'}                          | ${'<'} | ${'1.0.0-beta.11'}
    ${'1.0.0-alpha'}                           | ${'<'} | ${'1.0.0-alpha.0'}
    ${'1.0.0-1'}                               | ${'<'} | ${'1.0.0-a'}
    ${'1.0'}                                   | ${'='} | ${'1.0.0'}
    ${'1'}                                     | ${'='} | ${'1.0.0'}
    ${'1-beta'}                                | ${'='} | ${'1.0.0-beta'}
    ${'01.002.0003'}                           | ${'='} | ${'1.2.3'}
    ${'1.0.0-alpha.01'}                        | ${'='} | ${'1.0.0-alpha.1'}
    ${'1.2.3rc1'}                              | ${'='} | ${'1.2.3-rc1'}
    ${'1.2.beta'}                              | ${'='} | ${'1.2.0-beta'}
    ${'1.1.3.4.5'}                             | ${'='} | ${'1.1.3'}
    ${'1.1.3.4-beta'}                          | ${'='} | ${'1.1.3'}
    ${'1.2.3+build.1'}                         | ${'='} | ${'1.2.3'}
    ${'9007199254740993'}                      | ${'>'} | ${'9007199254740992'}
    ${'1.2.3-a.9007199254740993'}              | ${'>'} | ${'1.2.3-a.9007199254740992'}
    ${'v0.0.0-20191109021931-daa7c04131f5'}    | ${'<'} | ${'v0.0.1'}
    ${'v0.0.0-20191109021931-daa7c04131f5'}    | ${'>'} | ${'v0.0.0-20191108000000-aaaaaaaaaaaa'}
    ${'v1.2.4-0.20191109021931-daa7c04131f5'}  | ${'>'} | ${'v1.2.3'}
    ${'v1.2.4-0.20191109021931-daa7c04131f5'}  | ${'<'} | ${'v1.2.4-alpha'}
    ${'v2.0.0+incompatible'}                   | ${'='} | ${'v2.0.0'}
    ${'v2.0.1+incompatible'}                   | ${'>'} | ${'2.0.0'}
  `('$a $op $b', ({ a, op, b }: { a: string; op: VersionOp; b: string }) => {
    expectOrderedBothWays(semverVersioning, a, op, b);
  });

  it('sorts a list into semver.org §11 order', () => {
    const ascending = [
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
      '10.0.0',
    ];
    const shuffled = [...ascending].reverse();
    shuffled.push(shuffled.shift() as string);
    expect(shuffled.sort(cmp)).toEqual(ascending);
  });

  it.each(['', 'v', 'V1.2.3', 'not-a-version', 'x1.2.3', '.1.2', '-1.2.3', ' 1.2.3', '1.2.3 ', '>=1.2.3', '^1.2.3', '~1.2', '*', 'latest', '1.2.3 || 2.0.0', '1.2.3-', '1.2.', '1.2.3-a..b', '1.2.3+', '1.2.3-a_b', '1.2.3+b_c', 'file:../x'])(
    'parse(%j) is undefined and compare throws INPUT_PARSE',
    (bad) => {
      expect(semverVersioning.parse(bad)).toBeUndefined();
      for (const call of [() => cmp(bad, '1.0.0'), () => cmp('1.0.0', bad), () => cmp(bad, bad)]) {
        let err: unknown;
        try {
          call();
        } catch (e) {
          err = e;
        }
        expect(isVouchError(err) && err.code === 'INPUT_PARSE', String(err)).toBe(true);
      }
    },
  );

  it('parses into digit strings and typed prerelease identifiers', () => {
    expect(parseSemver('v01.2-rc.007.x+b')).toEqual({
      major: '1',
      minor: '2',
      patch: '0',
      pre: ['rc', '7', 'x'],
      preNumeric: [false, true, false],
    });
  });

  it('stays correct past its cache bound', () => {
    const a = parseSemver('1.2.3');
    for (let i = 0; i < 20_000; i++) parseSemver(`0.0.${i}`);
    const b = parseSemver('1.2.3');
    expect(a).toBeDefined();
    expect(b).toEqual(a);
    expect(compareParsedSemver(a!, b!)).toBe(0);
    expect(cmp('0.0.19999', '0.0.20000')).toBe(-1);
  });
});
