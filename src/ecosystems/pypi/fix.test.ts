import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply, onlyLineChanged } from '../../testing/fix.js';
import { planLockfile } from '../shared/fix/lockfile-plan.js';
import { planText } from '../shared/fix/text-plan.js';
import type { LockfileAdapter } from '../shared/fix/types.js';
import { poetryAdapter, requirementsManifest, uvAdapter } from './fix.js';
import { pypi } from './index.js';

// real OSV records copied from ../shared/osv/PyPI/all.zip (jinja2, requests, urllib3)
const { ctx, tmp, fixture } = fixerTesting(pypi, import.meta.url, 'vouch-pyfix-');

async function plan(adapter: LockfileAdapter) {
  const d = tmp.copy(fixture(adapter.kind));
  const lp = await planLockfile(path.join(d, 'pyproject.toml'), adapter, ctx);
  return { d, lp, steps: Object.fromEntries(lp.plan.steps.map((s) => [s.fixes[0]!.package, s])) };
}

describe('requirements.txt', () => {
  // Jinja2 2.10: PYSEC-2019-217 (<2.10.1) and PYSEC-2021-66 (<2.11.3) → 2.11.3, the lowest fixed
  // version free of both; PYSEC-2014-8/-82 and PYSEC-2019-220 were fixed before 2.10.
  it('raises the pin, keeps marker and comments, and the rescan is clean', async () => {
    const file = fixture('requirements.txt');
    const { plan, edited, original } = await planText(file, requirementsManifest, ctx);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ risk: 'minor', changes: [{ package: 'Jinja2', from: '2.10', to: '2.11.3', line: 3 }], fixes: [{ advisories: ['PYSEC-2019-217', 'PYSEC-2021-66'] }] });
    expect(edited).toBe(original.replace('Jinja2==2.10 ;', 'Jinja2==2.11.3 ;'));
    expect(gitApply(tmp.copy(file), 'requirements.txt', file, plan.diff!)).toBe(edited);
    const d = tmp.dir();
    writeFileSync(path.join(d, 'requirements.txt'), edited);
    expect((await planText(path.join(d, 'requirements.txt'), requirementsManifest, ctx)).plan.findings).toBe(0);
  });
});

describe('pyproject.toml + poetry.lock', () => {
  // Jinja2 2.10: PYSEC-2019-217 (<2.10.1), PYSEC-2021-66 (<2.11.3) → 2.11.3; "~2.10" (<2.11) excludes it → "~2.11.3".
  // requests 2.25.1: PYSEC-2023-74 (2.3.0 ≤ v < 2.31.0) → 2.31.0, admitted by "^2.25" → relock only.
  // urllib3 1.26.4 (transitive): PYSEC-2021-108 (<1.26.5), PYSEC-2023-192 (<1.26.17), PYSEC-2023-212 (<1.26.18) → 1.26.18;
  // PYSEC-2021-59 (1.26.0 ≤ v < 1.26.4) does not affect 1.26.4.
  it('edits the Poetry inline table, relocks in range, and adds a direct entry for a transitive', async () => {
    const { d, lp, steps } = await plan(poetryAdapter);
    expect(lp.plan.findings).toBe(6);
    expect(steps['jinja2']).toMatchObject({ strategy: 'parent', command: 'poetry update jinja2', changes: [{ kind: 'bump', from: '~2.10', to: '~2.11.3', line: 10 }], fixes: [{ to: '2.11.3', advisories: ['PYSEC-2019-217', 'PYSEC-2021-66'] }] });
    expect(steps['requests']).toMatchObject({ strategy: 'in-range', command: 'poetry update requests', fixes: [{ to: '2.31.0', advisories: ['PYSEC-2023-74'] }] });
    expect(steps['urllib3']).toMatchObject({ command: 'poetry add "urllib3>=1.26.18"', fixes: [{ to: '1.26.18', advisories: ['PYSEC-2021-108', 'PYSEC-2023-192', 'PYSEC-2023-212'] }] });
    expect(lp.edited).toBe(lp.original.replace('{ version = "~2.10", extras', '{ version = "~2.11.3", extras'));
    onlyLineChanged(lp.original, lp.edited, [9]);
    expect(gitApply(d, 'pyproject.toml', path.join(d, 'pyproject.toml'), lp.plan.diff!)).toBe(lp.edited);
  });

  it('a parent in poetry.lock capping below the fix means a parent upgrade', async () => {
    const p = tmp.copy(fixture('poetry'));
    writeFileSync(path.join(p, 'poetry.lock'), readFileSync(path.join(p, 'poetry.lock'), 'utf8').replace('urllib3 = ">=1.21.1,<1.27"', 'urllib3 = ">=1.21.1,<1.26.10"'));
    expect((await planLockfile(path.join(p, 'pyproject.toml'), poetryAdapter, ctx)).plan.unfixable[0]).toMatchObject({ package: 'urllib3', reason: 'fixed in 1.26.18, but requests requires ">=1.21.1,<1.26.10": needs a parent upgrade' });
  });
});

describe('pyproject.toml [project] + uv.lock', () => {
  it('raises the PEP 508 pin, keeps the marker, and points a transitive at constraint-dependencies', async () => {
    const { d, lp, steps } = await plan(uvAdapter);
    expect(steps['jinja2']).toMatchObject({ strategy: 'parent', command: 'uv lock --upgrade-package jinja2', changes: [{ from: '==2.10', to: '==2.11.3', line: 7 }] });
    expect(steps['requests']).toMatchObject({ strategy: 'in-range', command: 'uv lock --upgrade-package requests' });
    expect(steps['urllib3']!.notes[0]).toMatch(/\[tool\.uv\] constraint-dependencies/);
    expect(lp.edited).toBe(lp.original.replace(`"jinja2==2.10 ; python_version >= '3.8'"`, `"jinja2==2.11.3 ; python_version >= '3.8'"`));
    expect(gitApply(d, 'pyproject.toml', path.join(d, 'pyproject.toml'), lp.plan.diff!)).toBe(lp.edited);
  });
});
