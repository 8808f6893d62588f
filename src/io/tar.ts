/**
 * A small streaming tar reader (POSIX ustar, pax extended headers, GNU long names) and a writer
 * for tests. Container image layers and `docker save` archives are tar; no dependency needed.
 *
 * Format: 512-byte headers, each followed by the entry's data padded to 512 bytes; two zero
 * blocks end the archive. Read here: name (ustar `prefix` + `name`), mode, size (octal, or GNU
 * base-256), typeflag, linkname; pax `x` records `path`, `linkpath` and `size` for the next entry
 * (`g` global records are read and ignored); GNU `L`/`K` long name / long link name entries.
 * Every header checksum is verified; a bad one, or data ending early, is INPUT_PARSE.
 */
import { VouchError } from '../model/errors.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** The entry's path as the archive writes it (pax `path` / GNU long name applied). */
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw typeflag (`0`, `5`, `2` ...). */
  readonly typeflag: string;
  readonly size: number;
  readonly mode: number;
  /** Symlink target or hardlink source. */
  readonly linkname: string;
  /** Byte offset of the entry's data within the (uncompressed) stream. */
  readonly offset: number;
}

export interface TarReadOptions {
  /** Should the entry's data be read (else it is skipped)? Default: no. */
  wantBody?(entry: TarEntry): boolean;
  /** Largest body read into memory (default 512 MiB); a larger wanted entry is INPUT_TOO_LARGE. */
  maxBodyBytes?: number;
  /** Most entries read (default 10 million). */
  maxEntries?: number;
  /** Display path for errors. */
  path?: string;
}

const BLOCK = 512;
const MAX_META_BYTES = 1024 * 1024; // pax / GNU long-name data

/** Chunks of an archive: a Node stream, an async generator, or an array of buffers. */
export type TarSource = AsyncIterable<Buffer | string> | Iterable<Buffer>;

/** Buffered reads of exact sizes from an async byte stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  /** Bytes consumed so far. */
  position = 0;
  private readonly it: AsyncIterator<Buffer | string>;

  constructor(source: TarSource) {
    if (Symbol.asyncIterator in source) {
      this.it = source[Symbol.asyncIterator]();
    } else {
      const sync = source[Symbol.iterator]();
      this.it = { next: async () => sync.next(), return: async () => sync.return?.() ?? { done: true, value: undefined } };
    }
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (b.length) {
        this.chunks.push(b);
        this.buffered += b.length;
      }
    }
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const take = Math.min(n, this.buffered);
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, take);
    const rest = all.subarray(take);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.position += take;
    return out;
  }

  /** Skips n bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) {
        await this.fill(1);
        if (this.buffered === 0) break;
      }
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        this.buffered -= head.length;
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        this.buffered -= left;
        left = 0;
      }
    }
    this.position += n - left;
    return n - left;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function cstr(b: Buffer, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const nul = field.indexOf(0);
  return (nul < 0 ? field : field.subarray(0, nul)).toString('utf8');
}

function octal(b: Buffer, start: number, len: number, what: string, file: string | undefined): number {
  const field = b.subarray(start, start + len);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian two's complement in the remaining bytes (positive only here)
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    if (!Number.isSafeInteger(v)) throw new VouchError('INPUT_PARSE', `tar: ${what} too large`, path(file));
    return v;
  }
  const s = cstr(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new VouchError('INPUT_PARSE', `tar: bad ${what} field ${JSON.stringify(s)}`, path(file));
  return parseInt(s, 8);
}

const path = (file: string | undefined): { path?: string } => (file === undefined ? {} : { path: file });

function checksumOk(h: Buffer, file: string | undefined): boolean {
  const stored = octal(h, 148, 8, 'checksum', file);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '':
    case '7':
      return 'file';
    case '5':
      return 'dir';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** pax records: `<len> <key>=<value>\n`, len counting the whole record. */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8'); // without the trailing \n
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/**
 * The entries of a tar stream, in order, each with its data when `wantBody` asks for it. The
 * consumer must finish with an entry before asking for the next (the generator reads on).
 */
