/**
 * KEV and EPSS in the store: loaded by updateStore, kept across updates of the other parts, and a
 * failed feed leaves the store as it was.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import Database from 'better-sqlite3';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { VouchError } from '../model/errors.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { makeZip, osv } from '../io/__fixtures__/zip-writer.js';
import { updateStore } from './import.js';
import { AdvisoryStore, storePath } from './store.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-feeds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmp = (p: string): string => path.join(root, `${p}-${n++}`);

function osvZip(): string {
  const file = tmp('osv') + '.zip';
  writeFileSync(
    file,
    makeZip([
      {
        name: 'GHSA-jfh8-c2jp-5v3q.json',
        data: osv('GHSA-jfh8-c2jp-5v3q', {
        aliases: ['CVE-2021-44228'],
        affected: [{ package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] }] }],
        }),
      },
    ]),
  );
  return file;
}

async function failure(p: Promise<unknown>): Promise<VouchError> {
  try {
    await p;
  } catch (e) {
    return e as VouchError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(!HAS_SHARED)('KEV and EPSS in the store (real feeds from ../shared)', () => {
  const kevFile = shared('kev', 'known_exploited_vulnerabilities.json');
  const epssFile = shared('epss', 'epss_scores-2026-09-29-sample.csv');

  it('loads both with the advisories, and db status data shows them', async () => {
    const home = tmp('home');
    const s = await updateStore({ home, source: osvZip(), kev: kevFile, epss: epssFile });
    expect(s.kev?.count).toBe(1404);
    expect(s.epss?.count).toBe(1077);
    const store = AdvisoryStore.open(home);
    try {
      expect(store.count()).toBe(1);
      expect(store.kev('CVE-2021-44228')).toMatchObject({ cve: 'CVE-2021-44228', dateAdded: '2021-12-10', dueDate: '2021-12-24', knownRansomwareUse: true });
      expect(store.kev('cve-2021-44228')?.cve).toBe('CVE-2021-44228');
      expect(store.kev('CVE-1999-0001')).toBeUndefined();
      expect(store.epss('CVE-2021-44228')).toEqual({ cve: 'CVE-2021-44228', score: 0.99999, percentile: 1, date: '2026-09-29' });
      expect(store.epss('CVE-2030-0001')).toBeUndefined();
      const feeds = store.feeds();
      expect(feeds.map((f) => [f.feed, f.count, f.version, f.date])).toEqual([
        ['epss', 1077, 'v2026.06.15', '2026-09-29T12:00:22Z'],
        ['kev', 1404, '2025.08.25', '2025-08-25T17:04:19.9796Z'],
      ]);
      expect(feeds[1]!.source).toBe(kevFile);
    } finally {
      store.close();
    }
  });

  it('an OSV-only update keeps KEV and EPSS; a feeds-only update keeps the advisories', async () => {
    const home = tmp('home');
    await updateStore({ home, source: osvZip(), kev: kevFile });
    const s2 = await updateStore({ home, source: osvZip() });
    expect(s2.feedsKept).toEqual(['kev']);
    const s3 = await updateStore({ home, epss: epssFile });
    expect(s3.source).toBeUndefined();
    expect(s3.kept).toEqual(['Maven']);
    expect(s3.feedsKept).toEqual(['kev']);
    const store = AdvisoryStore.open(home);
    try {
      expect(store.count()).toBe(1);
      expect(store.advisoriesFor('Maven', 'org.apache.logging.log4j:log4j-core').map((a) => a.id)).toEqual(['GHSA-jfh8-c2jp-5v3q']);
      expect(store.kev('CVE-2021-44228')?.dateAdded).toBe('2021-12-10');
      expect(store.epss('CVE-2021-45046')?.score).toBe(0.99977);
    } finally {
      store.close();
    }
  });

  it('reads a gzipped EPSS file served over http, and a failed download leaves the store as it was', async () => {
    const gz = gzipSync(readFileSync(epssFile));
    const server: Server = createServer((req, res) => {
      if (req.url === '/epss.csv.gz') {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        res.end(gz);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const home = tmp('home');
      await updateStore({ home, source: osvZip(), epss: `${base}/epss.csv.gz` });
      const before = statSync(storePath(home)).mtimeMs;
      const e = await failure(updateStore({ home, kev: `${base}/missing.json` }));
      expect(e.code).toBe('NETWORK');
      expect(e.oneLine()).toBe(`${base}/missing.json: HTTP 404 Not Found`);
      expect(statSync(storePath(home)).mtimeMs).toBe(before);
      const store = AdvisoryStore.open(home);
      try {
        expect(store.feeds().map((f) => [f.feed, f.source, f.count])).toEqual([['epss', `${base}/epss.csv.gz`, 1077]]);
        expect(store.kev('CVE-2021-44228')).toBeUndefined();
      } finally {
        store.close();
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a broken KEV file is an error naming it; the store is untouched', async () => {
    const home = tmp('home');
    await updateStore({ home, source: osvZip(), kev: kevFile });
    const bad = tmp('bad') + '.json';
    writeFileSync(bad, '{"vulnerabilities": 3}');
    const e = await failure(updateStore({ home, kev: bad }));
    expect(e.oneLine()).toBe(`${bad} ($.vulnerabilities): not a CISA KEV catalog: no "vulnerabilities" array`);
    const store = AdvisoryStore.open(home);
    try {
      expect(store.feeds()[0]?.count).toBe(1404);
    } finally {
      store.close();
    }
  });
});

describe('a store written before the KEV/EPSS tables existed', () => {
  it('reads as holding no feeds, and the next feed update adds them', async () => {
    const home = tmp('home');
    await updateStore({ home, source: osvZip() });
    const db = new Database(storePath(home));
    db.exec('DROP TABLE kev; DROP TABLE epss; DROP TABLE feeds;');
    db.close();
    const store = AdvisoryStore.open(home);
    try {
      expect(store.feeds()).toEqual([]);
      expect(store.kev('CVE-2021-44228')).toBeUndefined();
      expect(store.epss('CVE-2021-44228')).toBeUndefined();
      expect(store.count()).toBe(1);
    } finally {
      store.close();
    }
    const kevFile = tmp('kev') + '.json';
    writeFileSync(kevFile, JSON.stringify({ catalogVersion: 'x', vulnerabilities: [{ cveID: 'CVE-2021-44228', dateAdded: '2021-12-10' }] }));
    const s = await updateStore({ home, kev: kevFile });
    expect(s.kept).toEqual(['Maven']);
    const again = AdvisoryStore.open(home);
    try {
      expect(again.kev('CVE-2021-44228')?.dateAdded).toBe('2021-12-10');
      expect(again.count()).toBe(1);
    } finally {
      again.close();
    }
  });
});
