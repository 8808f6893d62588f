/**
 * Every file vouch reads goes through here: only regular files are read (a FIFO, a device or a
 * socket is refused with one line — opening one can block for ever, reading one never ends), every
 * read is bounded in size, and files read beside an input (a package.json, composer.json, go.sum,
 * a `-r` include, a parent POM) are resolved inside the root the input belongs to — the folder a
 * walk started from, an image, a root filesystem — never onto the host.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { close, fstat, open, read, realpath, stat } from './fs-async.js';
import { VouchError } from '../model/errors.js';
import type { InputFile, InputRoot } from '../model/inventory.js';
import { resolveInRoot } from './root.js';

/** Largest single input file vouch reads into memory whole (V8's longest string is about 512 MiB). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Largest input a reader that parses as it reads (a CycloneDX or SPDX JSON document, through
 * `InputFile.stream`) takes; every other reader still refuses a file over MAX_INPUT_BYTES.
 */
export const MAX_STREAM_INPUT_BYTES = 2 * 1024 * 1024 * 1024;

/** The chunk size of `InputFile.stream`. */
const STREAM_CHUNK_BYTES = 4 * 1024 * 1024;

/** Largest small side file (a policy, a key, a VEX document, a manifest beside a lockfile). */
export const MAX_SIDE_FILE_BYTES = 64 * 1024 * 1024;

/** The kind of a file that is not a regular file, for the one-line refusal. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notRegular(file: string, st: Stats): VouchError {
  const kind = kindOf(st);
  return new VouchError('INPUT_UNSUPPORTED', kind === 'not a regular file' ? kind : `not a regular file (${kind})`, { path: file });
}

/** Errors that say the file is special: a VouchError; anything else (ENOENT, EACCES …) as thrown. */
function special(file: string, e: unknown): unknown {
  if (e instanceof VouchError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENXIO') return new VouchError('INPUT_UNSUPPORTED', 'not a regular file (a socket or a device)', { path: file, cause: e });
  if (code === 'ELOOP') return new VouchError('INPUT_UNSAFE', 'a symbolic link where none may be (or a loop of links)', { path: file, cause: e });
  return e;
}

function cannotRead(file: string, e: unknown): VouchError {
  const s = special(file, e);
  if (s instanceof VouchError) return s;
  return new VouchError('INPUT_MISSING', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: file, cause: e });
}

function tooLarge(file: string, size: number, max: number): VouchError {
  return new VouchError('INPUT_TOO_LARGE', `file is ${size} bytes, over the ${max}-byte limit`, { path: file });
}

/** Open flags: never block on open (a FIFO with no writer), optionally refuse a symlink as the last component. */
function flags(noFollow: boolean): number {
  return constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0);
}

export interface ReadOptions {
  /** Refuse a file larger than this (default MAX_SIDE_FILE_BYTES). */
  maxBytes?: number;
  /** The path named in errors (default: the path read). */
  display?: string;
  /** Refuse a symbolic link as the last component (the caller has resolved links itself). */
  noFollow?: boolean;
}

/**
 * Opens a regular file of at most `max` bytes: its type and size checked before opening and again
 * on the open descriptor (a file swapped for a FIFO or grown in between is refused all the same).
 * The descriptor, to close, and its size.
 */
async function openRegular(file: string, max: number, display: string, noFollow: boolean): Promise<{ fd: number; size: number }> {
  const before = await stat(file);
  if (!before.isFile()) throw notRegular(display, before);
  if (before.size > max) throw tooLarge(display, before.size, max);
  const fd = await open(file, flags(noFollow));
  try {
    const st = await fstat(fd);
    if (!st.isFile()) throw notRegular(display, st);
    if (st.size > max) throw tooLarge(display, st.size, max);
    return { fd, size: st.size };
  } catch (e) {
    await close(fd);
    throw e;
  }
}

/**
 * The bytes of a regular file, at most `maxBytes`. A FIFO, device, socket or folder is refused
 * (INPUT_UNSUPPORTED) without reading — the type is checked before opening and again on the
 * open descriptor — a larger file is INPUT_TOO_LARGE. Errors of the file system itself (ENOENT,
 * EACCES …) are thrown as they are, for the caller's own one-line message.
 */
export async function readRegularFile(file: string, opts: ReadOptions = {}): Promise<Buffer> {
  const max = opts.maxBytes ?? MAX_SIDE_FILE_BYTES;
  const display = opts.display ?? file;
  let fd: number | undefined;
  try {
    const opened = await openRegular(file, max, display, opts.noFollow ?? false);
    fd = opened.fd;
    return await readBounded(fd, opened.size, max, display);
  } catch (e) {
    throw special(display, e);
  } finally {
    if (fd !== undefined) await close(fd);
  }
}

