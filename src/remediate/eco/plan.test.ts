import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, MemoryAdvisories } from '../__fixtures__/memory-store.js';
import { applyTarget, planTarget, resolveTarget } from '../index.js';
import { DirectoryMetadataSource } from '../metadata.js';
import { type EcoKind, planEco } from './plan.js';

// real OSV records copied from ../shared/osv (PyPI, crates.io, RubyGems, Packagist zips)
const store = new MemoryAdvisories(path.join(FIXTURES, 'eco', 'osv'));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function copy(kind: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-ecofix-'));
  dirs.push(d);
  cpSync(path.join(FIXTURES, 'eco', kind), d, { recursive: true });
  return d;
}

/** The plan's diff applies with `git apply` to the copy and gives the planned text. */
function gitApply(dir: string, manifest: string, diff: string): string {
  const file = path.join(dir, manifest);
  writeFileSync(path.join(dir, 'fix.diff'), diff.replaceAll(`a/${file.slice(1)}`, `a/${manifest}`).replaceAll(`b/${file.slice(1)}`, `b/${manifest}`));
  const r = spawnSync('git', ['apply', '--verbose', 'fix.diff'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file, 'utf8');
}

/** Every line but `changed` (0-based) is byte-identical. */
function onlyLineChanged(before: string, after: string, changed: number[]): void {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  a.forEach((l, i) => (changed.includes(i) ? expect(b[i]).not.toBe(l) : expect(b[i]).toBe(l)));
}

async function plan(kind: EcoKind, manifest: string) {
  const d = copy(kind);
  const ep = await planEco(path.join(d, manifest), kind, store);
  return { d, ep, steps: Object.fromEntries(ep.plan.steps.map((s) => [s.fixes[0]!.package, s])) };
}

describe('pyproject.toml + poetry.lock', () => {
  // Jinja2 2.10: PYSEC-2019-217 (<2.10.1), PYSEC-2021-66 (<2.11.3) → 2.11.3; "~2.10" (<2.11) excludes it → "~2.11.3".
  // requests 2.25.1: PYSEC-2023-74 (2.3.0 ≤ v < 2.31.0) → 2.31.0, admitted by "^2.25" → relock only.
  // urllib3 1.26.4 (transitive): PYSEC-2021-108 (<1.26.5), PYSEC-2023-192 (<1.26.17), PYSEC-2023-212 (<1.26.18) → 1.26.18;
  // PYSEC-2021-59 (1.26.0 ≤ v < 1.26.4) does not affect 1.26.4.
  it('edits the Poetry inline table, relocks in range, and adds a direct entry for a transitive', async () => {
    const { d, ep, steps } = await plan('poetry', 'pyproject.toml');
    expect(ep.plan.findings).toBe(6);
    expect(steps['jinja2']).toMatchObject({ strategy: 'parent', command: 'poetry update jinja2', changes: [{ kind: 'bump', from: '~2.10', to: '~2.11.3', line: 10 }], fixes: [{ to: '2.11.3', advisories: ['PYSEC-2019-217', 'PYSEC-2021-66'] }] });
    expect(steps['requests']).toMatchObject({ strategy: 'in-range', command: 'poetry update requests', fixes: [{ to: '2.31.0', advisories: ['PYSEC-2023-74'] }] });
    expect(steps['urllib3']).toMatchObject({ command: 'poetry add "urllib3>=1.26.18"', fixes: [{ to: '1.26.18', advisories: ['PYSEC-2021-108', 'PYSEC-2023-192', 'PYSEC-2023-212'] }] });
    expect(ep.edited).toBe(ep.original.replace('{ version = "~2.10", extras', '{ version = "~2.11.3", extras'));
    onlyLineChanged(ep.original, ep.edited, [9]);
    expect(gitApply(d, 'pyproject.toml', ep.plan.diff!)).toBe(ep.edited);
  });
});

describe('pyproject.toml [project] + uv.lock', () => {
  it('raises the PEP 508 pin, keeps the marker, and points a transitive at constraint-dependencies', async () => {
    const { d, ep, steps } = await plan('uv', 'pyproject.toml');
    expect(steps['jinja2']).toMatchObject({ strategy: 'parent', command: 'uv lock --upgrade-package jinja2', changes: [{ from: '==2.10', to: '==2.11.3', line: 7 }] });
    expect(steps['requests']).toMatchObject({ strategy: 'in-range', command: 'uv lock --upgrade-package requests' });
    expect(steps['urllib3']!.notes[0]).toMatch(/\[tool\.uv\] constraint-dependencies/);
    expect(ep.edited).toBe(ep.original.replace(`"jinja2==2.10 ; python_version >= '3.8'"`, `"jinja2==2.11.3 ; python_version >= '3.8'"`));
    expect(gitApply(d, 'pyproject.toml', ep.plan.diff!)).toBe(ep.edited);
  });
});

describe('Cargo.toml + Cargo.lock', () => {
  // smallvec 0.6.9: RUSTSEC-2018-0018 (<0.6.13), -2019-0009 (0.6.5..<0.6.10), -2019-0012 (0.6.3..<0.6.10), -2021-0003 (0.6.3..<0.6.14) → 0.6.14.
  // regex 1.5.4: RUSTSEC-2022-0013 (<1.5.5), "1.5" is ^1.5 → relock with --precise.
  // time 0.1.44 (under chrono): RUSTSEC-2020-0071, first fixed 0.2.0: not semver-compatible → parent upgrade.
  it('raises the exact pin, relocks regex with --precise, and leaves time to a chrono upgrade', async () => {
    const { d, ep, steps } = await plan('cargo', 'Cargo.toml');
    expect(steps['smallvec']).toMatchObject({ changes: [{ from: '=0.6.9', to: '=0.6.14', line: 8 }], fixes: [{ advisories: ['RUSTSEC-2018-0018', 'RUSTSEC-2019-0009', 'RUSTSEC-2019-0012', 'RUSTSEC-2021-0003'] }] });
    expect(steps['regex']).toMatchObject({ strategy: 'in-range', command: 'cargo update -p regex --precise 1.5.5' });
    expect(ep.plan.unfixable).toEqual([{ package: 'time', version: '0.1.44', advisories: ['RUSTSEC-2020-0071'], reason: expect.stringMatching(/fixed in 0\.2\.0.*needs a parent upgrade/) }]);
    onlyLineChanged(ep.original, ep.edited, [7]);
    expect(gitApply(d, 'Cargo.toml', ep.plan.diff!)).toBe(ep.edited);
  });
});

describe('Gemfile + Gemfile.lock', () => {
  // nokogiri 1.12.5: GHSA-crjr-9rc5-ghw8 (<1.13.4); rack 2.2.3 (under rack-test): GHSA-hxqx-xwvh-44m2 (2.2 ≤ v < 2.2.3.1).
  it('raises the exact gem pin with its comment, and updates rack conservatively', async () => {
    const { d, ep, steps } = await plan('bundler', 'Gemfile');
    expect(steps['nokogiri']).toMatchObject({ changes: [{ from: '1.12.5', to: '1.13.4', line: 3 }], command: 'bundle update --conservative nokogiri' });
    expect(steps['rack']).toMatchObject({ command: 'bundle update --conservative rack', fixes: [{ to: '2.2.3.1', advisories: ['GHSA-hxqx-xwvh-44m2'] }] });
    expect(ep.edited).toBe(ep.original.replace('gem "nokogiri", "1.12.5" # pinned for CI', 'gem "nokogiri", "1.13.4" # pinned for CI'));
    expect(gitApply(d, 'Gemfile', ep.plan.diff!)).toBe(ep.edited);
  });

  it('a pessimistic requirement keeps its precision and gains a lower bound as a separate argument', async () => {
    const d = copy('bundler');
    writeFileSync(path.join(d, 'Gemfile'), `gem 'nokogiri', '~> 1.12.0', require: false\n`);
    const ep = await planEco(path.join(d, 'Gemfile'), 'bundler', store);
    expect(ep.edited).toBe(`gem 'nokogiri', '~> 1.13.4', require: false\n`);
    writeFileSync(path.join(d, 'Gemfile'), `gem 'nokogiri', '~> 1.12.0', '>= 1.12.1'\n`);
    expect((await planEco(path.join(d, 'Gemfile'), 'bundler', store)).edited).toBe(`gem 'nokogiri', '~> 1.13.4', '>= 1.13.4'\n`);
  });
});

describe('parents recorded in the lockfile', () => {
  it('Gemfile.lock: a parent requiring rack < 2.2.3.1 means a parent upgrade', async () => {
    const d = copy('bundler');
    const lock = path.join(d, 'Gemfile.lock');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('rack (>= 1.0, < 3)', 'rack (= 2.2.3)'));
    const ep = await planEco(path.join(d, 'Gemfile'), 'bundler', store);
    expect(ep.plan.steps.map((s) => s.fixes[0]!.package)).toEqual(['nokogiri']);
    expect(ep.plan.unfixable).toEqual([{ package: 'rack', version: '2.2.3', advisories: ['GHSA-hxqx-xwvh-44m2'], reason: 'fixed in 2.2.3.1, but rack-test requires "= 2.2.3": needs a parent upgrade' }]);
  });

  it('poetry.lock and composer.lock: a parent capping below the fix means a parent upgrade', async () => {
    const p = copy('poetry');
    writeFileSync(path.join(p, 'poetry.lock'), readFileSync(path.join(p, 'poetry.lock'), 'utf8').replace('urllib3 = ">=1.21.1,<1.27"', 'urllib3 = ">=1.21.1,<1.26.10"'));
    expect((await planEco(path.join(p, 'pyproject.toml'), 'poetry', store)).plan.unfixable[0]).toMatchObject({ package: 'urllib3', reason: 'fixed in 1.26.18, but requests requires ">=1.21.1,<1.26.10": needs a parent upgrade' });
    const c = copy('composer');
    writeFileSync(path.join(c, 'composer.lock'), readFileSync(path.join(c, 'composer.lock'), 'utf8').replace('"drupal/jsonapi": "^1.0"', '"drupal/jsonapi": "~1.24.0"'));
    const ep = await planEco(path.join(c, 'composer.json'), 'composer', store);
    expect(ep.plan.unfixable.map((u) => u.reason)).toContain('fixed in 1.25.0, but acme/site-tools requires "~1.24.0": needs a parent upgrade');
  });
});

