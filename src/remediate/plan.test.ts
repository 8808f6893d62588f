/**
 * The registry of fixers: every ecosystem that has a fixer declares its manifests, and
 * resolveTarget picks the right fixer for each of them and for every fixture project.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ECOSYSTEMS } from '../ecosystems/index.js';
import { fixFixtures, scratch } from '../testing/fix.js';
import { fixableFiles, fixers, planTarget, resolveTarget } from './plan.js';

const src = path.resolve(fixFixtures(import.meta.url), '..', '..', '..');
const eco = (name: string, ...parts: string[]): string => path.join(src, 'ecosystems', name, '__fixtures__', 'fix', ...parts);
const NPM = (...parts: string[]): string => path.join(src, 'ecosystems', 'npm', 'fix', '__fixtures__', ...parts);
const tmp = scratch('vouch-fixers-');
afterEach(() => tmp.cleanup());

describe('the fixers of the registry', () => {
  it('npm, PyPI, Maven, Go, crates.io, RubyGems and Packagist have one, and each declares what it edits', () => {
    expect(fixers().map((f) => f.ecosystem.osvName)).toEqual(['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'RubyGems', 'Packagist']);
    for (const { fixer } of fixers()) expect(fixer.manifests.length).toBeGreaterThan(0);
    // a file name belongs to one ecosystem's fixer only
    const owner = new Map<string, string>();
    for (const { ecosystem, fixer } of fixers()) {
      for (const name of fixer.manifests.flatMap((m) => [m.name, ...m.lockfiles])) {
        expect(owner.get(name) ?? ecosystem.osvName, name).toBe(ecosystem.osvName);
        owner.set(name, ecosystem.osvName);
      }
    }
    expect(ECOSYSTEMS.filter((e) => e.fixer).length).toBe(fixers().length);
  });

  it('a folder holding a declared manifest (with each of its lockfiles), or that file named, goes to the fixer that declared it', () => {
    for (const { ecosystem, fixer } of fixers()) {
      for (const m of fixer.manifests) {
        for (const lock of m.lockfiles.length ? m.lockfiles : [undefined]) {
          const d = tmp.dir();
          writeFileSync(path.join(d, m.name), '');
          if (lock) writeFileSync(path.join(d, lock), '');
          const t = resolveTarget(d);
          expect([t.ecosystem, t.manifest, t.lockfile], `${m.name} + ${lock}`).toEqual([ecosystem.osvName, path.join(d, m.name), lock && path.join(d, lock)]);
          expect(resolveTarget(path.join(d, m.name))).toEqual(t);
          if (lock) expect(resolveTarget(path.join(d, lock))).toEqual(t);
        }
      }
    }
  });

  it.each([
    [NPM('npm-parent'), 'npm', 'npm', NPM('npm-parent', 'package.json')],
    [NPM('npm-override', 'package-lock.json'), 'npm', 'npm', NPM('npm-override', 'package.json')],
    [NPM('yarn-parent'), 'npm', 'yarn', NPM('yarn-parent', 'package.json')],
    [NPM('yarn-override', 'yarn.lock'), 'npm', 'yarn', NPM('yarn-override', 'package.json')],
    [NPM('pnpm-parent'), 'npm', 'pnpm', NPM('pnpm-parent', 'package.json')],
    [NPM('pnpm-override', 'package.json'), 'npm', 'pnpm', NPM('pnpm-override', 'package.json')],
    [eco('pypi', 'poetry'), 'PyPI', 'poetry', eco('pypi', 'poetry', 'pyproject.toml')],
    [eco('pypi', 'uv', 'uv.lock'), 'PyPI', 'uv', eco('pypi', 'uv', 'pyproject.toml')],
    [eco('pypi', 'requirements.txt'), 'PyPI', 'requirements', eco('pypi', 'requirements.txt')],
    [eco('go', 'go.mod'), 'Go', 'go.mod', eco('go', 'go.mod')],
    [eco('maven'), 'Maven', 'pom', eco('maven', 'pom.xml')],
    [eco('cargo', 'cargo'), 'crates.io', 'cargo', eco('cargo', 'cargo', 'Cargo.toml')],
    [eco('rubygems', 'bundler', 'Gemfile.lock'), 'RubyGems', 'bundler', eco('rubygems', 'bundler', 'Gemfile')],
    [eco('packagist', 'composer', 'composer.json'), 'Packagist', 'composer', eco('packagist', 'composer', 'composer.json')],
  ])('%s is a %s project (%s), editing %s', (p, ecosystem, kind, manifest) => {
    expect(resolveTarget(p)).toMatchObject({ ecosystem, kind, manifest });
  });

  it('a folder holding several projects is planned from one whose lockfile is there, else the first in registry order', () => {
    const d = tmp.dir();
    writeFileSync(path.join(d, 'requirements.txt'), 'a==1\n');
    writeFileSync(path.join(d, 'Cargo.toml'), '');
    expect(resolveTarget(d)).toMatchObject({ ecosystem: 'PyPI', kind: 'requirements' });
    writeFileSync(path.join(d, 'Cargo.lock'), '');
    expect(resolveTarget(d)).toMatchObject({ ecosystem: 'crates.io', kind: 'cargo' });
    // a pyproject.toml is Poetry's or uv's only with its lockfile
    writeFileSync(path.join(d, 'pyproject.toml'), '');
    expect(resolveTarget(d).kind).toBe('cargo');
    writeFileSync(path.join(d, 'uv.lock'), '');
    expect(resolveTarget(d).kind).toBe('uv');
    writeFileSync(path.join(d, 'poetry.lock'), '');
    expect(resolveTarget(d).kind).toBe('poetry');
    writeFileSync(path.join(d, 'package.json'), '{}');
    expect(resolveTarget(d).kind).toBe('poetry');
    writeFileSync(path.join(d, 'yarn.lock'), '');
    writeFileSync(path.join(d, 'pnpm-lock.yaml'), '');
    expect(resolveTarget(d).kind).toBe('pnpm');
    writeFileSync(path.join(d, 'package-lock.json'), '{}');
    expect(resolveTarget(d).kind).toBe('npm');
  });

  it('nothing to plan, or no such path: one line saying what vouch fix reads', () => {
    const d = tmp.dir();
    mkdirSync(path.join(d, 'empty'));
    expect(() => resolveTarget(path.join(d, 'empty'))).toThrow(`nothing vouch fix can plan here (it reads ${fixableFiles()})`);
    expect(fixableFiles()).toBe(
      'package.json with package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock; pyproject.toml with poetry.lock or uv.lock; requirements.txt; pom.xml; go.mod; Cargo.toml with Cargo.lock; Gemfile with Gemfile.lock; composer.json with composer.lock',
    );
    expect(() => resolveTarget(path.join(d, 'missing'))).toThrow(/no such file or folder/);
  });
});

describe('planning through the registry: bad input', () => {
  const store = { advisoriesFor: () => [] };

  it('a manifest without its lockfile is one line naming the missing lockfile', async () => {
    const d = tmp.copy(eco('packagist', 'composer'));
    rmSync(path.join(d, 'composer.lock'));
    await expect(planTarget(resolveTarget(d), store, { home: d })).rejects.toThrow(/no composer\.lock beside it/);
  });

  it.each([
    [eco('pypi', 'poetry'), 'pyproject.toml', '[tool.poetry.dependencies]\nrequests = "^2.25"\nbroken = \n', /pyproject\.toml:3: not valid TOML/],
    [eco('cargo', 'cargo'), 'Cargo.toml', '[dependencies]\nregex = 1.5.4\nserde = "1"\n', /Cargo\.toml:2: not valid TOML/],
    [eco('rubygems', 'bundler'), 'Gemfile', 'source "https://rubygems.org"\ngem nokogiri\n', /Gemfile:2: gem without a quoted name/],
    [eco('packagist', 'composer'), 'composer.json', '{\n  "require": {\n    "a/b": "^1",\n  }\n}\n', /composer\.json:4: not valid JSON/],
  ] as const)('a bad %s manifest is one error line with file:line', async (fixture, manifest, text, want) => {
    const d = tmp.copy(fixture);
    writeFileSync(path.join(d, manifest), text);
    const err = await planTarget(resolveTarget(d), store, { home: d }).then(
      () => undefined,
      (e: { oneLine(): string }) => e.oneLine(),
    );
    expect(err).toMatch(want);
    expect(err).not.toContain('\n');
  });
});
