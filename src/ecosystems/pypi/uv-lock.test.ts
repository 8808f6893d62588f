import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseUvLock, uvLockExtractor } from './uv-lock.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { runConformance } from './conformance-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe('pypi/uv-lock: file selection', () => {
  it.each([
    ['uv.lock', true],
    ['a/b/uv.lock', true],
    ['uv.lock.bak', false],
    ['a/uv.lock/x', false],
  ])('%s → %s', (p, want) => expect(uvLockExtractor.wants(p)).toBe(want));
});

describe.skipIf(!HAS_SHARED)('pypi/uv-lock: osv-scalibr conformance', () => {
  runConformance('osv-scalibr/python-uvlock', uvLockExtractor);
});

describe('pypi/uv-lock: fixture', () => {
  it('roots, lines (checked by hand), scopes by reach, edges, direct, unresolved', async () => {
    const file = path.join(FIXTURES, 'uv.lock');
    const inv = await uvLockExtractor.extract(await fileInput(file));
    const root = `root:${file}#app`;
    expect([...inv.graph.roots.keys()]).toEqual([`root:${file}`, root]);
    expect([...inv.graph.components.values()].map((c) => [c.name, c.version, c.locations[0]!.line, c.scope, c.direct])).toEqual([
      ['click', '8.1.7', 22, 'optional', true],
      ['httpx', '0.27.0', 28, 'prod', true],
      ['idna', '3.7', 36, 'prod', false],
      ['pytest', '8.0.0', 41, 'dev', true],
    ]);
    expect([...inv.graph.edges.get(root)!]).toEqual(['pkg:pypi/httpx@0.27.0', 'pkg:pypi/click@8.1.7', 'pkg:pypi/pytest@8.0.0']);
    expect([...inv.graph.edges.get('pkg:pypi/pytest@8.0.0')!]).toEqual(['pkg:pypi/idna@3.7']);
    expect(inv.graph.components.get('pkg:pypi/click@8.1.7')!.hashes).toEqual([
      { alg: 'sha256', value: 'ca9853ad459e787e2192211578cc907e7594e294c7ccc834310722b41b9ca6de' },
    ]);
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'pluggy', line: 50, reason: 'no version recorded (git source)' })]);
  });
});

describe('pypi/uv-lock: bad input', () => {
  it('truncated TOML names the file and line', async () => {
    await expect(uvLockExtractor.extract(memoryInput('uv.lock', 'version = 1\n[[package]\n'))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'uv.lock',
      position: { line: 2 },
    });
  });
  it('wrong shapes name the path', () => {
    expect(() => parseUvLock('[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]\n', 'uv.lock')).toThrow(
      /\$\.package\[0\]\.dependencies\[0\] should be a table with a name/,
    );
    expect(() => parseUvLock('[[package]]\nname = "a"\nsource = "x"\n', 'uv.lock')).toThrow(/source should be a table/);
  });
});

describe.skipIf(!HAS_SHARED)('pypi/uv-lock: realworld astral-sh/uv', () => {
  it('89 [[package]] tables (README): the workspace members are roots, the rest components', async () => {
    const inv = await uvLockExtractor.extract(await fileInput(shared('realworld', 'astral-sh__uv', 'uv.lock')));
    const roots = inv.graph.roots.size - 1;
    expect(inv.graph.components.size + roots + inv.unresolved.length).toBe(89);
    expect(roots).toBeGreaterThanOrEqual(1);
    expect([...inv.graph.components.values()].every((c) => c.locations[0]!.line! > 0)).toBe(true);
  });
});
