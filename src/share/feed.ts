/**
 * Signed advisory feeds between organisations (docs/feeds.md): a static folder any web server or
 * bucket can host —
 *
 *   index.json                  what the feed holds: each file's path, sha256, size and TLP level
 *   index.json.sigstore.json    a Sigstore bundle over index.json, signed with the publisher's key
 *   records/<id>.json           OSV records, byte for byte as given (never rewritten)
 *   vex/<name>.json             OpenVEX documents, optionally
 *
 * This file holds the format, the Traffic Light Protocol rules of publishing (`planFeed`) and the
 * reading of a feed that loads nothing unless everything verifies (`readAdvisoryFeed`). Signing and
 * verifying are passed in (the CLI gives src/attest's), so this layer stays free of cryptography.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchLimited } from '../advisories/sources.js';
import type { Advisory } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { byCodePoint } from '../model/order.js';
import { validateOsv } from './advisory.js';
import { readRegularFile } from '../io/input.js';

export const ADVISORY_FEED_SCHEMA = 'vouch-advisory-feed/1';
export const INDEX_FILE = 'index.json';
export const INDEX_BUNDLE_FILE = 'index.json.sigstore.json';
export const RECORDS_DIR = 'records';
export const VEX_DIR = 'vex';

/** TLP 2.0 levels, least restricted first. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** AMBER and RED records are never re-published by anyone but the organisation that wrote them. */
export function mayRepublish(tlp: Tlp): boolean {
  return tlp === 'CLEAR' || tlp === 'GREEN';
}

/**
 * Whether a record at `level` may go to a reader cleared for `clearance` (TLP levels are ordered
 * CLEAR < GREEN < AMBER < RED): the rule a server's feed endpoint applies per subscriber token.
 */
export function tlpAllows(clearance: Tlp, level: Tlp): boolean {
  return TLP_LEVELS.indexOf(level) <= TLP_LEVELS.indexOf(clearance);
}

export function parseTlp(value: string, where: string): Tlp {
  const v = value.trim().toUpperCase().replace(/^TLP:/, '');
  if ((TLP_LEVELS as readonly string[]).includes(v)) return v as Tlp;
  throw new VouchError('USAGE', `${where}: TLP level "${value}" is not one of ${TLP_LEVELS.join(', ')}`);
}

/** Where a relayed record was first published (signed into the relaying feed's index). */
export interface FeedOrigin {
  publisher: string;
  url: string;
  key: string;
}

export interface FeedEntry {
  /** Relative to the feed's folder: `records/<id>.json` or `vex/<name>.json`. */
  path: string;
  sha256: string;
  size: number;
  tlp: Tlp;
  /** Records: the OSV id the file holds. */
  id?: string;
  /** Records relayed from a subscribed feed: where they came from. */
  from?: FeedOrigin;
}

export interface FeedIndex {
  schema: typeof ADVISORY_FEED_SCHEMA;
  publisher: string;
  /** RFC 3339; a subscriber refuses an index older than the one it loaded last (a replay). */
  published: string;
  records: FeedEntry[];
  vex: FeedEntry[];
}

/** Limits on what a subscriber reads. */
export const FEED_LIMITS = {
  indexBytes: 32 * 1024 * 1024,
  bundleBytes: 1024 * 1024,
  fileBytes: 8 * 1024 * 1024,
  totalBytes: 512 * 1024 * 1024,
  entries: 200_000,
};

/** A record id as a file name: the OSV id characters, nothing that walks out of `records/`. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/;
/** Whether an OSV id can name a record file in a feed (`records/<id>.json`). */
export function isFeedRecordId(id: string): boolean {
  return SAFE_ID.test(id);
}
const SAFE_VEX = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}\.json$/;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

// ---- publishing --------------------------------------------------------------------------------

/** A record the store got from a subscribed feed: what publishing checks own records against and relays. */
export interface SubscribedRecord {
  id: string;
  aliases: readonly string[];
  tlp: Tlp;
  json: string;
  origin: FeedOrigin;
}

