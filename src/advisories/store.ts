/**
 * The OSV advisory store: one SQLite file, `$VOUCH_HOME/osv.sqlite`, read through better-sqlite3.
 * Written only by `updateStore` (import.ts), which builds a new file and renames it into place, so
 * readers open it read-only and never see a half-written store.
 *
 * Records are kept as published (the JSON text); the other tables are indexes over them.
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Advisory, type AdvisorySource, baseEcosystem, tagAdvisorySource } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import type { EpssInfo, KevInfo } from '../model/triage.js';
import type { EcosystemStatus, FeedName, FeedStatus } from '../model/store.js';

export const STORE_FILE = 'osv.sqlite';

/**
 * Bumped whenever the schema or what the indexes hold changes (e.g. a `normalizeName` rule):
 * a store of another version is refused by `open` and rebuilt from scratch by the next update.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- one row per OSV record, as published
CREATE TABLE advisories (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  published TEXT,
  withdrawn TEXT,
  json TEXT NOT NULL
);
-- one row per (record, affected package); name_norm = the ecosystem's normalizeName (identity when unknown)
CREATE TABLE affected (
  ecosystem_base TEXT NOT NULL,
  ecosystem TEXT NOT NULL,
  name_norm TEXT NOT NULL,
  id TEXT NOT NULL
);
CREATE INDEX affected_by_id ON affected (id);
CREATE TABLE aliases (alias TEXT NOT NULL COLLATE NOCASE, id TEXT NOT NULL);
CREATE INDEX aliases_by_id ON aliases (id);
-- which loaded ecosystem (bulk folder name, or a record's base ecosystem) brought which record
CREATE TABLE ecosystem_advisories (ecosystem TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (ecosystem, id)) WITHOUT ROWID;
CREATE TABLE sources (
  ecosystem TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  count INTEGER NOT NULL,
  newest_modified TEXT
);
`;

/**
 * Exploit data, in their own tables (created by every update; a store written before they existed
 * reads as holding none). `feeds` has one row per loaded feed (`kev`, `epss`).
 */
export const FEEDS_SQL = `
CREATE TABLE IF NOT EXISTS kev (
  cve TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date TEXT,
  ransomware INTEGER NOT NULL,
  name TEXT,
  action TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feeds (
  feed TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  count INTEGER NOT NULL,
  version TEXT,
  date TEXT,
  skipped INTEGER NOT NULL DEFAULT 0
);
`;

/**
 * Records from subscribed feeds (partners.ts loads them; docs/feeds.md), beside the OSV tables so the
 * same id from two sources stays two records. Created by every update; a store without them holds none.
 */
export const PARTNER_SQL = `
CREATE TABLE IF NOT EXISTS partner_feeds (
  feed TEXT PRIMARY KEY,
  publisher TEXT NOT NULL,
  key TEXT NOT NULL,
  published TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partner_advisories (
  feed TEXT NOT NULL,
  id TEXT NOT NULL,
  modified TEXT NOT NULL,
  withdrawn TEXT,
  tlp TEXT NOT NULL,
  origin TEXT,
  json TEXT NOT NULL,
  PRIMARY KEY (feed, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS partner_affected (ecosystem_base TEXT NOT NULL, name_norm TEXT NOT NULL, feed TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS partner_affected_by_name ON partner_affected (ecosystem_base, name_norm);
CREATE TABLE IF NOT EXISTS partner_aliases (alias TEXT NOT NULL COLLATE NOCASE, feed TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS partner_aliases_by_alias ON partner_aliases (alias);
`;

/** Lookup indexes, created once the records are in (faster than maintaining them row by row). */
export const INDEX_SQL = `
CREATE INDEX affected_by_name ON affected (ecosystem_base, name_norm, id);
CREATE INDEX aliases_by_alias ON aliases (alias);
`;

export function storePath(home: string): string {
  return path.join(home, STORE_FILE);
}

/** The name an advisory's package is indexed under: the ecosystem's `normalizeName`, identity when vouch does not know it. */
export function normalizeFor(osvEcosystem: string, name: string): string {
  const eco = ecosystemByOsvName(osvEcosystem);
  return eco ? eco.normalizeName(name) : name;
}