/** Reads to the end, but never past `max` bytes (a file that grows while read is refused). */
async function readBounded(fd: number, size: number, max: number, display: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let buf = Buffer.allocUnsafe(Math.min(Math.max(size, 64 * 1024), max + 1));
  for (;;) {
    const bytesRead = await read(fd, buf, 0, buf.length);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) throw tooLarge(display, total, max);
    buf = Buffer.allocUnsafe(Math.min(1024 * 1024, max + 1 - total));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** readRegularFile, synchronously (for the few readers that are synchronous). */
export function readRegularFileSync(file: string, opts: ReadOptions = {}): Buffer {
  const max = opts.maxBytes ?? MAX_SIDE_FILE_BYTES;
  const display = opts.display ?? file;
  let fd: number | undefined;
  try {
    const before = statSync(file);
    if (!before.isFile()) throw notRegular(display, before);
    if (before.size > max) throw tooLarge(display, before.size, max);
    fd = openSync(file, flags(opts.noFollow ?? false));
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(display, st);
    if (st.size > max) throw tooLarge(display, st.size, max);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 64 * 1024), max + 1 - total, 16 * 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) throw tooLarge(display, total, max);
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    throw special(display, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The bytes of a regular file in chunks, at most `maxBytes` in all (default
 * MAX_STREAM_INPUT_BYTES): refused as readRegularFile refuses (not a regular file, too large,
 * growing past the bound while read), for a reader that parses a document as it reads it.
 */
export async function* readRegularFileChunks(file: string, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
  const max = opts.maxBytes ?? MAX_STREAM_INPUT_BYTES;
  const display = opts.display ?? file;
  let fd: number | undefined;
  try {
    fd = (await openRegular(file, max, display, opts.noFollow ?? false)).fd;
    let total = 0;
    for (;;) {
      // a fresh buffer each time: the reader may keep the previous chunk while it reads this one
      const buf = Buffer.allocUnsafe(Math.min(STREAM_CHUNK_BYTES, max + 1 - total));
      const bytesRead = await read(fd, buf, 0, buf.length);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw tooLarge(display, total, max);
      yield buf.subarray(0, bytesRead);
    }
  } catch (e) {
    throw special(display, e);
  } finally {
    if (fd !== undefined) await close(fd);
  }
}

/**
 * A file on disk as an input. `root`: the tree it was found in (see InputRoot). A file up to
 * MAX_STREAM_INPUT_BYTES is accepted, but `read()` (the whole file in memory) refuses one over
 * MAX_INPUT_BYTES: only a reader that uses `stream()` takes more.
 */
export async function fileInput(file: string, root?: InputRoot): Promise<InputFile> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw notRegular(file, st);
    size = st.size;
  } catch (e) {
    throw cannotRead(file, e);
  }
  if (size > MAX_STREAM_INPUT_BYTES) throw tooLarge(file, size, MAX_STREAM_INPUT_BYTES);
  return {
    path: file,
    size,
    ...(root ? { root } : {}),
    read: () => readRegularFile(file, { maxBytes: MAX_INPUT_BYTES }).catch((e: unknown) => Promise.reject(cannotRead(file, e))),
    stream: () => rejectAs(readRegularFileChunks(file, { maxBytes: MAX_STREAM_INPUT_BYTES, noFollow: false }), file),
  };
}

/** The chunks of `gen`, a file-system error becoming the one-line cannotRead error. */
async function* rejectAs(gen: AsyncGenerator<Buffer>, file: string): AsyncGenerator<Buffer> {
  try {
    yield* gen;
  } catch (e) {
    throw cannotRead(file, e);
  }
}

export function memoryInput(path: string, content: string | Buffer): InputFile {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { path, size: buf.length, read: async () => buf };
}

/**
 * Where a file beside `input` really is: inside the input's root. An image or root filesystem
 * (`chroot`) resolves links as if its root were `/`; a walked folder (`confine`) follows links
 * only while they stay inside it — one leading out is INPUT_UNSAFE. Undefined when the file does
 * not exist (or, for a chroot, when its links loop).
 */
export async function resolveBeside(input: InputFile, file: string): Promise<string | undefined> {
  const root = input.root;
  if (!root) return file;
  const rel = path.relative(root.dir, path.resolve(file));
  if (root.mode === 'chroot') return resolveInRoot(root.dir, rel.split(path.sep).join('/'));
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw cannotRead(file, e);
  }
  const realRoot = await realpath(root.dir).catch(() => root.dir);
  const inside = path.relative(realRoot, real);
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw new VouchError('INPUT_UNSAFE', `leads outside ${root.dir} (symbolic link or ..): not read`, { path: file });
  }
  return real;
}

/**
 * A file read beside an input (its package.json, composer.json, go.sum, an include, a parent
 * POM): resolved inside the input's root (resolveBeside), a regular file, bounded. Undefined when
 * it does not exist; a FIFO, device, socket, a link out of the root or a file too large is a
 * VouchError naming the file, so the input that needed it fails with that one line.
 */
export async function readBeside(input: InputFile, file: string, maxBytes = MAX_SIDE_FILE_BYTES): Promise<Buffer | undefined> {
  const real = await resolveBeside(input, file);
  if (real === undefined) return undefined;
  try {
    await stat(real);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw cannotRead(file, e);
  }
  // the links are resolved: the last component must not be one now (a swap after the check)
  return readRegularFile(real, { maxBytes, display: file, noFollow: input.root !== undefined }).catch((e: unknown) => Promise.reject(cannotRead(file, e)));
}