export interface PlanInput {
  publisher: string;
  /** The organisation's own records (`--records`), with the file each came from. */
  own: readonly { file: string; data: Buffer }[];
  vex: readonly { file: string; data: Buffer }[];
  /** `--tlp`: the level of records and VEX documents that carry none. */
  tlp?: Tlp | undefined;
  /** Records held from subscribed feeds (the local store). */
  subscribed: readonly SubscribedRecord[];
  /** Include the subscribed records whose TLP allows it (CLEAR, GREEN). */
  relay: boolean;
  now?: Date;
}

export interface FeedPlan {
  index: FeedIndex;
  /** Relative path → bytes, every file the index lists. */
  files: Map<string, Buffer>;
  /** Subscribed records left out of a relay, with why. */
  withheld: { id: string; tlp: Tlp; publisher: string }[];
}

/**
 * What a feed holds, by the TLP rules (docs/feeds.md, "TLP"):
 * - an own record's level is its `database_specific.tlp` when it has one, else `--tlp`; a record
 *   with neither is refused (nothing is published by default at a level nobody chose);
 * - an own record whose id or an alias is the id of a record held from a subscribed feed at AMBER or
 *   RED is refused: it came from another organisation and may not leave;
 * - with `relay`, subscribed CLEAR and GREEN records are included with their origin; AMBER and RED
 *   ones are withheld (listed in `withheld`), always.
 */
export function planFeed(input: PlanInput): FeedPlan {
  const publisher = input.publisher.trim();
  if (!publisher) throw new VouchError('USAGE', '--publisher must name the organisation publishing the feed');
  const files = new Map<string, Buffer>();
  const records: FeedEntry[] = [];
  const restricted = new Map<string, SubscribedRecord>();
  for (const s of input.subscribed) if (!mayRepublish(s.tlp)) restricted.set(s.id.toUpperCase(), s);

  for (const { file, data } of input.own) {
    const rec = parseOwnRecord(file, data);
    const hit = [rec.id, ...(rec.aliases ?? [])].map((i) => restricted.get(String(i).toUpperCase())).find((s) => s !== undefined);
    if (hit) {
      throw new VouchError(
        'INPUT_UNSAFE',
        `${rec.id} is held from ${hit.origin.publisher}'s feed (${hit.origin.url}) at TLP:${hit.tlp}: AMBER and RED records are never re-published`,
        { path: file },
      );
    }
    const own = (rec.database_specific as { tlp?: unknown } | undefined)?.tlp;
    const tlp = own !== undefined ? parseTlp(String(own), `${file}: database_specific.tlp`) : input.tlp;
    if (!tlp) throw new VouchError('USAGE', `${rec.id} has no TLP level: give --tlp, or set database_specific.tlp in the record`, { path: file });
    const rel = `${RECORDS_DIR}/${rec.id}.json`;
    if (files.has(rel)) throw new VouchError('INPUT_PARSE', `two records with the id ${rec.id}`, { path: file });
    files.set(rel, data);
    records.push({ path: rel, sha256: sha256(data), size: data.length, tlp, id: rec.id });
  }

  const withheld: FeedPlan['withheld'] = [];
  if (input.relay) {
    for (const s of [...input.subscribed].sort((a, b) => byCodePoint(a.id, b.id) || byCodePoint(a.origin.url, b.origin.url))) {
      if (!mayRepublish(s.tlp)) {
        withheld.push({ id: s.id, tlp: s.tlp, publisher: s.origin.publisher });
        continue;
      }
      const rel = `${RECORDS_DIR}/${s.id}.json`;
      if (files.has(rel) || !SAFE_ID.test(s.id)) continue; // an own record of the same id wins
      const data = Buffer.from(s.json, 'utf8');
      files.set(rel, data);
      records.push({ path: rel, sha256: sha256(data), size: data.length, tlp: s.tlp, id: s.id, from: s.origin });
    }
  }

  const vex: FeedEntry[] = [];
  for (const { file, data } of input.vex) {
    checkVex(file, data);
    if (!input.tlp) throw new VouchError('USAGE', 'VEX documents need --tlp (their TLP level)', { path: file });
    const base = path.basename(file).replace(/[^A-Za-z0-9._+-]/g, '_');
    const named = /\.json$/.test(base) ? base : `${base}.json`;
    // a name a reader accepts (SAFE_VEX), else one from the content
    const rel = `${VEX_DIR}/${SAFE_VEX.test(named) ? named : `vex-${sha256(data).slice(0, 16)}.json`}`;
    if (files.has(rel)) throw new VouchError('USAGE', `two VEX documents named ${path.basename(rel)}`, { path: file });
    files.set(rel, data);
    vex.push({ path: rel, sha256: sha256(data), size: data.length, tlp: input.tlp });
  }
  if (!records.length && !vex.length) throw new VouchError('USAGE', 'nothing to publish: give --records (and/or --vex, --relay)');
  records.sort((a, b) => byCodePoint(a.path, b.path));
  vex.sort((a, b) => byCodePoint(a.path, b.path));
  return {
    index: { schema: ADVISORY_FEED_SCHEMA, publisher, published: (input.now ?? new Date()).toISOString(), records, vex },
    files,
    withheld,
  };
}

