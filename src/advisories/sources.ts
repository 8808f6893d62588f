/**
 * Where OSV records come from. Four layouts:
 *
 * - `url`:      an http(s) base laid out like the OSV bulk export: `<base>/ecosystems.txt` lists the
 *               ecosystems, `<base>/<Ecosystem>/all.zip` holds one `<ID>.json` per advisory. Each zip
 *               is downloaded to a temporary file (with progress), read, then deleted.
 * - `bulk-dir`: a local folder of that layout (`<dir>/<Ecosystem>/all.zip`).
 * - `zip`:      one zip of OSV JSON files.
 * - `json-dir`: a folder of OSV JSON files, read recursively (or a single `.json` file).
 *
 * The bulk layouts name their ecosystems (folder names such as `crates.io`, `Debian:12`); for a
 * single zip or a JSON folder the records decide: each counts under the base ecosystem of every
 * `affected[].package.ecosystem` it names.
 */
import { createWriteStream, existsSync, type Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { VouchError } from '../model/errors.js';
import { DEFAULT_ZIP_LIMITS, entryLabel, openZip, type ZipLimits } from '../io/zip.js';
import { byCodePoint } from '../model/order.js';
import type { ProgressSink } from '../model/progress.js';
import { assertOnline } from '../io/network.js';
import { readRegularFile } from '../io/input.js';

export const DEFAULT_OSV_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com';

/** `$VOUCH_OSV_SOURCE`, else the public OSV bucket. */
export function defaultSource(): string {
  return process.env['VOUCH_OSV_SOURCE'] || DEFAULT_OSV_SOURCE;
}

/** What an import reports progress to (the CLI's Progress fits). Nothing here prints. */
export type ImportProgress = ProgressSink;

/** One item read from a source: a record's bytes, or something skipped with a reason. */
export type SourceItem =
  | { kind: 'record'; origin: string; data: Buffer }
  | { kind: 'skipped'; origin: string; reason: string };

export interface ReadContext {
  limits: ZipLimits;
  progress?: ImportProgress | undefined;
  /** A file path the source may use for a download; the caller deletes it afterwards. */
  downloadPath: string;
}

/** A part of a source read in one go: one ecosystem's zip, or everything for record-decided sources. */
export interface SourceUnit {
  /** The ecosystem the layout names, or undefined when each record's `affected` decides. */
  readonly ecosystem: string | undefined;
  read(ctx: ReadContext): AsyncGenerator<SourceItem>;
}

export interface OsvSource {
  readonly kind: 'url' | 'bulk-dir' | 'zip' | 'json-dir';
  /** The source as recorded in the store: the URL, or an absolute path. */
  readonly location: string;
  /** The ecosystems a bulk layout names (sorted); undefined when the records decide. */
  readonly ecosystems: readonly string[] | undefined;
  /** The units to read: for bulk layouts one per ecosystem in `selected` (default: all). */
  units(selected?: readonly string[]): SourceUnit[];
}

/** Resolves a `--source` value (URL, `file:` URL, folder, zip or JSON file). */
export async function openSource(spec: string): Promise<OsvSource> {
  if (/^https?:\/\//i.test(spec)) return openUrlSource(spec.replace(/\/+$/, ''));
  const local = /^file:/i.test(spec) ? fileURLToPath(spec) : spec;
  const abs = path.resolve(local);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `OSV source not found (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      path: spec,
      cause: e,
    });
  }
  if (st.isDirectory()) {
    const ecosystems = await bulkEcosystems(abs);
    if (ecosystems.length) return bulkDirSource(abs, ecosystems);
    return jsonDirSource(abs, [abs]);
  }
  if (!st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'OSV source is neither a folder nor a file', { path: spec });
  if (abs.toLowerCase().endsWith('.json')) return jsonDirSource(abs, [abs]);
  return zipFileSource(abs);
}

/** Subfolders holding an `all.zip`: the bulk export layout. */
async function bulkEcosystems(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (d.isDirectory() && existsSync(path.join(dir, d.name, 'all.zip'))) out.push(d.name);
  }
  return out.sort(byCodePoint);
}

function zipUnit(ecosystem: string | undefined, zipPath: string, display: string): SourceUnit {
  return {
    ecosystem,
    async *read(ctx) {
      yield* readZip(zipPath, display, ctx, ecosystem ?? path.basename(zipPath));
    },
  };
}

async function* readZip(zipPath: string, display: string, ctx: ReadContext, label: string): AsyncGenerator<SourceItem> {
  const zip = await openZip(zipPath, display, ctx.limits);
  try {
    ctx.progress?.phase(`reading ${label}`, zip.entryCount);
    for await (const item of zip.entries()) {
      ctx.progress?.tick();
      const origin = entryLabel(display, item.name);
      if (item.kind === 'file') yield { kind: 'record', origin, data: item.data };
      else yield { kind: 'skipped', origin, reason: item.reason };
    }
  } finally {
    zip.close();
  }
}

function bulkDirSource(dir: string, ecosystems: string[]): OsvSource {
  return {
    kind: 'bulk-dir',
    location: dir,
    ecosystems,
    units: (selected = ecosystems) =>
      selected.map((eco) => zipUnit(eco, path.join(dir, eco, 'all.zip'), path.join(dir, eco, 'all.zip'))),
  };
}

function zipFileSource(file: string): OsvSource {
  return { kind: 'zip', location: file, ecosystems: undefined, units: () => [zipUnit(undefined, file, file)] };
}

function jsonDirSource(location: string, roots: string[]): OsvSource {
  const unit: SourceUnit = {
    ecosystem: undefined,
    async *read(ctx) {
      const files: string[] = [];
      for (const r of roots) await walkJson(r, files);
      ctx.progress?.phase(`reading ${path.basename(location)}`, files.length);
      for (const f of files) {
        ctx.progress?.tick();
        let size: number;
        try {
          size = (await stat(f)).size;
        } catch (e) {
          yield { kind: 'skipped', origin: f, reason: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
          continue;
        }
        if (size > ctx.limits.maxEntryBytes) {
          yield { kind: 'skipped', origin: f, reason: `${size} bytes, over the ${ctx.limits.maxEntryBytes}-byte limit` };
          continue;
        }
        try {
          yield { kind: 'record', origin: f, data: await readRegularFile(f, { maxBytes: ctx.limits.maxEntryBytes }) };
        } catch (e) {
          yield { kind: 'skipped', origin: f, reason: `unreadable: ${e instanceof VouchError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)}` };
        }
      }
    },
  };
  return { kind: 'json-dir', location, ecosystems: undefined, units: () => [unit] };
}

/** `.json` files under `p` (sorted, hidden folders skipped, symlinked folders not followed). */
async function walkJson(p: string, out: string[]): Promise<void> {
  const st = await stat(p);
  if (st.isFile()) {
    if (p.toLowerCase().endsWith('.json')) out.push(p);
    return;
  }
  let entries: Dirent[];
  try {
    entries = await readdir(p, { withFileTypes: true });
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `cannot read folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path: p, cause: e });
  }
  entries.sort((a, b) => byCodePoint(a.name, b.name));
  for (const d of entries) {
    const full = path.join(p, d.name);
    if (d.isDirectory()) {
      if (!d.name.startsWith('.')) await walkJson(full, out);
    } else if (d.name.toLowerCase().endsWith('.json')) {
      if (d.isFile()) out.push(full);
      else if (d.isSymbolicLink()) {
        const t = await stat(full).catch(() => undefined);
        if (t?.isFile()) out.push(full);
      }
    }
  }
}

