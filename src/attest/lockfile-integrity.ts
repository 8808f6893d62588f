/**
 * Lockfile integrity: are the bytes a lockfile pins the bytes the registry publishes?
 *
 * For every registry package of a lockfile, the tarball is downloaded (from the URL the lockfile
 * resolved to when that URL is on a configured registry, else from the configured registry for
 * the name), hashed with every algorithm its SRI `integrity` lists that we know (sha1, sha256,
 * sha384, sha512), and compared. Statuses:
 *
 * - `intact`: every listed digest matches the downloaded bytes.
 * - `mismatch`: a digest differs (expected and actual SRI, and the URL, are reported).
 * - `no-integrity`: the lockfile records no digest (or only algorithms we cannot compute).
 * - `not-comparable`: yarn berry's `checksum` is of yarn's cache zip, not of the tarball.
 * - `not-registry`: git, file:, link:, remote tarball URLs and bundled dependencies: listed, not fetched.
 * - `fetch-failed`: the download failed (the reason is one line, without credentials).
 * - `not-checked`: the run was interrupted before this package was checked.
 *
 * Verified digests are recorded in `<cacheDir>/verified.sqlite` (one row per SRI digest, written
 * as soon as it is verified): a digest verified once is never downloaded again, and an
 * interrupted run resumes where it stopped. Tarballs are not kept unless asked
 * (`<cacheDir>/tarballs/<name>/<version>.tgz`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeFileAtomic } from '../io/atomic-write.js';
import { VouchError, isVouchError } from '../model/errors.js';
import { configuredRegistries } from '../ecosystems/npm/registry-config.js';
import type { NpmRegistryClient } from '../ecosystems/npm/registry.js';
import { type EntrySource, type LockEntry, type LockFormat, readLockEntries } from './lockfile-entries.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';

export type IntegrityStatus = 'intact' | 'mismatch' | 'no-integrity' | 'not-comparable' | 'not-registry' | 'fetch-failed' | 'not-checked';

export const INTEGRITY_STATUSES: readonly IntegrityStatus[] = ['mismatch', 'fetch-failed', 'no-integrity', 'not-comparable', 'not-registry', 'not-checked', 'intact'];

export interface IntegrityResult {
  name: string;
  version: string;
  status: IntegrityStatus;
  source: EntrySource;
  /** 1-based line in the lockfile. */
  line?: number;
  /** The lockfile's integrity (or berry checksum), as written. */
  expected?: string;
  /** The downloaded bytes' digests, in the same algorithms (mismatch only). */
  actual?: string;
  /** The URL fetched (credentials removed). */
  url?: string;
  /** The lockfile's resolved URL or spec (credentials removed), for entries not fetched. */
  resolved?: string;
  /** Why (fetch-failed, no-integrity, not-registry, not-comparable), or a note (fetched elsewhere than resolved). */
  reason?: string;
  /** True when the verified-digest cache answered (nothing was downloaded). */
  cached?: boolean;
  bytes?: number;
}

export interface IntegrityReport {
  file: string;
  format: LockFormat;
  results: IntegrityResult[];
  counts: Record<IntegrityStatus, number>;
  /** Registry packages answered by the verified cache. */
  cacheHits: number;
  /** Tarballs downloaded. */
  fetched: number;
  bytes: number;
  elapsedMs: number;
  interrupted: boolean;
}

export interface IntegrityProgress {
  done: number;
  total: number;
  bytes: number;
  cacheHits: number;
}

export interface VerifyLockfileOptions {
  client: NpmRegistryClient;
  /** `$VOUCH_HOME/cache/npm`: holds verified.sqlite (and tarballs/ with keepTarballs). */
  cacheDir: string;
  /** Keep downloaded tarballs under `<cacheDir>/tarballs/`. */
  keepTarballs?: boolean;
  /** Ignore the verified cache (still records new verifications). */
  refresh?: boolean;
  /** Stops starting new downloads and aborts those in flight; what was verified stays recorded. */
  signal?: AbortSignal;
  onProgress?: (p: IntegrityProgress) => void;
}

const ALGS = ['sha512', 'sha384', 'sha256', 'sha1'] as const;
type Alg = (typeof ALGS)[number];

export interface SriPart {
  alg: Alg;
  /** base64 digest. */
  digest: string;
}

/** The parts of an SRI string we can compute, in the order written; unknown algorithms are dropped. */
export function parseSri(integrity: string): SriPart[] {
  const out: SriPart[] = [];
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash < 0) continue;
    const alg = token.slice(0, dash) as Alg;
    if (!ALGS.includes(alg)) continue;
    const digest = token.slice(dash + 1).replace(/\?.*$/, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(digest)) continue;
    if (!out.some((p) => p.alg === alg && p.digest === digest)) out.push({ alg, digest });
  }
  return out;
}

