/**
 * collectInventory: a file the user names is always read; a directory walk keeps the ecosystem's
 * own precedence (npm reads npm-shrinkwrap.json over package-lock.json) and says what it skipped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectInventory } from './collect.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-collect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lock = (name: string, version: string): string =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, [`node_modules/${name}`]: { version } } });

describe('npm-shrinkwrap.json beside package-lock.json', () => {
  const dir = path.join(root, 'both');
  const shrinkwrap = path.join(dir, 'npm-shrinkwrap.json');
  const packageLock = path.join(dir, 'package-lock.json');
  mkdirSync(dir, { recursive: true });
  writeFileSync(shrinkwrap, lock('wrappy', '1.0.2'));
  writeFileSync(packageLock, lock('left-pad', '1.3.0'));

  it('a walk reads the shrinkwrap, as npm does, and lists the package-lock as skipped, saying why', async () => {
    const inv = await collectInventory([dir]);
    expect([...inv.graph.components.keys()]).toEqual(['pkg:npm/wrappy@1.0.2']);
    expect(inv.inputs).toEqual([
      { path: shrinkwrap, extractor: 'npm/package-lock', status: 'ok', components: 1, warnings: [] },
      { path: packageLock, extractor: 'npm/package-lock', status: 'ok', components: 0, warnings: [`skipped: npm uses ${shrinkwrap} instead of this package-lock.json`] },
    ]);
  });

  it('a package-lock.json named on the command line is read, with a note that npm would use the shrinkwrap', async () => {
    const inv = await collectInventory([packageLock]);
    expect([...inv.graph.components.keys()]).toEqual(['pkg:npm/left-pad@1.3.0']);
    expect(inv.inputs[0]!.warnings).toEqual([`read as named, though npm uses ${shrinkwrap} (a folder scan reads that one)`]);
  });

  it('without a shrinkwrap beside it, a package-lock.json is read in a walk with no note', async () => {
    const alone = path.join(root, 'alone');
    mkdirSync(alone, { recursive: true });
    writeFileSync(path.join(alone, 'package-lock.json'), lock('left-pad', '1.3.0'));
    const inv = await collectInventory([alone]);
    expect(inv.inputs).toEqual([{ path: path.join(alone, 'package-lock.json'), extractor: 'npm/package-lock', status: 'ok', components: 1, warnings: [] }]);
  });
});

describe('a manifest with no lockfile beside it', () => {
  it('a walk names it with the command that writes its lockfile; a locked one is not named', async () => {
    const dir = path.join(root, 'manifests');
    mkdirSync(path.join(dir, 'web'), { recursive: true });
    mkdirSync(path.join(dir, 'api'), { recursive: true });
    mkdirSync(path.join(dir, 'jvm'), { recursive: true });
    writeFileSync(path.join(dir, 'web', 'package.json'), '{"dependencies":{"left-pad":"^1.3.0"}}');
    writeFileSync(path.join(dir, 'api', 'Gemfile'), "gem 'rails'\n");
    writeFileSync(path.join(dir, 'api', 'Gemfile.lock'), 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.0)\n\nDEPENDENCIES\n  rails\n');
    writeFileSync(path.join(dir, 'jvm', 'build.gradle'), "dependencies { implementation 'org.apache.logging.log4j:log4j-core:2.14.1' }\n");
    const inv = await collectInventory([dir]);
    expect(inv.unlocked).toEqual([
      { path: path.join(dir, 'jvm', 'build.gradle'), ecosystem: 'Maven', lockfiles: ['gradle.lockfile'], command: 'gradle dependencies --write-locks' },
      { path: path.join(dir, 'web', 'package.json'), ecosystem: 'npm', lockfiles: ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock'], command: 'npm install --package-lock-only --ignore-scripts' },
    ]);
    expect(inv.inputs.map((i) => path.relative(dir, i.path))).toEqual([path.join('api', 'Gemfile.lock')]);
  });

  it('named on the command line, it is one line with the command', async () => {
    const file = path.join(root, 'manifests', 'web', 'package.json');
    await expect(collectInventory([file])).rejects.toMatchObject({
      code: 'INPUT_UNSUPPORTED',
      path: file,
      message: 'a manifest names dependencies without pinning them; write package-lock.json with `npm install --package-lock-only --ignore-scripts` in its folder, then scan that',
    });
  });
});
