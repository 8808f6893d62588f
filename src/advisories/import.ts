/**
 * `updateStore`: (re)load OSV advisories into the store.
 *
 * The update never writes to the live store. It builds a new database beside it
 * (`osv.sqlite.tmp-<pid>`), copies in the ecosystems of the current store this update does not
 * refresh, then fsyncs and renames the new file over `osv.sqlite`. A crash, an error or a SIGKILL at
 * any point leaves the previous store as it was; a temp file left by a dead process is removed by
 * the next update.
 *
 * Bad records never abort an import: JSON that does not parse, or an object that is not an OSV
 * record (no string `id` / `modified`), is skipped and counted as a warning naming `zip!entry`.
 * An unsafe archive (path traversal, zip bomb) aborts it: the source is not to be trusted.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { baseEcosystem } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { scoreStoreVectors } from './cvss.js';
import { openSource, resolveFeed, type ImportProgress, type OsvSource, type SourceUnit } from './sources.js';
import { parseKevCatalog, type KevCatalog } from './kev.js';
import { readEpssFile } from './epss.js';
import { FEEDS_SQL, INDEX_SQL, readFeeds, SCHEMA_SQL, SCHEMA_VERSION, STORE_FILE, isNewer, normalizeFor, readStatus, storePath } from './store.js';
import type { EcosystemStatus, FeedName, FeedStatus } from '../model/store.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from '../io/zip.js';

export interface UpdateOptions {
  /** The store folder (VOUCH_HOME); created when missing. */
  home: string;
  /**
   * URL, folder or file (see sources.ts). Undefined: no advisories are loaded and the current
   * store's are kept as they are (an update of the KEV / EPSS feeds only).
   */
  source?: string | undefined;
  /** The CISA KEV catalog to load (file path, `file:` or http(s) URL); undefined keeps the current one. */
  kev?: string | undefined;
  /** The EPSS scores CSV (plain or gzipped; file path or URL) to load; undefined keeps the current one. */
  epss?: string | undefined;
  /** Load only these ecosystems (names as the source spells them; case-insensitive); the others stay as they are. */
  ecosystems?: readonly string[] | undefined;
  progress?: ImportProgress | undefined;
  /** Drop the current store's ecosystems that this update does not load, instead of keeping them. */
  prune?: boolean | undefined;
  limits?: Partial<ZipLimits> | undefined;
}

export interface UpdateSummary {
  /** The store file written. */
  path: string;
  /** The source as recorded (URL or absolute path); undefined when no advisories were loaded. */
  source: string | undefined;
  /** The ecosystems this update loaded, with their new status. */
  loaded: EcosystemStatus[];
  /** Ecosystems copied unchanged from the previous store. */
  kept: string[];
  /** Ecosystems of the previous store left out (`prune`). */
  dropped: string[];
  /** Valid OSV records read (a record met twice counts twice). */
  recordsRead: number;
  /** Distinct advisories in the new store (withdrawn included). */
  advisories: number;
  /** Withdrawn advisories in the new store (kept, never returned by `advisoriesFor`). */
  withdrawn: number;
  /** Entries and records skipped (bad JSON, not OSV, not a .json entry ...). */
  skipped: number;
  /** The first skipped ones, `origin: reason` (at most MAX_WARNINGS). */
  warnings: string[];
  /** The KEV catalog this update loaded, with its first skipped entries. */
  kev?: LoadedFeed;
  /** The EPSS scores this update loaded, with its first bad rows. */
  epss?: LoadedFeed;
  /** Feeds copied unchanged from the previous store. */
  feedsKept: FeedName[];
  /** Stale temp files of dead updates removed before this one. */
  staleRemoved: string[];
  seconds: number;
}

export interface LoadedFeed extends FeedStatus {
  warnings: string[];
}

export const MAX_WARNINGS = 200;
/** Records per transaction while loading. */
const BATCH = 25_000;

