/**
 * The purl specification's test suite (../shared/conformance/purl/tests: tests/spec and every
 * tests/types file), table-driven: every test of every file, of each test_type (parse, build,
 * validate — the schema 0.2 name of the former `roundtrip`).
 *
 * Test groups, as the suite's docs/tests/test-suite.md defines them: `required` tests are
 * conformance (ECMA-427 "shall"), run with `{ strict: true }`; `recommended` tests show how a
 * tool normalises non-canonical input, run leniently as vouch's SBOM readers parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { type PurlParts, InvalidPurlError, buildPurl, canonicalPurl, parsePurl } from './purl.js';

interface Components {
  type: string | null;
  namespace: string | null;
  name: string | null;
  version: string | null;
  qualifiers: Record<string, string> | null;
  subpath: string | null;
}

interface SuiteTest {
  description: string;
  test_group: 'required' | 'recommended';
  test_type: 'parse' | 'build' | 'validate';
  input: string | Components;
  expected_output?: string | Components | null;
  expected_failure?: boolean;
  expected_message?: string | null;
}

/**
 * Tests of the suite that contradict others in it, with what vouch does instead and why. A test
 * here still runs: it asserts vouch's behaviour, and fails if the suite entry changes.
 */
const CONTRADICTIONS: { file: string; description: string; test_type: string; input: string; instead: 'fails'; why: string }[] = [
  {
    file: 'maven-test.json',
    description: 'maven pom reference',
    test_type: 'parse',
    input: 'pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=pom&repositorY_url=repo.spring.io/release',
    instead: 'fails',
    why:
      'a required parse test that expects the upper-case qualifier key "repositorY_url" to be accepted, while the required ' +
      'gem and rpm parse tests expect "Platform" and "Arch" to be refused (ECMA-427 5.6.6: a key "shall be composed only of ' +
      'lowercase ASCII letters"; purl-spec issue 942 and pull request 951 made the gem test expect the failure). ' +
      'Strict parsing refuses it; the recommended maven tests with the same input pass leniently.',
  },
];

const FILES = HAS_SHARED
  ? [
      shared('conformance', 'purl', 'tests', 'spec', 'specification-test.json'),
      ...readdirSync(shared('conformance', 'purl', 'tests', 'types'))
        .filter((f) => f.endsWith('-test.json'))
        .sort()
        .map((f) => shared('conformance', 'purl', 'tests', 'types', f)),
    ]
  : [];

function parts(c: Components): PurlParts {
  const p: PurlParts = { type: c.type as string, name: c.name as string };
  if (c.namespace !== null) p.namespace = c.namespace;
  if (c.version !== null) p.version = c.version;
  if (c.qualifiers !== null) p.qualifiers = c.qualifiers;
  if (c.subpath !== null) p.subpath = c.subpath;
  return p;
}

/** parsePurl's result in the suite's shape (absent = null). */
function components(p: PurlParts): Components {
  return {
    type: p.type,
    namespace: p.namespace ?? null,
    name: p.name,
    version: p.version ?? null,
    qualifiers: p.qualifiers ?? null,
    subpath: p.subpath ?? null,
  };
}

function run(t: SuiteTest): () => unknown {
  const strict = t.test_group === 'required';
  switch (t.test_type) {
    case 'parse':
      return () => components(parsePurl(t.input as string, { strict }));
    case 'build':
      return () => buildPurl(parts(t.input as Components));
    case 'validate':
      return () => canonicalPurl(t.input as string, { strict });
  }
}

describe.skipIf(!HAS_SHARED)('purl: the specification test suite', () => {
  it('has the files and tests the conformance README counts (43 files, 586 tests)', () => {
    expect(FILES).toHaveLength(43);
    const n = FILES.reduce((sum, f) => sum + (JSON.parse(readFileSync(f, 'utf8')) as { tests: unknown[] }).tests.length, 0);
    expect(n).toBe(586);
  });

  for (const file of FILES) {
    const name = path.basename(file);
    const tests = (JSON.parse(readFileSync(file, 'utf8')) as { tests: SuiteTest[] }).tests;
    describe(name, () => {
      it.each(tests.map((t, i) => [i, t.test_type, t.test_group, t.description, t] as const))('#%i %s (%s): %s', (_i, _type, _group, _d, t) => {
        const contradiction = CONTRADICTIONS.find(
          (c) => c.file === name && c.description === t.description && c.test_type === t.test_type && c.input === t.input,
        );
        const f = run(t);
        if (t.expected_failure || contradiction?.instead === 'fails') {
          if (contradiction) expect(t.expected_failure ?? false, 'the suite changed: review CONTRADICTIONS').toBe(false);
          expect(f).toThrow(InvalidPurlError);
        } else {
          expect(f()).toEqual(t.expected_output);
        }
      });
    });
  }

  it('every contradiction names a test of the suite', () => {
    for (const c of CONTRADICTIONS) {
      const tests = (JSON.parse(readFileSync(shared('conformance', 'purl', 'tests', 'types', c.file), 'utf8')) as { tests: SuiteTest[] }).tests;
      expect(tests.filter((t) => t.description === c.description && t.test_type === c.test_type && t.input === c.input)).toHaveLength(1);
    }
  });
});