export async function* readTar(source: TarSource, opts: TarReadOptions = {}): AsyncGenerator<TarEntry & { body?: Buffer }> {
  const r = new ByteReader(source);
  const file = opts.path;
  const maxBody = opts.maxBodyBytes ?? 512 * 1024 * 1024;
  const maxEntries = opts.maxEntries ?? 10_000_000;
  let count = 0;
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const h = await r.read(BLOCK);
      if (h.length === 0) return; // no end-of-archive blocks: accepted
      if (h.length < BLOCK) throw new VouchError('INPUT_PARSE', 'tar: archive ends inside a header', path(file));
      if (h.every((x) => x === 0)) return; // end of archive
      if (!checksumOk(h, file)) throw new VouchError('INPUT_PARSE', `tar: bad header checksum at byte ${r.position - BLOCK}`, path(file));
      if (++count > maxEntries) throw new VouchError('INPUT_TOO_LARGE', `tar: more than ${maxEntries} entries`, path(file));

      const typeflag = String.fromCharCode(h[156]!);
      let size = octal(h, 124, 12, 'size', file);
      const magic = h.subarray(257, 263).toString('latin1');
      let name = cstr(h, 0, 100);
      if (magic === 'ustar\0') {
        const prefix = cstr(h, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      let linkname = cstr(h, 157, 100);
      const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

      // meta entries describe the next one
      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        if (size > MAX_META_BYTES) throw new VouchError('INPUT_TOO_LARGE', `tar: ${size}-byte extended header`, path(file));
        const data = await r.read(size);
        if (data.length < size) throw new VouchError('INPUT_PARSE', 'tar: archive ends inside an extended header', path(file));
        await r.skip(padded(size) - size);
        if (typeflag === 'x') pax = parsePax(data);
        else if (typeflag === 'L') longName = cstr(data, 0, data.length);
        else if (typeflag === 'K') longLink = cstr(data, 0, data.length);
        continue;
      }
      if (pax?.has('path')) name = pax.get('path')!;
      else if (longName !== undefined) name = longName;
      if (pax?.has('linkpath')) linkname = pax.get('linkpath')!;
      else if (longLink !== undefined) linkname = longLink;
      if (pax?.has('size')) {
        const s = Number(pax.get('size'));
        if (!Number.isSafeInteger(s) || s < 0) throw new VouchError('INPUT_PARSE', 'tar: bad pax size', path(file));
        size = s;
      }
      pax = undefined;
      longName = undefined;
      longLink = undefined;

      const type = typeOf(typeflag);
      // links and folders carry no data, whatever the size field says (hard links in pax may)
      const dataSize = type === 'file' || type === 'other' || type === 'hardlink' ? size : 0;
      const entry: TarEntry = { name, type, typeflag, size: dataSize, mode: octal(h, 100, 8, 'mode', file), linkname, offset: r.position };
      if (dataSize > 0 && opts.wantBody?.(entry)) {
        if (dataSize > maxBody) throw new VouchError('INPUT_TOO_LARGE', `tar: ${name} is ${dataSize} bytes, over the ${maxBody}-byte limit`, path(file));
        const body = await r.read(dataSize);
        if (body.length < dataSize) throw new VouchError('INPUT_PARSE', `tar: archive ends inside ${name}`, path(file));
        await r.skip(padded(dataSize) - dataSize);
        yield { ...entry, body };
      } else {
        const skipped = await r.skip(padded(dataSize));
        if (skipped < dataSize) throw new VouchError('INPUT_PARSE', `tar: archive ends inside ${name}`, path(file));
        yield entry;
      }
    }
  } finally {
    await r.close();
  }
}

// ---------------------------------------------------------------------------------------------
// writer (tests, fixtures)

export interface TarWriteEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
}

function header(name: string, typeflag: string, size: number, linkname: string, mode: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(b: Buffer): Buffer[] {
  const rem = b.length % BLOCK;
  return rem ? [b, Buffer.alloc(BLOCK - rem)] : [b];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

/**
 * A ustar archive of the entries; names or link names over 100 bytes get a pax header (or GNU
 * `L`/`K` entries with `longNames: 'gnu'`).
 */
export function buildTar(entries: readonly TarWriteEntry[], opts: { longNames?: 'pax' | 'gnu' } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = e.data === undefined ? Buffer.alloc(0) : typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    const linkname = e.linkname ?? '';
    const flag = type === 'file' ? '0' : type === 'dir' ? '5' : type === 'symlink' ? '2' : '1';
    if (opts.longNames === 'gnu') {
      for (const [v, f] of [[e.name, 'L'], [linkname, 'K']] as const) {
        if (Buffer.byteLength(v) <= 100) continue;
        const b = Buffer.from(`${v}\0`);
        parts.push(header('././@LongLink', f, b.length, '', 0o644), ...pad(b));
      }
    } else if (Buffer.byteLength(e.name) > 100 || Buffer.byteLength(linkname) > 100) {
      const pax = Buffer.from(paxRecord('path', e.name) + (linkname ? paxRecord('linkpath', linkname) : ''));
      parts.push(header('PaxHeader', 'x', pax.length, '', 0o644), ...pad(pax));
    }
    const size = type === 'file' ? data.length : 0;
    parts.push(header(e.name.slice(0, 100), flag, size, linkname.slice(0, 100), e.mode ?? (type === 'dir' ? 0o755 : 0o644)));
    if (size) parts.push(...pad(data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
