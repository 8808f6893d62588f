/**
 * PyPI versioning: the peer vectors mapped to `PyPI` in conformance/versions/ecosystems.json
 * (osv-scalibr pypi-versions.txt + pypi-versions-generated.txt, generated with Python's
 * `packaging`), checked both ways; the ordering part of vers-spec's pypi_range_validate tests;
 * hand-verified cases.
 *
 * vers/tests used and excluded:
 * - pypi_range_validate_test.json (19): used. Its canonical form sorts the constraints by version,
 *   so sorting each input's constraints with our compare must give the expected output exactly.
 * - pypi_range_containment_test.json (10): excluded. They test vers constraint-list evaluation
 *   (the vers spec's containment algorithm), which is range evaluation, not version ordering, and
 *   vouch's versioning module does not implement vers ranges; checking them would need a vers
 *   evaluator written inside this test.
 * - pypi_range_from_native_test.json (3): excluded: native specifier syntax → vers string, no ordering.
 * - There is no pypi_version_cmp_test.json (comparison/equality) in the suite.
 */
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../model/errors.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectOrderedBothWays, vectorFailures, versCases, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { parsePypiVersion, versioning } from './versioning.js';

const cmp = (a: string, b: string): number => versioning.compare(a, b);

function expectInputParse(call: () => unknown): void {
  let err: unknown;
  try {
    call();
  } catch (e) {
    err = e;
  }
  expect(isVouchError(err) && err.code === 'INPUT_PARSE', String(err)).toBe(true);
}

describe.skipIf(!HAS_SHARED)('PyPI versioning: osv-scalibr vectors', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('PyPI');
    const failures = vectorFailures(versioning, vectors, { exact: true });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(vectors.length).toBe(37 + 12375);
  });

  it('reads the non-PEP 440 versions of the vectors as legacy versions', () => {
    const legacy = new Set(
      versionVectors('PyPI')
        .flatMap((v) => [v.a, v.b])
        .filter((v) => parsePypiVersion(v)?.legacy === true),
    );
    // 0.1-bulbasaur ... trunk, 2013-01-21T20:33:09+0100, 0.3m1, 1.0beta6.1: 72 distinct strings.
    expect(legacy.size).toBe(72);
    expect(legacy.has('trunk')).toBe(true);
    expect(legacy.has('1.0.0')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('PyPI versioning: vers-spec pypi_range_validate (constraint order)', () => {
  it('sorting each input range by version gives the canonical range', () => {
    const tests = versCases('pypi_range_validate_test.json');
    expect(tests.length).toBe(19);
    const failures: string[] = [];
    for (const t of tests) {
      const input = t.input as string;
      const prefix = 'vers:pypi/';
      expect(input.startsWith(prefix)).toBe(true);
      if (input === `${prefix}*`) {
        if (t.expected_output !== input) failures.push(`${input}: expected ${String(t.expected_output)}`);
        continue;
      }
      const constraints = input.slice(prefix.length).split('|');
      const version = (c: string): string => c.replace(/^(>=|<=|!=|<|>|=)/, '');
      // Array.prototype.sort is stable: equal versions keep their input order.
      const sorted = `${prefix}${[...constraints].sort((a, b) => cmp(version(a), version(b))).join('|')}`;
      if (sorted !== t.expected_output) failures.push(`${input}: sorted to ${sorted}, expected ${String(t.expected_output)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('PyPI versioning: hand-verified cases', () => {
  it.each`
    a                          | op     | b
    ${'2.0.0rc1'}              | ${'<'} | ${'2.0.0'}
    ${'2.0.0'}                 | ${'<'} | ${'2.0.0.post1'}
    ${'2.0.0rc1'}              | ${'<'} | ${'2.0.0.post1'}
    ${'1.0'}                   | ${'='} | ${'1.0.0'}
    ${'1.0'}                   | ${'='} | ${'1.0.0.0'}
    ${'v1.0'}                  | ${'='} | ${'1.0'}
    ${' 1.0 '}                 | ${'='} | ${'1.0'}
    ${'1.0RC1'}                | ${'='} | ${'1.0rc1'}
    ${'1.0c1'}                 | ${'='} | ${'1.0rc1'}
    ${'1.0-1'}                 | ${'='} | ${'1.0.post1'}
    ${'3.2.15'}                | ${'>'} | ${'3.2.9'}
    ${'2.31.0'}                | ${'>'} | ${'2.30.99'}
    ${'1.0.dev0'}              | ${'<'} | ${'1.0a0'}
    ${'1.0a1'}                 | ${'<'} | ${'1.0b1'}
    ${'1.0b1'}                 | ${'<'} | ${'1.0rc1'}
    ${'1.0.post1.dev0'}        | ${'<'} | ${'1.0.post1'}
    ${'1.0.post1'}             | ${'<'} | ${'1.0.1'}
    ${'1!0.1'}                 | ${'>'} | ${'2024.1'}
    ${'1.0'}                   | ${'<'} | ${'1.0+local'}
    ${'1.0+local'}             | ${'<'} | ${'1.0.post1'}
    ${'1.0+abc'}               | ${'<'} | ${'1.0+1'}
    ${'1.0+abc'}               | ${'<'} | ${'1.0+abd'}
    ${'1.0+ABC.1'}             | ${'='} | ${'1.0+abc-01'}
    ${'1.0+1'}                 | ${'<'} | ${'1.0+1.a'}
    ${'1.0+0x10'}              | ${'<'} | ${'1.0+9'}
    ${'1.0+1e5'}               | ${'<'} | ${'1.0+2'}
    ${'1.0+9007199254740993'}  | ${'>'} | ${'1.0+9007199254740992'}
    ${'1.9007199254740993'}    | ${'>'} | ${'1.2'}
    ${'0.9-doduo'}             | ${'<'} | ${'0.0.1'}
    ${'trunk'}                 | ${'<'} | ${'0'}
    ${'0.1-bulbasaur'}         | ${'<'} | ${'0.1-charmander'}
  `('$a $op $b', ({ a, op, b }: { a: string; op: VersionOp; b: string }) => {
    expectOrderedBothWays(versioning, a, op, b);
  });

  it('sorts a release cycle into PEP 440 order', () => {
    const ascending = ['1.0.dev0', '1.0a0', '1.0a1', '1.0b0', '1.0rc0', '1.0', '1.0+a', '1.0+1', '1.0.post0', '1.0.1', '1!0.1'];
    expect([...ascending].reverse().sort(cmp)).toEqual(ascending);
  });

  it('parses every non-blank string; blank is not a version and compare throws INPUT_PARSE', () => {
    expect(parsePypiVersion('not-a-version')?.legacy).toBe(true);
    expect(parsePypiVersion('1.0.post1')?.legacy).toBe(false);
    for (const blank of ['', '   ']) {
      expect(versioning.parse(blank)).toBeUndefined();
      expectInputParse(() => cmp(blank, '1.0'));
      expectInputParse(() => cmp('1.0', blank));
    }
  });

  it('refuses to guess when both sides have numbers beyond 2^53 - 1 (the library holds them as doubles)', () => {
    expectInputParse(() => cmp('1.9007199254740993', '1.9007199254740992'));
    expect(cmp('1.9007199254740993', '1.9007199254740993')).toBe(0);
  });
});