export async function updateStore(opts: UpdateOptions): Promise<UpdateSummary> {
  const started = performance.now();
  const home = path.resolve(opts.home);
  mkdirSync(home, { recursive: true });
  const staleRemoved = removeStaleTemps(home);
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };

  const finalPath = storePath(home);
  const tmpPath = `${finalPath}.tmp-${process.pid}`;
  const downloadPath = `${tmpPath}.download.zip`;
  const kevDownload = `${tmpPath}.kev.json`;
  const epssDownload = `${tmpPath}.epss.csv`;
  const cleanDownloads = (): void => {
    for (const f of [downloadPath, kevDownload, epssDownload]) rmSync(f, { force: true });
  };

  let db: Database.Database | undefined;
  try {
    // The feeds are fetched and the KEV catalog parsed before anything is built: a failed download
    // or a broken catalog leaves the store as it was.
    let kev: { catalog: KevCatalog; location: string } | undefined;
    if (opts.kev !== undefined) {
      const f = await resolveFeed(opts.kev, kevDownload, 'KEV catalog', opts.progress);
      kev = { catalog: parseKevCatalog(readFileSync(f.file, 'utf8'), f.location), location: f.location };
    }
    const epss = opts.epss !== undefined ? await resolveFeed(opts.epss, epssDownload, 'EPSS scores', opts.progress) : undefined;

    const source = opts.source !== undefined ? await openSource(opts.source) : undefined;
    const plan: Plan = source ? planUnits(source, opts.ecosystems) : { units: [], filter: undefined };
    rmSync(tmpPath, { force: true });

    db = new Database(tmpPath);
    // a private file, renamed into place only when complete: no journal on disk (OFF is refused in
    // better-sqlite3's defensive mode, MEMORY keeps it in RAM)
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF'); // fsync once, before the rename
    db.pragma('main.locking_mode = EXCLUSIVE');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    db.exec(SCHEMA_SQL);
    db.exec(FEEDS_SQL);

    const loader = new Loader(db);
    const warn = (origin: string, reason: string): void => {
      loader.skipped++;
      if (loader.warnings.length < MAX_WARNINGS) loader.warnings.push(`${origin}: ${reason}`);
    };

    db.exec('BEGIN');
    let inBatch = 0;
    for (const unit of plan.units) {
      if (unit.ecosystem !== undefined) loader.touch(unit.ecosystem);
      for await (const item of unit.read({ limits, progress: opts.progress, downloadPath })) {
        if (item.kind === 'skipped') {
          warn(item.origin, item.reason);
          continue;
        }
        const rec = parseRecord(item.data);
        if (typeof rec === 'string') {
          warn(item.origin, rec);
          continue;
        }
        const labels = unit.ecosystem !== undefined ? [unit.ecosystem] : derivedLabels(rec, plan.filter);
        if (!labels.length) {
          if (!plan.filter) warn(item.origin, 'names no affected package ecosystem, so no ecosystem to file it under');
          continue;
        }
        loader.add(rec, labels);
        if (++inBatch >= BATCH) {
          db.exec('COMMIT; BEGIN');
          inBatch = 0;
        }
      }
    }
    db.exec('COMMIT');

    // which ecosystems this update refreshed
    const refreshed = [...loader.stats.keys()].sort();
    if (source && unitsAreDerived(plan.units)) {
      for (const want of plan.filter ?? []) {
        if (!refreshed.some((r) => r.toLowerCase() === want)) {
          throw new VouchError('INPUT_MISSING', `no advisories for ecosystem "${want}" in this source`, { path: source.location });
        }
      }
      if (!refreshed.length) throw new VouchError('INPUT_MISSING', 'no OSV records in this source', { path: source.location });
    }

    opts.progress?.phase('writing the store');
    const { kept, dropped } = copyPrevious(db, finalPath, new Set(refreshed), opts.prune === true && source !== undefined, warn);
    db.exec(INDEX_SQL);

    const loadedAt = new Date().toISOString();
    const reloaded = new Set<FeedName>([...(kev ? ['kev' as const] : []), ...(epss ? ['epss' as const] : [])]);
    const feedsKept = copyPreviousFeeds(db, finalPath, reloaded, warn);
    const insFeed = db.prepare('INSERT OR REPLACE INTO feeds (feed, source, loaded_at, count, version, date, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)');
    let kevLoaded: LoadedFeed | undefined;
    if (kev) {
      opts.progress?.phase('loading the KEV catalog');
      const c = kev.catalog;
      const ins = db.prepare('INSERT INTO kev (cve, date_added, due_date, ransomware, name, action) VALUES (?, ?, ?, ?, ?, ?)');
      db.transaction(() => {
        for (const e of c.entries) ins.run(e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomwareUse ? 1 : 0, e.vulnerabilityName ?? null, e.requiredAction ?? null);
        insFeed.run('kev', kev.location, loadedAt, c.entries.length, c.catalogVersion ?? null, c.dateReleased ?? null, c.skipped);
      })();
      kevLoaded = {
        feed: 'kev',
        source: kev.location,
        loadedAt,
        count: c.entries.length,
        ...(c.catalogVersion ? { version: c.catalogVersion } : {}),
        ...(c.dateReleased ? { date: c.dateReleased } : {}),
        skipped: c.skipped,
        warnings: c.warnings,
      };
    }
    let epssLoaded: LoadedFeed | undefined;
    if (epss) {
      opts.progress?.phase('loading EPSS scores');
      const ins = db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)');
      db.exec('BEGIN');
      let n = 0;
      const r = await readEpssFile(
        epss.file,
        (row) => {
          ins.run(row.cve, row.score, row.percentile);
          if (++n % 10_000 === 0) opts.progress?.tick(10_000);
        },
        epss.location,
      );
      const count = (db.prepare('SELECT count(*) AS n FROM epss').get() as { n: number }).n;
      insFeed.run('epss', epss.location, loadedAt, count, r.modelVersion ?? null, r.scoreDate ?? null, r.bad);
      db.exec('COMMIT');
      epssLoaded = {
        feed: 'epss',
        source: epss.location,
        loadedAt,
        count,
        ...(r.modelVersion ? { version: r.modelVersion } : {}),
        ...(r.scoreDate ? { date: r.scoreDate } : {}),
        skipped: r.bad,
        warnings: r.warnings,
      };
    }

    const countOf = db.prepare('SELECT count(*) AS n FROM ecosystem_advisories WHERE ecosystem = ?');
    const insSource = db.prepare(
      'INSERT OR REPLACE INTO sources (ecosystem, source, loaded_at, count, newest_modified) VALUES (?, ?, ?, ?, ?)',
    );
    const loaded: EcosystemStatus[] = [];
    db.transaction(() => {
      for (const eco of refreshed) {
        const count = (countOf.get(eco) as { n: number }).n;
        const newestModified = loader.stats.get(eco) ?? null;
        insSource.run(eco, source!.location, loadedAt, count, newestModified);
        loaded.push({ ecosystem: eco, count, newestModified, source: source!.location, loadedAt });
      }
      const meta = db!.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      meta.run('schema_version', String(SCHEMA_VERSION));
      meta.run('written_by', `vouch ${VERSION}`);
      meta.run('updated_at', loadedAt);
    })();
    // every CVSS vector scored once here, not at each scan (src/advisories/cvss.ts)
    scoreStoreVectors(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('ANALYZE');
    const advisories = (db.prepare('SELECT count(*) AS n FROM advisories').get() as { n: number }).n;
    const withdrawn = (db.prepare('SELECT count(*) AS n FROM advisories WHERE withdrawn IS NOT NULL').get() as { n: number }).n;
    db.close();
    db = undefined;

    fsyncPath(tmpPath);
    renameSync(tmpPath, finalPath);
    fsyncPath(home);
    cleanDownloads();

    return {
      path: finalPath,
      source: source?.location,
      ...(kevLoaded ? { kev: kevLoaded } : {}),
      ...(epssLoaded ? { epss: epssLoaded } : {}),
      feedsKept,
      loaded,
      kept,
      dropped,
      recordsRead: loader.records,
      advisories,
      withdrawn,
      skipped: loader.skipped,
      warnings: loader.warnings,
      staleRemoved,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    try {
      db?.close();
    } catch {
      // closing after a failure: the file is removed below anyway
    }
    rmSync(tmpPath, { force: true });
    cleanDownloads();
    throw e;
  }
}

