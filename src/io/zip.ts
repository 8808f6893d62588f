/**
 * Defensive reading of OSV zip archives (the bulk export's `<Ecosystem>/all.zip`) with yauzl.
 *
 * - An entry whose path is absolute or has a `..` segment refuses the whole archive (INPUT_UNSAFE):
 *   a source that ships one is not a source to trust.
 * - Sizes are capped per entry and per archive. The header's declared size is checked before
 *   anything is inflated, and the inflater itself stops at the declared size (`maxOutputLength`),
 *   so a header that lies about a zip bomb is caught after a few KiB, not after gigabytes.
 * - Nested archives are never opened; entries that are not `.json` are skipped with a reason.
 * - Corrupt data in one entry is a skipped entry, never an abort.
 */
import { close as closeFd, open as openFd, read as readFd } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type * as Yauzl from 'yauzl';
import type { Entry, Options, ZipFile } from 'yauzl';

// Loaded on first use: only `db update` reads zips, and scans should not pay its start-up.
let yauzlLib: typeof Yauzl | undefined;
function yauzl(): typeof Yauzl {
  return (yauzlLib ??= createRequire(import.meta.url)('yauzl') as typeof Yauzl);
}
import { VouchError } from '../model/errors.js';

export interface ZipLimits {
  /** Largest uncompressed entry read (bytes). */
  maxEntryBytes: number;
  /** Largest total of inflated bytes read from one archive (bytes). */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
};

export type ZipItem =
  | { kind: 'file'; name: string; data: Buffer }
  | { kind: 'skipped'; name: string; reason: string };

export interface OpenZip {
  /** Entries in the central directory (files and folders), for progress. */
  readonly entryCount: number;
  /** Every entry in archive order: `.json` files with their bytes, the rest as skipped with a reason. */
  entries(): AsyncGenerator<ZipItem>;
  close(): void;
}

/** Archives up to this size are read into memory whole; larger ones entry by entry from the file. */
export const IN_MEMORY_MAX = 256 * 1024 * 1024;

const NESTED_ARCHIVE = /\.(zip|jar|war|ear|aar|apk|tar|tgz|gz|bz2|xz|zst|7z|rar|whl|egg|nupkg|gem|crate)$/i;

/** `zip!entry`, with control characters made visible so the message stays one line. */
export function entryLabel(zipDisplay: string, name: string): string {
  // eslint-disable-next-line no-control-regex
  return `${zipDisplay}!${name.replace(/[\u0000-\u001f\u007f]/g, '?')}`;
}

/** Why an entry path is unsafe to take at face value, or undefined when it is fine. */
export function unsafeEntryPath(name: string): string | undefined {
  if (name.includes('\u0000')) return 'NUL in entry name';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'absolute entry path';
  if (name.split('/').includes('..')) return "entry path with a '..' segment";
  return undefined;
}

/**
 * Opens `zipPath` (shown as `display` in messages). Throws VouchError INPUT_PARSE when the file is
 * not a readable zip. Archives up to `inMemoryMax` bytes are read whole, larger ones entry by entry.
 */
