import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { parseVers, versContains, versOrderProblem } from './vers.js';

const inRange = (vers: string, version: string): boolean | undefined => versContains(parseVers(vers), version);

describe('vers', () => {
  it.each([
    ['vers:npm/>=1.0.0|<2.0.0', '1.5.0', true],
    ['vers:npm/>=1.0.0|<2.0.0', '2.0.0', false],
    ['vers:npm/>=1.0.0|<2.0.0', '1.0.0', true],
    ['vers:npm/<2.0.0|>=1.0.0', '1.5.0', true], // unsorted, as CycloneDX examples write it
    ['vers:npm/<1.0.0|>=2.0.0', '1.5.0', false],
    ['vers:npm/<1.0.0|>=2.0.0', '0.9.0', true],
    ['vers:npm/<1.0.0|>=2.0.0', '2.1.0', true],
    ['vers:npm/>=4.17.0', '4.17.21', true],
    ['vers:npm/>=4.17.0', '4.16.6', false],
    ['vers:npm/<4.17.21', '4.17.20', true],
    ['vers:npm/1.0.0|1.2.0', '1.2.0', true],
    ['vers:npm/1.0.0|1.2.0', '1.1.0', false],
    ['vers:npm/!=1.0.0', '1.1.0', true],
    ['vers:npm/!=1.0.0', '1.0.0', false],
    ['vers:npm/>=1.0.0|!=1.5.0|<2.0.0', '1.5.0', false],
    ['vers:npm/>=1.0.0|!=1.5.0|<2.0.0', '1.6.0', true],
    ['vers:semver/>=2.2.0|<=2.4.0', '2.4.0', true],
    ['vers:maven/>=2.0|<2.15.0', '2.14.1', true],
    ['vers:maven/>=2.0|<2.15.0', '2.15.0', false],
    ['vers:pypi/>=1.0|<2.0', '1.5.post1', true],
    ['vers:deb/<1:3.0.11-1', '3.0.12-1', true], // no epoch = epoch 0
    ['vers:npm/*', 'anything', true],
  ])('%s contains %s: %s', (vers, version, expected) => {
    expect(inRange(vers, version)).toBe(expected);
  });

  it('is undefined (not evaluated) for a scheme without a version order in vouch, or a version that does not parse', () => {
    expect(inRange('vers:generic/>=2.9|<=4.1', '3.0')).toBeUndefined();
    expect(inRange('vers:npm/>=1.0.0', 'not-a-version')).toBeUndefined();
  });

  it.each([
    ['vers:npm/>=1.0.0| <2.0.0', 'whitespace'],
    ['npm/>=1.0.0', 'starts with "vers:"'],
    ['vers:>=1.0.0', 'no versioning scheme'],
    ['vers:NPM/1.0.0', 'must be lowercase'],
    ['vers:npm/', 'no constraints'],
    ['vers:npm/>=', 'has no version'],
    ['vers:npm/1.0.0|*', '"*" must be the only constraint'],
    ['vers:npm/1.0%2g0', 'invalid percent-encoding'],
  ])('refuses %s', (vers, message) => {
    expect(() => parseVers(vers)).toThrow(message);
  });

  it('canonical order', () => {
    expect(versOrderProblem(parseVers('vers:npm/>=1.0.0|<2.0.0'))).toBeUndefined();
    expect(versOrderProblem(parseVers('vers:npm/>=2.0.0|<1.0.0'))).toMatch(/not sorted/);
    expect(versOrderProblem(parseVers('vers:npm/1.0.0|!=1.0.0'))).toMatch(/appears twice/);
  });
});

interface VersTest {
  description: string;
  test_type: string;
  input: unknown;
  expected_output?: unknown;
  expected_failure?: boolean;
}
const load = (f: string): VersTest[] => (JSON.parse(readFileSync(shared('conformance', 'vers', 'tests', f), 'utf8')) as { tests: VersTest[] }).tests;

describe.skipIf(!HAS_SHARED)('vers-spec test suite (../shared/conformance/vers)', () => {
  const containment = HAS_SHARED ? [...load('npm_range_containment_test.json'), ...load('pypi_range_containment_test.json')] : [];
  it('has the 11 containment tests of npm and pypi', () => expect(containment).toHaveLength(11));
  it.each(containment.map((t) => [t.description, t]))('containment: %s', (_d, t) => {
    const input = t.input as { vers: string; version: string };
    expect(inRange(input.vers, input.version)).toBe(t.expected_output);
  });

  // the two datetime-only rules (upper-case T/Z, unencoded colons) are that scheme's, which vouch does not compare
  const parse = HAS_SHARED ? load('vers_canonical_parse_test.json').filter((t) => !/lowercase t and z are used|time colons are percent-encoded/.test(t.description)) : [];
  it('runs 10 of the 12 canonical parse tests', () => expect(parse).toHaveLength(10));
  it.each(parse.map((t) => [t.description, t]))('parse: %s', (_d, t) => {
    if (t.expected_failure) {
      const problem = (): string | undefined => {
        try {
          return versOrderProblem(parseVers(t.input as string));
        } catch (e) {
          return (e as Error).message;
        }
      };
      expect(problem()).toBeDefined();
    } else {
      const r = parseVers(t.input as string);
      const want = t.expected_output as { scheme: string; version_constraints: [string, string][] };
      expect({ scheme: r.scheme, version_constraints: r.constraints.map((c) => [c.comparator, c.version]) }).toEqual(want);
    }
  });
});