// ---- planning ----------------------------------------------------------------------------------

interface Plan {
  units: SourceUnit[];
  /** Lower-cased ecosystem names wanted, for sources where the records decide. */
  filter: Set<string> | undefined;
}

function planUnits(source: OsvSource, wanted: readonly string[] | undefined): Plan {
  const names = wanted?.map((w) => w.trim()).filter(Boolean);
  if (source.ecosystems) {
    if (!names?.length) return { units: source.units(), filter: undefined };
    const selected: string[] = [];
    for (const w of names) {
      const hit = source.ecosystems.find((e) => e === w) ?? source.ecosystems.find((e) => e.toLowerCase() === w.toLowerCase());
      if (!hit) {
        throw new VouchError(
          'INPUT_MISSING',
          `ecosystem "${w}" is not in this source (it has: ${source.ecosystems.join(', ') || 'none'})`,
          { path: source.location },
        );
      }
      if (!selected.includes(hit)) selected.push(hit);
    }
    return { units: source.units(selected), filter: undefined };
  }
  return { units: source.units(), filter: names?.length ? new Set(names.map((n) => n.toLowerCase())) : undefined };
}

function unitsAreDerived(units: SourceUnit[]): boolean {
  return units.every((u) => u.ecosystem === undefined);
}

/** For record-decided sources: the base ecosystems the record names (filtered). */
function derivedLabels(rec: ParsedRecord, filter: Set<string> | undefined): string[] {
  const out: string[] = [];
  for (const p of rec.packages) {
    if (out.includes(p.base)) continue;
    if (filter && !filter.has(p.base.toLowerCase())) continue;
    out.push(p.base);
  }
  return out;
}

