import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRestored, snapshot } from '../../../testing/fix.js';
import { apply, scratchProjects } from './fix-testing.js';
import type { FixStep } from '../../../model/fix.js';
import { type PackageManagerRunner, RELOCK_FLAGS, editPackageJson } from './apply.js';

const { copy } = scratchProjects('vouch-fix-test-');

/** Rewrites the locked version (and dependencies) of one package, as a relock would. */
function relock(dir: string, name: string, version: string, deps?: Record<string, string>): void {
  const file = path.join(dir, 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const e = lock.packages[`node_modules/${name}`]!;
  e['version'] = version;
  if (deps) e['dependencies'] = deps;
  lock.packages['']!['dependencies'] = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies;
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
}

describe('editPackageJson', () => {
  it('when two steps raise one package, the higher raise wins whatever their order', () => {
    const step = (to: string): FixStep => ({
      strategy: 'parent',
      changes: [{ file: 'package.json', kind: 'bump', package: 'zaproxy', from: '^0.2.0', to }],
      fixes: [],
      removed: 1,
      packagesChanged: 1,
      risk: 'major',
      notes: [],
    });
    const pkg = '{\n  "dependencies": {\n    "zaproxy": "^0.2.0"\n  }\n}\n';
    const want = pkg.replace('^0.2.0', '^1.0.1');
    expect(editPackageJson(pkg, [step('^1.0.1'), step('^0.3.0')], 'package.json')).toBe(want);
    expect(editPackageJson(pkg, [step('^0.3.0'), step('^1.0.1')], 'package.json')).toBe(want);
  });
});

describe('applying an npm fix', () => {
  it('bumps the parent in package.json only, relocks, and rescans clean', async () => {
    const dir = copy('npm-parent');
    const pkgBefore = readFileSync(path.join(dir, 'package.json'), 'utf8');
    const calls: string[][] = [];
    const runner: PackageManagerRunner = async (args, { cwd }) => {
      calls.push(args);
      if (args[0] === 'install') {
        // what npm does: package.json now wants mkdirp 0.5.2, which wants minimist ^1.2.5
        expect(JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')).dependencies.mkdirp).toBe('0.5.2');
        relock(cwd, 'mkdirp', '0.5.2', { minimist: '^1.2.5' });
        relock(cwd, 'minimist', '1.2.8');
      } else {
        relock(cwd, 'lodash', '4.17.21');
      }
      return { code: 0, stdout: '', stderr: '' };
    };
    const r = await apply(dir, { runner });
    expect(calls).toEqual([
      ['install', ...RELOCK_FLAGS],
      ['update', 'lodash', 'minimist', ...RELOCK_FLAGS],
    ]);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(pkgBefore.replace('"mkdirp": "0.5.1"', '"mkdirp": "0.5.2"'));
    expect(r.before).toHaveLength(5);
    expect(r.after).toEqual([]);
  });

  it('adds a flagged override and relocks without an update', async () => {
    const dir = copy('npm-override');
    const calls: string[][] = [];
    const r = await apply(dir, {
      runner: async (args, { cwd }) => {
        calls.push(args);
        relock(cwd, 'minimist', '0.2.4');
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    expect(calls).toEqual([['install', ...RELOCK_FLAGS]]);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).overrides).toEqual({ optimist: { minimist: '0.2.4' } });
    expect(r.after).toEqual([]);
  });

  it('restores both files byte for byte when npm fails mid-way', async () => {
    const dir = copy('npm-parent');
    const runner: PackageManagerRunner = async (args, { cwd }) => {
      if (args[0] === 'install') {
        relock(cwd, 'minimist', '1.2.8');
        return { code: 0, stdout: '', stderr: '' };
      }
      writeFileSync(path.join(cwd, 'package-lock.json'), '{ half written');
      return { code: 1, stdout: '', stderr: 'npm error code ETARGET\nnpm error notarget No matching version found for lodash@^9' };
    };
    await expectRestored(dir, () => apply(dir, { runner }), /fix not applied, package.json and the lockfile restored: .*npm update .* failed \(exit 1\): .*No matching version/);
  });

  it('restores when the rescan finds an advisory that was not there before', async () => {
    const dir = copy('npm-parent');
    const runner: PackageManagerRunner = async (args, { cwd }) => {
      // lodash 4.17.16 is inside NSWG-ECO-516 ([4.17.15, 4.17.19)), which 4.17.4 was not
      if (args[0] === 'update') relock(cwd, 'lodash', '4.17.16');
      return { code: 0, stdout: '', stderr: '' };
    };
    await expectRestored(dir, () => apply(dir, { runner }), /has 1 advisory finding\(s\) that were not there before \(lodash@4.17.16 NSWG-ECO-516\)/);
  });

  it('restores when interrupted (Ctrl-C aborts the signal while npm runs)', async () => {
    const dir = copy('npm-parent');
    const ac = new AbortController();
    const runner: PackageManagerRunner = async (_args, { cwd }) => {
      relock(cwd, 'minimist', '1.2.8');
      ac.abort();
      return { code: 0, stdout: '', stderr: '' };
    };
    await expectRestored(dir, () => apply(dir, { runner, signal: ac.signal }), /restored: .*interrupted/);
  });

  it('an interrupt that makes npm exit non-zero is still reported as an interrupt, and restored', async () => {
    const dir = copy('npm-parent');
    const ac = new AbortController();
    const runner: PackageManagerRunner = async (_args, { cwd }) => {
      writeFileSync(path.join(cwd, 'package-lock.json'), '{');
      ac.abort();
      return { code: null, stdout: '', stderr: '' };
    };
    await expectRestored(dir, () => apply(dir, { runner, signal: ac.signal }), /restored: .*interrupted$/);
  });

  it('leaves a project without fixable findings untouched and never runs npm', async () => {
    const dir = copy('npm-override');
    const before = snapshot(dir);
    const r = await apply(dir, {
      strategies: new Set(['in-range']),
      runner: () => {
        throw new Error('must not run');
      },
    });
    expect(r.applied).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });
});
