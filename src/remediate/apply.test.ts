import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAdvisories, applyAt, fixFixtures, scratch } from '../testing/fix.js';
import { planTarget, resolveTarget } from './plan.js';

const src = path.resolve(fixFixtures(import.meta.url), '..', '..', '..');
const eco = (name: string, ...parts: string[]): string => path.join(src, 'ecosystems', name, '__fixtures__', 'fix', ...parts);
const tmp = scratch('vouch-apply-');
afterEach(() => tmp.cleanup());

describe('applying without a relock by vouch', () => {
  it('a lockfile ecosystem: writes the manifest only and says the lockfile must be regenerated', async () => {
    const store = new MemoryAdvisories(eco('cargo', 'osv'));
    const d = tmp.copy(eco('cargo', 'cargo'));
    const lock = readFileSync(path.join(d, 'Cargo.lock'), 'utf8');
    const planned = await planTarget(resolveTarget(d), store, { home: d });
    const r = await applyAt(d, store);
    expect(readFileSync(path.join(d, 'Cargo.toml'), 'utf8')).toContain('smallvec = { version = "=0.6.14", features = ["union"] }');
    expect(readFileSync(path.join(d, 'Cargo.lock'), 'utf8')).toBe(lock);
    expect(r.applied).toHaveLength(1);
    expect(r.after).toEqual(r.before);
    expect(r.plan.warnings.at(-1)).toMatch(/the lockfile is not: regenerate it with .*cargo update -p smallvec --precise 0\.6\.14/);
    expect(planned.steps).toHaveLength(2);
  });

  // Jinja2 2.10 → 2.11.3 (PYSEC-2019-217, PYSEC-2021-66): the only pin with advisories
  it('a text manifest: writes the edits and rescans the file', async () => {
    const store = new MemoryAdvisories(eco('pypi', 'osv'));
    const d = tmp.copy(eco('pypi', 'requirements.txt'));
    const before = readFileSync(path.join(d, 'requirements.txt'), 'utf8');
    const r = await applyAt(d, store);
    expect(readFileSync(path.join(d, 'requirements.txt'), 'utf8')).toBe(before.replace('Jinja2==2.10 ;', 'Jinja2==2.11.3 ;'));
    expect(r.before).toEqual(['Jinja2@2.10 PYSEC-2019-217', 'Jinja2@2.10 PYSEC-2021-66']);
    expect(r.after).toEqual([]);
    expect(r.applied).toHaveLength(1);
  });
});