// ---- records -----------------------------------------------------------------------------------

interface ParsedRecord {
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  text: string;
  packages: { ecosystem: string; base: string; norm: string }[];
  aliases: string[];
}

/** A record's bytes → what the store indexes, or the reason it is not an OSV record. */
export function parseRecord(data: Buffer): ParsedRecord | string {
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return `invalid JSON (${(e as Error).message.split('\n')[0]})`;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'not an OSV record (not a JSON object)';
  const o = obj as Record<string, unknown>;
  const id = o['id'];
  const modified = o['modified'];
  if (typeof id !== 'string' || !id.trim()) return 'not an OSV record (no string "id")';
  if (typeof modified !== 'string' || !modified.trim()) return `not an OSV record (${id} has no string "modified")`;
  const packages: ParsedRecord['packages'] = [];
  const seen = new Set<string>();
  if (Array.isArray(o['affected'])) {
    for (const a of o['affected'] as unknown[]) {
      const pkg = (a as { package?: unknown } | null)?.package as { ecosystem?: unknown; name?: unknown } | undefined;
      if (!pkg || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string' || !pkg.ecosystem) continue;
      const norm = normalizeFor(pkg.ecosystem, pkg.name);
      const key = `${pkg.ecosystem}\u0000${norm}`;
      if (seen.has(key)) continue;
      seen.add(key);
      packages.push({ ecosystem: pkg.ecosystem, base: baseEcosystem(pkg.ecosystem), norm });
    }
  }
  const aliases: string[] = [];
  if (Array.isArray(o['aliases'])) {
    for (const a of o['aliases'] as unknown[]) if (typeof a === 'string' && a && a !== id && !aliases.includes(a)) aliases.push(a);
  }
  const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  return { id, modified, published: str(o['published']), withdrawn: str(o['withdrawn']), text, packages, aliases };
}

/** Inserts records into the new database; a record met again replaces the stored one only when newer. */
class Loader {
  records = 0;
  skipped = 0;
  readonly warnings: string[] = [];
  /** refreshed ecosystem → newest `modified` seen (undefined while none). */
  readonly stats = new Map<string, string | undefined>();

  private readonly getModified;
  private readonly insAdv;
  private readonly updAdv;
  private readonly delAffected;
  private readonly delAliases;
  private readonly insAffected;
  private readonly insAlias;
  private readonly insMember;

  constructor(db: Database.Database) {
    this.getModified = db.prepare('SELECT modified FROM advisories WHERE id = ?').pluck();
    this.insAdv = db.prepare('INSERT INTO advisories (id, modified, published, withdrawn, json) VALUES (?, ?, ?, ?, ?)');
    this.updAdv = db.prepare('UPDATE advisories SET modified = ?, published = ?, withdrawn = ?, json = ? WHERE id = ?');
    this.delAffected = db.prepare('DELETE FROM affected WHERE id = ?');
    this.delAliases = db.prepare('DELETE FROM aliases WHERE id = ?');
    this.insAffected = db.prepare('INSERT INTO affected (ecosystem_base, ecosystem, name_norm, id) VALUES (?, ?, ?, ?)');
    this.insAlias = db.prepare('INSERT INTO aliases (alias, id) VALUES (?, ?)');
    this.insMember = db.prepare('INSERT OR IGNORE INTO ecosystem_advisories (ecosystem, id) VALUES (?, ?)');
  }

  touch(ecosystem: string): void {
    if (!this.stats.has(ecosystem)) this.stats.set(ecosystem, undefined);
  }

  add(rec: ParsedRecord, labels: string[]): void {
    this.records++;
    for (const label of labels) {
      const newest = this.stats.get(label);
      if (newest === undefined || isNewer(rec.modified, newest)) this.stats.set(label, rec.modified);
      this.insMember.run(label, rec.id);
    }
    const existing = this.getModified.get(rec.id) as string | undefined;
    if (existing !== undefined) {
      if (!isNewer(rec.modified, existing)) return;
      this.delAffected.run(rec.id);
      this.delAliases.run(rec.id);
      this.updAdv.run(rec.modified, rec.published, rec.withdrawn, rec.text, rec.id);
    } else {
      this.insAdv.run(rec.id, rec.modified, rec.published, rec.withdrawn, rec.text);
    }
    for (const p of rec.packages) this.insAffected.run(p.base, p.ecosystem, p.norm, rec.id);
    for (const a of rec.aliases) this.insAlias.run(a, rec.id);
  }
}

// ---- the previous store ------------------------------------------------------------------------

/**
 * Copies the previous store's ecosystems that this update did not refresh (all of them unless
 * `prune`). A record both copied and loaded keeps its newer version. A previous store that cannot
 * be read, or has another schema version, is left out with a warning.
 */
function copyPrevious(
  db: Database.Database,
  previousPath: string,
  refreshed: Set<string>,
  prune: boolean,
  warn: (origin: string, reason: string) => void,
): { kept: string[]; dropped: string[] } {
  let attached = false;
  let previous: string[];
  try {
    statSync(previousPath);
  } catch {
    return { kept: [], dropped: [] };
  }
  try {
    db.prepare('ATTACH DATABASE ? AS old').run(previousPath);
    attached = true;
    const version = db.pragma('old.user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) {
      warn(previousPath, `previous store has schema version ${version}; its other ecosystems are not kept`);
      db.exec('DETACH DATABASE old');
      return { kept: [], dropped: [] };
    }
    previous = readStatus(db, 'old').map((s) => s.ecosystem);
  } catch (e) {
    if (attached) db.exec('DETACH DATABASE old');
    warn(previousPath, `previous store is unreadable (${(e as Error).message}); its other ecosystems are not kept`);
    return { kept: [], dropped: [] };
  }
  const others = previous.filter((e) => !refreshed.has(e));
  const kept = prune ? [] : others;
  const dropped = prune ? others : [];
  if (kept.length) {
    const keptJson = JSON.stringify(kept);
    db.transaction(() => {
      db.exec('CREATE TEMP TABLE kept_ids (id TEXT PRIMARY KEY) WITHOUT ROWID');
      db.prepare(
        'INSERT OR IGNORE INTO kept_ids SELECT id FROM old.ecosystem_advisories WHERE ecosystem IN (SELECT value FROM json_each(?))',
      ).run(keptJson);
      db.prepare(
        `INSERT OR IGNORE INTO main.ecosystem_advisories (ecosystem, id)
         SELECT ecosystem, id FROM old.ecosystem_advisories WHERE ecosystem IN (SELECT value FROM json_each(?))`,
      ).run(keptJson);
      // records this update also loaded: the newer version stays
      const both = db
        .prepare(
          `SELECT k.id AS id, o.modified AS om, m.modified AS mm FROM kept_ids k
           JOIN old.advisories o ON o.id = k.id JOIN main.advisories m ON m.id = k.id`,
        )
        .all() as { id: string; om: string; mm: string }[];
      const dropKept = db.prepare('DELETE FROM kept_ids WHERE id = ?');
      const delMain = ['DELETE FROM main.affected WHERE id = ?', 'DELETE FROM main.aliases WHERE id = ?', 'DELETE FROM main.advisories WHERE id = ?'].map(
        (sql) => db.prepare(sql),
      );
      for (const r of both) {
        if (isNewer(r.om, r.mm)) for (const s of delMain) s.run(r.id);
        else dropKept.run(r.id);
      }
      db.exec(`
        INSERT INTO main.advisories (id, modified, published, withdrawn, json)
          SELECT o.id, o.modified, o.published, o.withdrawn, o.json FROM old.advisories o JOIN kept_ids k ON k.id = o.id;
        INSERT INTO main.affected (ecosystem_base, ecosystem, name_norm, id)
          SELECT o.ecosystem_base, o.ecosystem, o.name_norm, o.id FROM old.affected o JOIN kept_ids k ON k.id = o.id;
        INSERT INTO main.aliases (alias, id)
          SELECT o.alias, o.id FROM old.aliases o JOIN kept_ids k ON k.id = o.id;
        DROP TABLE kept_ids;
      `);
      db.prepare(
        `INSERT INTO main.sources (ecosystem, source, loaded_at, count, newest_modified)
         SELECT ecosystem, source, loaded_at, count, newest_modified FROM old.sources WHERE ecosystem IN (SELECT value FROM json_each(?))`,
      ).run(keptJson);
    })();
  }
  db.exec('DETACH DATABASE old');
  return { kept, dropped };
}

/**
 * Copies the previous store's KEV / EPSS tables that this update does not reload, so an OSV update
 * keeps them. A previous store without them (or unreadable) has none to keep.
 */
function copyPreviousFeeds(
  db: Database.Database,
  previousPath: string,
  reloaded: Set<FeedName>,
  warn: (origin: string, reason: string) => void,
): FeedName[] {
  const wanted = (['kev', 'epss'] as const).filter((f) => !reloaded.has(f));
  if (!wanted.length) return [];
  try {
    statSync(previousPath);
  } catch {
    return [];
  }
  const kept: FeedName[] = [];
  let attached = false;
  try {
    db.prepare('ATTACH DATABASE ? AS oldfeeds').run(previousPath);
    attached = true;
    const tables = new Set(db.prepare("SELECT name FROM oldfeeds.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    if (!tables.has('feeds')) return [];
    const rows = readFeeds(db, 'oldfeeds');
    db.transaction(() => {
      for (const feed of wanted) {
        const row = rows.find((r) => r.feed === feed);
        if (!row || !tables.has(feed)) continue;
        db.exec(`INSERT INTO main.${feed} SELECT * FROM oldfeeds.${feed}`);
        db.prepare(`INSERT INTO main.feeds SELECT * FROM oldfeeds.feeds WHERE feed = ?`).run(feed);
        kept.push(feed);
      }
    })();
  } catch (e) {
    warn(previousPath, `previous store's KEV/EPSS data is unreadable (${(e as Error).message}); not kept`);
  } finally {
    if (attached) db.exec('DETACH DATABASE oldfeeds');
  }
  return kept;
}

// ---- files -------------------------------------------------------------------------------------

const TEMP_RE = new RegExp(`^${STORE_FILE.replace(/\./g, '\\.')}\\.tmp-(\\d+)(?:[.-].*)?$`);
const STALE_AGE_MS = 24 * 3600 * 1000;

/** Removes temp files of updates whose process is gone (or that are over a day old). */
export function removeStaleTemps(home: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const full = path.join(home, name);
    let old: boolean;
    try {
      old = Date.now() - statSync(full).mtimeMs > STALE_AGE_MS;
    } catch {
      continue;
    }
    if (pid === process.pid || old || !processAlive(pid)) {
      rmSync(full, { force: true });
      removed.push(full);
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncPath(p: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    fsyncSync(fd);
  } catch (e) {
    // folders cannot be fsynced on some platforms; the file itself must be
    if (statSync(p).isFile()) throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
