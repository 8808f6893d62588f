/**
 * Bad input never crashes and never loses data: one line on stderr naming the file (and the line or
 * JSON path where known), exit 2 — or, inside a directory scan, a reported skip while the rest is
 * scanned. Never a stack trace, never a half-written store.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, osv } from '../../src/io/__fixtures__/zip-writer.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { type Run, tempDir, vouch } from './helpers.js';

function oneLine(r: Run, ...mustContain: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^vouch: /);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  for (const s of mustContain) expect(lines[0]).toContain(s);
  expect(r.stdout).toBe('');
}

describe.skipIf(!HAS_SHARED)('bad input', () => {
  let home: string;
  let work: string;
  const env = (): Record<string, string> => ({ VOUCH_HOME: home });
  const file = (name: string, content: string | Buffer): string => {
    const f = path.join(work, name);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content);
    return f;
  };

  beforeAll(() => {
    home = tempDir('bad-home');
    work = tempDir('bad-work');
    expect(vouch(['db', 'update', '--source', shared('osv', 'npm', 'all.zip'), '--quiet'], env()).code).toBe(0);
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('a truncated lockfile: exit 2, the file and the line', () => {
    const full = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'a' }, 'node_modules/lodash': { version: '4.17.15' } } }, null, 2);
    const f = file('truncated/package-lock.json', full.slice(0, full.length - 20));
    oneLine(vouch(['scan', f], env()), f, 'not valid JSON');
    expect(vouch(['scan', f], env()).stderr).toMatch(/package-lock\.json:\d+: /);
  });

  it('a lockfile that is not JSON at all, an empty one, and binary garbage', () => {
    oneLine(vouch(['scan', file('text/package-lock.json', 'this is not json\n')], env()), 'package-lock.json', 'not valid JSON');
    oneLine(vouch(['scan', file('empty/package-lock.json', '')], env()), 'package-lock.json');
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    oneLine(vouch(['scan', file('binary/package-lock.json', garbage)], env()), 'package-lock.json', 'binary');
  });

  it('a JSON lockfile with a wrong-typed field names the JSON path', () => {
    const f = file('typed/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: 7 } } }));
    oneLine(vouch(['scan', f], env()), f, '$.packages["node_modules/a"].version');
  });

  it('inside a directory, a bad lockfile is reported as skipped and the rest is scanned', () => {
    const dir = path.join(work, 'monorepo');
    copyFileSync(shared('realworld', 'OWASP__NodeGoat', 'package-lock.json'), file('monorepo/good/package-lock.json', ''));
    file('monorepo/bad/package-lock.json', '{"lockfileVersion": 3, "packages": {');
    const r = vouch(['scan', dir, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(1); // NodeGoat's findings
    const report = JSON.parse(r.stdout) as {
      inputs: { path: string; status: string; reason?: string }[];
      extractors: { id: string; filesRead: number; packages: number; failed: { path: string; reason: string }[] }[];
      findings: unknown[];
    };
    expect(report.findings.length).toBeGreaterThan(10);
    const bad = report.inputs.find((i) => i.path.includes(`${path.sep}bad${path.sep}`))!;
    expect(bad.status).toBe('failed');
    expect(bad.reason).toMatch(/package-lock\.json:\d+: not valid JSON/);
    expect(report.inputs.find((i) => i.path.includes(`${path.sep}good${path.sep}`))!.status).toBe('ok');
    expect(r.stderr).toMatch(/^vouch: skipped .*bad.*package-lock\.json:\d+: not valid JSON/m);
    // the reader's own account: one file read (NodeGoat's 1,091 packages, README count), one failed with its reason
    expect(report.extractors).toEqual([
      { id: 'npm/package-lock', filesRead: 1, packages: 1091, failed: [{ path: bad.path, reason: bad.reason }] },
    ]);
    // the broken file was found by the walk, not named: --allow-partial lets the gate through (still reported)
    expect(vouch(['scan', dir, '--fail-on', 'none', '--quiet'], env()).code).toBe(2);
    const allowed = vouch(['scan', dir, '--fail-on', 'none', '--allow-partial'], env());
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/^vouch: skipped .*bad.*package-lock\.json:\d+: not valid JSON/m);
    expect(vouch(['sbom', dir, '--quiet'], env()).code).toBe(2);
    expect(vouch(['sbom', dir, '--quiet', '--allow-partial'], env()).code).toBe(0);
    const verbose = vouch(['scan', dir, '--format', 'table', '--verbose', '--quiet'], env());
    expect(verbose.stdout).toMatch(/^npm\/package-lock: 1 file read, 1091 packages, 1 failed$/m);
  });

  it('an SBOM with an invalid purl or a component without a version: the rest is scanned, the bad ones listed with their JSON path', () => {
    const f = file(
      'sbom/bom.json',
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [
          { type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' },
          { type: 'library', name: 'broken', purl: 'pkg:/nonsense' },
          { type: 'library', name: 'versionless', purl: 'pkg:npm/versionless' },
        ],
      }),
    );
    const r = vouch(['scan', f, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { purl: string }[]; unresolved: { name: string; reason: string }[] };
    expect(new Set(report.findings.map((x) => x.purl))).toEqual(new Set(['pkg:npm/lodash@4.17.15']));
    expect(report.unresolved.map((u) => u.reason).join(' | ')).toMatch(/invalid purl.*\|.*no version|no version.*\|.*invalid purl/);
    expect(r.stderr).toContain('$.components[1].purl');
    expect(r.stderr).toContain('$.components[2]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('usage errors: unknown format, unknown --fail-on, missing path, nothing to scan', () => {
    oneLine(vouch(['scan', work, '--format', 'bogus'], env()), 'bogus');
    oneLine(vouch(['scan', work, '--fail-on', 'bogus'], env()), '--fail-on');
    oneLine(vouch(['scan', path.join(work, 'does-not-exist')], env()), 'does-not-exist');
    oneLine(vouch(['scan', file('notes.txt', 'hello')], env()), 'notes.txt', 'not a lockfile or SBOM');
    expect(vouch([], env()).code).toBe(2);
  });

  it('a missing store is said plainly, with the command that fixes it', () => {
    const f = file('ok/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }));
    oneLine(vouch(['scan', f], { VOUCH_HOME: path.join(work, 'no-store') }), 'vouch db update');
  });

  it('a stale store is said plainly on stderr, and the scan still runs', () => {
    const h = tempDir('stale-home');
    try {
      expect(vouch(['db', 'update', '--source', shared('osv', 'npm', 'all.zip'), '--quiet'], { VOUCH_HOME: h }).code).toBe(0);
      const db = new Database(path.join(h, 'osv.sqlite'));
      db.prepare('UPDATE sources SET loaded_at = ?').run('2026-01-01T00:00:00.000Z');
      db.close();
      const f = file('stale/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }));
      const r = vouch(['scan', f, '--format', 'json'], { VOUCH_HOME: h });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^vouch: the advisory store was loaded \d+ days ago .*refresh it with: vouch db update$/m);
      expect(vouch(['scan', f, '--format', 'json', '--quiet'], { VOUCH_HOME: h }).stderr).toBe('');
    } finally {
      rmSync(h, { recursive: true, force: true });
    }
  });

  it('db update: a missing source, a garbage zip and a zip with ../ fail in one line and leave the store as it was', () => {
    const before = vouch(['db', 'status', '--json'], env()).stdout;
    oneLine(vouch(['db', 'update', '--source', path.join(work, 'nowhere')], env()), 'nowhere');
    oneLine(vouch(['db', 'update', '--source', file('garbage.zip', Buffer.from('PK\u0003\u0004 definitely not a zip'))], env()), 'garbage.zip');
    const evil = file('evil.zip', makeZip([{ name: 'GHSA-ok.json', data: osv('GHSA-ok') }, { name: '../evil.json', data: osv('EVIL-1') }]));
    oneLine(vouch(['db', 'update', '--source', evil], env()), 'evil.zip', '../evil.json');
    expect(vouch(['db', 'status', '--json'], env()).stdout).toBe(before);
  });

  it('a zip entry that inflates past the bound is refused without inflating it all', () => {
    // 80 MiB of zeros deflates to ~80 KiB; the per-entry cap is 64 MiB
    const bomb = file('bomb.zip', makeZip([{ name: 'BOMB-1.json', data: Buffer.alloc(80 * 1024 * 1024, 0x20) }]));
    const r = vouch(['db', 'update', '--source', bomb], env());
    oneLine(r, 'bomb.zip');
    expect(r.stderr).toMatch(/BOMB-1\.json/);
  });

  it('OSV records with an unknown ecosystem or a malformed range are stored; a scan reports the malformed range and still matches the rest', () => {
    const records = makeZip([
      {
        name: 'ODD-1.json',
        data: osv('ODD-1', { affected: [{ package: { ecosystem: 'NoSuchEcosystem', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }),
      },
      {
        name: 'BROKEN-1.json',
        data: osv('BROKEN-1', {
          affected: [
            {
              package: { ecosystem: 'npm', name: 'left-pad' },
              ranges: [
                { type: 'SEMVER', events: [{ introduced: 'yesterday' }, { fixed: '1.1.0' }] },
                { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] },
              ],
            },
          ],
        }),
      },
    ]);
    const h = tempDir('odd-home');
    try {
      const up = vouch(['db', 'update', '--source', file('odd.zip', records)], { VOUCH_HOME: h });
      expect(up.code, up.stderr).toBe(0);
      const f = file('leftpad/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: { 'left-pad': '1.0.0' } }, 'node_modules/left-pad': { version: '1.0.0' } } }));
      const r = vouch(['scan', f, '--format', 'json'], { VOUCH_HOME: h });
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as { findings: { id: string }[]; stats: { malformedRanges: { id: string; reason: string }[] } };
      expect(report.findings.map((x) => x.id)).toEqual(['BROKEN-1']);
      expect(report.stats.malformedRanges).toEqual([{ id: 'BROKEN-1', reason: '"yesterday" is not a valid version' }]);
    } finally {
      rmSync(h, { recursive: true, force: true });
    }
  });
});
