/** The store on the real OSV corpus in ../shared/osv: every source layout, counts, lookups. */
import { createReadStream, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_SHARED, osvCorpus, shared } from '../testing/shared.js';
import { updateStore, type UpdateSummary } from './import.js';
import { DEFAULT_OSV_SOURCE, defaultSource } from './sources.js';
import { AdvisoryStore } from './store.js';
import { openZip } from '../io/zip.js';

/** The README table of ../shared/osv (empty without ../shared: the suites that use it are skipped). */
const CORPUS = HAS_SHARED ? osvCorpus() : { advisories: {}, withdrawn: {}, total: 0, spanning: 0 };
const EXPECTED: Record<string, number> = CORPUS.advisories;
/** Records read: the README's total sums the zips, so a record filed under two ecosystems counts twice. */
const READ = CORPUS.total;
/** Distinct advisories. */
const TOTAL = CORPUS.total - CORPUS.spanning;

function counts(s: { loaded: { ecosystem: string; count: number }[] } | UpdateSummary): Record<string, number> {
  return Object.fromEntries(s.loaded.map((l) => [l.ecosystem, l.count]));
}

describe('defaultSource', () => {
  it('is $VOUCH_OSV_SOURCE, else the OSV bucket', () => {
    const saved = process.env['VOUCH_OSV_SOURCE'];
    try {
      delete process.env['VOUCH_OSV_SOURCE'];
      expect(defaultSource()).toBe(DEFAULT_OSV_SOURCE);
      process.env['VOUCH_OSV_SOURCE'] = '/srv/osv';
      expect(defaultSource()).toBe('/srv/osv');
    } finally {
      if (saved === undefined) delete process.env['VOUCH_OSV_SOURCE'];
      else process.env['VOUCH_OSV_SOURCE'] = saved;
    }
  });
});

