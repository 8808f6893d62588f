/**
 * Executable layouts — ELF, Mach-O (thin and fat) and PE — read only as far as finding Go's build
 * information needs: where the data sections are (file offset and size) and how virtual addresses
 * map to file offsets. Every read is bounds-checked (OutOfBounds), so a truncated or hostile file
 * is an error the caller reports, never a crash.
 */

/** Thrown by the bounded readers; caught by the Go build-info reader, which reports the file as damaged. */
export class OutOfBounds extends Error {}

export interface Region {
  /** file offset and byte count */
  off: number;
  size: number;
}

export interface Mapping {
  va: number;
  off: number;
  size: number;
}

export interface ExeLayout {
  /** Where the header is expected, most specific first. */
  regions: { region: Region; dedicated: boolean }[];
  /** Virtual address → file offset (pointer format). */
  map: Mapping[];
}

class View {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  private check(off: number, n: number): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.buf.length) throw new OutOfBounds();
  }
  u8(off: number): number {
    this.check(off, 1);
    return this.buf[off]!;
  }
  u16(off: number): number {
    this.check(off, 2);
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }
  u32(off: number): number {
    this.check(off, 4);
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }
  u64(off: number): number {
    this.check(off, 8);
    const v = this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
    // an offset or size this large cannot point into a buffer; the caller's bounds checks reject it
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  cstr(off: number, max: number): string {
    this.check(off, 0);
    let end = off;
    while (end < this.buf.length && end - off < max && this.buf[end] !== 0) end++;
    return this.buf.toString('latin1', off, end);
  }
}

/** The layouts of an ELF, Mach-O (thin or fat) or PE file, appended to `out`; nothing for other files. */
export function layoutsOf(buf: Buffer, out: ExeLayout[]): void {
  if (buf.length >= 16 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46) {
    elfLayout(buf, out);
    return;
  }
  if (buf.length >= 64 && buf[0] === 0x4d && buf[1] === 0x5a) {
    peLayout(buf, out);
    return;
  }
  if (buf.length >= 8) {
    const be = buf.readUInt32BE(0);
    if (be === 0xcafebabe || be === 0xcafebabf) {
      fatLayouts(buf, be === 0xcafebabf, out);
      return;
    }
    machoLayout(buf, 0, out);
  }
}

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;

/**
 * The format readers push their layout before filling it in: when a header runs past the end of a
 * truncated file (OutOfBounds), what was read before still counts.
 */
function elfLayout(buf: Buffer, out: ExeLayout[]): void {
  const is64 = buf[4] === 2;
  if (buf[4] !== 1 && buf[4] !== 2) throw new OutOfBounds('unknown ELF class');
  const v = new View(buf, buf[5] !== 2);
  const phoff = is64 ? v.u64(0x20) : v.u32(0x1c);
  const shoff = is64 ? v.u64(0x28) : v.u32(0x20);
  const phentsize = v.u16(is64 ? 0x36 : 0x2a);
  const phnum = v.u16(is64 ? 0x38 : 0x2c);
  const shentsize = v.u16(is64 ? 0x3a : 0x2e);
  const shnum = v.u16(is64 ? 0x3c : 0x30);
  const shstrndx = v.u16(is64 ? 0x3e : 0x32);
  const layout: ExeLayout = { regions: [], map: [] };
  out.push(layout);

  let firstData: Region | undefined;
  if (phoff && phentsize >= (is64 ? 0x38 : 0x20)) {
    for (let i = 0; i < phnum; i++) {
      const h = phoff + i * phentsize;
      if (h + phentsize > buf.length) break;
      if (v.u32(h) !== PT_LOAD) continue;
      const flags = is64 ? v.u32(h + 4) : v.u32(h + 0x18);
      const off = is64 ? v.u64(h + 8) : v.u32(h + 4);
      const va = is64 ? v.u64(h + 0x10) : v.u32(h + 8);
      const filesz = is64 ? v.u64(h + 0x20) : v.u32(h + 0x10);
      layout.map.push({ va, off, size: filesz });
      if (!firstData && (flags & (PF_X | PF_W)) === PF_W) {
        firstData = { off, size: filesz };
        layout.regions.push({ region: firstData, dedicated: false });
      }
    }
  }

  if (shoff && shentsize >= (is64 ? 0x40 : 0x28) && shstrndx < shnum) {
    const sh = (i: number): number => shoff + i * shentsize;
    const strOff = is64 ? v.u64(sh(shstrndx) + 0x18) : v.u32(sh(shstrndx) + 0x10);
    const hasSegments = layout.map.length > 0;
    for (let i = 0; i < shnum; i++) {
      const h = sh(i);
      if (h + shentsize > buf.length) break;
      const type = v.u32(h + 4);
      const name = strOff + v.u32(h) < buf.length ? v.cstr(strOff + v.u32(h), 64) : '';
      const addr = is64 ? v.u64(h + 0x10) : v.u32(h + 0xc);
      const off = is64 ? v.u64(h + 0x18) : v.u32(h + 0x10);
      const size = is64 ? v.u64(h + 0x20) : v.u32(h + 0x14);
      if (type === SHT_NOBITS) continue;
      if (name === '.go.buildinfo') layout.regions.unshift({ region: { off, size }, dedicated: true });
      if (!hasSegments && addr) layout.map.push({ va: addr, off, size }); // objects without program headers
    }
  }
}

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;