/** Later `modified` wins; timestamps compare as instants (formats vary: `Z`, `.000Z`, microseconds). */
export function isNewer(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  const fa = Number.isFinite(ta);
  const fb = Number.isFinite(tb);
  if (fa && fb) return ta > tb;
  if (fa !== fb) return fa;
  return a > b;
}

type Stmt = Database.Statement<unknown[], unknown>;

interface PartnerRow {
  feed: string;
  id: string;
  withdrawn: string | null;
  tlp: string;
  json: string;
}

export class AdvisoryStore {
  private readonly lookup: Stmt;
  private readonly row: Stmt;
  private readonly byId: Stmt;
  private readonly byAlias: Stmt;
  private readonly byIdNoCase: Stmt;
  /** (ecosystem base, normalised name) → the advisories, for the life of the store. */
  private readonly memo = new Map<string, Advisory[]>();
  /** id → parsed record, shared between lookups; null for a withdrawn one (never parsed for matching). */
  private readonly parsed = new Map<string, Advisory | null>();
  /** ecosystem base → every normalised name with an advisory: one query, then most lookups of a scan never touch SQLite. */
  private readonly namesWithAdvisories = new Map<string, Set<string>>();
  private readonly namesOf: Stmt;
  private readonly kevStmt: Stmt | undefined;
  private readonly epssStmt: Stmt | undefined;
  private readonly cvssStmt: Stmt | undefined;
  private readonly feedRows: FeedStatus[];
  /** Subscribed feeds (docs/feeds.md): their records are matched beside OSV's, each tagged with its source. */
  private readonly partnerRows: PartnerFeedStatus[];
  private readonly partnerLookup: Stmt | undefined;
  private readonly partnerById: Stmt | undefined;
  private readonly partnerNames = new Map<string, Set<string>>();

  private constructor(
    private readonly db: Database.Database,
    /** The store file. */
    readonly path: string,
  ) {
    // the index covers (ecosystem_base, name_norm, id): one index range scan, then one row per new id
    this.lookup = db.prepare('SELECT id FROM affected WHERE ecosystem_base = ? AND name_norm = ?').pluck();
    this.namesOf = db.prepare('SELECT DISTINCT name_norm FROM affected WHERE ecosystem_base = ?').pluck();
    this.row = db.prepare('SELECT withdrawn, json FROM advisories WHERE id = ?');
    this.byId = db.prepare('SELECT id, withdrawn, json FROM advisories WHERE id = ?');
    this.byAlias = db.prepare(
      `SELECT a.id AS id, a.withdrawn AS withdrawn, a.json AS json FROM aliases s JOIN advisories a ON a.id = s.id
       WHERE s.alias = ? GROUP BY a.id ORDER BY a.id`,
    );
    this.byIdNoCase = db.prepare('SELECT id, withdrawn, json FROM advisories WHERE id = ? COLLATE NOCASE ORDER BY id');
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    this.kevStmt = tables.has('kev') ? db.prepare('SELECT cve, date_added, due_date, ransomware, name, action FROM kev WHERE cve = ?') : undefined;
    this.epssStmt = tables.has('epss') ? db.prepare('SELECT cve, score, percentile FROM epss WHERE cve = ?') : undefined;
    this.feedRows = tables.has('feeds') ? readFeeds(db) : [];
    this.partnerRows = readPartnerFeeds(db);
    if (this.partnerRows.length) {
      this.partnerLookup = db.prepare(
        `SELECT a.feed AS feed, a.id AS id, a.withdrawn AS withdrawn, a.tlp AS tlp, a.json AS json FROM partner_affected f
         JOIN partner_advisories a ON a.feed = f.feed AND a.id = f.id
         WHERE f.ecosystem_base = ? AND f.name_norm = ? GROUP BY a.feed, a.id ORDER BY a.id, a.feed`,
      );
      this.partnerById = db.prepare(
        `SELECT a.feed AS feed, a.id AS id, a.withdrawn AS withdrawn, a.tlp AS tlp, a.json AS json FROM partner_advisories a
         WHERE a.id = ? COLLATE NOCASE OR a.id IN (SELECT s.id FROM partner_aliases s WHERE s.alias = ? AND s.feed = a.feed)
         ORDER BY a.id, a.feed`,
      );
    }
    // a store written before the table existed scores every vector at scan time
    this.cvssStmt = tables.has('cvss') ? db.prepare('SELECT score FROM cvss WHERE vector = ?') : undefined;
  }