function parseOwnRecord(file: string, data: Buffer): Advisory {
  let rec: unknown;
  try {
    rec = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `not JSON (${(e as Error).message.split('\n')[0]})`, { path: file, cause: e });
  }
  const problems = validateOsv(rec);
  if (problems.length) throw new VouchError('INPUT_PARSE', `not a valid OSV record: ${problems[0]}`, { path: file });
  const id = (rec as Advisory).id;
  if (!SAFE_ID.test(id)) throw new VouchError('INPUT_PARSE', `record id ${JSON.stringify(id)} cannot be a file name in a feed`, { path: file });
  return rec as Advisory;
}

/** An OpenVEX document (its `@context`), checked before it is published or loaded. */
function checkVex(name: string, data: Buffer): void {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `not JSON (${(e as Error).message.split('\n')[0]})`, { path: name, cause: e });
  }
  const ctx = (doc as { '@context'?: unknown } | null)?.['@context'];
  if (typeof ctx !== 'string' || !ctx.startsWith('https://openvex.dev/ns')) {
    throw new VouchError('INPUT_PARSE', 'not an OpenVEX document (no "@context": "https://openvex.dev/ns/...")', { path: name });
  }
}

// ---- reading -----------------------------------------------------------------------------------

/** Checks the signature over the index bytes; throws SIGNATURE_INVALID naming what failed. Returns the key's id (hex sha256 of its SPKI). */
export type IndexVerifier = (index: { name: string; data: Buffer }, bundle: { name: string; text: string }) => Promise<{ keyId: string }>;

export interface VerifiedRecord {
  id: string;
  tlp: Tlp;
  data: Buffer;
  advisory: Advisory;
  from?: FeedOrigin;
}

export interface VerifiedFeed {
  /** The feed as the store records it: its URL, or the absolute path of a local folder. */
  location: string;
  publisher: string;
  published: string;
  /** The key that verified the index (hex sha256 of its SPKI). */
  keyId: string;
  records: VerifiedRecord[];
  vex: { path: string; tlp: Tlp; data: Buffer }[];
}

interface FeedReader {
  location: string;
  get(rel: string, max: number): Promise<Buffer>;
  /** Local folders: every file under records/ and vex/ (a file the index does not list is refused). */
  list?(): Promise<string[]>;
}

/**
 * Reads a feed (an http(s) URL or a local folder) and verifies all of it before returning: the
 * index's signature with the trusted key, the index's shape, every file's size and sha256, each
 * record's id (it must be the one the index names) and its validity as OSV (ecosystems included),
 * no file in a local folder that the index does not list, and an index no older than `notBefore`
 * (the last one loaded from this feed). Any failure throws one VouchError naming it; nothing is
 * returned in part.
 */
