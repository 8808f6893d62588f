import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply } from '../../testing/fix.js';
import { planLockfile } from '../shared/fix/lockfile-plan.js';
import { bundlerAdapter } from './fix.js';
import { rubygems } from './index.js';

// real OSV records copied from ../shared/osv/RubyGems/all.zip (nokogiri, rack)
const { ctx, tmp, fixture } = fixerTesting(rubygems, import.meta.url, 'vouch-gemfix-');
const planGemfile = (d: string) => planLockfile(path.join(d, 'Gemfile'), bundlerAdapter, ctx);

describe('Gemfile + Gemfile.lock', () => {
  // nokogiri 1.12.5: GHSA-crjr-9rc5-ghw8 (<1.13.4); rack 2.2.3 (under rack-test): GHSA-hxqx-xwvh-44m2 (2.2 ≤ v < 2.2.3.1).
  it('raises the exact gem pin with its comment, and updates rack conservatively', async () => {
    const d = tmp.copy(fixture('bundler'));
    const lp = await planGemfile(d);
    const steps = Object.fromEntries(lp.plan.steps.map((s) => [s.fixes[0]!.package, s]));
    expect(steps['nokogiri']).toMatchObject({ changes: [{ from: '1.12.5', to: '1.13.4', line: 3 }], command: 'bundle update --conservative nokogiri' });
    expect(steps['rack']).toMatchObject({ command: 'bundle update --conservative rack', fixes: [{ to: '2.2.3.1', advisories: ['GHSA-hxqx-xwvh-44m2'] }] });
    expect(lp.edited).toBe(lp.original.replace('gem "nokogiri", "1.12.5" # pinned for CI', 'gem "nokogiri", "1.13.4" # pinned for CI'));
    expect(gitApply(d, 'Gemfile', path.join(d, 'Gemfile'), lp.plan.diff!)).toBe(lp.edited);
  });

  it('a pessimistic requirement keeps its precision and gains a lower bound as a separate argument', async () => {
    const d = tmp.copy(fixture('bundler'));
    writeFileSync(path.join(d, 'Gemfile'), `gem 'nokogiri', '~> 1.12.0', require: false\n`);
    expect((await planGemfile(d)).edited).toBe(`gem 'nokogiri', '~> 1.13.4', require: false\n`);
    writeFileSync(path.join(d, 'Gemfile'), `gem 'nokogiri', '~> 1.12.0', '>= 1.12.1'\n`);
    expect((await planGemfile(d)).edited).toBe(`gem 'nokogiri', '~> 1.13.4', '>= 1.13.4'\n`);
  });

  it('Gemfile.lock: a parent requiring rack < 2.2.3.1 means a parent upgrade', async () => {
    const d = tmp.copy(fixture('bundler'));
    const lock = path.join(d, 'Gemfile.lock');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('rack (>= 1.0, < 3)', 'rack (= 2.2.3)'));
    const lp = await planGemfile(d);
    expect(lp.plan.steps.map((s) => s.fixes[0]!.package)).toEqual(['nokogiri']);
    expect(lp.plan.unfixable).toEqual([{ package: 'rack', version: '2.2.3', advisories: ['GHSA-hxqx-xwvh-44m2'], reason: 'fixed in 2.2.3.1, but rack-test requires "= 2.2.3": needs a parent upgrade' }]);
  });
});