// ---- http(s) -------------------------------------------------------------------------------

const ECOSYSTEMS_TXT_MAX = 1024 * 1024;

async function openUrlSource(base: string): Promise<OsvSource> {
  const listUrl = `${base}/ecosystems.txt`;
  const res = await get(listUrl);
  const text = await res.text();
  if (text.length > ECOSYSTEMS_TXT_MAX) throw new VouchError('INPUT_TOO_LARGE', 'ecosystem list is over 1 MiB', { path: listUrl });
  const ecosystems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const name = raw.trim();
    if (!name || name.startsWith('#')) return;
    // eslint-disable-next-line no-control-regex
    if (name === '.' || name === '..' || /[/\\\u0000-\u001f\u007f]/.test(name)) {
      throw new VouchError('INPUT_PARSE', `not an ecosystem name: ${JSON.stringify(name)}`, { path: listUrl, position: { line: i + 1 } });
    }
    if (!ecosystems.includes(name)) ecosystems.push(name);
  });
  ecosystems.sort(byCodePoint);
  return {
    kind: 'url',
    location: base,
    ecosystems,
    units: (selected = ecosystems) =>
      selected.map((eco) => {
        const url = `${base}/${encodeURIComponent(eco)}/all.zip`;
        return {
          ecosystem: eco,
          async *read(ctx: ReadContext) {
            try {
              await download(url, ctx.downloadPath, eco, ctx);
              yield* readZip(ctx.downloadPath, url, ctx, eco);
            } finally {
              await rm(ctx.downloadPath, { force: true });
            }
          },
        };
      }),
  };
}

