/**
 * Records of subscribed feeds in the store: kept apart from OSV's (the same id from two sources is
 * two records, each tagged with its source), replaced as a whole when their feed is loaded again,
 * and kept by every other update.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { osv } from '../io/__fixtures__/zip-writer.js';
import { advisorySource } from '../model/advisory.js';
import { updateStore } from './import.js';
import type { PartnerFeedLoad } from './partners.js';
import { storePath } from './store.js';
import { tempFolders } from '../testing/temp.js';
import { withStore } from '../testing/store.js';

const { tmp } = tempFolders('vouch-partners-');

const feed = (location: string, publisher: string, records: [string, string, string?][]): PartnerFeedLoad => ({
  location,
  publisher,
  published: '2026-12-01T00:00:00.000Z',
  key: `SHA256:${'ab'.repeat(32)}`,
  records: records.map(([id, tlp, summary]) => ({ id, tlp, data: Buffer.from(osv(id, summary ? { summary } : {})) })),
});

describe('subscribed feeds in the advisory store', () => {
  const home = tmp('home');
  const osvDir = tmp('osv');
  writeFileSync(path.join(osvDir, 'GHSA-1111-2222-3333.json'), osv('GHSA-1111-2222-3333', { summary: 'as OSV publishes it' }));

  it('the same id from OSV and from a feed stays two records, the feed one tagged with its source', async () => {
    await updateStore({ home, source: osvDir });
    const s = await updateStore({ home, partner: feed('https://acme.example/feed', 'ACME', [['GHSA-1111-2222-3333', 'AMBER', "ACME's analysis"], ['x_ACME-1', 'CLEAR']]) });
    expect(s.partner).toMatchObject({ feed: 'https://acme.example/feed', publisher: 'ACME', count: 2 });
    expect(s.kept).toEqual(['npm']); // OSV's ecosystems are kept as they were
    withStore(home, (store) => {
      const list = store.advisoriesFor('npm', 'left-pad');
      expect(list.map((a) => [a.id, a.summary, advisorySource(a)?.name, advisorySource(a)?.tlp])).toEqual([
        ['GHSA-1111-2222-3333', 'as OSV publishes it', undefined, undefined],
        ['GHSA-1111-2222-3333', "ACME's analysis", 'ACME', 'AMBER'],
        ['x_ACME-1', 'test advisory x_ACME-1', 'ACME', 'CLEAR'],
      ]);
      expect(store.findByIdOrAlias('ghsa-1111-2222-3333').map((f) => advisorySource(f.advisory)?.name ?? 'OSV')).toEqual(['OSV', 'ACME']);
      expect(store.partnerEcosystems()).toEqual(['npm']);
      expect(store.count()).toBe(1); // OSV's count is OSV's
    });
  });

  it('an OSV update keeps the feeds; loading a feed again replaces its records, and keeps the other feeds', async () => {
    await updateStore({ home, partner: feed('/srv/globex-feed', 'Globex', [['x_GLOBEX-1', 'GREEN']]) });
    const again = await updateStore({ home, source: osvDir });
    expect(again.partnersKept).toEqual(['/srv/globex-feed', 'https://acme.example/feed']);
    await updateStore({ home, partner: feed('https://acme.example/feed', 'ACME', [['x_ACME-2', 'RED']]) });
    withStore(home, (store) => {
      expect(store.partnerFeeds().map((f) => [f.publisher, f.count])).toEqual([
        ['Globex', 1],
        ['ACME', 1],
      ]);
      expect(store.partnerRecords().map((r) => [r.advisory.id, r.source.name, r.source.tlp])).toEqual([
        ['x_ACME-2', 'ACME', 'RED'],
        ['x_GLOBEX-1', 'Globex', 'GREEN'],
      ]);
    });
  });

  it('dropping a feed removes its records only; a feed the store does not hold is a usage error, the store unchanged', async () => {
    const s = await updateStore({ home, dropPartner: '/srv/globex-feed' });
    expect(s.partnersKept).toEqual(['https://acme.example/feed']);
    withStore(home, (store) => expect(store.advisoriesFor('npm', 'left-pad').map((a) => [a.id, advisorySource(a)?.name ?? 'OSV'])).toEqual([
      ['GHSA-1111-2222-3333', 'OSV'],
      ['x_ACME-2', 'ACME'],
    ]));
    const before = readFileSync(storePath(home));
    await expect(updateStore({ home, dropPartner: '/srv/globex-feed' })).rejects.toThrow('the store holds no subscribed feed /srv/globex-feed');
    expect(readFileSync(storePath(home)).equals(before)).toBe(true);
  });

  it('a store written before feeds existed reads as holding none', async () => {
    const old = tmp('old');
    await updateStore({ home: old, source: osvDir });
    // as an update before this change wrote it: no partner_* tables
    const db = new Database(storePath(old));
    for (const t of ['partner_feeds', 'partner_advisories', 'partner_affected', 'partner_aliases']) db.exec(`DROP TABLE ${t}`);
    db.close();
    withStore(old, (store) => {
      expect(store.partnerFeeds()).toEqual([]);
      expect(store.partnerRecords()).toEqual([]);
      expect(store.advisoriesFor('npm', 'left-pad').map((a) => a.id)).toEqual(['GHSA-1111-2222-3333']);
    });
    // and the next update from it keeps what it has and adds a feed
    await updateStore({ home: old, partner: feed('/srv/f', 'F', [['x_F-1', 'CLEAR']]) });
    withStore(old, (store) => expect(store.advisoriesFor('npm', 'left-pad').map((a) => a.id)).toEqual(['GHSA-1111-2222-3333', 'x_F-1']));
  });
});