export async function readAdvisoryFeed(
  spec: string,
  verify: IndexVerifier,
  opts: {
    notBefore?: ((location: string) => string | undefined) | undefined;
    /** http(s) only: sent with every request (a partner server's `Authorization: Bearer …`). */
    headers?: Record<string, string> | undefined;
  } = {},
): Promise<VerifiedFeed> {
  const reader = await openReader(spec, opts.headers);
  const notBefore = opts.notBefore?.(reader.location);
  const indexName = `${reader.location}/${INDEX_FILE}`;
  const indexData = await reader.get(INDEX_FILE, FEED_LIMITS.indexBytes);
  const bundleData = await reader.get(INDEX_BUNDLE_FILE, FEED_LIMITS.bundleBytes);
  const { keyId } = await verify({ name: indexName, data: indexData }, { name: `${reader.location}/${INDEX_BUNDLE_FILE}`, text: bundleData.toString('utf8') });
  const index = parseIndex(indexData, indexName);
  if (notBefore !== undefined && Date.parse(index.published) < Date.parse(notBefore)) {
    throw new VouchError('SIGNATURE_INVALID', `feed refused: the index was published ${index.published}, before the one already loaded (${notBefore}): a replayed older index`, {
      path: indexName,
    });
  }
  const listed = new Set([...index.records, ...index.vex].map((e) => e.path));
  if (reader.list) {
    for (const f of await reader.list()) {
      if (!listed.has(f)) throw new VouchError('SIGNATURE_INVALID', `feed refused: ${f} is not in the signed index`, { path: `${reader.location}/${f}` });
    }
  }
  let total = 0;
  const fetchChecked = async (e: FeedEntry): Promise<Buffer> => {
    const name = `${reader.location}/${e.path}`;
    total += e.size;
    if (e.size > FEED_LIMITS.fileBytes || total > FEED_LIMITS.totalBytes) {
      throw new VouchError('INPUT_TOO_LARGE', `feed refused: ${e.path} is over the size limits (${FEED_LIMITS.fileBytes} bytes a file, ${FEED_LIMITS.totalBytes} in all)`, { path: name });
    }
    const data = await reader.get(e.path, e.size);
    if (data.length !== e.size || sha256(data) !== e.sha256) {
      throw new VouchError('SIGNATURE_INVALID', `feed refused: ${e.path} does not match its digest in the signed index`, { path: name });
    }
    return data;
  };
  const records: VerifiedRecord[] = [];
  for (const e of index.records) {
    const data = await fetchChecked(e);
    const name = `${reader.location}/${e.path}`;
    let rec: unknown;
    try {
      rec = JSON.parse(data.toString('utf8'));
    } catch {
      throw new VouchError('INPUT_PARSE', `feed refused: ${e.path} is not JSON`, { path: name });
    }
    const problems = validateOsv(rec);
    if (problems.length) throw new VouchError('INPUT_PARSE', `feed refused: ${e.path} is not a valid OSV record: ${problems[0]}`, { path: name });
    const adv = rec as Advisory;
    if (adv.id !== e.id) throw new VouchError('INPUT_PARSE', `feed refused: ${e.path} holds ${adv.id}, the index says ${e.id}`, { path: name });
    records.push({ id: adv.id, tlp: e.tlp, data, advisory: adv, ...(e.from ? { from: e.from } : {}) });
  }
  const vex: VerifiedFeed['vex'] = [];
  for (const e of index.vex) {
    const data = await fetchChecked(e);
    checkVex(`${reader.location}/${e.path}`, data);
    vex.push({ path: e.path, tlp: e.tlp, data });
  }
  return { location: reader.location, publisher: index.publisher, published: index.published, keyId, records, vex };
}

