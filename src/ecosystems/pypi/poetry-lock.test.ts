import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePoetryLock, poetryLockExtractor } from './poetry-lock.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { runConformance, shouldExtract } from './conformance-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe.skipIf(!HAS_SHARED)('pypi/poetry-lock: file selection', () => {
  it.each(shouldExtract(/parse-poetry-lock_test/))('osv-scanner vector "$path" → $want', ({ path: p, want }) =>
    expect(poetryLockExtractor.wants(p)).toBe(want),
  );
});

describe.skipIf(!HAS_SHARED)('pypi/poetry-lock: osv-scanner v1 conformance', () => {
  runConformance('osv-scanner-v1/poetry', poetryLockExtractor);
});
describe.skipIf(!HAS_SHARED)('pypi/poetry-lock: osv-scalibr conformance', () => {
  runConformance('osv-scalibr/python-poetrylock', poetryLockExtractor);
});

describe('pypi/poetry-lock: fixture', () => {
  it('lines (checked by hand), scopes, edges, direct, hashes', async () => {
    const file = path.join(FIXTURES, 'poetry.lock');
    const inv = await poetryLockExtractor.extract(await fileInput(file));
    const c = (n: string) => [...inv.graph.components.values()].find((x) => x.name === n)!;
    expect([...inv.graph.components.values()].map((x) => [x.name, x.version, x.locations[0]!.line, x.scope, x.direct])).toEqual([
      ['Flask', '3.0.0', 3, 'prod', true],
      ['werkzeug', '3.0.1', 16, 'prod', false],
      ['pytest', '8.0.0', 27, 'dev', true],
      ['redis', '5.0.0', 37, 'optional', true],
    ]);
    expect(c('Flask').purl).toBe('pkg:pypi/flask@3.0.0');
    expect(c('Flask').hashes).toEqual([{ alg: 'sha256', value: 'cfadcdb638b609361d29ec22360d6070a77d7463dcb3ab08d2c2f2f168845f58' }]);
    expect([...inv.graph.edges.get('pkg:pypi/flask@3.0.0')!]).toEqual(['pkg:pypi/werkzeug@3.0.1']);
    expect([...inv.graph.edges.get('pkg:pypi/pytest@8.0.0')!]).toEqual(['pkg:pypi/werkzeug@3.0.1']);
    expect([...inv.graph.edges.get(`root:${file}`)!].sort()).toEqual(['pkg:pypi/flask@3.0.0', 'pkg:pypi/pytest@8.0.0', 'pkg:pypi/redis@5.0.0']);
    expect(inv.warnings).toEqual([]);
  });
  it('a package without a version is unresolved, not invented', () => {
    const inv = parsePoetryLock('[[package]]\nname = "a"\n\n[[package]]\nname = "b"\nversion = "1"\n', 'poetry.lock');
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'a', line: 1 })]);
    expect(inv.graph.components.size).toBe(1);
  });
});

describe('pypi/poetry-lock: bad input', () => {
  it('truncated TOML names the file and line', async () => {
    await expect(poetryLockExtractor.extract(memoryInput('x/poetry.lock', '[[package]]\nname = "a"\nversion = "1'))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'x/poetry.lock',
      position: { line: 3 },
    });
  });
  it('garbage and wrong shapes', async () => {
    await expect(poetryLockExtractor.extract(memoryInput('poetry.lock', '\u0000\u0001\u0002'))).rejects.toMatchObject({ code: 'INPUT_PARSE' });
    expect(() => parsePoetryLock('package = 3\n', 'poetry.lock')).toThrow(/\$\.package should be an array/);
    expect(() => parsePoetryLock('[[package]]\nname = "a"\nversion = 1\n', 'poetry.lock')).toThrow(/\$\.package\[0\]\.version should be a string/);
    expect(() => parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\ndependencies = 3\n', 'poetry.lock')).toThrow(/dependencies should be a table/);
  });
});

const REAL = shared('realworld', 'python-poetry__poetry', 'poetry.lock');
describe.skipIf(!HAS_SHARED)('pypi/poetry-lock: realworld python-poetry/poetry', () => {
  it('78 packages (README: [[package]] tables), all located, edges present', async () => {
    const inv = await poetryLockExtractor.extract(await fileInput(REAL));
    expect(inv.graph.components.size).toBe(78);
    expect([...inv.graph.components.values()].every((c) => c.locations[0]!.line! > 0)).toBe(true);
    expect(inv.graph.edges.size).toBeGreaterThan(30);
    expect(inv.unresolved).toEqual([]);
  });
});