describe.skipIf(!HAS_SHARED)('the OSV store on ../shared/osv', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-store-'));
  const home = path.join(root, 'full');
  let full: UpdateSummary;

  beforeAll(async () => {
    const cpu = process.cpuUsage();
    full = await updateStore({ home, source: shared('osv') });
    const used = process.cpuUsage(cpu);
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      `[osv import] ${full.advisories} advisories in ${full.seconds.toFixed(2)}s wall ` +
        `(${Math.round(full.advisories / full.seconds)}/s), cpu user ${(used.user / 1e6).toFixed(2)}s sys ${(used.system / 1e6).toFixed(2)}s, ` +
        `peak RSS of this test process ${rss.toFixed(0)} MiB, store ${(statSync(full.path).size / 1e6).toFixed(1)} MB`,
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads every ecosystem with the README counts', () => {
    expect(counts(full)).toEqual(EXPECTED);
    expect(full.advisories).toBe(TOTAL);
    expect(full.recordsRead).toBe(READ);
    expect(full.skipped).toBe(0);
    // the README's withdrawn column (no withdrawn record spans two ecosystems)
    expect(full.withdrawn).toBe(Object.values(CORPUS.withdrawn).reduce((a, b) => a + b, 0));
    expect(full.seconds).toBeLessThan(60);
    const st = AdvisoryStore.open(home);
    try {
      const status = st.status();
      expect(Object.fromEntries(status.map((e) => [e.ecosystem, e.count]))).toEqual(EXPECTED);
      expect(status.every((e) => e.source === shared('osv') && e.loadedAt === full.loaded[0]!.loadedAt)).toBe(true);
      expect(status.find((e) => e.ecosystem === 'Go')!.newestModified).toBe('2026-08-21T20:38:00Z');
      expect(status.find((e) => e.ecosystem === 'PyPI')!.newestModified).toBe('2024-10-10T17:22:00.587279Z');
    } finally {
      st.close();
    }
  });

  it('finds Log4Shell by its CVE alias and by id', () => {
    const st = AdvisoryStore.open(home);
    try {
      const byAlias = st.findByIdOrAlias('CVE-2021-44228');
      expect(byAlias.map((r) => [r.advisory.id, r.withdrawn])).toEqual([['GHSA-jfh8-c2jp-5v3q', false]]);
      expect(st.findByIdOrAlias('GHSA-jfh8-c2jp-5v3q')[0]!.advisory.aliases).toEqual(['CVE-2021-44228']);
      const log4j = st.advisoriesFor('Maven', 'org.apache.logging.log4j:log4j-core').map((a) => a.id);
      expect(log4j).toContain('GHSA-jfh8-c2jp-5v3q');
      expect(log4j).toContain('GHSA-7rjr-3q55-vv33');
    } finally {
      st.close();
    }
  });

  it('keeps withdrawn advisories, marked, and never returns them for matching', () => {
    const st = AdvisoryStore.open(home);
    try {
      let checked = 0;
      // the README's withdrawn column
      for (const [eco, count] of Object.entries(CORPUS.withdrawn).filter(([, n]) => n > 0)) {
        // every withdrawn record of the corpus: found by id with the flag, absent from advisoriesFor
        const ids = withdrawnIds(home, eco);
        expect(ids).toHaveLength(count);
        for (const id of ids) {
          const [hit] = st.findByIdOrAlias(id);
          expect(hit!.withdrawn).toBe(true);
          for (const a of hit!.advisory.affected ?? []) {
            if (!a.package) continue;
            const ecoBase = a.package.ecosystem.split(':')[0]!;
            expect(st.advisoriesFor(ecoBase, a.package.name).map((x) => x.id)).not.toContain(id);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    } finally {
      st.close();
    }
  });

  it('looks packages up by normalised name (PEP 503 for PyPI, lower case for crates.io) and fast', () => {
    const st = AdvisoryStore.open(home);
    try {
      const django = st.advisoriesFor('PyPI', 'django');
      expect(django.length).toBeGreaterThan(50);
      expect(django.every((a) => a.affected!.some((x) => x.package?.name.toLowerCase() === 'django'))).toBe(true);
      expect(st.advisoriesFor('PyPI', 'Django').map((a) => a.id)).toEqual(django.map((a) => a.id));
      expect(st.advisoriesFor('crates.io', 'smallvec').length).toBeGreaterThan(0);
      expect(st.advisoriesFor('npm', 'lodash').map((a) => a.id)).toEqual(expect.arrayContaining(['GHSA-p6mc-m468-83gw', 'GHSA-35jh-r3h4-6jhm']));
      expect(st.advisoriesFor('npm', 'no-such-package-anywhere')).toEqual([]);
      expect(st.advisoriesFor('Hex', 'plug')).toEqual([]);
    } finally {
      st.close();
    }
  });

  it('--ecosystem refreshes one ecosystem and keeps the others untouched', async () => {
    const h = path.join(root, 'refresh');
    mkdirSync(h);
    cpSync(full.path, path.join(h, 'osv.sqlite'));
    const before = AdvisoryStore.open(h);
    const statusBefore = before.status();
    before.close();
    const s = await updateStore({ home: h, source: shared('osv'), ecosystems: ['pypi'] });
    expect(counts(s)).toEqual({ PyPI: 2661 });
    expect(s.kept).toEqual(Object.keys(EXPECTED).filter((e) => e !== 'PyPI').sort());
    expect(s.advisories).toBe(TOTAL);
    const after = AdvisoryStore.open(h);
    try {
      const statusAfter = after.status();
      expect(statusAfter.filter((e) => e.ecosystem !== 'PyPI')).toEqual(statusBefore.filter((e) => e.ecosystem !== 'PyPI'));
      expect(statusAfter.find((e) => e.ecosystem === 'PyPI')!.loadedAt).not.toBe(statusBefore.find((e) => e.ecosystem === 'PyPI')!.loadedAt);
      expect(after.findByIdOrAlias('CVE-2021-44228')).toHaveLength(1);
      expect(after.advisoriesFor('Go', 'golang.org/x/crypto').length).toBeGreaterThan(0);
    } finally {
      after.close();
    }
  });

  it('a single zip', async () => {
    const s = await updateStore({ home: path.join(root, 'zip'), source: shared('osv', 'npm', 'all.zip') });
    expect(counts(s)).toEqual({ npm: 470 });
    expect(s.source).toBe(shared('osv', 'npm', 'all.zip'));
  });

  it('a folder of OSV JSON files (recursive)', async () => {
    const dir = path.join(root, 'json');
    for (const eco of ['Maven', 'RubyGems', 'NuGet', 'Packagist']) {
      const zip = await openZip(shared('osv', eco, 'all.zip'), eco);
      let i = 0;
      for await (const item of zip.entries()) {
        if (item.kind !== 'file') continue;
        const sub = path.join(dir, eco.toLowerCase(), String(i++ % 3));
        mkdirSync(sub, { recursive: true });
        writeFileSync(path.join(sub, item.name), item.data);
      }
    }
    const s = await updateStore({ home: path.join(root, 'jsonhome'), source: dir });
    expect(counts(s)).toEqual({ Maven: EXPECTED['Maven'], RubyGems: EXPECTED['RubyGems'], NuGet: EXPECTED['NuGet'], Packagist: EXPECTED['Packagist'] });
    expect(s.skipped).toBe(0);
  });

  describe('an http(s) source laid out like the OSV bucket', () => {
    let server: http.Server;
    let base: string;
    const requests: string[] = [];
    let listing = `${Object.keys(EXPECTED).join('\n')}\n`;

    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        requests.push(url);
        if (url === '/ecosystems.txt') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(listing);
          return;
        }
        const file = path.join(shared('osv'), path.normalize(url));
        if (!file.startsWith(shared('osv') + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
          res.writeHead(404).end('not found');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': statSync(file).size });
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('downloads every listed ecosystem (with progress), reads it, and deletes the download', async () => {
      const h = path.join(root, 'url');
      const phases: string[] = [];
      let ticks = 0;
      const s = await updateStore({
        home: h,
        source: `${base}/`,
        progress: { phase: (l) => phases.push(l), tick: (n = 1) => void (ticks += n) },
      });
      expect(counts(s)).toEqual(EXPECTED);
      expect(s.source).toBe(base);
      expect(requests).toContain('/crates.io/all.zip');
      expect(phases).toContain('downloading Go');
      expect(phases).toContain('reading Go');
      expect(ticks).toBeGreaterThan(TOTAL);
      expect(readdirSync(h)).toEqual(['osv.sqlite']);
      const st = AdvisoryStore.open(h);
      expect(st.status().every((e) => e.source === base)).toBe(true);
      st.close();
    });

    it('--ecosystem downloads only that one', async () => {
      requests.length = 0;
      const s = await updateStore({ home: path.join(root, 'url1'), source: base, ecosystems: ['Maven'] });
      expect(counts(s)).toEqual({ Maven: EXPECTED['Maven'] });
      expect(requests).toEqual(['/ecosystems.txt', '/Maven/all.zip']);
    });

    it('an HTTP error is a one-line NETWORK error and leaves the store as it was', async () => {
      const h = path.join(root, 'url2');
      await updateStore({ home: h, source: base, ecosystems: ['NuGet'] });
      listing = 'NuGet\nHex\n';
      try {
        await expect(updateStore({ home: h, source: base })).rejects.toMatchObject({
          code: 'NETWORK',
          message: 'HTTP 404 Not Found',
          path: `${base}/Hex/all.zip`,
        });
      } finally {
        listing = `${Object.keys(EXPECTED).join('\n')}\n`;
      }
      const st = AdvisoryStore.open(h);
      expect(st.status().map((e) => [e.ecosystem, e.count])).toEqual([['NuGet', EXPECTED['NuGet']]]);
      st.close();
      expect(readdirSync(h)).toEqual(['osv.sqlite']);
    });

    it('an unreachable server is a NETWORK error', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await expect(updateStore({ home: path.join(root, 'url3'), source: `http://127.0.0.1:${port}` })).rejects.toMatchObject({
        code: 'NETWORK',
        message: 'cannot fetch: ECONNREFUSED',
      });
    });
  });
});

/** Ids of withdrawn records, straight from the store file (independent of the API under test). */
function withdrawnIds(home: string, ecosystem: string): string[] {
  const db = new Database(path.join(home, 'osv.sqlite'), { readonly: true });
  try {
    return db
      .prepare('SELECT a.id FROM advisories a JOIN ecosystem_advisories e ON e.id = a.id WHERE e.ecosystem = ? AND a.withdrawn IS NOT NULL')
      .pluck()
      .all(ecosystem) as string[];
  } finally {
    db.close();
  }
}