  /** The base score `vouch db update` computed for a CVSS vector: null if it does not score, undefined if not known. */
  cvssScore(vector: string): number | null | undefined {
    const row = this.guard('the CVSS table', () => this.cvssStmt?.get(vector)) as { score: number | null } | undefined;
    return row ? row.score : undefined;
  }

  /** `$VOUCH_HOME`, else `$XDG_CACHE_HOME/vouch`, else `~/.cache/vouch`. */
  static defaultHome(): string {
    const home = process.env['VOUCH_HOME'];
    if (home) return path.resolve(home);
    const xdg = process.env['XDG_CACHE_HOME'];
    if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'vouch');
    return path.join(os.homedir(), '.cache', 'vouch');
  }

  /**
   * Opens the store read-only. Throws VouchError STORE_MISSING when there is none yet and
   * STORE_CORRUPT when the file is not a store this vouch reads; both say which command fixes it.
   */
  static open(home: string = AdvisoryStore.defaultHome()): AdvisoryStore {
    const file = storePath(home);
    if (!existsSync(file)) {
      throw new VouchError('STORE_MISSING', `no advisory store yet; run \`vouch db update\`${homeHint(home)} to load the OSV advisories`, {
        path: file,
      });
    }
    // a FIFO would block SQLite's open for ever, a device never ends: a regular file only
    const st = statSync(file, { throwIfNoEntry: false });
    if (st && !st.isFile()) {
      throw new VouchError('STORE_CORRUPT', `the advisory store is not a regular file; remove it and run \`vouch db update\`${homeHint(home)}`, { path: file });
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        throw new VouchError(
          'STORE_CORRUPT',
          `advisory store has schema version ${version}, this vouch reads ${SCHEMA_VERSION}; run \`vouch db update\`${homeHint(home)} to rebuild it`,
          { path: file },
        );
      }
      return new AdvisoryStore(db, file);
    } catch (e) {
      db?.close();
      if (e instanceof VouchError) throw e;
      throw new VouchError(
        'STORE_CORRUPT',
        `not a readable advisory store (${(e as Error).message}); run \`vouch db update\`${homeHint(home)} to rebuild it`,
        { path: file, cause: e },
      );
    }
  }

  /**
   * Runs one read of the store: a damaged page, index or record (SQLite's SQLITE_CORRUPT /
   * SQLITE_NOTADB, a record whose JSON does not parse) is STORE_CORRUPT — one line saying to run
   * `vouch db update` — never an internal error.
   */
  private guard<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof VouchError) throw e;
      const code = (e as { code?: unknown }).code;
      if (e instanceof SyntaxError || (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB|FORMAT|IOERR|MISMATCH|SCHEMA|ERROR)/.test(code))) {
        throw new VouchError('STORE_CORRUPT', `the advisory store is damaged (${what}: ${(e as Error).message}); run \`vouch db update\`${homeHint(path.dirname(this.path))} to rebuild it`, {
          path: this.path,
          cause: e,
        });
      }
      throw e;
    }
  }

  /**
   * Advisories naming the package (ecosystem base such as `PyPI` or `Debian`, and the name as
   * `normalizeName` gives it) in `affected[]`, withdrawn ones excluded, ordered by id. The caller
   * still checks each `affected[]` entry (exact ecosystem, name, ranges). The returned records are
   * shared between calls: treat them as read-only.
   */
  advisoriesFor(ecosystemBase: string, normalizedName: string): Advisory[] {
    return this.guard(`the advisories of ${ecosystemBase}/${normalizedName}`, () => this.advisoriesForUnguarded(ecosystemBase, normalizedName));
  }

  private advisoriesForUnguarded(ecosystemBase: string, normalizedName: string): Advisory[] {
    const base = baseEcosystem(ecosystemBase); // `Debian:12` asks for `Debian`
    const name = normalizeFor(base, normalizedName);
    const key = `${base}\u0000${name}`;
    let list = this.memo.get(key);
    if (!list) {
      let names = this.namesWithAdvisories.get(base);
      if (!names) this.namesWithAdvisories.set(base, (names = new Set(this.namesOf.all(base) as string[])));
      const partners = this.partnerAdvisoriesFor(base, name);
      if (!names.has(name)) return partners;
      const ids = [...new Set(this.lookup.all(base, name) as string[])].sort();
      list = [];
      for (const id of ids) {
        let adv = this.parsed.get(id);
        if (adv === undefined) {
          const r = this.row.get(id) as { withdrawn: string | null; json: string } | undefined;
          adv = !r || r.withdrawn !== null ? null : checkedRecord(id, r.json);
          this.parsed.set(id, adv);
        }
        if (adv) list.push(adv);
      }
      list.push(...partners);
      this.memo.set(key, list);
    }
    return list.slice();
  }

  /** Records from subscribed feeds naming the package, each tagged with its source; withdrawn ones excluded. */
  private partnerAdvisoriesFor(base: string, name: string): Advisory[] {
    if (!this.partnerLookup) return [];
    let names = this.partnerNames.get(base);
    if (!names) {
      names = new Set(this.db.prepare('SELECT DISTINCT name_norm FROM partner_affected WHERE ecosystem_base = ?').pluck().all(base) as string[]);
      this.partnerNames.set(base, names);
    }
    if (!names.has(name)) return [];
    return (this.partnerLookup.all(base, name) as PartnerRow[]).filter((r) => r.withdrawn === null).map((r) => this.partnerAdvisory(r));
  }

  private readonly partnerParsed = new Map<string, Advisory>();

  private partnerAdvisory(r: PartnerRow): Advisory {
    const k = `${r.feed}\u0000${r.id}`;
    let adv = this.partnerParsed.get(k);
    if (!adv) {
      const feed = this.partnerRows.find((p) => p.feed === r.feed);
      adv = tagAdvisorySource(JSON.parse(r.json) as Advisory, { name: feed?.publisher ?? r.feed, url: r.feed, key: feed?.key ?? '', tlp: r.tlp });
      this.partnerParsed.set(k, adv);
    }
    return adv;
  }

  /** The base ecosystems subscribed feeds hold records for (sorted). */
  partnerEcosystems(): string[] {
    if (!this.partnerRows.length) return [];
    return this.db.prepare('SELECT DISTINCT ecosystem_base FROM partner_affected ORDER BY ecosystem_base').pluck().all() as string[];
  }

  /** The subscribed feeds the store holds. */
  partnerFeeds(): PartnerFeedStatus[] {
    return this.partnerRows.map((p) => ({ ...p }));
  }

  /** Every record held from subscribed feeds, with its TLP level and source (what `vouch feed publish` checks and relays). */
  partnerRecords(): { advisory: Advisory; source: AdvisorySource; json: string; origin?: { publisher: string; url: string; key: string } }[] {
    if (!this.partnerRows.length) return [];
    const rows = this.db.prepare('SELECT feed, id, withdrawn, tlp, origin, json FROM partner_advisories ORDER BY id, feed').all() as (PartnerRow & { origin: string | null })[];
    return rows.map((r) => {
      const feed = this.partnerRows.find((p) => p.feed === r.feed);
      return {
        advisory: JSON.parse(r.json) as Advisory,
        source: { name: feed?.publisher ?? r.feed, url: r.feed, key: feed?.key ?? '', tlp: r.tlp },
        json: r.json,
        // a record the feed relayed: where it was first published
        ...(r.origin ? { origin: JSON.parse(r.origin) as { publisher: string; url: string; key: string } } : {}),
      };
    });
  }

  /** The records whose id is `id` or that list it in `aliases` (ids and aliases compare case-insensitively); records of subscribed feeds follow OSV's, tagged with their source. */
  findByIdOrAlias(id: string): { advisory: Advisory; withdrawn: boolean }[] {
    return this.guard(`the advisory ${id.slice(0, 80)}`, () => [
      ...this.findOsvByIdOrAlias(id),
      ...((this.partnerById?.all(id.trim(), id.trim()) ?? []) as PartnerRow[]).map((r) => ({ advisory: this.partnerAdvisory(r), withdrawn: r.withdrawn !== null })),
    ]);
  }

  private findOsvByIdOrAlias(id: string): { advisory: Advisory; withdrawn: boolean }[] {
    const wanted = id.trim();
    const rows = new Map<string, { id: string; withdrawn: string | null; json: string }>();
    type Row = { id: string; withdrawn: string | null; json: string };
    for (const r of this.byId.all(wanted) as Row[]) rows.set(r.id, r);
    for (const r of this.byAlias.all(wanted) as Row[]) rows.set(r.id, r);
    if (!rows.size) for (const r of this.byIdNoCase.all(wanted) as Row[]) rows.set(r.id, r);
    return [...rows.values()]
      .sort((a, b) => (a.id === wanted ? -1 : b.id === wanted ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => ({ advisory: this.parse(r.id, r.json), withdrawn: r.withdrawn !== null }));
  }

  /** One row per loaded ecosystem, sorted by name. */
  status(): EcosystemStatus[] {
    return this.guard('the sources table', () => readStatus(this.db));
  }

  /** The loaded KEV / EPSS feeds (none for a store loaded without them). */
  feeds(): FeedStatus[] {
    return this.feedRows.map((f) => ({ ...f }));
  }

  /** The KEV catalog entry of a CVE id, if the catalog is loaded and lists it. */
  kev(cve: string): KevInfo | undefined {
    const r = this.guard('the KEV table', () => this.kevStmt?.get(cve.toUpperCase())) as
      | { cve: string; date_added: string; due_date: string | null; ransomware: number; name: string | null; action: string | null }
      | undefined;
    if (!r) return undefined;
    return {
      cve: r.cve,
      dateAdded: r.date_added,
      ...(r.due_date ? { dueDate: r.due_date } : {}),
      knownRansomwareUse: r.ransomware === 1,
      ...(r.name ? { vulnerabilityName: r.name } : {}),
      ...(r.action ? { requiredAction: r.action } : {}),
    };
  }

  /** The EPSS score of a CVE id, if scores are loaded and list it; `date` is the file's score date. */
  epss(cve: string): EpssInfo | undefined {
    const r = this.guard('the EPSS table', () => this.epssStmt?.get(cve.toUpperCase())) as { cve: string; score: number; percentile: number } | undefined;
    if (!r) return undefined;
    const date = this.feedRows.find((f) => f.feed === 'epss')?.date;
    return { cve: r.cve, score: r.score, percentile: r.percentile, ...(date ? { date: date.slice(0, 10) } : {}) };
  }

  /**
   * Every record's id, `modified` and whether it is withdrawn: what the portfolio's re-match compares
   * with what it last saw. A subscribed feed's record is keyed `<id> <feed>` (OSV ids hold no
   * space), so the same id from two sources is two records here too (re-match reads the id back before the space).
   */
  advisoryVersions(): { id: string; modified: string; withdrawn: boolean }[] {
    const rows = this.guard('the advisories table', () => this.db.prepare('SELECT id, modified, withdrawn FROM advisories ORDER BY id').all()) as { id: string; modified: string; withdrawn: string | null }[];
    const partners = this.partnerRows.length
      ? (this.db.prepare("SELECT id || ' ' || feed AS id, modified, withdrawn FROM partner_advisories ORDER BY id, feed").all() as typeof rows)
      : [];
    return [...rows, ...partners].map((r) => ({ id: r.id, modified: r.modified, withdrawn: r.withdrawn !== null }));
  }

  private packagesOf: Stmt | undefined;

  /** The (ecosystem base, normalised name) pairs a record names in `affected[]`, each once. */
  affectedPackages(id: string): { ecosystemBase: string; nameNorm: string }[] {
    const space = id.indexOf(' ');
    this.packagesOf ??= this.db.prepare('SELECT DISTINCT ecosystem_base, name_norm FROM affected WHERE id = ? ORDER BY ecosystem_base, name_norm');
    const stmt =
      space < 0 ? this.packagesOf : this.db.prepare('SELECT DISTINCT ecosystem_base, name_norm FROM partner_affected WHERE id = ? AND feed = ? ORDER BY ecosystem_base, name_norm');
    const args = space < 0 ? [id] : [id.slice(0, space), id.slice(space + 1)];
    const rows = this.guard(`the packages of ${id.slice(0, 80)}`, () => stmt.all(...args)) as {
      ecosystem_base: string;
      name_norm: string;
    }[];
    return rows.map((r) => ({ ecosystemBase: r.ecosystem_base, nameNorm: r.name_norm }));
  }

  /** Advisories in the store (withdrawn included). */
  count(): number {
    return this.guard('the advisories table', () => (this.db.prepare('SELECT count(*) AS n FROM advisories').get() as { n: number }).n);
  }

  close(): void {
    this.memo.clear();
    this.namesWithAdvisories.clear();
    this.parsed.clear();
    this.partnerParsed.clear();
    this.partnerNames.clear();
    if (this.db.open) this.db.close();
  }

  private parse(id: string, json: string): Advisory {
    return this.parsed.get(id) ?? checkedRecord(id, json);
  }
}

