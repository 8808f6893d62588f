/**
 * docs/policy.md and docs/policy.schema.json stay true: every example policy in the docs and the
 * fixtures is valid for the schema and for the loader, invalid fixtures are rejected, and the
 * sample output in the docs is what renderPolicyResult prints for the complete example.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared.js';
import { evaluatePolicy, loadPolicy, parsePolicy } from './policy.js';
import { renderPolicyResult } from '../report/policy.js';
import { log4shellFinding } from '../testing/report-finding.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'policy');
const DOC = readFileSync(path.join(REPO_ROOT, 'docs', 'policy.md'), 'utf8');
const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'policy.schema.json'), 'utf8')) as object;

const ajv = new Ajv2020.default({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const docExamples = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const fixtures = readdirSync(FIX).filter((f) => /\.ya?ml$/.test(f));
const valid = fixtures.filter((f) => !f.startsWith('invalid-'));
const invalid = fixtures.filter((f) => f.startsWith('invalid-'));

describe('docs/policy.schema.json', () => {
  it('the docs hold examples and the fixtures both kinds', () => {
    expect(docExamples.length).toBeGreaterThanOrEqual(4);
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(5);
  });

  it.each(docExamples.map((text, i) => [i, text] as const))('docs example %i is valid for the schema and the loader', (_i, text) => {
    const ok = validate(parseYaml(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(() => parsePolicy(text, 'vouch.policy.yaml')).not.toThrow();
  });

  it.each(valid)('fixture %s is valid for the schema and the loader', (name) => {
    const file = path.join(FIX, name);
    expect(validate(parseYaml(readFileSync(file, 'utf8')))).toBe(true);
    expect(() => loadPolicy(file)).not.toThrow();
  });

  // The schema cannot know SPDX's licence list; the loader does.
  const SCHEMA_CANNOT_TELL = ['invalid-bad-spdx.yaml'];
  it.each(invalid)('fixture %s is rejected by the loader, and by the schema where it can tell', (name) => {
    const file = path.join(FIX, name);
    expect(() => loadPolicy(file)).toThrow(expect.objectContaining({ code: 'INPUT_PARSE' }));
    expect(validate(parseYaml(readFileSync(file, 'utf8')))).toBe(SCHEMA_CANNOT_TELL.includes(name));
  });

  it.each`
    what                          | doc
    ${'an unknown top-level key'} | ${{ version: 1, fails: {} }}
    ${'version 2'}                | ${{ version: 2 }}
    ${'an empty reason'}          | ${{ version: 1, ignore: [{ id: 'CVE-1', reason: '', expires: '2027-01-01' }] }}
    ${'an AND expression in allow'} | ${{ version: 1, licenses: { allow: ['MIT AND ISC'] } }}
    ${'epss above 1'}             | ${{ version: 1, fail: { epss: 2 } }}
  `('the schema rejects $what', ({ doc }) => {
    expect(validate(doc)).toBe(false);
  });
});

describe('docs/policy.md sample output', () => {
  it('is what the complete example prints in February 2027', () => {
    const complete = docExamples.find((t) => t.includes('CVE-2021-44228'))!;
    const sample = /## Output[\s\S]*?```\n([\s\S]*?)```/.exec(DOC)![1]!;
    const policy = parsePolicy(complete, 'vouch.policy.yaml');
    const log4shell = log4shellFinding({
      kev: { cve: 'CVE-2021-44228', dateAdded: '2021-12-10', knownRansomwareUse: true },
      epss: { cve: 'CVE-2021-44228', score: 0.94434, percentile: 0.99993 },
      fixed: [],
      fixedVersions: [],
    });
    const r = evaluatePolicy(
      policy,
      { failOn: 'any', findings: [log4shell] },
      [
        { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', licenses: ['Apache-2.0'] },
        { purl: 'pkg:npm/some-lib@1.0.0', licenses: ['BSD'] },
        { purl: 'pkg:npm/caniuse-lite@1.0.30001600', licenses: ['CC-BY-4.0'] },
      ],
      new Date('2027-02-01T09:00:00Z'),
    );
    expect(renderPolicyResult(r)).toBe(sample);
  });
});
