import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply, onlyLineChanged } from '../../testing/fix.js';
import { planLockfile } from '../shared/fix/lockfile-plan.js';
import { cargoAdapter } from './fix.js';
import { cargo } from './index.js';

// real OSV records copied from ../shared/osv/crates.io/all.zip (regex, smallvec, time)
const { ctx, tmp, fixture } = fixerTesting(cargo, import.meta.url, 'vouch-cargofix-');

describe('Cargo.toml + Cargo.lock', () => {
  // smallvec 0.6.9: RUSTSEC-2018-0018 (<0.6.13), -2019-0009 (0.6.5..<0.6.10), -2019-0012 (0.6.3..<0.6.10), -2021-0003 (0.6.3..<0.6.14) → 0.6.14.
  // regex 1.5.4: RUSTSEC-2022-0013 (<1.5.5), "1.5" is ^1.5 → relock with --precise.
  // time 0.1.44 (under chrono): RUSTSEC-2020-0071, first fixed 0.2.0: not semver-compatible → parent upgrade.
  it('raises the exact pin, relocks regex with --precise, and leaves time to a chrono upgrade', async () => {
    const d = tmp.copy(fixture('cargo'));
    const lp = await planLockfile(path.join(d, 'Cargo.toml'), cargoAdapter, ctx);
    const steps = Object.fromEntries(lp.plan.steps.map((s) => [s.fixes[0]!.package, s]));
    expect(steps['smallvec']).toMatchObject({ changes: [{ from: '=0.6.9', to: '=0.6.14', line: 8 }], fixes: [{ advisories: ['RUSTSEC-2018-0018', 'RUSTSEC-2019-0009', 'RUSTSEC-2019-0012', 'RUSTSEC-2021-0003'] }] });
    expect(steps['regex']).toMatchObject({ strategy: 'in-range', command: 'cargo update -p regex --precise 1.5.5' });
    expect(lp.plan.unfixable).toEqual([{ package: 'time', version: '0.1.44', advisories: ['RUSTSEC-2020-0071'], reason: expect.stringMatching(/fixed in 0\.2\.0.*needs a parent upgrade/) }]);
    onlyLineChanged(lp.original, lp.edited, [7]);
    expect(gitApply(d, 'Cargo.toml', path.join(d, 'Cargo.toml'), lp.plan.diff!)).toBe(lp.edited);
  });
});
