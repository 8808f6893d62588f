import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverVexFiles, isVexFileName } from './discover.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-vex-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('isVexFileName', () => {
  it.each([
    ['openvex.json', true],
    ['vex.json', true],
    ['app.openvex.json', true],
    ['app.vex.json', true],
    ['app.vex.cdx.json', true],
    ['app.cdx.vex.json', true],
    ['APP.VEX.JSON', true],
    ['myvex.json', false],
    ['app-vex.json', false],
    ['vex.yaml', false],
    ['app.cdx.json', false],
    ['package-lock.json', false],
    ['vex.json.bak', false],
  ])('%s → %s', (name, expected) => {
    expect(isVexFileName(name)).toBe(expected);
  });
});

describe('discoverVexFiles', () => {
  const proj = path.join(root, 'proj');
  mkdirSync(path.join(proj, 'sub'), { recursive: true });
  for (const f of ['package-lock.json', 'vex.json', 'b.openvex.json', 'a.vex.cdx.json', 'notes.txt', 'sbom.cdx.json']) writeFileSync(path.join(proj, f), '{}');
  writeFileSync(path.join(proj, 'sub', 'deep.vex.json'), '{}');
  mkdirSync(path.join(proj, 'dir.vex.json')); // a folder with a VEX name is not a document
  symlinkSync(path.join(proj, 'vex.json'), path.join(proj, 'linked.openvex.json'));
  symlinkSync(path.join(proj, 'missing.json'), path.join(proj, 'dangling.vex.json'));

  const expected = ['a.vex.cdx.json', 'b.openvex.json', 'linked.openvex.json', 'vex.json'].map((f) => path.join(proj, f));

  it('finds VEX files beside a file input, by name, not in subfolders', () => {
    expect(discoverVexFiles([path.join(proj, 'package-lock.json')])).toEqual(expected);
  });

  it('finds them at the top level of a folder input', () => {
    expect(discoverVexFiles([proj])).toEqual(expected);
    expect(discoverVexFiles([path.join(proj, 'sub')])).toEqual([path.join(proj, 'sub', 'deep.vex.json')]);
  });

  it('lists each file once, in input order, and passes over inputs that do not exist', () => {
    expect(discoverVexFiles([path.join(proj, 'sub'), proj, path.join(proj, 'package-lock.json'), path.join(root, 'nope')])).toEqual([
      path.join(proj, 'sub', 'deep.vex.json'),
      ...expected,
    ]);
    expect(discoverVexFiles([])).toEqual([]);
  });
});
