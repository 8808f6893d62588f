import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VouchError } from '../model/errors.js';
import { vouchFailure } from '../testing/errors.js';
import { makeZip, osv, type ZipEntrySpec } from '../io/__fixtures__/zip-writer.js';
import { updateStore } from './import.js';
import { parseRecord } from './osv-load.js';
import { AdvisoryStore } from './store.js';
import { withStore } from '../testing/store.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function tmp(prefix: string): string {
  const p = path.join(root, `${prefix}-${n++}`);
  mkdirSync(p, { recursive: true });
  return p;
}

function writeZip(file: string, entries: ZipEntrySpec[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, makeZip(entries));
  return file;
}

/** A bulk-export-shaped folder: `<dir>/<eco>/all.zip`. */
function bulkDir(ecos: Record<string, ZipEntrySpec[]>): string {
  const dir = tmp('bulk');
  for (const [eco, entries] of Object.entries(ecos)) writeZip(path.join(dir, eco, 'all.zip'), entries);
  return dir;
}

function pkg(ecosystem: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }], ...extra };
}

describe('parseRecord', () => {
  it.each([
    ['{', /^invalid JSON/],
    ['[1,2]', /not a JSON object/],
    ['"GHSA"', /not a JSON object/],
    ['{"id": "X"}', /X has no string "modified"/],
    ['{"modified": "2024-01-01T00:00:00Z"}', /no string "id"/],
    ['{"id": 7, "modified": "2024-01-01T00:00:00Z"}', /no string "id"/],
  ])('%s is not an OSV record', (text, why) => {
    expect(parseRecord(Buffer.from(text))).toMatch(why);
  });

  it('indexes packages by normalised name, and aliases without the id itself', () => {
    const rec = parseRecord(
      Buffer.from(
        '\ufeff' +
          JSON.stringify({
            id: 'PYSEC-1',
            modified: '2024-01-01T00:00:00Z',
            aliases: ['CVE-1', 'PYSEC-1', 'CVE-1'],
            affected: [
              { package: { ecosystem: 'PyPI', name: 'Foo_Bar' } },
              { package: { ecosystem: 'PyPI', name: 'foo.bar' } },
              { package: { ecosystem: 'Debian:12', name: 'Foo' } },
              { package: 'nonsense' },
              null,
            ],
          }),
      ),
    );
    expect(typeof rec).toBe('object');
    if (typeof rec === 'string') return;
    expect(rec.packages).toEqual([
      { ecosystem: 'PyPI', base: 'PyPI', norm: 'foo-bar' },
      { ecosystem: 'Debian:12', base: 'Debian', norm: 'Foo' },
    ]);
    expect(rec.aliases).toEqual(['CVE-1']);
  });
});

