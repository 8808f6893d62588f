import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedExtractor, parseMetadata } from './installed.js';
import { fileInput, memoryInput } from '../../io/input.js';

const SITE = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'site-packages');

describe('pypi/installed: file selection', () => {
  it.each([
    ['lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA', true],
    ['site-packages/foo.egg-info/PKG-INFO', true],
    ['METADATA', false],
    ['foo.dist-info/RECORD', false],
    ['foo/PKG-INFO', false],
  ])('%s → %s', (p, want) => expect(installedExtractor.wants(p)).toBe(want));
});

describe('pypi/installed: fixtures', () => {
  it('Name/Version, line of Name, edges only to installed siblings, body ignored', async () => {
    const file = path.join(SITE, 'requests-2.31.0.dist-info', 'METADATA');
    const inv = await installedExtractor.extract(await fileInput(file));
    expect([...inv.graph.components.values()]).toEqual([
      {
        purl: 'pkg:pypi/requests@2.31.0',
        ecosystem: 'PyPI',
        name: 'requests',
        version: '2.31.0',
        scope: 'prod',
        direct: false,
        locations: [{ path: file, line: 2 }],
      },
    ]);
    // idna and PySocks are not installed beside it
    expect([...inv.graph.edges.get('pkg:pypi/requests@2.31.0')!]).toEqual(['pkg:pypi/charset-normalizer@3.3.2']);
    expect([...inv.graph.edges.get(`root:${file}`)!]).toEqual(['pkg:pypi/requests@2.31.0']);
  });
  it('egg-info PKG-INFO from memory; missing Version is unresolved', () => {
    const inv = parseMetadata('Metadata-Version: 1.0\nName: old\n', 'x/old.egg-info/PKG-INFO');
    expect(inv.graph.components.size).toBe(0);
    expect(inv.unresolved).toEqual([{ name: 'old', ecosystem: 'PyPI', line: 2, reason: 'no Version header' }]);
  });
});

describe('pypi/installed: bad input', () => {
  it('garbage, truncation and missing Name name the file and line', async () => {
    await expect(installedExtractor.extract(memoryInput('a.dist-info/METADATA', 'Name: x\n{"json": true}\n'))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
      path: 'a.dist-info/METADATA',
      position: { line: 2 },
    });
    expect(() => parseMetadata('Metadata-Version: 2.1\nVersion: 1\n', 'm')).toThrow(/no Name header/);
    expect(() => parseMetadata('', 'm')).toThrow(/no Name header/);
    await expect(installedExtractor.extract(memoryInput('a.dist-info/METADATA', Buffer.from([0, 1, 2])))).rejects.toMatchObject({
      code: 'INPUT_PARSE',
    });
  });
});