/** A Mach-O image starting at `base` (0, or a fat slice's offset); undefined when not Mach-O. */
function machoLayout(buf: Buffer, base: number, out: ExeLayout[]): void {
  if (base + 28 > buf.length) return;
  const magicLE = buf.readUInt32LE(base);
  const magicBE = buf.readUInt32BE(base);
  const isMagic = (m: number): boolean => m === 0xfeedface || m === 0xfeedfacf;
  if (!isMagic(magicLE) && !isMagic(magicBE)) return;
  const le = isMagic(magicLE);
  const is64 = (le ? magicLE : magicBE) === 0xfeedfacf;
  const v = new View(buf, le);
  const ncmds = v.u32(base + 16);
  const sizeofcmds = v.u32(base + 20);
  const layout: ExeLayout = { regions: [], map: [] };
  out.push(layout);
  let data = false;
  let cmd = base + (is64 ? 32 : 28);
  const cmdsEnd = Math.min(cmd + sizeofcmds, buf.length);
  for (let i = 0; i < ncmds && i < 4096 && cmd + 8 <= cmdsEnd; i++) {
    const kind = v.u32(cmd);
    const cmdsize = v.u32(cmd + 4);
    if (cmdsize < 8) break;
    if (kind === LC_SEGMENT_64 || kind === LC_SEGMENT) {
      const w = kind === LC_SEGMENT_64;
      const segname = v.cstr(cmd + 8, 16);
      const vmaddr = w ? v.u64(cmd + 24) : v.u32(cmd + 24);
      const fileoff = base + (w ? v.u64(cmd + 40) : v.u32(cmd + 32));
      const filesize = w ? v.u64(cmd + 48) : v.u32(cmd + 36);
      const nsects = v.u32(cmd + (w ? 64 : 48));
      if (filesize) layout.map.push({ va: vmaddr, off: fileoff, size: filesize });
      if (segname === '__DATA' && !data) {
        data = true;
        layout.regions.push({ region: { off: fileoff, size: filesize }, dedicated: false });
      }
      const sectSize = w ? 80 : 68;
      let s = cmd + (w ? 72 : 56);
      for (let j = 0; j < nsects && j < 1024 && s + sectSize <= cmd + cmdsize; j++, s += sectSize) {
        if (v.cstr(s, 16) !== '__go_buildinfo') continue;
        const size = w ? v.u64(s + 40) : v.u32(s + 36);
        const off = base + v.u32(s + (w ? 48 : 40));
        layout.regions.unshift({ region: { off, size }, dedicated: true });
      }
    }
    cmd += cmdsize;
  }
}

function fatLayouts(buf: Buffer, wide: boolean, out: ExeLayout[]): void {
  const v = new View(buf, false);
  const n = v.u32(4);
  if (n === 0 || n > 30) return; // Java class files share the magic; their next word is the version (≥ 45)
  const entry = wide ? 32 : 20;
  for (let i = 0; i < n; i++) {
    const e = 8 + i * entry;
    const off = wide ? v.u64(e + 8) : v.u32(e + 8);
    if (off <= 0 || off >= buf.length) continue;
    try {
      machoLayout(buf, off, out);
    } catch (e) {
      if (!(e instanceof OutOfBounds)) throw e; // a damaged slice; the next may read
    }
  }
}

const SCN_DATA = 0x40 | 0x40000000 | 0x80000000; // initialized data, readable, writable
const SCN_ALIGN_32 = 0x600000;

function peLayout(buf: Buffer, out: ExeLayout[]): void {
  const v = new View(buf, true);
  const pe = v.u32(0x3c);
  if (v.u32(pe) !== 0x00004550) return; // "PE\0\0"
  const nsect = v.u16(pe + 6);
  const optSize = v.u16(pe + 20);
  const opt = pe + 24;
  const optMagic = v.u16(opt);
  const imageBase = optMagic === 0x20b ? v.u64(opt + 24) : v.u32(opt + 28);
  const layout: ExeLayout = { regions: [], map: [] };
  out.push(layout);
  let dotData: Region | undefined;
  let firstData: Region | undefined;
  for (let i = 0; i < nsect; i++) {
    const s = opt + optSize + i * 40;
    if (s + 40 > buf.length) break;
    const name = v.cstr(s, 8);
    const vsize = v.u32(s + 8);
    const va = v.u32(s + 12);
    const rawSize = v.u32(s + 16);
    const rawOff = v.u32(s + 20);
    const chars = v.u32(s + 36);
    const size = Math.min(vsize || rawSize, rawSize);
    if (size) layout.map.push({ va: imageBase + va, off: rawOff, size });
    if (name === '.data' && !dotData) {
      dotData = { off: rawOff, size };
      layout.regions.unshift({ region: dotData, dedicated: false });
    }
    if (!firstData && va && size && (chars & ~SCN_ALIGN_32) === SCN_DATA) {
      firstData = { off: rawOff, size };
      layout.regions.push({ region: firstData, dedicated: false });
    }
  }
}