/** The signed index's shape: one line with the JSON path of the first problem. */
export function parseIndex(data: Buffer, name: string): FeedIndex {
  const bad = (jsonPath: string, what: string): VouchError =>
    new VouchError('INPUT_PARSE', `feed refused: ${what}`, { path: name, position: { jsonPath } });
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `feed refused: the index is not JSON (${(e as Error).message.split('\n')[0]})`, { path: name, cause: e });
  }
  const o = doc as Partial<FeedIndex> | null;
  if (typeof o !== 'object' || o === null || o.schema !== ADVISORY_FEED_SCHEMA) throw bad('$.schema', `not a vouch advisory feed index (expected "schema": "${ADVISORY_FEED_SCHEMA}")`);
  if (typeof o.publisher !== 'string' || !o.publisher.trim()) throw bad('$.publisher', 'the index names no publisher');
  if (typeof o.published !== 'string' || !Number.isFinite(Date.parse(o.published))) throw bad('$.published', 'the index has no RFC 3339 "published" time');
  if (!Array.isArray(o.records) || !Array.isArray(o.vex)) throw bad('$', 'the index needs "records" and "vex" lists');
  if (o.records.length + o.vex.length > FEED_LIMITS.entries) throw bad('$.records', `over ${FEED_LIMITS.entries} entries`);
  const seen = new Set<string>();
  const entry = (e: unknown, where: string, kind: 'records' | 'vex'): FeedEntry => {
    const x = e as Partial<FeedEntry> | null;
    if (typeof x !== 'object' || x === null) throw bad(where, 'an entry is not an object');
    if (typeof x.path !== 'string' || seen.has(x.path)) throw bad(`${where}.path`, 'a path is missing or listed twice');
    const base = x.path.slice(kind.length + 1);
    const ok = kind === 'records' ? x.path === `${RECORDS_DIR}/${x.id}.json` && typeof x.id === 'string' && SAFE_ID.test(x.id) : x.path.startsWith(`${VEX_DIR}/`) && SAFE_VEX.test(base);
    if (!ok) throw bad(`${where}.path`, `${JSON.stringify(x.path)} is not a ${kind === 'records' ? 'records/<id>.json path matching its "id"' : 'vex/<name>.json path'}`);
    seen.add(x.path);
    if (typeof x.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(x.sha256)) throw bad(`${where}.sha256`, 'not a sha256 (64 lower-case hex digits)');
    if (typeof x.size !== 'number' || !Number.isSafeInteger(x.size) || x.size < 0) throw bad(`${where}.size`, 'not a size in bytes');
    if (typeof x.tlp !== 'string' || !(TLP_LEVELS as readonly string[]).includes(x.tlp)) throw bad(`${where}.tlp`, `not a TLP level (${TLP_LEVELS.join(', ')})`);
    if (x.from !== undefined) {
      const f = x.from as Partial<FeedOrigin> | null;
      if (typeof f !== 'object' || f === null || typeof f.publisher !== 'string' || typeof f.url !== 'string' || typeof f.key !== 'string') throw bad(`${where}.from`, 'an origin needs publisher, url and key');
    }
    return x as FeedEntry;
  };
  return {
    schema: ADVISORY_FEED_SCHEMA,
    publisher: o.publisher,
    published: o.published,
    records: o.records.map((e, i) => entry(e, `$.records[${i}]`, 'records')),
    vex: o.vex.map((e, i) => entry(e, `$.vex[${i}]`, 'vex')),
  };
}

