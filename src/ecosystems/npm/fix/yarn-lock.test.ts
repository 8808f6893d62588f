import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ranked } from '../../../testing/fix.js';
import { FIXTURES, meta, oracle } from './fix-testing.js';
import { planNpm } from './plan.js';
import { dropYarnEntries, readYarnProject } from './yarn-lock.js';


describe('yarn classic plans', () => {
  it('same answers as the package-lock twin: relock lodash, bump mkdirp to 0.5.2', async () => {
    const plan = await ranked(planNpm(await readYarnProject(path.join(FIXTURES, 'yarn-parent')), oracle, meta));
    expect(plan.steps.map((s) => [s.strategy, s.changes.map((c) => `${c.kind} ${c.package} ${c.from} → ${c.to}`)])).toEqual([
      ['in-range', ['relock lodash 4.17.4 → 4.17.21']],
      ['parent', ['bump mkdirp 0.5.1 → 0.5.2']],
    ]);
    expect(plan.steps[0]!.notes).toEqual(['yarn: remove the lodash@4.17.4 entry from yarn.lock, then run yarn install']);
  });

  it('override becomes a yarn resolution', async () => {
    const plan = await ranked(planNpm(await readYarnProject(path.join(FIXTURES, 'yarn-override')), oracle, meta));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.notes).toContain('yarn: add to package.json "resolutions": "**/optimist/minimist": "0.2.4"');
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

describe('dropYarnEntries', () => {
  const lock = '# yarn lockfile v1\n\n\na@^1.0.0, a@^1.1.0:\n  version "1.2.0"\n  dependencies:\n    "@s/b" "^2.0.0"\n\n"@s/b@^2.0.0":\n  version "2.0.1"\n\na@^2.0.0:\n  version "2.0.0"\n';
  it.each([
    ['a 1.2.0 goes with its header, fields and blank line', [{ name: 'a', version: '1.2.0' }], '# yarn lockfile v1\n\n\n"@s/b@^2.0.0":\n  version "2.0.1"\n\na@^2.0.0:\n  version "2.0.0"\n'],
    ['a quoted scoped entry', [{ name: '@s/b', version: '2.0.1' }], '# yarn lockfile v1\n\n\na@^1.0.0, a@^1.1.0:\n  version "1.2.0"\n  dependencies:\n    "@s/b" "^2.0.0"\n\na@^2.0.0:\n  version "2.0.0"\n'],
    ['another version of the name stays', [{ name: 'a', version: '9.9.9' }], lock],
  ])('%s', (_what, drop, want) => {
    expect(dropYarnEntries(lock, drop)).toBe(want);
  });
});