/**
 * A stored record parsed: the import wrote it as an OSV object, so anything else (torn JSON, a
 * non-object, `affected` not a list) is damage, thrown as a SyntaxError for `guard` to report.
 */
function checkedRecord(id: string, json: string): Advisory {
  const v = JSON.parse(json) as unknown;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as { id?: unknown }).id !== 'string') {
    throw new SyntaxError(`record ${id} is not an OSV object`);
  }
  const affected = (v as { affected?: unknown }).affected;
  if (affected !== undefined && !Array.isArray(affected)) throw new SyntaxError(`record ${id}: affected is not a list`);
  return v as Advisory;
}

/** The `sources` table as EcosystemStatus rows (also used on an attached old store by import). */
export function readStatus(db: Database.Database, schema = 'main'): EcosystemStatus[] {
  const rows = db
    .prepare(`SELECT ecosystem, count, newest_modified, source, loaded_at FROM ${schema}.sources ORDER BY ecosystem`)
    .all() as { ecosystem: string; count: number; newest_modified: string | null; source: string; loaded_at: string }[];
  return rows.map((r) => ({
    ecosystem: r.ecosystem,
    count: r.count,
    newestModified: r.newest_modified,
    source: r.source,
    loadedAt: r.loaded_at,
  }));
}

/** The `feeds` table (the caller checked it exists). */
export function readFeeds(db: Database.Database, schema = 'main'): FeedStatus[] {
  const rows = db.prepare(`SELECT feed, source, loaded_at, count, version, date, skipped FROM ${schema}.feeds ORDER BY feed`).all() as {
    feed: FeedName;
    source: string;
    loaded_at: string;
    count: number;
    version: string | null;
    date: string | null;
    skipped: number;
  }[];
  return rows.map((r) => ({
    feed: r.feed,
    source: r.source,
    loadedAt: r.loaded_at,
    count: r.count,
    ...(r.version ? { version: r.version } : {}),
    ...(r.date ? { date: r.date } : {}),
    skipped: r.skipped,
  }));
}