describe('composer.json + composer.lock', () => {
  // league/flysystem 1.0.70: GHSA-9f46-5r25-5wfm (<1.1.4); drupal/jsonapi 1.24.0 (under acme/site-tools):
  // DRUPAL-CONTRIB-2019-019 (<1.25.0) → 1.25.0; DRUPAL-CONTRIB-2020-010 has no fixed event.
  it('raises the tilde constraint and updates a transitive with its dependencies', async () => {
    const { d, ep, steps } = await plan('composer', 'composer.json');
    expect(steps['league/flysystem']).toMatchObject({ changes: [{ from: '~1.0.70', to: '~1.1.4', line: 5 }], command: 'composer update league/flysystem' });
    expect(steps['drupal/jsonapi']).toMatchObject({ command: 'composer update drupal/jsonapi --with-dependencies', fixes: [{ to: '1.25.0', advisories: ['DRUPAL-CONTRIB-2019-019'] }] });
    expect(ep.plan.unfixable).toMatchObject([{ package: 'drupal/jsonapi', advisories: ['DRUPAL-CONTRIB-2020-010'], reason: 'no fixed version in the advisories' }]);
    onlyLineChanged(ep.original, ep.edited, [4]);
    expect(gitApply(d, 'composer.json', ep.plan.diff!)).toBe(ep.edited);
  });
});

