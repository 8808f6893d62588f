import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePipfileLock, pipfileLockExtractor } from './pipfile-lock.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { runConformance, shouldExtract } from './conformance-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe('pypi/pipfile-lock: file selection', () => {
  it.skipIf(!HAS_SHARED).each(shouldExtract(/parse-pipenv-lock_test/))('osv-scanner vector "$path" → $want', ({ path: p, want }) =>
    expect(pipfileLockExtractor.wants(p)).toBe(want),
  );
  it('sniffs Pipfile.lock content', () => {
    expect(pipfileLockExtractor.sniff!('{\n    "_meta": {\n        "hash": {}, "pipfile-spec": 6')).toBe(true);
    expect(pipfileLockExtractor.sniff!('{"lockfileVersion": 3}')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('pypi/pipfile-lock: osv-scanner v1 conformance', () => {
  runConformance('osv-scanner-v1/pipenv', pipfileLockExtractor);
});
describe.skipIf(!HAS_SHARED)('pypi/pipfile-lock: osv-scalibr conformance', () => {
  runConformance('osv-scalibr/python-pipfilelock', pipfileLockExtractor);
});

describe('pypi/pipfile-lock: fixture', () => {
  it('lines (checked by hand), scopes, hashes, unresolved git entry, root edges', async () => {
    const file = path.join(FIXTURES, 'Pipfile.lock');
    const inv = await pipfileLockExtractor.extract(await fileInput(file));
    expect([...inv.graph.components.values()].map((c) => [c.name, c.version, c.scope, c.direct, c.locations.map((l) => l.line)])).toEqual([
      ['requests', '2.31.0', 'prod', false, [7, 23]],
      ['pytest', '8.0.0', 'dev', false, [19]],
    ]);
    expect(inv.graph.components.get('pkg:pypi/requests@2.31.0')!.hashes).toEqual([
      { alg: 'sha256', value: '58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f' },
    ]);
    expect(inv.unresolved).toEqual([
      { name: 'mylib', ecosystem: 'PyPI', spec: 'git: https://github.com/x/mylib.git', line: 13, reason: 'no version recorded (git source)' },
    ]);
    expect([...inv.graph.edges.get(`root:${file}`)!]).toEqual(['pkg:pypi/requests@2.31.0', 'pkg:pypi/pytest@8.0.0']);
  });
});

describe('pypi/pipfile-lock: bad input', () => {
  it('truncated JSON names the file and line', async () => {
    await expect(pipfileLockExtractor.extract(memoryInput('Pipfile.lock', '{\n "default": {\n  "a": {'))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'Pipfile.lock',
      position: { line: 3 },
    });
  });
  it('garbage and wrong shapes', () => {
    expect(() => parsePipfileLock('[1, 2]', 'Pipfile.lock')).toThrow(/not a Pipfile.lock/);
    expect(() => parsePipfileLock('{"default": []}', 'Pipfile.lock')).toThrow(/\$\.default should be an object/);
    expect(() => parsePipfileLock('{"default": {"a": {"version": 1}}}', 'Pipfile.lock')).toThrow(/\$\.default\["a"\]\.version should be a string/);
    expect(() => parsePipfileLock('garbage', 'Pipfile.lock')).toThrow(/not valid JSON/);
  });
});

describe.skipIf(!HAS_SHARED)('pypi/pipfile-lock: realworld pypa/pipenv', () => {
  it('10 default + 100 develop keys (README)', async () => {
    const inv = await pipfileLockExtractor.extract(await fileInput(shared('realworld', 'pypa__pipenv', 'Pipfile.lock')));
    const comps = [...inv.graph.components.values()];
    const locs = comps.reduce((n, c) => n + c.locations.length, 0);
    expect(locs + inv.unresolved.length).toBe(110);
    expect(comps.every((c) => c.locations.every((l) => l.line! > 0))).toBe(true);
    expect(inv.unresolved).toEqual([]); // every key is pinned `==x`
    // a package in both sections is one prod component with two locations
    expect(comps.length).toBeLessThanOrEqual(110);
  });
});