function homeHint(home: string): string {
  return path.resolve(home) === AdvisoryStore.defaultHome() ? '' : ` with VOUCH_HOME=${home}`;
}

/** Records what a feed load wrote in the `feeds` table of a store being built. */
export function recordFeed(db: Database.Database, f: FeedStatus): void {
  db.prepare('INSERT OR REPLACE INTO feeds (feed, source, loaded_at, count, version, date, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    f.feed,
    f.source,
    f.loadedAt,
    f.count,
    f.version ?? null,
    f.date ?? null,
    f.skipped,
  );
}

/** What the store holds of one subscribed feed. */
export interface PartnerFeedStatus {
  feed: string;
  publisher: string;
  key: string;
  published: string;
  loadedAt: string;
  count: number;
}

/** The `partner_feeds` rows of a store (none when it has no such table). */
export function readPartnerFeeds(db: Database.Database): PartnerFeedStatus[] {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'partner_feeds'").get();
  if (!has) return [];
  const rows = db.prepare('SELECT feed, publisher, key, published, loaded_at, count FROM partner_feeds ORDER BY feed').all() as {
    feed: string;
    publisher: string;
    key: string;
    published: string;
    loaded_at: string;
    count: number;
  }[];
  return rows.map((r) => ({ feed: r.feed, publisher: r.publisher, key: r.key, published: r.published, loadedAt: r.loaded_at, count: r.count }));
}