/** Reads the lockfile and verifies it (see the module comment). Throws VouchError for unreadable input. */
export async function verifyLockfile(file: string, opts: VerifyLockfileOptions): Promise<IntegrityReport> {
  let data: Buffer;
  try {
    data = await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES });
  } catch (e) {
    if (e instanceof VouchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new VouchError(code === 'ENOENT' ? 'INPUT_MISSING' : 'USAGE', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder: give the lockfile itself' : `cannot read (${code})`, { path: file, cause: e });
  }
  const { format, entries } = readLockEntries(file, data);
  const report = await verifyEntries(entries, opts);
  return { file, format, ...report };
}

/** Verifies entries already read from a lockfile. */
export async function verifyEntries(entries: readonly LockEntry[], opts: VerifyLockfileOptions): Promise<Omit<IntegrityReport, 'file' | 'format'>> {
  const start = Date.now();
  const client = opts.client;
  const cache = VerifiedCache.open(opts.cacheDir);
  const registries = configuredRegistries(client.config);
  const results: IntegrityResult[] = new Array(entries.length);
  const progress: IntegrityProgress = { done: 0, total: 0, bytes: 0, cacheHits: 0 };
  let fetched = 0;
  const inflight = new Map<string, Promise<Omit<IntegrityResult, 'name' | 'version' | 'line' | 'source'>>>();

  const base = (e: LockEntry): IntegrityResult => ({
    name: e.name,
    version: e.version,
    status: 'not-checked',
    source: e.source,
    ...(e.line !== undefined ? { line: e.line } : {}),
  });

  const tasks: Promise<void>[] = [];
  try {
    entries.forEach((e, i) => {
      const r = base(e);
      results[i] = r;
      if (e.source !== 'registry') {
        r.status = 'not-registry';
        if (e.resolved) r.resolved = client.redact(e.resolved);
        r.reason = e.source === 'bundled' ? 'bundled inside its parent package' : `from ${e.source}`;
        return;
      }
      if (e.berryChecksum !== undefined && !e.integrity) {
        r.status = 'not-comparable';
        r.expected = e.berryChecksum;
        r.reason = "yarn berry's checksum is of its cache zip, not of the published tarball";
        return;
      }
      const parts = e.integrity ? parseSri(e.integrity) : [];
      if (!parts.length) {
        r.status = 'no-integrity';
        if (e.integrity) {
          r.expected = e.integrity;
          r.reason = 'no digest in an algorithm vouch computes (sha1, sha256, sha384, sha512)';
        } else {
          r.reason = 'the lockfile records no integrity';
        }
        return;
      }
      r.expected = e.integrity!;
      progress.total++;
      if (!opts.refresh && cache.hasAll(parts)) {
        r.status = 'intact';
        r.cached = true;
        progress.cacheHits++;
        progress.done++;
        return;
      }
      const key = parts.map((p) => `${p.alg}-${p.digest}`).sort().join(' ');
      let job = inflight.get(key);
      if (!job) {
        job = checkOne(e, parts);
        inflight.set(key, job);
      }
      tasks.push(
        job.then((out) => {
          Object.assign(r, out);
          progress.done++;
          opts.onProgress?.({ ...progress });
        }),
      );
    });
    opts.onProgress?.({ ...progress });
    await Promise.all(tasks);
  } finally {
    cache.close();
  }

  async function checkOne(e: LockEntry, parts: SriPart[]): Promise<Omit<IntegrityResult, 'name' | 'version' | 'line' | 'source'>> {
    if (opts.signal?.aborted) return { status: 'not-checked' };
    const other = e.resolved !== undefined ? otherPackageIn(e.resolved, e.name, e.version) : undefined;
    const onRegistry = e.resolved !== undefined && other === undefined && registries.some((reg) => underRegistry(e.resolved!, reg));
    // a resolved URL naming another package's tarball is the lockfile-injection pattern: the
    // digest would match that other package, so the name's own tarball is what gets compared
    const note = other
      ? `resolved URL is the tarball of ${other}, not of ${e.name}@${e.version}: ${client.redact(e.resolved!)}; fetched ${e.name}'s own from ${client.redact(client.registryFor(e.name))}`
      : e.resolved && !onRegistry
        ? `resolved to ${client.redact(originOf(e.resolved))}, not a configured registry: fetched from ${client.redact(client.registryFor(e.name))}`
        : undefined;
    const hashers = new Map<Alg, ReturnType<typeof createHash>>();
    for (const p of parts) if (!hashers.has(p.alg)) hashers.set(p.alg, createHash(p.alg));
    const fetchOnce = (url: string | undefined) =>
      client.fetchTarball(e.name, e.version, url, {
        buffer: opts.keepTarballs ?? false,
        onData: (c) => {
          for (const h of hashers.values()) h.update(c);
          progress.bytes += c.length;
        },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    let res;
    try {
      try {
        res = await fetchOnce(onRegistry ? e.resolved : undefined);
      } catch (err) {
        // the conventional URL is not where this registry keeps it: ask the packument
        if (onRegistry || !isVouchError(err) || !/: HTTP 404$/.test(err.message) || opts.signal?.aborted) throw err;
        const pack = await client.fetchPackument(e.name, { corgi: true }).catch(() => undefined);
        const tarball = pack?.versions[e.version]?.dist.tarball;
        if (!tarball) throw err;
        for (const alg of [...hashers.keys()]) hashers.set(alg, createHash(alg));
        res = await fetchOnce(tarball);
      }
    } catch (err) {
      if (opts.signal?.aborted) return { status: 'not-checked' };
      return { status: 'fetch-failed', reason: isVouchError(err) ? err.message : client.redact(String(err)) };
    }
    fetched++;
    const actual = new Map<Alg, string>();
    for (const [alg, h] of hashers) actual.set(alg, h.digest('base64'));
    const ok = parts.every((p) => actual.get(p.alg) === p.digest);
    const out: Omit<IntegrityResult, 'name' | 'version' | 'line' | 'source'> = { status: ok ? 'intact' : 'mismatch', url: res.url, bytes: res.bytes };
    if (note) out.reason = note;
    if (!ok) out.actual = [...actual].map(([alg, d]) => `${alg}-${d}`).join(' ');
    if (ok) cache.add(parts, e, res.url);
    if (opts.keepTarballs && res.data) await keepTarball(opts.cacheDir, e, res.data, ok);
    return out;
  }

  const counts = Object.fromEntries(INTEGRITY_STATUSES.map((s) => [s, 0])) as Record<IntegrityStatus, number>;
  for (const r of results) counts[r.status]++;
  return {
    results,
    counts,
    cacheHits: progress.cacheHits,
    fetched,
    bytes: progress.bytes,
    elapsedMs: Date.now() - start,
    interrupted: opts.signal?.aborted === true && counts['not-checked'] > 0,
  };
}

/**
 * For a conventional registry tarball URL (`…/<name>/-/<base>-<version>.tgz`) naming another
 * package or version than the entry's: that other `name@version`. Otherwise undefined (also for
 * URLs of other shapes, which are not judged).
 */
export function otherPackageIn(url: string, name: string, version: string): string | undefined {
  let p: string;
  try {
    p = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  const m = /\/((?:@[^/]+\/)?[^/@][^/]*)\/-\/([^/]+)\.tgz$/.exec(p);
  if (!m) return undefined;
  const urlName = m[1]!;
  const base = urlName.startsWith('@') ? urlName.slice(urlName.indexOf('/') + 1) : urlName;
  const file = m[2]!;
  if (!file.startsWith(`${base}-`)) return `${urlName} (${file}.tgz)`;
  const urlVersion = file.slice(base.length + 1);
  if (urlName === name && urlVersion === version) return undefined;
  return `${urlName}@${urlVersion}`;
}

/** True when `url` is the registry `reg` or below it (same origin, path prefix). */
function underRegistry(url: string, reg: string): boolean {
  try {
    const u = new URL(url);
    const r = new URL(reg);
    if (u.protocol !== r.protocol || u.host !== r.host) return false;
    return u.pathname.startsWith(r.pathname.endsWith('/') ? r.pathname : `${r.pathname}/`);
  } catch {
    return false;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

async function keepTarball(cacheDir: string, e: LockEntry, data: Buffer, ok: boolean): Promise<void> {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9@._-]/g, '_');
  const dir = path.join(cacheDir, 'tarballs', ...e.name.split('/').map(safe));
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, `${safe(e.version)}${ok ? '' : '.mismatch'}.tgz`), data);
}

/** The verified-digest cache: `<cacheDir>/verified.sqlite`, one row per SRI digest. */
export class VerifiedCache {
  private constructor(
    private readonly db: Database.Database,
    private readonly has: Database.Statement<[string], unknown>,
    private readonly put: Database.Statement<[string, string, string, string, number], unknown>,
  ) {}

  static open(cacheDir: string): VerifiedCache {
    const file = path.join(cacheDir, 'verified.sqlite');
    try {
      mkdirSync(cacheDir, { recursive: true });
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.exec('CREATE TABLE IF NOT EXISTS verified (digest TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, url TEXT NOT NULL, verified_at INTEGER NOT NULL)');
      return new VerifiedCache(
        db,
        db.prepare('SELECT 1 FROM verified WHERE digest = ?'),
        db.prepare('INSERT OR REPLACE INTO verified (digest, name, version, url, verified_at) VALUES (?, ?, ?, ?, ?)'),
      );
    } catch (e) {
      throw new VouchError('STORE_CORRUPT', `cannot open the verified-integrity cache (${(e as Error).message}); if the file is damaged, delete it: it only saves downloads`, { path: file, cause: e });
    }
  }

  hasAll(parts: readonly SriPart[]): boolean {
    return parts.every((p) => this.has.get(`${p.alg}-${p.digest}`) !== undefined);
  }

  add(parts: readonly SriPart[], e: LockEntry, url: string): void {
    const now = Date.now();
    for (const p of parts) this.put.run(`${p.alg}-${p.digest}`, e.name, e.version, url, now);
  }

  close(): void {
    this.db.close();
  }
}
