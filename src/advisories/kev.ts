/**
 * The CISA Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`):
 * `{ title, catalogVersion, dateReleased, count, vulnerabilities: [{ cveID, dateAdded, dueDate,
 * knownRansomwareCampaignUse, vulnerabilityName, requiredAction, ... }] }`.
 *
 * A catalog that is not JSON, or has no `vulnerabilities` array, is an input error; a single entry
 * without a CVE id or `dateAdded` is skipped and counted (with its JSON path), never fatal.
 */
import { VouchError } from '../model/errors.js';
import type { KevInfo } from '../model/triage.js';
import { isCveId } from '../model/advisory.js';
import type Database from 'better-sqlite3';
import type { ProgressSink } from '../model/progress.js';
import type { LoadedFeed } from '../model/store.js';
import { resolveFeed } from './sources.js';
import { recordFeed } from './store.js';
import { MAX_INPUT_BYTES, readRegularFileSync } from '../io/input.js';

/** The official feed; `vouch db update` fetches it by default (see docs/db.md). */
export const DEFAULT_KEV_SOURCE = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';

export interface KevCatalog {
  catalogVersion?: string;
  /** ISO 8601 as the catalog writes it. */
  dateReleased?: string;
  entries: KevInfo[];
  /** Entries left out (no CVE id, no dateAdded, not an object). */
  skipped: number;
  /** The first skipped ones: `$.vulnerabilities[i]: reason`. */
  warnings: string[];
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}/;
const MAX_WARNINGS = 20;

/** Parses the catalog text; `origin` (the file or URL) names it in errors. */
export function parseKevCatalog(text: string, origin: string): KevCatalog {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `KEV catalog is not valid JSON (${(e as Error).message.split('\n')[0]})`, { path: origin, cause: e });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new VouchError('INPUT_PARSE', 'KEV catalog is not a JSON object', { path: origin, position: { jsonPath: '$' } });
  }
  const o = doc as Record<string, unknown>;
  const list = o['vulnerabilities'];
  if (!Array.isArray(list)) {
    throw new VouchError('INPUT_PARSE', 'not a CISA KEV catalog: no "vulnerabilities" array', { path: origin, position: { jsonPath: '$.vulnerabilities' } });
  }
  const out: KevCatalog = { entries: [], skipped: 0, warnings: [] };
  if (typeof o['catalogVersion'] === 'string') out.catalogVersion = o['catalogVersion'];
  if (typeof o['dateReleased'] === 'string') out.dateReleased = o['dateReleased'];
  const skip = (i: number, reason: string): void => {
    out.skipped++;
    if (out.warnings.length < MAX_WARNINGS) out.warnings.push(`$.vulnerabilities[${i}]: ${reason}`);
  };
  const seen = new Set<string>();
  list.forEach((v: unknown, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return skip(i, 'not an object');
    const e = v as Record<string, unknown>;
    const cve = typeof e['cveID'] === 'string' ? e['cveID'].trim().toUpperCase() : '';
    if (!isCveId(cve)) return skip(i, `no valid "cveID" (${JSON.stringify(e['cveID'] ?? null)})`);
    const added = e['dateAdded'];
    if (typeof added !== 'string' || !DATE_RE.test(added)) return skip(i, `${cve} has no "dateAdded" date`);
    if (seen.has(cve)) return skip(i, `${cve} is listed twice; the first entry is kept`);
    seen.add(cve);
    const info: KevInfo = { cve, dateAdded: added.slice(0, 10), knownRansomwareUse: str(e['knownRansomwareCampaignUse'])?.toLowerCase() === 'known' };
    const due = str(e['dueDate']);
    if (due && DATE_RE.test(due)) info.dueDate = due.slice(0, 10);
    const name = str(e['vulnerabilityName']);
    if (name) info.vulnerabilityName = name;
    const action = str(e['requiredAction']);
    if (action) info.requiredAction = action;
    out.entries.push(info);
  });
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Downloads (a URL) or reads (a file) the catalog and parses it, before anything is built: a broken catalog changes nothing. */
export async function fetchKev(spec: string, downloadPath: string, progress?: ProgressSink): Promise<{ catalog: KevCatalog; location: string }> {
  const f = await resolveFeed(spec, downloadPath, 'KEV catalog', progress);
  return { catalog: parseKevCatalog(readRegularFileSync(f.file, { maxBytes: MAX_INPUT_BYTES, display: f.location }).toString('utf8'), f.location), location: f.location };
}

/** Writes the catalog into a store being built (its `kev` table and `feeds` row). */
export function loadKev(db: Database.Database, kev: { catalog: KevCatalog; location: string }, loadedAt: string, progress?: ProgressSink): LoadedFeed {
  progress?.phase('loading the KEV catalog');
  const c = kev.catalog;
  const loaded: LoadedFeed = {
    feed: 'kev',
    source: kev.location,
    loadedAt,
    count: c.entries.length,
    ...(c.catalogVersion ? { version: c.catalogVersion } : {}),
    ...(c.dateReleased ? { date: c.dateReleased } : {}),
    skipped: c.skipped,
    warnings: c.warnings,
  };
  const ins = db.prepare('INSERT INTO kev (cve, date_added, due_date, ransomware, name, action) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of c.entries) ins.run(e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomwareUse ? 1 : 0, e.vulnerabilityName ?? null, e.requiredAction ?? null);
    recordFeed(db, loaded);
  })();
  return loaded;
}
