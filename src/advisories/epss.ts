/**
 * FIRST EPSS daily scores (`epss_scores-YYYY-MM-DD.csv[.gz]`):
 *
 *   #model_version:v2025.03.14,score_date:2025-09-29T12:55:00Z
 *   cve,epss,percentile
 *   CVE-1999-0001,0.03351,0.88255
 *
 * The full file has ~375,000 rows, so it is read as a stream (gunzipped on the fly when it starts
 * with the gzip magic bytes) and handed row by row to the caller, which inserts them. A bad row is
 * counted and reported (line number and reason), never fatal; a file with no valid row at all is.
 */
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VouchError } from '../model/errors.js';
import type Database from 'better-sqlite3';
import type { ProgressSink } from '../model/progress.js';
import type { LoadedFeed } from '../model/store.js';
import { recordFeed } from './store.js';

/** The official daily file; `vouch db update` fetches it by default (see docs/db.md). */
export const DEFAULT_EPSS_SOURCE = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';

export interface EpssRow {
  cve: string;
  score: number;
  percentile: number;
}

export interface EpssReadResult {
  modelVersion?: string;
  /** As the comment line writes it (ISO 8601). */
  scoreDate?: string;
  rows: number;
  /** Rows that were not `CVE-id,probability,percentile` with numbers in 0..1. */
  bad: number;
  /** The first bad rows: `line N: reason`. */
  warnings: string[];
}

const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
const MAX_WARNINGS = 20;

/** Reads an EPSS CSV file (plain or gzipped), calling `onRow` for every valid row. */
export async function readEpssFile(file: string, onRow: (row: EpssRow) => void, origin: string = file): Promise<EpssReadResult> {
  let gz: boolean;
  try {
    const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      // a FIFO or a device would never end: only a regular file is read
      if (!(await fh.stat()).isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'not a regular file', { path: origin });
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      gz = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `EPSS file not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: origin, cause: e });
  }
  const raw = createReadStream(file);
  const stream: Readable = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  try {
    return await readEpssStream(stream, origin, onRow);
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_PARSE', `EPSS file could not be read (${(e as Error).message})`, { path: origin, cause: e });
  } finally {
    raw.destroy();
  }
}

/** Reads EPSS CSV text from a stream; `origin` names it in errors. */
export async function readEpssStream(stream: Readable, origin: string, onRow: (row: EpssRow) => void): Promise<EpssReadResult> {
  const out: EpssReadResult = { rows: 0, bad: 0, warnings: [] };
  const bad = (line: number, reason: string): void => {
    out.bad++;
    if (out.warnings.length < MAX_WARNINGS) out.warnings.push(`line ${line}: ${reason}`);
  };
  let lineNo = 0;
  let header: { cve: number; epss: number; percentile: number } | undefined;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const rawLine of rl) {
    lineNo++;
    const line = lineNo === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      for (const part of line.slice(1).split(',')) {
        const i = part.indexOf(':');
        if (i < 0) continue;
        const key = part.slice(0, i).trim();
        const value = part.slice(i + 1).trim();
        if (key === 'model_version' && value) out.modelVersion = value;
        else if (key === 'score_date' && value) out.scoreDate = value;
      }
      continue;
    }
    const cells = line.split(',').map((c) => c.trim());
    if (!header) {
      const lower = cells.map((c) => c.toLowerCase());
      const cve = lower.indexOf('cve');
      const epss = lower.indexOf('epss');
      const percentile = lower.indexOf('percentile');
      if (cve < 0 || epss < 0 || percentile < 0) {
        throw new VouchError('INPUT_PARSE', `not an EPSS scores file: expected the header "cve,epss,percentile", got "${truncate(line, 60)}"`, {
          path: origin,
          position: { line: lineNo },
        });
      }
      header = { cve, epss, percentile };
      continue;
    }
    const cve = (cells[header.cve] ?? '').toUpperCase();
    if (!CVE_RE.test(cve)) {
      bad(lineNo, `not a CVE id: "${truncate(cells[header.cve] ?? '', 40)}"`);
      continue;
    }
    const score = probability(cells[header.epss]);
    const percentile = probability(cells[header.percentile]);
    if (score === undefined || percentile === undefined) {
      bad(lineNo, `${cve}: epss and percentile must be numbers from 0 to 1`);
      continue;
    }
    out.rows++;
    onRow({ cve, score, percentile });
  }
  if (!header) throw new VouchError('INPUT_PARSE', 'not an EPSS scores file: no "cve,epss,percentile" header', { path: origin });
  if (out.rows === 0 && out.bad > 0) throw new VouchError('INPUT_PARSE', `no valid EPSS row (${out.bad} bad; first: ${out.warnings[0]})`, { path: origin });
  return out;
}

function probability(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d*\.?\d+(?:[eE][-+]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Streams the scores file into a store being built (its `epss` table and `feeds` row). */
export async function loadEpss(db: Database.Database, feed: { file: string; location: string }, loadedAt: string, progress?: ProgressSink): Promise<LoadedFeed> {
  progress?.phase('loading EPSS scores');
  const ins = db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)');
  db.exec('BEGIN');
  let n = 0;
  const r = await readEpssFile(
    feed.file,
    (row) => {
      ins.run(row.cve, row.score, row.percentile);
      if (++n % 10_000 === 0) progress?.tick(10_000);
    },
    feed.location,
  );
  const count = (db.prepare('SELECT count(*) AS n FROM epss').get() as { n: number }).n;
  const loaded: LoadedFeed = {
    feed: 'epss',
    source: feed.location,
    loadedAt,
    count,
    ...(r.modelVersion ? { version: r.modelVersion } : {}),
    ...(r.scoreDate ? { date: r.scoreDate } : {}),
    skipped: r.bad,
    warnings: r.warnings,
  };
  recordFeed(db, loaded);
  db.exec('COMMIT');
  return loaded;
}
