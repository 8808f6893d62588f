/**
 * `vouch fix` on the lockfile ecosystems end to end: the store loaded from the real crates.io,
 * RubyGems and Packagist advisories in ../shared/osv, the fixture projects of each ecosystem's fixer
 * (src/ecosystems/<ecosystem>/__fixtures__/fix/).
 * The full store holds more advisories than the unit fixtures (e.g. chrono 0.4.19's RUSTSEC-2020-0159).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';
import { tempDir, vouch } from './helpers.js';

/** Fixture project → the ecosystem folder holding it. */
const ECO: Record<string, string> = { cargo: 'cargo', bundler: 'rubygems', composer: 'packagist' };

describe.skipIf(!HAS_SHARED)('vouch fix on Cargo, Bundler and Composer projects', () => {
  let home: string;
  let work: string;
  beforeAll(() => {
    home = tempDir('fixeco-home');
    work = tempDir('fixeco-work');
    const r = vouch(['db', 'update', '--source', shared('osv'), '--ecosystem', 'crates.io,RubyGems,Packagist', '--quiet'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  function project(name: string): string {
    const d = path.join(work, name);
    cpSync(path.join(REPO_ROOT, 'src', 'ecosystems', ECO[name]!, '__fixtures__', 'fix', name), d, { recursive: true });
    return d;
  }

  it('--json plans the Cargo project: smallvec pin raised, regex relocked with --precise, time needs chrono upgraded', () => {
    const d = project('cargo');
    const r = vouch(['fix', d, '--json'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(1);
    const plan = JSON.parse(r.stdout) as { steps: { command?: string; changes: { kind: string; package: string; to: string }[] }[]; unfixable: { package: string; reason: string }[] };
    expect(plan.steps.find((s) => s.changes[0]!.package === 'smallvec')).toMatchObject({ command: 'cargo update -p smallvec --precise 0.6.14', changes: [{ kind: 'bump', to: '=0.6.14' }] });
    expect(plan.steps.find((s) => s.changes[0]!.package === 'regex')?.command).toBe('cargo update -p regex --precise 1.5.5');
    expect(plan.unfixable.find((u) => u.package === 'time')?.reason).toMatch(/needs a parent upgrade/);
  });

  it('--apply edits the Gemfile only and prints the bundle command; the lockfile is untouched', () => {
    const d = project('bundler');
    const lock = readFileSync(path.join(d, 'Gemfile.lock'), 'utf8');
    const r = vouch(['fix', path.join(d, 'Gemfile'), '--apply'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(1);
    expect(readFileSync(path.join(d, 'Gemfile'), 'utf8')).toBe('source "https://rubygems.org"\n\ngem "nokogiri", "1.19.4" # pinned for CI\ngem \'rack-test\', \'~> 1.1\'\n');
    expect(readFileSync(path.join(d, 'Gemfile.lock'), 'utf8')).toBe(lock);
    expect(r.stdout).toContain('regenerate it with bundle update --conservative rack && bundle update --conservative nokogiri (vouch does not run it)');
  });

  it('a broken composer.json is one line with file:line and exit 2', () => {
    const d = project('composer');
    writeFileSync(path.join(d, 'composer.json'), '{\n  "require": {\n    "league/flysystem": "~1.0.70",\n  }\n}\n');
    const r = vouch(['fix', d], { VOUCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vouch: .*composer\.json:4: not valid JSON[^\n]*\n$/);
  });
});
