/**
 * Loading OSV records into a store being built (import.ts builds it and swaps it into place): which
 * units of a source to read, each record parsed and filed under its ecosystems, the newer version
 * of a record kept, and the ecosystems of the previous store this update does not refresh copied
 * over.
 *
 * Bad records never abort an import: JSON that does not parse, or an object that is not an OSV
 * record (no string `id` / `modified`), is skipped and counted as a warning naming `zip!entry`.
 * An unsafe archive (path traversal, zip bomb) aborts it: the source is not to be trusted.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { baseEcosystem } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import type { ProgressSink } from '../model/progress.js';
import type { ZipLimits } from '../io/zip.js';
import type { OsvSource, SourceUnit } from './sources.js';
import { SCHEMA_VERSION, isNewer, normalizeFor, readStatus } from './store.js';

/** Records per transaction while loading. */
const BATCH = 25_000;

export interface OsvLoadOptions {
  /** Load only these ecosystems (names as the source spells them; case-insensitive). */
  ecosystems?: readonly string[] | undefined;
  /** Drop the previous store's ecosystems that this update does not load. */
  prune: boolean;
  limits: ZipLimits;
  progress?: ProgressSink | undefined;
  /** Where a URL source downloads its zips. */
  downloadPath: string;
  /** The live store, whose other ecosystems are copied over. */
  previousPath: string;
}

export interface OsvLoaded {
  /** The ecosystems this update loaded, sorted, with the newest `modified` of each. */
  refreshed: string[];
  newest: ReadonlyMap<string, string | undefined>;
  records: number;
  kept: string[];
  dropped: string[];
}

/**
 * Reads `source` (undefined: no advisories, only the previous store's are copied) into `db` and
 * copies the previous store's other ecosystems. `warn` counts a skipped record or entry.
 */
export async function loadOsv(db: Database.Database, source: OsvSource | undefined, opts: OsvLoadOptions, warn: (origin: string, reason: string) => void): Promise<OsvLoaded> {
  const plan: Plan = source ? planUnits(source, opts.ecosystems) : { units: [], filter: undefined };
  const loader = new Loader(db);
  db.exec('BEGIN');
  let inBatch = 0;
  for (const unit of plan.units) {
    if (unit.ecosystem !== undefined) loader.touch(unit.ecosystem);
    for await (const item of unit.read({ limits: opts.limits, progress: opts.progress, downloadPath: opts.downloadPath })) {
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
  const { kept, dropped } = copyPrevious(db, opts.previousPath, new Set(refreshed), opts.prune && source !== undefined, warn);
  return { refreshed, newest: loader.stats, records: loader.records, kept, dropped };
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
