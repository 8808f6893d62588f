import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, MemoryAdvisories } from '../__fixtures__/memory-store.js';
import { DirectoryMetadataSource } from '../metadata.js';
import { planNpm } from './plan.js';
import { readYarnProject } from './yarn-lock.js';

const store = new MemoryAdvisories();
const meta = new DirectoryMetadataSource(path.join(FIXTURES, 'packuments'));

describe('yarn classic plans', () => {
  it('same answers as the package-lock twin: relock lodash, bump mkdirp to 0.5.2', async () => {
    const plan = await planNpm(await readYarnProject(path.join(FIXTURES, 'yarn-parent')), store, meta);
    expect(plan.steps.map((s) => [s.strategy, s.changes.map((c) => `${c.kind} ${c.package} ${c.from} → ${c.to}`)])).toEqual([
      ['in-range', ['relock lodash 4.17.4 → 4.17.21']],
      ['parent', ['bump mkdirp 0.5.1 → 0.5.2']],
    ]);
    expect(plan.steps[0]!.notes).toEqual(['yarn: remove the lodash@4.17.4 entry from yarn.lock, then run yarn install']);
  });

  it('override becomes a yarn resolution', async () => {
    const plan = await planNpm(await readYarnProject(path.join(FIXTURES, 'yarn-override')), store, meta);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.notes).toContain('yarn: add to package.json "resolutions": "optimist/minimist": "0.2.4"');
  });

  it.each([
    ['lodash@^4.17.4:\n  resolved "x"\n', /yarn.lock:1: entry without a version/],
    ['lodash@^4.17.4\n  version "1"\n', /yarn.lock:1: expected an entry header/],
    ['__metadata:\n  version: 6\n', /yarn berry/],
  ])('bad lockfile %j is one clear error', async (text, re) => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-yarn-'));
    try {
      cpSync(path.join(FIXTURES, 'yarn-parent', 'package.json'), path.join(d, 'package.json'));
      writeFileSync(path.join(d, 'yarn.lock'), text);
      await expect(readYarnProject(d)).rejects.toSatisfy((e: { oneLine(): string }) => re.test(e.oneLine()));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
