import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePdmLock, pdmLockExtractor } from './pdm-lock.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { runConformance, shouldExtract } from './conformance-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe.skipIf(!HAS_SHARED)('pypi/pdm-lock: file selection', () => {
  it.each(shouldExtract(/parse-pdm-lock_test/))('osv-scanner vector "$path" → $want', ({ path: p, want }) =>
    expect(pdmLockExtractor.wants(p)).toBe(want),
  );
});

describe.skipIf(!HAS_SHARED)('pypi/pdm-lock: osv-scanner v1 conformance', () => {
  runConformance('osv-scanner-v1/pdm', pdmLockExtractor);
});
describe.skipIf(!HAS_SHARED)('pypi/pdm-lock: osv-scalibr conformance', () => {
  runConformance('osv-scalibr/python-pdmlock', pdmLockExtractor);
});

describe('pypi/pdm-lock: fixture', () => {
  it('lines (checked by hand), groups → scope, PEP 508 edges, inferred direct, hashes', async () => {
    const file = path.join(FIXTURES, 'pdm.lock');
    const inv = await pdmLockExtractor.extract(await fileInput(file));
    expect([...inv.graph.components.values()].map((c) => [c.name, c.locations[0]!.line, c.scope, c.direct])).toEqual([
      ['requests', 6, 'prod', true],
      ['idna', 18, 'prod', false],
      ['urllib3', 23, 'prod', false],
      ['pytest', 28, 'dev', true],
      ['mkdocs', 33, 'optional', true],
    ]);
    expect([...inv.graph.edges.get('pkg:pypi/requests@2.31.0')!]).toEqual(['pkg:pypi/idna@3.6', 'pkg:pypi/urllib3@2.2.0']);
    expect(inv.graph.components.get('pkg:pypi/requests@2.31.0')!.hashes).toHaveLength(1);
  });
});

describe('pypi/pdm-lock: bad input', () => {
  it('truncated TOML names the file and line', async () => {
    await expect(pdmLockExtractor.extract(memoryInput('pdm.lock', '[[package]]\nname = "a\n'))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'pdm.lock',
      position: { line: 2 },
    });
  });
  it('wrong shapes name the path', () => {
    expect(() => parsePdmLock('[[package]]\nname = "a"\nversion = "1"\ndependencies = "x"\n', 'pdm.lock')).toThrow(
      /\$\.package\[0\]\.dependencies should be an array/,
    );
  });
});