describe('updateStore on generated sources', () => {
  it('stores good records, skips bad ones with a counted warning naming zip!entry, keeps unknown ecosystems and withdrawn records', async () => {
    const src = writeZip(path.join(tmp('src'), 'mixed.zip'), [
      { name: 'GHSA-good.json', data: osv('GHSA-good', { aliases: ['CVE-2099-0001'] }) },
      { name: 'broken.json', data: '{"id": "BROKEN", "modified": ' },
      { name: 'array.json', data: '[]' },
      { name: 'nomod.json', data: '{"id": "NOMOD"}' },
      { name: 'WOLFI-1.json', data: osv('WOLFI-1', pkg('Wolfi', 'Some-Pkg')) },
      { name: 'GHSA-gone.json', data: osv('GHSA-gone', { withdrawn: '2024-02-01T00:00:00Z' }) },
      { name: 'notes.txt', data: 'not a record' },
    ]);
    const home = tmp('home');
    const s = await updateStore({ home, source: src });
    expect(s.recordsRead).toBe(3);
    expect(s.advisories).toBe(3);
    expect(s.withdrawn).toBe(1);
    expect(s.skipped).toBe(4);
    expect(s.warnings).toEqual([
      expect.stringMatching(/mixed\.zip!broken\.json: invalid JSON/),
      expect.stringMatching(/mixed\.zip!array\.json: not an OSV record/),
      expect.stringMatching(/mixed\.zip!nomod\.json: not an OSV record \(NOMOD has no string "modified"\)/),
      expect.stringMatching(/mixed\.zip!notes\.txt: not a \.json entry/),
    ]);
    expect(s.loaded.map((l) => [l.ecosystem, l.count])).toEqual([
      ['Wolfi', 1],
      ['npm', 2],
    ]);
    withStore(home, (store) => {
      // withdrawn: kept, found by id, never returned for matching
      expect(store.advisoriesFor('npm', 'left-pad').map((a) => a.id)).toEqual(['GHSA-good']);
      expect(store.findByIdOrAlias('GHSA-gone')).toEqual([{ advisory: expect.objectContaining({ id: 'GHSA-gone' }), withdrawn: true }]);
      // an ecosystem vouch does not know: stored under its own string, name taken as is
      expect(store.advisoriesFor('Wolfi', 'Some-Pkg').map((a) => a.id)).toEqual(['WOLFI-1']);
      expect(store.advisoriesFor('Wolfi', 'some-pkg')).toEqual([]);
      expect(store.findByIdOrAlias('cve-2099-0001').map((r) => r.advisory.id)).toEqual(['GHSA-good']);
      expect(store.findByIdOrAlias('ghsa-good').map((r) => r.advisory.id)).toEqual(['GHSA-good']);
      expect(store.findByIdOrAlias('NOPE')).toEqual([]);
    });
    expect(readdirSync(home)).toEqual(['osv.sqlite']);
  });

  it('keeps the record as published, byte for byte', async () => {
    const text = '{\n  "id": "X-1",   "modified": "2024-01-01T00:00:00Z",\n  "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "x": 1.50}]\n}\n';
    const dir = tmp('json');
    writeFileSync(path.join(dir, 'X-1.json'), text);
    const home = tmp('home');
    await updateStore({ home, source: dir });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(home, 'osv.sqlite'), { readonly: true });
    expect(db.prepare('SELECT json FROM advisories').pluck().get()).toBe(text);
    db.close();
  });

  it('scores every CVSS vector once, top-level and per package, for scans to look up', async () => {
    const dir = tmp('json');
    const log4shell = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H';
    const v2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P';
    writeFileSync(path.join(dir, 'A-1.json'), osv('A-1', { severity: [{ type: 'CVSS_V3', score: log4shell }] }));
    writeFileSync(
      path.join(dir, 'A-2.json'),
      osv('A-2', {
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/not a vector' }],
        affected: [{ package: { ecosystem: 'npm', name: 'a' }, severity: [{ type: 'CVSS_V2', score: v2 }] }],
      }),
    );
    const home = tmp('home');
    await updateStore({ home, source: dir });
    withStore(home, (store) => {
      // the specifications' scores: 10.0 for Log4Shell's v3.1 vector, 7.5 for this v2 one
      expect(store.cvssScore(log4shell)).toBe(10);
      expect(store.cvssScore(v2)).toBe(7.5);
      expect(store.cvssScore('CVSS:3.1/not a vector')).toBeNull();
      expect(store.cvssScore('CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toBeUndefined(); // in no advisory
    });
  });

  it('a folder of JSON files: recursive, hidden folders skipped, the newer `modified` wins for a repeated id', async () => {
    const dir = tmp('json');
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    mkdirSync(path.join(dir, '.git'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'DUP-1.json'), osv('DUP-1', { modified: '2024-03-01T00:00:00.000Z', summary: 'newer' }));
    writeFileSync(path.join(dir, 'a', 'b', 'DUP-1.json'), osv('DUP-1', { modified: '2024-02-01T00:00:00Z', summary: 'older' }));
    writeFileSync(path.join(dir, 'a', 'b', 'PY-1.json'), osv('PY-1', pkg('PyPI', 'Django')));
    writeFileSync(path.join(dir, '.git', 'HIDDEN-1.json'), osv('HIDDEN-1'));
    writeFileSync(path.join(dir, 'bad.json'), 'nope');
    const home = tmp('home');
    const s = await updateStore({ home, source: dir });
    expect(s.recordsRead).toBe(3);
    expect(s.advisories).toBe(2);
    expect(s.skipped).toBe(1);
    expect(s.warnings[0]).toBe(`${path.join(dir, 'bad.json')}: invalid JSON (Unexpected token 'o', "nope" is not valid JSON)`);
    withStore(home, (store) => {
      expect(store.findByIdOrAlias('DUP-1')[0]!.advisory.summary).toBe('newer');
      expect(store.advisoriesFor('PyPI', 'django').map((a) => a.id)).toEqual(['PY-1']);
      expect(store.advisoriesFor('PyPI', 'DJANGO')).toHaveLength(1); // normalised again, defensively
      expect(store.findByIdOrAlias('HIDDEN-1')).toEqual([]);
      expect(store.status().map((e) => [e.ecosystem, e.count, e.newestModified])).toEqual([
        ['PyPI', 1, '2024-01-01T00:00:00Z'],
        ['npm', 1, '2024-03-01T00:00:00.000Z'],
      ]);
    });
  });

  it('--ecosystem refreshes one ecosystem and keeps the others as they were; --prune drops the rest', async () => {
    const home = tmp('home');
    const v1 = bulkDir({
      npm: [{ name: 'N-1.json', data: osv('N-1') }, { name: 'N-2.json', data: osv('N-2') }],
      PyPI: [{ name: 'P-1.json', data: osv('P-1', pkg('PyPI', 'requests')) }],
      'Debian:12': [{ name: 'D-1.json', data: osv('D-1', pkg('Debian:12', 'openssl')) }],
    });
    const first = await updateStore({ home, source: v1 });
    expect(first.loaded.map((l) => l.ecosystem)).toEqual(['Debian:12', 'PyPI', 'npm']);
    const before = withStore(home, (s) => s.status());

    const v2 = bulkDir({
      npm: [{ name: 'N-1.json', data: osv('N-1', { modified: '2025-01-01T00:00:00Z', summary: 'v2' }) }],
      PyPI: [],
    });
    const second = await updateStore({ home, source: v2, ecosystems: ['NPM'] });
    expect(second.loaded.map((l) => [l.ecosystem, l.count])).toEqual([['npm', 1]]);
    expect(second.kept).toEqual(['Debian:12', 'PyPI']);
    withStore(home, (s) => {
      const after = s.status();
      expect(after.filter((e) => e.ecosystem !== 'npm')).toEqual(before.filter((e) => e.ecosystem !== 'npm'));
      expect(after.find((e) => e.ecosystem === 'npm')).toMatchObject({ count: 1, newestModified: '2025-01-01T00:00:00Z', source: v2 });
      expect(s.advisoriesFor('npm', 'left-pad').map((a) => [a.id, a.summary])).toEqual([['N-1', 'v2']]);
      expect(s.advisoriesFor('PyPI', 'requests').map((a) => a.id)).toEqual(['P-1']);
      expect(s.advisoriesFor('Debian', 'openssl').map((a) => a.id)).toEqual(['D-1']);
      expect(s.findByIdOrAlias('N-2')).toEqual([]);
    });

    const third = await updateStore({ home, source: v2, ecosystems: ['npm'], prune: true });
    expect(third.dropped).toEqual(['Debian:12', 'PyPI']);
    withStore(home, (s) => expect(s.status().map((e) => e.ecosystem)).toEqual(['npm']));
  });

  it('a record kept from another ecosystem keeps its newer version when this update loads an older one', async () => {
    const home = tmp('home');
    const both = (modified: string, summary: string): ZipEntrySpec => ({
      name: 'MULTI-1.json',
      data: osv('MULTI-1', {
        modified,
        summary,
        affected: [{ package: { ecosystem: 'npm', name: 'x' } }, { package: { ecosystem: 'PyPI', name: 'x' } }],
      }),
    });
    await updateStore({ home, source: bulkDir({ npm: [both('2025-01-01T00:00:00Z', 'new')], PyPI: [both('2025-01-01T00:00:00Z', 'new')] }) });
    await updateStore({ home, source: bulkDir({ npm: [both('2024-01-01T00:00:00Z', 'old')] }), ecosystems: ['npm'] });
    withStore(home, (s) => {
      expect(s.findByIdOrAlias('MULTI-1').map((r) => r.advisory.summary)).toEqual(['new']);
      expect(s.advisoriesFor('npm', 'x')).toHaveLength(1);
      expect(s.status().map((e) => [e.ecosystem, e.count])).toEqual([
        ['PyPI', 1],
        ['npm', 1],
      ]);
    });
  });

  it('an ecosystem the source does not have is an error naming the ones it has', async () => {
    const src = bulkDir({ npm: [{ name: 'N-1.json', data: osv('N-1') }], Go: [] });
    const err = await vouchFailure(updateStore({ home: tmp('home'), source: src, ecosystems: ['Hex'] }));
    expect(err.code).toBe('INPUT_MISSING');
    expect(err.oneLine()).toContain('ecosystem "Hex" is not in this source (it has: Go, npm)');

    const json = tmp('json');
    writeFileSync(path.join(json, 'N-1.json'), osv('N-1'));
    const err2 = await vouchFailure(updateStore({ home: tmp('home'), source: json, ecosystems: ['PyPI'] }));
    expect(err2.oneLine()).toContain('no advisories for ecosystem "pypi" in this source');
  });

  it('a missing source is INPUT_MISSING', async () => {
    const err = await vouchFailure(updateStore({ home: tmp('home'), source: path.join(root, 'nowhere') }));
    expect(err.code).toBe('INPUT_MISSING');
  });

  it('an unsafe archive aborts the update and leaves the previous store as it was, with no temp file', async () => {
    const home = tmp('home');
    await updateStore({ home, source: bulkDir({ npm: [{ name: 'N-1.json', data: osv('N-1') }] }) });
    const before = withStore(home, (s) => s.status());
    const evil = bulkDir({
      npm: [
        { name: 'N-1.json', data: osv('N-1') },
        { name: '../evil.json', data: osv('EVIL') },
      ],
    });
    const err = await vouchFailure(updateStore({ home, source: evil }));
    expect(err.code).toBe('INPUT_UNSAFE');
    expect(err.oneLine()).toContain(`${path.join(evil, 'npm', 'all.zip')}!../evil.json: entry path with a '..' segment; archive refused`);
    expect(withStore(home, (s) => s.status())).toEqual(before);
    expect(readdirSync(home)).toEqual(['osv.sqlite']);
  });

  it('removes temp files left by dead processes, and keeps those of live ones', async () => {
    const home = tmp('home');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = path.join(home, `osv.sqlite.tmp-${dead}`);
    const staleDownload = path.join(home, `osv.sqlite.tmp-${dead}.download.zip`);
    const live = path.join(home, `osv.sqlite.tmp-${process.ppid}`);
    for (const f of [stale, staleDownload, live]) writeFileSync(f, 'partial');
    const s = await updateStore({ home, source: bulkDir({ npm: [{ name: 'N-1.json', data: osv('N-1') }] }) });
    expect(s.staleRemoved.sort()).toEqual([stale, staleDownload].sort());
    expect(existsSync(live)).toBe(true);
    rmSync(live);
  });
});

describe('AdvisoryStore.open', () => {
  it('STORE_MISSING names the fixing command', () => {
    const home = tmp('empty');
    try {
      AdvisoryStore.open(home);
      expect.unreachable();
    } catch (e) {
      expect((e as VouchError).code).toBe('STORE_MISSING');
      expect((e as VouchError).oneLine()).toContain('run `vouch db update`');
      expect((e as VouchError).oneLine()).toContain(path.join(home, 'osv.sqlite'));
    }
  });

  it('a file that is not a store is STORE_CORRUPT, and the next update replaces it', async () => {
    const home = tmp('home');
    writeFileSync(path.join(home, 'osv.sqlite'), 'garbage, not sqlite '.repeat(100));
    expect(() => AdvisoryStore.open(home)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    const s = await updateStore({ home, source: bulkDir({ npm: [{ name: 'N-1.json', data: osv('N-1') }] }) });
    expect(s.warnings.some((w) => w.includes('previous store is unreadable'))).toBe(true);
    expect(withStore(home, (st) => st.status().map((e) => e.ecosystem))).toEqual(['npm']);
  });

  it('defaultHome: VOUCH_HOME, else XDG_CACHE_HOME/vouch, else ~/.cache/vouch', () => {
    const saved = { v: process.env['VOUCH_HOME'], x: process.env['XDG_CACHE_HOME'] };
    try {
      process.env['VOUCH_HOME'] = '/tmp/vh';
      expect(AdvisoryStore.defaultHome()).toBe('/tmp/vh');
      delete process.env['VOUCH_HOME'];
      process.env['XDG_CACHE_HOME'] = '/tmp/xdg';
      expect(AdvisoryStore.defaultHome()).toBe('/tmp/xdg/vouch');
      process.env['XDG_CACHE_HOME'] = 'relative/ignored';
      expect(AdvisoryStore.defaultHome()).toBe(path.join(os.homedir(), '.cache', 'vouch'));
    } finally {
      for (const [k, v] of [
        ['VOUCH_HOME', saved.v],
        ['XDG_CACHE_HOME', saved.x],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('what the portfolio re-match reads from a store', () => {
  it('every record with its modified time and withdrawal, and the normalised packages a record names', async () => {
    const dir = tmp('json');
    const entry = (ecosystem: string, name: string) => (pkg(ecosystem, name).affected as object[])[0];
    writeFileSync(path.join(dir, 'A.json'), osv('A', { modified: '2024-03-01T00:00:00Z', affected: [entry('PyPI', 'Foo_Bar'), entry('npm', 'left-pad'), entry('PyPI', 'foo.bar')] }));
    writeFileSync(path.join(dir, 'B.json'), osv('B', { modified: '2024-01-01T00:00:00Z', withdrawn: '2024-02-01T00:00:00Z' }));
    const home = tmp('home');
    await updateStore({ home, source: dir });
    withStore(home, (store) => {
      expect(store.advisoryVersions()).toEqual([
        { id: 'A', modified: '2024-03-01T00:00:00Z', withdrawn: false },
        { id: 'B', modified: '2024-01-01T00:00:00Z', withdrawn: true },
      ]);
      // PEP 503: Foo_Bar and foo.bar are one name, foo-bar
      expect(store.affectedPackages('A')).toEqual([
        { ecosystemBase: 'PyPI', nameNorm: 'foo-bar' },
        { ecosystemBase: 'npm', nameNorm: 'left-pad' },
      ]);
      expect(store.affectedPackages('NOPE')).toEqual([]);
    });
  });
});
