/**
 * `updateStore`: (re)load OSV advisories, the KEV catalog and EPSS scores into the store.
 *
 * The update never writes to the live store. It builds a new database beside it
 * (`osv.sqlite.tmp-<pid>`): the OSV records (osv-load.ts, which also copies the ecosystems of the
 * current store this update does not refresh), then the feeds (kev.ts, epss.ts; the current
 * store's are kept when not reloaded), then fsyncs and renames the new file over `osv.sqlite`. A
 * crash, an error or a SIGKILL at any point leaves the previous store as it was; a temp file left
 * by a dead process is removed by the next update.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EcosystemStatus, FeedName, LoadedFeed } from '../model/store.js';
import { VERSION } from '../version.js';
import { VouchError } from '../model/errors.js';
import { scoreStoreVectors } from './cvss.js';
import { loadEpss } from './epss.js';
import { fetchKev, loadKev } from './kev.js';
import { loadOsv } from './osv-load.js';
import { copyPreviousPartners, loadPartner, type PartnerFeedLoad } from './partners.js';
import { openSource, resolveFeed, type ImportProgress } from './sources.js';
import { FEEDS_SQL, INDEX_SQL, PARTNER_SQL, type PartnerFeedStatus, readFeeds, SCHEMA_SQL, SCHEMA_VERSION, STORE_FILE, storePath } from './store.js';
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
  /**
   * A subscribed feed, already verified in full (src/share/feed.ts): its records replace the ones
   * the store held from that feed. The other feeds are kept.
   */
  partner?: PartnerFeedLoad | undefined;
  /** A subscribed feed (its location, as `db status` lists it) whose records this update drops. */
  dropPartner?: string | undefined;
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
  /** The subscribed feed this update loaded. */
  partner?: PartnerFeedStatus;
  /** Subscribed feeds copied unchanged from the previous store (their locations). */
  partnersKept: string[];
  /** Stale temp files of dead updates removed before this one. */
  staleRemoved: string[];
  seconds: number;
}

export const MAX_WARNINGS = 200;

export async function updateStore(opts: UpdateOptions): Promise<UpdateSummary> {
  const started = performance.now();
  const home = path.resolve(opts.home);
  mkdirSync(home, { recursive: true });
  const staleRemoved = removeStaleTemps(home);
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const finalPath = storePath(home);
  const tmpPath = `${finalPath}.tmp-${process.pid}`;
  const downloads = { osv: `${tmpPath}.download.zip`, kev: `${tmpPath}.kev.json`, epss: `${tmpPath}.epss.csv` };
  const cleanDownloads = (): void => {
    for (const f of Object.values(downloads)) rmSync(f, { force: true });
  };

  let db: Database.Database | undefined;
  try {
    // The feeds are fetched and the KEV catalog parsed before anything is built: a failed download
    // or a broken catalog leaves the store as it was.
    const kev = opts.kev !== undefined ? await fetchKev(opts.kev, downloads.kev, opts.progress) : undefined;
    const epss = opts.epss !== undefined ? await resolveFeed(opts.epss, downloads.epss, 'EPSS scores', opts.progress) : undefined;
    const source = opts.source !== undefined ? await openSource(opts.source) : undefined;
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

    let skipped = 0;
    const warnings: string[] = [];
    const warn = (origin: string, reason: string): void => {
      skipped++;
      if (warnings.length < MAX_WARNINGS) warnings.push(`${origin}: ${reason}`);
    };

    const osv = await loadOsv(
      db,
      source,
      { ecosystems: opts.ecosystems, prune: opts.prune === true, limits, progress: opts.progress, downloadPath: downloads.osv, previousPath: finalPath },
      warn,
    );
    db.exec(INDEX_SQL);

    const loadedAt = new Date().toISOString();
    const reloaded = new Set<FeedName>([...(kev ? ['kev' as const] : []), ...(epss ? ['epss' as const] : [])]);
    const feedsKept = copyPreviousFeeds(db, finalPath, reloaded, warn);
    const kevLoaded = kev ? loadKev(db, kev, loadedAt, opts.progress) : undefined;
    const epssLoaded = epss ? await loadEpss(db, epss, loadedAt, opts.progress) : undefined;
    db.exec(PARTNER_SQL);
    const leftOut = [opts.partner?.location, opts.dropPartner].filter((f): f is string => f !== undefined);
    const { kept: partnersKept, previous: partnersBefore } = copyPreviousPartners(db, finalPath, leftOut);
    if (opts.dropPartner !== undefined && !partnersBefore.includes(opts.dropPartner)) {
      throw new VouchError('USAGE', `the store holds no subscribed feed ${opts.dropPartner} (vouch db status lists them)`);
    }
    const partner = opts.partner ? loadPartner(db, opts.partner, loadedAt) : undefined;

    const countOf = db.prepare('SELECT count(*) AS n FROM ecosystem_advisories WHERE ecosystem = ?');
    const insSource = db.prepare('INSERT OR REPLACE INTO sources (ecosystem, source, loaded_at, count, newest_modified) VALUES (?, ?, ?, ?, ?)');
    const loaded: EcosystemStatus[] = [];
    db.transaction(() => {
      for (const eco of osv.refreshed) {
        const count = (countOf.get(eco) as { n: number }).n;
        const newestModified = osv.newest.get(eco) ?? null;
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
      ...(partner ? { partner } : {}),
      partnersKept,
      loaded,
      kept: osv.kept,
      dropped: osv.dropped,
      recordsRead: osv.records,
      advisories,
      withdrawn,
      skipped,
      warnings,
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

// ---- the previous store's feeds ----------------------------------------------------------------

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
