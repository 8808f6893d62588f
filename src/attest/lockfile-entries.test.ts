import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { isRegistryTarballUrl, readLockEntries, sourceOfResolved } from './lockfile-entries.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const read = (name: string, as = name) => readLockEntries(as, readFileSync(path.join(FIX, name)));
const brief = (r: ReturnType<typeof readLockEntries>) => r.entries.map((e) => [e.name, e.version, e.source, e.line]);

describe('readLockEntries', () => {
  it('package-lock v1: nested dependencies, aliases, git versions', () => {
    const r = read('package-lock-v1.json', 'package-lock.json');
    expect(r.format).toBe('package-lock');
    expect(brief(r)).toEqual([
      ['debug', '2.6.9', 'registry', 7],
      ['ms', '2.0.0', 'registry', 15],
      ['lodash', '4.17.21', 'registry', 22],
      ['from-git', 'git+https://github.com/o/from-git.git#0123456789abcdef0123456789abcdef01234567', 'git', 27],
    ]);
    expect(r.entries[1]!.integrity).toBe('sha1-VgiurfwAvmwpAd9fmGF4jeDVl8g=');
    expect(r.entries[1]!.resolved).toBe('https://registry.npmjs.org/ms/-/ms-2.0.0.tgz');
  });

  it('yarn v1: first descriptor names the entry, aliases, #sha1 fragment when integrity is missing', () => {
    const r = read('yarn-v1.lock', 'yarn.lock');
    expect(r.format).toBe('yarn-v1');
    expect(brief(r)).toEqual([
      ['@babel/code-frame', '7.22.13', 'registry', 5],
      ['left-pad', '1.3.0', 'registry', 12],
      ['lodash', '4.17.21', 'registry', 16],
      ['from-git', '1.0.0', 'git', 21],
    ]);
    expect(r.entries[0]!.integrity).toBe('sha512-XktuhWlJ5g+3TJXc5upd9Ks1HutSArik6jf2eAjYFyIOf4ej3RN+184cZbzDvbPnuTJIUhPKKJE3cIsYTiAT3w==');
    // 5b8a3a77… as base64 (computed with Python's base64 module)
    expect(r.entries[1]!.integrity).toBe('sha1-W4o6d2Xf4AEmHd6RVYnngvjJTR4=');
  });

  it('yarn berry: npm entries carry the zip checksum only; workspaces skipped; links listed', () => {
    const r = read('yarn-berry.lock', 'yarn.lock');
    expect(r.format).toBe('yarn-berry');
    expect(brief(r)).toEqual([
      ['lodash', '4.17.21', 'registry', 16],
      ['local', '0.0.0-use.local', 'link', 23],
    ]);
    expect(r.entries[0]!.berryChecksum).toMatch(/^10c0\/d8cbea07/);
    expect(r.entries[0]!.integrity).toBeUndefined();
  });

  it.each([
    ['pnpm-v9.yaml', [
      ['@vue/shared', '3.4.0', 'registry', 17],
      ['react-dom', '18.2.0', 'registry', 20],
      ['from-git', '1.0.0', 'git', 25],
      ['local-dir', '0.1.0', 'link', 29],
    ]],
    ['pnpm-v6.yaml', [
      ['@babel/parser', '7.24.4', 'registry', 5],
      ['react-dom', '18.2.0', 'registry', 11],
    ]],
    ['pnpm-v5.yaml', [
      ['@babel/parser', '7.24.4', 'registry', 5],
      ['react-dom', '18.2.0', 'registry', 9],
    ]],
  ])('pnpm %s: keys and resolution', (file, expected) => {
    const r = read(file, 'pnpm-lock.yaml');
    expect(r.format).toBe('pnpm');
    expect(brief(r)).toEqual(expected);
    expect(r.entries[1]!.integrity).toBe('sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==');
  });

  it.each([
    ['package-lock.json', '{"lockfileVersion": 3, "packages": {', /^package-lock\.json:1: not valid JSON/],
    ['pnpm-lock.yaml', 'lockfileVersion: 9\npackages:\n  a: [\n', /^pnpm-lock\.yaml:\d+: not valid YAML/],
    ['yarn.lock', '# yarn lockfile v1\n\nfoo@^1:\n  resolved "x"\n', /^yarn\.lock:3: entry foo has no version/],
    ['notes.txt', 'hello', /^notes\.txt: not a lockfile vouch verifies/],
  ])('bad input %s is one error line naming the file', (file, text, re) => {
    let err: unknown;
    try {
      readLockEntries(file, Buffer.from(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).oneLine()).toMatch(re);
  });
});

describe('sources', () => {
  it.each([
    [undefined, 'registry'],
    ['https://registry.npmjs.org/a/-/a-1.0.0.tgz', 'registry'],
    ['https://npm.example.com/artifactory/api/npm/npm/@s/a/-/a-1.0.0.tgz', 'registry'],
    ['https://npm.pkg.github.com/download/@o/a/1.0.0/abcdef', 'registry'],
    ['https://example.com/a.tgz', 'tarball'],
    ['https://codeload.github.com/o/a/tar.gz/0123', 'git'],
    ['git+ssh://git@github.com/o/a.git#abc', 'git'],
    ['github:o/a#abc', 'git'],
    ['file:../a.tgz', 'file'],
    ['link:../a', 'link'],
  ])('%s → %s', (url, expected) => {
    expect(sourceOfResolved(url)).toBe(expected);
  });

  it('registry tarball URLs', () => {
    expect(isRegistryTarballUrl('https://registry.yarnpkg.com/@babel/core/-/core-7.0.0.tgz')).toBe(true);
    expect(isRegistryTarballUrl('not a url')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('real lockfiles (../shared)', () => {
  it.each([
    ['realworld/BookStackApp__BookStack/package-lock.json', 'package-lock', 623],
    ['realworld/openstreetmap__openstreetmap-website/yarn.lock', 'yarn-v1', 248],
    ['realworld/vuejs__core/pnpm-lock.yaml', 'pnpm', 620],
  ])('%s', (file, format, uniqueAtLeast) => {
    const r = readLockEntries(file, readFileSync(shared(file)));
    expect(r.format).toBe(format);
    // the shared README counts these (unique name@version for npm, entries for yarn, packages for pnpm)
    expect(new Set(r.entries.map((e) => `${e.name}@${e.version}`)).size).toBe(uniqueAtLeast);
    expect(r.entries.every((e) => e.line !== undefined)).toBe(true);
  });

  it('yarn berry (prettier): every npm package is not comparable, never hashed', () => {
    const r = readLockEntries('yarn.lock', readFileSync(shared('realworld/prettier__prettier/yarn.lock')));
    expect(r.format).toBe('yarn-berry');
    const npm = r.entries.filter((e) => e.source === 'registry');
    expect(npm.length).toBeGreaterThan(900);
    expect(npm.every((e) => e.integrity === undefined)).toBe(true);
  });
});

describe('pnpm-lock.yaml and yarn.lock (berry) under hostile YAML (docs/reliability.md)', () => {
  const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  it.each([
    ['pnpm-lock.yaml', `lockfileVersion: '9.0'\n${bomb.join('\n')}\n`, /^pnpm-lock\.yaml:\d+: YAML alias \*a0 is not read in a lockfile/],
    ['pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: !foo {}\n", /^pnpm-lock\.yaml:3: YAML tag !foo is not read/],
    ['pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n  a@1.0.0: {}\n", /^pnpm-lock\.yaml:4: not valid YAML: duplicate key "a@1\.0\.0"/],
    ['yarn.lock', `__metadata:\n  version: 6\n${bomb.join('\n')}\n`, /^yarn\.lock:\d+: YAML alias \*a0 is not read in a lockfile/],
  ])('%s: %j → one line', (name, text, re) => {
    let err: unknown;
    try {
      readLockEntries(name, Buffer.from(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).oneLine()).toMatch(re);
  });
});
