/**
 * Records from subscribed feeds (docs/feeds.md) in the store: their own tables beside the OSV
 * ones, so the same id published by two sources stays two records, each with its source, never
 * merged with OSV's record of that id nor with each other. A feed is identified by its location
 * (URL or folder); loading it again replaces all of its records, and every other update copies the
 * feeds it does not load from the previous store, as it does for KEV and EPSS.
 *
 * A store written before these tables existed reads as holding no feed (no schema change).
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { VouchError } from '../model/errors.js';
import { parseRecord } from './osv-load.js';
import type { PartnerFeedStatus } from './store.js';

const TABLES = ['partner_feeds', 'partner_advisories', 'partner_affected', 'partner_aliases'] as const;

/** A subscribed feed, verified in full (src/share/feed.ts), ready to be stored. */
export interface PartnerFeedLoad {
  /** URL or absolute folder path: the feed's identity in the store. */
  location: string;
  publisher: string;
  /** The signed index's `published` time. */
  published: string;
  /** `SHA256:<hex>` of the key that verified it. */
  key: string;
  records: { id: string; tlp: string; data: Buffer; origin?: { publisher: string; url: string; key: string } | undefined }[];
}

/**
 * Copies the previous store's subscribed feeds, except those in `leftOut` (reloaded or dropped),
 * into the store being built (whose PARTNER_SQL tables exist). Returns the feeds copied and every
 * feed the previous store held. A previous store without them has none.
 */
export function copyPreviousPartners(db: Database.Database, previousPath: string, leftOut: readonly string[]): { kept: string[]; previous: string[] } {
  if (!existsSync(previousPath)) return { kept: [], previous: [] };
  let attached = false;
  try {
    db.prepare('ATTACH DATABASE ? AS oldpartners').run(previousPath);
    attached = true;
    const tables = new Set(db.prepare("SELECT name FROM oldpartners.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    if (!TABLES.every((t) => tables.has(t))) return { kept: [], previous: [] };
    const previous = db.prepare('SELECT feed FROM oldpartners.partner_feeds ORDER BY feed').pluck().all() as string[];
    const kept = previous.filter((f) => !leftOut.includes(f));
    db.transaction(() => {
      for (const t of TABLES) db.prepare(`INSERT INTO main.${t} SELECT * FROM oldpartners.${t} WHERE feed IN (SELECT value FROM json_each(?))`).run(JSON.stringify(kept));
    })();
    return { kept, previous };
  } catch {
    // a previous store that cannot be opened has nothing to keep (an update rebuilds it)
    return { kept: [], previous: [] };
  } finally {
    if (attached) db.exec('DETACH DATABASE oldpartners');
  }
}

/** Stores one verified feed's records (all of them, in one transaction). */
export function loadPartner(db: Database.Database, feed: PartnerFeedLoad, loadedAt: string): PartnerFeedStatus {
  const insAdv = db.prepare('INSERT INTO partner_advisories (feed, id, modified, withdrawn, tlp, origin, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insAff = db.prepare('INSERT INTO partner_affected (ecosystem_base, name_norm, feed, id) VALUES (?, ?, ?, ?)');
  const insAlias = db.prepare('INSERT INTO partner_aliases (alias, feed, id) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of feed.records) {
      const rec = parseRecord(r.data);
      // the feed reader validated each record against the OSV schema: this cannot fail
      if (typeof rec === 'string') throw new VouchError('INPUT_PARSE', `feed refused: ${r.id}: ${rec}`, { path: feed.location });
      insAdv.run(feed.location, rec.id, rec.modified, rec.withdrawn, r.tlp, r.origin ? JSON.stringify(r.origin) : null, rec.text);
      for (const p of rec.packages) insAff.run(p.base, p.norm, feed.location, rec.id);
      for (const a of rec.aliases) insAlias.run(a, feed.location, rec.id);
    }
    db.prepare('INSERT INTO partner_feeds (feed, publisher, key, published, loaded_at, count) VALUES (?, ?, ?, ?, ?, ?)').run(
      feed.location,
      feed.publisher,
      feed.key,
      feed.published,
      loadedAt,
      feed.records.length,
    );
  })();
  return { feed: feed.location, publisher: feed.publisher, key: feed.key, published: feed.published, loadedAt, count: feed.records.length };
}