describe('targets, apply and bad input', () => {
  const metadata = new DirectoryMetadataSource(path.join(FIXTURES, 'packuments'));

  it('resolveTarget finds the manifest from the folder or the lockfile', () => {
    expect(resolveTarget(path.join(FIXTURES, 'eco', 'poetry'))).toEqual({ kind: 'poetry', file: path.join(FIXTURES, 'eco', 'poetry', 'pyproject.toml') });
    expect(resolveTarget(path.join(FIXTURES, 'eco', 'uv', 'uv.lock'))).toEqual({ kind: 'uv', file: path.join(FIXTURES, 'eco', 'uv', 'pyproject.toml') });
    expect(resolveTarget(path.join(FIXTURES, 'eco', 'cargo')).kind).toBe('cargo');
    expect(resolveTarget(path.join(FIXTURES, 'eco', 'bundler', 'Gemfile.lock')).kind).toBe('bundler');
    expect(resolveTarget(path.join(FIXTURES, 'eco', 'composer', 'composer.json')).kind).toBe('composer');
  });

  it('--apply writes the manifest only and says the lockfile must be regenerated', async () => {
    const d = copy('cargo');
    const lock = readFileSync(path.join(d, 'Cargo.lock'), 'utf8');
    const target = resolveTarget(d);
    const planned = await planTarget(target, store, { metadata });
    const r = await applyTarget(target, store, { metadata });
    expect(readFileSync(path.join(d, 'Cargo.toml'), 'utf8')).toContain('smallvec = { version = "=0.6.14", features = ["union"] }');
    expect(readFileSync(path.join(d, 'Cargo.lock'), 'utf8')).toBe(lock);
    expect(r.applied).toHaveLength(1);
    expect(r.after).toEqual(r.before);
    expect(r.plan.warnings.at(-1)).toMatch(/the lockfile is not: regenerate it with .*cargo update -p smallvec --precise 0\.6\.14/);
    expect(planned.steps).toHaveLength(2);
  });

  it('a manifest without its lockfile is one line naming the missing lockfile', async () => {
    const d = copy('composer');
    rmSync(path.join(d, 'composer.lock'));
    await expect(planEco(path.join(d, 'composer.json'), 'composer', store)).rejects.toThrow(/no composer\.lock beside it/);
  });

  it.each([
    ['poetry', 'pyproject.toml', '[tool.poetry.dependencies]\nrequests = "^2.25"\nbroken = \n', /pyproject\.toml:3: not valid TOML/],
    ['cargo', 'Cargo.toml', '[dependencies]\nregex = 1.5.4\nserde = "1"\n', /Cargo\.toml:2: not valid TOML/],
    ['bundler', 'Gemfile', 'source "https://rubygems.org"\ngem nokogiri\n', /Gemfile:2: gem without a quoted name/],
    ['composer', 'composer.json', '{\n  "require": {\n    "a/b": "^1",\n  }\n}\n', /composer\.json:4: not valid JSON/],
  ] as const)('a bad %s manifest is one error line with file:line', async (kind, manifest, text, want) => {
    const d = copy(kind);
    writeFileSync(path.join(d, manifest), text);
    const err = await planEco(path.join(d, manifest), kind, store).then(() => undefined, (e: { oneLine(): string }) => e.oneLine());
    expect(err).toMatch(want);
    expect(err).not.toContain('\n');
  });
});
