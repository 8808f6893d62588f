import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply, onlyLineChanged } from '../../testing/fix.js';
import { planLockfile } from '../shared/fix/lockfile-plan.js';
import { composerAdapter } from './fix.js';
import { packagist } from './index.js';

// real OSV records copied from ../shared/osv/Packagist/all.zip (league/flysystem, drupal/jsonapi)
const { ctx, tmp, fixture } = fixerTesting(packagist, import.meta.url, 'vouch-composerfix-');

describe('composer.json + composer.lock', () => {
  // league/flysystem 1.0.70: GHSA-9f46-5r25-5wfm (<1.1.4); drupal/jsonapi 1.24.0 (under acme/site-tools):
  // DRUPAL-CONTRIB-2019-019 (<1.25.0) → 1.25.0; DRUPAL-CONTRIB-2020-010 has no fixed event.
  it('raises the tilde constraint and updates a transitive with its dependencies', async () => {
    const d = tmp.copy(fixture('composer'));
    const lp = await planLockfile(path.join(d, 'composer.json'), composerAdapter, ctx);
    const steps = Object.fromEntries(lp.plan.steps.map((s) => [s.fixes[0]!.package, s]));
    expect(steps['league/flysystem']).toMatchObject({ changes: [{ from: '~1.0.70', to: '~1.1.4', line: 5 }], command: 'composer update league/flysystem' });
    expect(steps['drupal/jsonapi']).toMatchObject({ command: 'composer update drupal/jsonapi --with-dependencies', fixes: [{ to: '1.25.0', advisories: ['DRUPAL-CONTRIB-2019-019'] }] });
    expect(lp.plan.unfixable).toMatchObject([{ package: 'drupal/jsonapi', advisories: ['DRUPAL-CONTRIB-2020-010'], reason: 'no fixed version in the advisories' }]);
    onlyLineChanged(lp.original, lp.edited, [4]);
    expect(gitApply(d, 'composer.json', path.join(d, 'composer.json'), lp.plan.diff!)).toBe(lp.edited);
  });

  it('a parent in composer.lock capping below the fix means a parent upgrade', async () => {
    const c = tmp.copy(fixture('composer'));
    writeFileSync(path.join(c, 'composer.lock'), readFileSync(path.join(c, 'composer.lock'), 'utf8').replace('"drupal/jsonapi": "^1.0"', '"drupal/jsonapi": "~1.24.0"'));
    const lp = await planLockfile(path.join(c, 'composer.json'), composerAdapter, ctx);
    expect(lp.plan.unfixable.map((u) => u.reason)).toContain('fixed in 1.25.0, but acme/site-tools requires "~1.24.0": needs a parent upgrade');
  });
});