/** A feed as the store names it: its URL (no trailing `/` nor `/index.json`), or a folder's absolute path. */
export function feedLocation(spec: string): string {
  if (/^https?:\/\//i.test(spec)) return spec.replace(/\/+$/, '').replace(/\/index\.json$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !/^file:/i.test(spec)) throw new VouchError('USAGE', `a feed is an http(s) URL or a local folder, not ${spec}`);
  return path.resolve(/^file:/i.test(spec) ? fileURLToPath(spec) : spec);
}

async function openReader(spec: string, headers?: Record<string, string>): Promise<FeedReader> {
  const location = feedLocation(spec);
  if (/^https?:\/\//i.test(location)) return { location, get: (rel, max) => fetchLimited(`${location}/${rel}`, max, headers) };
  const dir = location;
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new VouchError('INPUT_MISSING', 'feed folder not found', { path: spec });
  return {
    location: dir,
    async get(rel, max) {
      const file = path.join(dir, ...rel.split('/'));
      let data: Buffer;
      try {
        const s = await stat(file);
        if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
        if (s.size > max) throw new VouchError('SIGNATURE_INVALID', `feed refused: ${rel} is ${s.size} bytes, more than the ${max} its index or the limits allow`, { path: file });
        data = await readRegularFile(file, { maxBytes: max });
      } catch (e) {
        if (e instanceof VouchError) throw e;
        throw new VouchError('INPUT_MISSING', `feed refused: ${rel} is missing (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, { path: file, cause: e });
      }
      return data;
    },
    async list() {
      const out: string[] = [];
      for (const sub of [RECORDS_DIR, VEX_DIR]) {
        const entries = await readdir(path.join(dir, sub), { withFileTypes: true }).catch(() => []);
        for (const d of entries) out.push(`${sub}/${d.name}`);
      }
      return out.sort(byCodePoint);
    },
  };
}

// ---- serving -----------------------------------------------------------------------------------

/** An own record a server holds, with its TLP level and when it last changed. */
export interface ServedRecord {
  id: string;
  tlp: Tlp;
  /** The record's bytes, served as stored. */
  data: Buffer;
  aliases: readonly string[];
  /** When the server last changed it (stored, replaced, withdrawn): the index's `published` follows it. */
  updatedAt: string;
}

/**
 * The feed a server serves to one reader (docs/feeds.md, "A server's own feed"): only the records
 * `clearance` allows, never a RED one (RED never leaves the server), and none whose id or alias is
 * a record the server holds from a partner at AMBER or RED (`restricted`, upper-cased ids: they are
 * never re-published, even under another organisation's name). `published` is the newest change of
 * the records, so the same content gives the same index (a subscriber's replay check compares it)
 * and a change moves it forward. The index is deterministic; the caller signs it.
 */
export function servedFeed(
  publisher: string,
  records: readonly ServedRecord[],
  clearance: Tlp,
  restricted: ReadonlySet<string>,
): { index: FeedIndex; files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const entries: FeedEntry[] = [];
  let published = '1970-01-01T00:00:00.000Z';
  for (const r of records) {
    if (r.tlp === 'RED' || !tlpAllows(clearance, r.tlp) || !SAFE_ID.test(r.id)) continue;
    if ([r.id, ...r.aliases].some((i) => restricted.has(i.toUpperCase()))) continue;
    const rel = `${RECORDS_DIR}/${r.id}.json`;
    files.set(rel, r.data);
    entries.push({ path: rel, sha256: sha256(r.data), size: r.data.length, tlp: r.tlp, id: r.id });
    if (Date.parse(r.updatedAt) > Date.parse(published)) published = new Date(r.updatedAt).toISOString();
  }
  entries.sort((a, b) => byCodePoint(a.path, b.path));
  return { index: { schema: ADVISORY_FEED_SCHEMA, publisher, published, records: entries, vex: [] }, files };
}

// ---- writing -----------------------------------------------------------------------------------

/** index.json exactly as signed: the bytes the bundle covers. */
export function indexBytes(index: FeedIndex): Buffer {
  return Buffer.from(`${JSON.stringify(index, null, 2)}\n`, 'utf8');
}

/**
 * Writes the feed folder as a whole: the files are written into a new folder beside `dir`, fsynced,
 * then renamed into place (a previous feed there is swapped out and removed), so a reader sees the
 * old feed or the new one, never a mix — at worst, for the instant between the two renames, no
 * feed (which it refuses, as it refuses any incomplete feed). A `dir` holding anything but a feed
 * is left alone and refused.
 */
export async function writeFeed(dir: string, plan: FeedPlan, index: Buffer, bundle: string): Promise<void> {
  const target = path.resolve(dir);
  const existing = await stat(target).catch(() => undefined);
  if (existing) {
    if (!existing.isDirectory()) throw new VouchError('USAGE', 'the feed folder is a file', { path: dir });
    const names = await readdir(target);
    const ours = new Set([INDEX_FILE, INDEX_BUNDLE_FILE, RECORDS_DIR, VEX_DIR]);
    const foreign = names.filter((n) => !ours.has(n));
    if (foreign.length) {
      throw new VouchError('USAGE', `the folder holds ${foreign.length} file(s) that are not part of a feed (${foreign.slice(0, 3).join(', ')}): publish into an empty or new folder`, { path: dir });
    }
  }
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await mkdir(path.join(tmp, RECORDS_DIR), { recursive: true });
    if (plan.index.vex.length) await mkdir(path.join(tmp, VEX_DIR), { recursive: true });
    for (const [rel, data] of plan.files) await writeSynced(path.join(tmp, ...rel.split('/')), data);
    await writeSynced(path.join(tmp, INDEX_BUNDLE_FILE), Buffer.from(bundle, 'utf8'));
    await writeSynced(path.join(tmp, INDEX_FILE), index);
    if (existing) await rename(target, old);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (existing && !(await stat(target).catch(() => undefined))) await rename(old, target).catch(() => undefined);
    throw new VouchError('USAGE', `cannot write the feed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: dir, cause: e });
  }
  await rm(old, { recursive: true, force: true });
}

async function writeSynced(file: string, data: Buffer): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
