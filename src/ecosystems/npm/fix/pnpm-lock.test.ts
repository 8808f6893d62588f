import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ranked } from '../../../testing/fix.js';
import { FIXTURES, meta, oracle } from './fix-testing.js';
import { planNpm } from './plan.js';
import { readPnpmProject } from './pnpm-lock.js';


describe('pnpm plans', () => {
  it('lockfile v9: relock lodash, bump mkdirp to 0.5.2 (the declared range of mkdirp 0.5.1 read from its packument)', async () => {
    const project = await readPnpmProject(path.join(FIXTURES, 'pnpm-parent'), meta);
    expect(project.dependents.get('pnpm:minimist@0.0.8')).toEqual([{ key: 'pnpm:mkdirp@0.5.1', spec: '0.0.8' }]);
    const plan = await ranked(planNpm(project, oracle, meta));
    expect(plan.steps.map((s) => [s.strategy, s.changes.map((c) => `${c.kind} ${c.package} ${c.from} → ${c.to}`)])).toEqual([
      ['in-range', ['relock lodash 4.17.4 → 4.17.21']],
      ['parent', ['bump mkdirp 0.5.1 → 0.5.2']],
    ]);
    expect(plan.steps[0]!.notes).toEqual(['pnpm: pnpm update lodash']);
  });

  it('lockfile v6: the override is given as pnpm.overrides parent>child', async () => {
    const plan = await ranked(planNpm(await readPnpmProject(path.join(FIXTURES, 'pnpm-override'), meta), oracle, meta));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.notes).toContain('pnpm: add to package.json "pnpm": {"overrides": {"optimist>minimist": "0.2.4"}}');
  });

  it.each([
    ["lockfileVersion: '5.4'\n", /lockfileVersion "5.4" is not planned/],
    ['lockfileVersion: [\n', /pnpm-lock.yaml:\d+: /],
  ])('bad lockfile %j is one clear error', async (text, re) => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-pnpm-'));
    try {
      cpSync(path.join(FIXTURES, 'pnpm-parent', 'package.json'), path.join(d, 'package.json'));
      writeFileSync(path.join(d, 'pnpm-lock.yaml'), text);
      await expect(readPnpmProject(d, meta)).rejects.toSatisfy((e: { oneLine(): string }) => re.test(e.oneLine()));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
