import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ranked } from '../../../testing/fix.js';
import { FIXTURES, meta, oracle } from './fix-testing.js';
import { DirectoryMetadataSource } from './metadata.js';
import { readNpmProject } from './lock.js';
import { npmPick, planNpm, raiseSpec } from './plan.js';
import { renderPlanTable } from '../../../remediate/render.js';


describe('npm fix plan', () => {
  // Expected values read off the records: GHSA-xvch-5gv4-984h (minimist) fixed 0.2.4 and 1.2.6;
  // lodash 4.17.4 is in NSWG-ECO-368 (<4.17.5), NSWG-ECO-493 (<4.17.11), GHSA-p6mc-m468-83gw
  // ([3.7.0, 4.17.19)) and GHSA-35jh-r3h4-6jhm (<4.17.21); NSWG-ECO-516 starts at 4.17.15.
  it('picks the smallest parent bump for a transitive pin, and a relock for a range that admits the fix', async () => {
    const project = await readNpmProject(path.join(FIXTURES, 'npm-parent'));
    const plan = await ranked(planNpm(project, oracle, meta));
    expect(plan.findings).toBe(5);
    expect(plan.unfixable).toEqual([]);
    expect(plan.steps).toHaveLength(2);
    const [first, second] = plan.steps;
    // lodash: 4 advisories for 1 package beats minimist: 1 advisory for 2 packages
    expect(first).toMatchObject({
      strategy: 'in-range',
      risk: 'patch',
      removed: 4,
      changes: [{ kind: 'relock', package: 'lodash', from: '4.17.4', to: '4.17.21' }],
    });
    expect(first!.fixes[0]!.advisories).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'NSWG-ECO-368', 'NSWG-ECO-493']);
    // mkdirp 0.5.2 is the first release whose range (^1.2.5) resolves to a safe minimist (1.2.8, latest)
    expect(second).toMatchObject({
      strategy: 'parent',
      risk: 'patch',
      removed: 1,
      packagesChanged: 2,
      changes: [{ kind: 'bump', package: 'mkdirp', from: '0.5.1', to: '0.5.2', file: 'package.json' }],
      fixes: [{ package: 'minimist', from: '0.0.8', to: '1.2.8', lowestSafe: '0.2.4', advisories: ['GHSA-xvch-5gv4-984h'] }],
    });
  });

  it('one version in two folders: each step names the copy it changes, and says when others remain', async () => {
    // minimist 0.0.8 twice: at the top (root declares >=0.0.8: a relock reaches 1.2.8) and under
    // mkdirp 0.5.1 (which pins 0.0.8: only the mkdirp 0.5.2 bump changes it). The finding
    // minimist@0.0.8 is gone only when both steps are applied.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-copies-'));
    try {
      const lock = {
        name: 'copies',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'copies', version: '1.0.0', dependencies: { minimist: '>=0.0.8', mkdirp: '0.5.1' } },
          'node_modules/minimist': { version: '0.0.8', resolved: 'https://registry.npmjs.org/minimist/-/minimist-0.0.8.tgz' },
          'node_modules/mkdirp': { version: '0.5.1', resolved: 'https://registry.npmjs.org/mkdirp/-/mkdirp-0.5.1.tgz', dependencies: { minimist: '0.0.8' } },
          'node_modules/mkdirp/node_modules/minimist': { version: '0.0.8', resolved: 'https://registry.npmjs.org/minimist/-/minimist-0.0.8.tgz' },
        },
      };
      writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'copies', version: '1.0.0', dependencies: { minimist: '>=0.0.8', mkdirp: '0.5.1' } }, null, 2));
      const plan = await ranked(planNpm(await readNpmProject(dir), oracle, meta));
      const byStrategy = new Map(plan.steps.map((st) => [st.strategy, st]));
      expect(byStrategy.get('in-range')!.fixes).toMatchObject([{ package: 'minimist', from: '0.0.8', locations: ['node_modules/minimist'], copies: 2 }]);
      expect(byStrategy.get('parent')!.fixes).toMatchObject([{ package: 'minimist', from: '0.0.8', locations: ['node_modules/mkdirp/node_modules/minimist'], copies: 2 }]);
      expect(renderPlanTable(plan)).toMatch(/minimist@0\.0\.8 → 1\.2\.8 \(1 of 2 copies\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to a flagged override when no release of the parent admits a fix', async () => {
    const project = await readNpmProject(path.join(FIXTURES, 'npm-override'));
    const plan = await ranked(planNpm(project, oracle, meta));
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    // minimist 0.0.10 → 0.2.4: the lowest release out of [0, 0.2.4); optimist 0.6.1 is the last and declares ~0.0.1
    expect(step).toMatchObject({ strategy: 'override', risk: 'override', changes: [{ kind: 'override', package: 'minimist', from: '0.0.10', to: '0.2.4', under: 'optimist' }] });
    expect(step.notes.join(' ')).toMatch(/forces minimist@0.2.4 where optimist@0.6.1 declares ~0.0.1/);
  });

  it('honours the allowed strategies: no override means the finding is left unfixable, with the reason', async () => {
    const project = await readNpmProject(path.join(FIXTURES, 'npm-override'));
    const plan = await ranked(planNpm(project, oracle, meta, { strategies: new Set(['in-range', 'parent']) }));
    expect(plan.steps).toEqual([]);
    expect(plan.unfixable).toEqual([
      expect.objectContaining({ package: 'minimist', version: '0.0.10', advisories: ['GHSA-xvch-5gv4-984h'], reason: expect.stringMatching(/fixed in 0.2.4, but no allowed strategy/) }),
    ]);
  });

  it('never overrides or relocks a bundled copy: only its bundler can change it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-bundle-'));
    try {
      cpSync(path.join(FIXTURES, 'npm-override'), dir, { recursive: true });
      const lockFile = path.join(dir, 'package-lock.json');
      const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, Record<string, unknown>> };
      lock.packages['node_modules/optimist/node_modules/minimist'] = { ...lock.packages['node_modules/minimist'], inBundle: true };
      delete lock.packages['node_modules/minimist'];
      writeFileSync(lockFile, JSON.stringify(lock, null, 2));
      const plan = await ranked(planNpm(await readNpmProject(dir), oracle, meta));
      expect(plan.steps).toEqual([]);
      expect(plan.unfixable).toEqual([expect.objectContaining({ package: 'minimist', reason: expect.stringMatching(/bundled inside optimist@0.6.1: only a new release of it changes the copy/) })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--max-bump limits relocks and bumps alike', async () => {
    // minimist ^1.1.0 locked at 1.1.3 (in GHSA-xvch-5gv4-984h, [1.0.0, 1.2.6)): the relock picks 1.2.8, a minor change
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-maxbump-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{"name":"m","dependencies":{"minimist":"^1.1.0"}}');
      const lock = { lockfileVersion: 3, packages: { '': { name: 'm', dependencies: { minimist: '^1.1.0' } }, 'node_modules/minimist': { version: '1.1.3' } } };
      writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
      const project = await readNpmProject(dir);
      const minor = await ranked(planNpm(project, oracle, meta, { maxBump: 'minor' }));
      expect(minor.steps.map((s) => [s.strategy, s.risk, s.changes[0]!.to])).toEqual([['in-range', 'minor', '1.2.8']]);
      const patch = await ranked(planNpm(project, oracle, meta, { maxBump: 'patch' }));
      expect(patch.steps).toEqual([]);
      expect(patch.unfixable[0]!.reason).toMatch(/fixed in 1.2.6, but no allowed strategy .*--max-bump patch/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing packument as a warning and the package as unfixable, without crashing', async () => {
    const project = await readNpmProject(path.join(FIXTURES, 'npm-parent'));
    const empty = new DirectoryMetadataSource(path.join(FIXTURES, 'osv'));
    const plan = await ranked(planNpm(project, oracle, empty));
    expect(plan.steps).toEqual([]);
    expect(plan.unfixable.map((u) => u.package).sort()).toEqual(['lodash', 'minimist']);
    expect(plan.warnings[0]).toMatch(/lodash: package metadata not available .*no recorded packument for lodash/);
  });

  it.each([
    ['^4.17.4', '4.17.21', '^4.17.21'],
    ['~1.2.0', '1.2.6', '~1.2.6'],
    ['0.5.1', '0.5.2', '0.5.2'],
    ['>=1.0.0', '1.2.6', '>=1.2.6'],
    ['latest', '1.2.6', '^1.2.6'],
  ])('raiseSpec(%s, %s) = %s', (spec, to, out) => expect(raiseSpec(spec, to)).toBe(out));

  it('npmPick prefers latest when it satisfies, else the highest satisfying', async () => {
    const p = await meta.packument('minimist');
    expect(npmPick(p, '^1.2.5')).toBe('1.2.8');
    expect(npmPick(p, '~0.0.1')).toBe('0.0.10');
    expect(npmPick(p, 'github:x/y')).toBeUndefined();
  });
});