export async function openZip(
  zipPath: string,
  display: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  inMemoryMax: number = IN_MEMORY_MAX,
): Promise<OpenZip> {
  const options: Options = {
    lazyEntries: true,
    autoClose: false,
    // names are decoded and checked here, so that an unsafe one is our one-line INPUT_UNSAFE
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: false,
  };
  let zip: ZipFile;
  let readRaw: (entry: Entry) => Promise<Buffer>;
  // a plain descriptor, not a FileHandle: yauzl closes the descriptor it reads from when the zip is
  // closed, and a FileHandle closing it a second time (or on garbage collection) races with that
  let fd: number | undefined;
  // a FIFO or a device is never opened: it would block, or never end
  const st = await stat(zipPath).catch(() => undefined);
  if (st && !st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'not a regular file', { path: display });
  try {
    const size = (await stat(zipPath)).size;
    if (size <= inMemoryMax) {
      // small enough to hold: one read, then every entry is a slice (several times faster than a stream per entry)
      const buf = await readFile(zipPath);
      zip = await yauzl().fromBufferPromise(buf, options);
      readRaw = async (entry) => {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        const end = fileDataStart + entry.compressedSize;
        if (end > buf.length) throw new Error('entry data runs past the end of the archive');
        return buf.subarray(fileDataStart, end);
      };
    } else {
      const descriptor = await promisify(openFd)(zipPath, 'r');
      fd = descriptor;
      zip = await yauzl().fromFdPromise(descriptor, options);
      fd = undefined; // yauzl owns it now
      readRaw = async (entry) => {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        const out = Buffer.allocUnsafe(entry.compressedSize);
        const bytesRead = await readAt(descriptor, out, fileDataStart);
        if (bytesRead !== out.length) throw new Error('entry data runs past the end of the archive');
        return out;
      };
    }
  } catch (e) {
    if (fd !== undefined) closeFd(fd, () => undefined);
    throw new VouchError('INPUT_PARSE', `not a readable zip archive: ${(e as Error).message}`, { path: display, cause: e });
  }
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    zip.close(); // closes the descriptor too, for an archive read from disk
  };

  async function* entries(): AsyncGenerator<ZipItem> {
    let total = 0;
    try {
      for await (const entry of iterate(zip, display)) {
        const name = yauzl().getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
        const where = entryLabel(display, name);
        const unsafe = unsafeEntryPath(name);
        if (unsafe) throw new VouchError('INPUT_UNSAFE', `${where}: ${unsafe}; archive refused`);
        if (name.endsWith('/')) continue; // a folder
        if (NESTED_ARCHIVE.test(name)) {
          yield { kind: 'skipped', name, reason: 'nested archive, not opened' };
          continue;
        }
        if (!name.toLowerCase().endsWith('.json')) {
          yield { kind: 'skipped', name, reason: 'not a .json entry' };
          continue;
        }
        if (entry.isEncrypted()) {
          yield { kind: 'skipped', name, reason: 'encrypted entry' };
          continue;
        }
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
          yield { kind: 'skipped', name, reason: `unsupported compression method ${entry.compressionMethod}` };
          continue;
        }
        const declared = entry.uncompressedSize;
        if (declared > limits.maxEntryBytes) {
          throw new VouchError(
            'INPUT_TOO_LARGE',
            `${where}: entry declares ${declared} bytes uncompressed, over the ${limits.maxEntryBytes}-byte limit; archive refused`,
          );
        }
        if (total + declared > limits.maxTotalBytes) {
          throw new VouchError(
            'INPUT_TOO_LARGE',
            `${where}: archive inflates to more than the ${limits.maxTotalBytes}-byte limit; archive refused`,
          );
        }
        if (entry.compressedSize > limits.maxEntryBytes) {
          throw new VouchError(
            'INPUT_TOO_LARGE',
            `${where}: entry is ${entry.compressedSize} bytes compressed, over the ${limits.maxEntryBytes}-byte limit; archive refused`,
          );
        }
        if (declared === 0) {
          // nothing to inflate: an empty entry, or a header hiding its size (never trusted)
          yield { kind: 'skipped', name, reason: 'empty entry' };
          continue;
        }
        let raw: Buffer;
        try {
          raw = await readRaw(entry);
        } catch (e) {
          yield { kind: 'skipped', name, reason: `unreadable entry: ${(e as Error).message}` };
          continue;
        }
        let data: Buffer;
        if (entry.compressionMethod === 0) {
          data = raw; // yauzl checked compressed size == uncompressed size for stored entries
        } else {
          try {
            // the inflater stops as soon as it passes the size the header declared
            data = inflateRawSync(raw, { maxOutputLength: declared });
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
              throw new VouchError(
                'INPUT_UNSAFE',
                `${where}: inflates to more than the ${declared} bytes its header declares (zip bomb?); archive refused`,
              );
            }
            yield { kind: 'skipped', name, reason: `corrupt compressed data: ${(e as Error).message}` };
            continue;
          }
        }
        total += data.length;
        if (data.length !== declared) {
          yield { kind: 'skipped', name, reason: `inflated to ${data.length} bytes, header declares ${declared}` };
          continue;
        }
        yield { kind: 'file', name, data };
      }
    } finally {
      close();
    }
  }

  return { entryCount: zip.entryCount, entries, close };
}

function readAt(fd: number, out: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    readFd(fd, out, 0, out.length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/** yauzl's own iterator, with its errors turned into one-line VouchErrors naming the archive. */
async function* iterate(zip: ZipFile, display: string): AsyncGenerator<Entry> {
  const it = zip.eachEntry();
  for (;;) {
    let r: IteratorResult<Entry>;
    try {
      r = await it.next();
    } catch (e) {
      throw new VouchError('INPUT_PARSE', `corrupt zip archive: ${(e as Error).message}`, { path: display, cause: e });
    }
    if (r.done) return;
    yield r.value;
  }
}
