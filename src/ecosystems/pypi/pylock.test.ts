import { describe, expect, it } from 'vitest';
import { parsePylock, pylockExtractor } from './pylock.js';
import { memoryInput } from '../../io/input.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { runConformance } from './conformance-testing.js';

describe('pypi/pylock: file selection', () => {
  it.each([
    ['pylock.toml', true],
    ['a/pylock.dev.toml', true],
    ['pylock.a.b.toml', false],
    ['mypylock.toml', false],
    ['pyproject.toml', false],
  ])('%s → %s', (p, want) => expect(pylockExtractor.wants(p)).toBe(want));
});

describe.skipIf(!HAS_SHARED)('pypi/pylock: osv-scalibr conformance', () => {
  runConformance('osv-scalibr/python-pylock', pylockExtractor);
});

const FIXTURE = `lock-version = "1.0"
created-by = "hand"

[[packages]]
name = "app"
directory = { path = ".", editable = true }
dependencies = [{ name = "attrs" }]

[[packages]]
name = "attrs"
version = "25.1.0"
dependencies = [{ name = "six", version = "1.16.0" }]
wheels = [{ name = "attrs-25.1.0-py3-none-any.whl", hashes = { sha256 = "C2A2D7F0" } }]

[[packages]]
name = "six"
version = "1.16.0"

[[packages]]
name = "six"
version = "1.17.0"

[[packages]]
name = "tool"
vcs = { type = "git", url = "https://x/tool.git", commit-id = "abc" }
`;

describe('pypi/pylock: fixture', () => {
  it('directory root, lines (checked by hand), version-aware edges, hashes, unresolved VCS', () => {
    const inv = parsePylock(FIXTURE, 'pylock.toml');
    expect([...inv.graph.roots.keys()]).toEqual(['root:pylock.toml', 'root:pylock.toml#app']);
    expect([...inv.graph.components.values()].map((c) => [c.name, c.version, c.locations[0]!.line, c.direct])).toEqual([
      ['attrs', '25.1.0', 9, true],
      ['six', '1.16.0', 15, false],
      ['six', '1.17.0', 19, false],
    ]);
    expect([...inv.graph.edges.get('pkg:pypi/attrs@25.1.0')!]).toEqual(['pkg:pypi/six@1.16.0']);
    expect(inv.graph.components.get('pkg:pypi/attrs@25.1.0')!.hashes).toEqual([{ alg: 'sha256', value: 'c2a2d7f0' }]);
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'tool', line: 23, reason: 'no version recorded (vcs source)' })]);
  });
});

describe('pypi/pylock: bad input', () => {
  it('truncated TOML and unsupported versions are clear errors', async () => {
    await expect(pylockExtractor.extract(memoryInput('pylock.toml', 'lock-version = "1.0"\n[[packages]]\nname = '))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'pylock.toml',
      position: { line: 3 },
    });
    expect(() => parsePylock('lock-version = "2.0"\n', 'pylock.toml')).toThrow(/lock-version 2.0 is not supported/);
    expect(() => parsePylock('packages = 1\n', 'pylock.toml')).toThrow(/\$\.packages should be an array/);
  });
});