/** Redirects followed within the URL's own origin; one to another host is refused. */
export const MAX_REDIRECTS = 5;

/**
 * GET with redirects followed by hand: only to the same origin (scheme, host and port) as `url`,
 * at most MAX_REDIRECTS, so a source never hands the download to a host the user did not name.
 * Anything else (another host, too many hops, not 2xx) is one NETWORK error naming the URL.
 */
async function get(url: string, headers?: Record<string, string>): Promise<Response> {
  assertOnline('downloading', url);
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      // headers (a feed's bearer token) go to the same origin only: redirects elsewhere are refused below
      res = await fetch(current, { redirect: 'manual', ...(headers ? { headers } : {}) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new VouchError('NETWORK', `cannot fetch: ${why}`, { path: current, cause: e });
    }
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location !== null) {
      await res.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new VouchError('NETWORK', `HTTP ${res.status} redirect to an invalid location`, { path: url });
      }
      if (next.origin !== origin) throw new VouchError('NETWORK', `HTTP ${res.status} redirect to another host (${next.origin}) refused`, { path: url });
      if (hop >= MAX_REDIRECTS) throw new VouchError('NETWORK', `more than ${MAX_REDIRECTS} redirects`, { path: url });
      current = next.href;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new VouchError('NETWORK', `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, { path: current });
    }
    return res;
  }
}

/**
 * A small document fetched into memory (a feed's index, bundle or one record): same-origin
 * redirects only, and at most `maxBytes` (by Content-Length and as it streams).
 */
export async function fetchLimited(url: string, maxBytes: number, headers?: Record<string, string>): Promise<Buffer> {
  const res = await get(url, headers);
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new VouchError('INPUT_TOO_LARGE', `${length} bytes, over the ${maxBytes}-byte limit`, { path: url });
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>)) {
      n += (chunk as Buffer).length;
      if (n > maxBytes) throw new VouchError('INPUT_TOO_LARGE', `passed the ${maxBytes}-byte limit`, { path: url });
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('NETWORK', `download failed: ${(e as Error).message}`, { path: url, cause: e });
  }
  return Buffer.concat(chunks);
}

async function download(url: string, dest: string, eco: string, ctx: ReadContext): Promise<void> {
  const res = await get(url);
  const length = Number(res.headers.get('content-length'));
  const max = ctx.limits.maxTotalBytes;
  if (Number.isFinite(length) && length > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new VouchError('INPUT_TOO_LARGE', `download is ${length} bytes, over the ${max}-byte limit`, { path: url });
  }
  if (!res.body) throw new VouchError('NETWORK', 'empty response', { path: url });
  ctx.progress?.phase(`downloading ${eco}`, Number.isFinite(length) && length > 0 ? length : undefined);
  let n = 0;
  try {
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          n += chunk.length;
          if (n > max) throw new VouchError('INPUT_TOO_LARGE', `download passed the ${max}-byte limit`, { path: url });
          ctx.progress?.tick(chunk.length);
          yield chunk;
        }
      },
      createWriteStream(dest),
    );
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('NETWORK', `download failed: ${(e as Error).message}`, { path: url, cause: e });
  }
}

export { DEFAULT_ZIP_LIMITS };

/**
 * A KEV or EPSS feed given as a file path, a `file:` URL or an http(s) URL. A URL is downloaded to
 * `dest` (the caller deletes it); a local file must exist. Returns the file to read and the source
 * as recorded in the store (the URL or the absolute path).
 */
export async function resolveFeed(
  spec: string,
  dest: string,
  label: string,
  progress?: ImportProgress,
): Promise<{ file: string; location: string }> {
  if (/^https?:\/\//i.test(spec)) {
    await download(spec, dest, label, { limits: DEFAULT_ZIP_LIMITS, progress, downloadPath: dest });
    return { file: dest, location: spec };
  }
  const abs = path.resolve(/^file:/i.test(spec) ? fileURLToPath(spec) : spec);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `${label} file not found (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, { path: spec, cause: e });
  }
  if (!st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', `${label} source must be a file or an https URL`, { path: spec });
  return { file: abs, location: abs };
}
