import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goBinaryExtractor, parseModInfo, probeGoElf, readGoBuildInfo } from './go-binary.js';
import { goPurl } from './go-mod.js';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import { memoryInput } from '../../io/input.js';
import { collectInventory, extractorForParseAs } from '../../inventory/collect.js';
import { defaultExtractors } from '../../inventory/extractors.js';
import { scanRootfs } from '../../inventory/rootfs.js';
import { extractImage } from '../../inventory/image.js';
import { buildTar } from '../../io/tar.js';

/**
 * The default extractors with go/binary where src/ecosystems/go/extractors.ts would put it (after
 * go.mod, before cargo, debian and alpine): the tests hold whether or not it is registered yet.
 */
function withGoBinary(): ReturnType<typeof defaultExtractors> {
  const all = defaultExtractors().filter((x) => x !== goBinaryExtractor);
  const i = all.findIndex((x) => x.id === 'go/go-mod');
  return [...all.slice(0, i + 1), goBinaryExtractor, ...all.slice(i + 1)];
}

// ---------------------------------------------------------------------------------------------
// hand-built executables: just the headers that lead to the build information

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** The 16-byte sentinels Go wraps the modinfo text in (the second ends with... anything; Go checks the '\n' before it). */
const SENTINEL_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const SENTINEL_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function wrapModinfo(text: string): Buffer {
  return text ? Buffer.concat([SENTINEL_START, Buffer.from(text, 'utf8'), SENTINEL_END]) : Buffer.alloc(0);
}

/** Go 1.18+ blob: header with flag 0x2, then varint-prefixed version and modinfo. */
function inlineBlob(version: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  MAGIC.copy(header);
  header[14] = 8;
  header[15] = 0x2;
  const v = Buffer.from(version, 'utf8');
  const m = wrapModinfo(modinfo);
  return Buffer.concat([header, uvarint(v.length), v, uvarint(m.length), m]);
}

/** Go 1.13–1.17 blob at virtual address `va`: pointers to string headers `{data, len}`, little-endian, 8-byte pointers. */
function pointerBlob(version: string, modinfo: string, va: number): Buffer {
  const v = Buffer.from(version, 'utf8');
  const m = wrapModinfo(modinfo);
  const blob = Buffer.alloc(64 + v.length + m.length);
  MAGIC.copy(blob);
  blob[14] = 8;
  blob[15] = 0;
  blob.writeBigUInt64LE(BigInt(va + 32), 16); // &versionString
  blob.writeBigUInt64LE(BigInt(va + 48), 24); // &modinfoString
  blob.writeBigUInt64LE(BigInt(va + 64), 32);
  blob.writeBigUInt64LE(BigInt(v.length), 40);
  blob.writeBigUInt64LE(BigInt(va + 64 + v.length), 48);
  blob.writeBigUInt64LE(BigInt(m.length), 56);
  v.copy(blob, 64);
  m.copy(blob, 64 + v.length);
  return blob;
}

const ELF_DATA_OFF = 0x100;
const ELF_BASE = 0x400000;

/** A minimal ELF64 LE executable: one writable PT_LOAD holding `data`, and (optionally) a `.go.buildinfo` section over it. */
function elf(data: Buffer, opts: { sections?: boolean; rodata?: Buffer } = {}): Buffer {
  const sections = opts.sections ?? true;
  const rodata = opts.rodata ?? Buffer.alloc(0);
  const rodataOff = ELF_DATA_OFF + data.length;
  const strtab = Buffer.from('\0.shstrtab\0.go.buildinfo\0.rodata\0', 'latin1');
  const strOff = rodataOff + rodata.length;
  const shOff = (strOff + strtab.length + 7) & ~7;
  const shnum = sections ? 4 : 0;
  const out = Buffer.alloc(shOff + shnum * 0x40);
  out.write('\x7fELF', 0, 'latin1');
  out[4] = 2; // 64-bit
  out[5] = 1; // little-endian
  out[6] = 1;
  out.writeUInt16LE(2, 0x10); // ET_EXEC
  out.writeUInt16LE(0x3e, 0x12);
  out.writeBigUInt64LE(64n, 0x20); // e_phoff
  out.writeBigUInt64LE(BigInt(sections ? shOff : 0), 0x28);
  out.writeUInt16LE(64, 0x34);
  out.writeUInt16LE(0x38, 0x36);
  out.writeUInt16LE(1, 0x38); // phnum
  out.writeUInt16LE(0x40, 0x3a);
  out.writeUInt16LE(shnum, 0x3c);
  out.writeUInt16LE(sections ? 1 : 0, 0x3e); // shstrndx
  // PT_LOAD, PF_R|PF_W, the data
  out.writeUInt32LE(1, 64);
  out.writeUInt32LE(6, 68);
  out.writeBigUInt64LE(BigInt(ELF_DATA_OFF), 72);
  out.writeBigUInt64LE(BigInt(ELF_BASE + ELF_DATA_OFF), 80);
  out.writeBigUInt64LE(BigInt(data.length), 96);
  data.copy(out, ELF_DATA_OFF);
  rodata.copy(out, rodataOff);
  strtab.copy(out, strOff);
  if (sections) {
    const sh = (i: number, name: number, type: number, addr: number, off: number, size: number): void => {
      const h = shOff + i * 0x40;
      out.writeUInt32LE(name, h);
      out.writeUInt32LE(type, h + 4);
      out.writeBigUInt64LE(BigInt(addr), h + 0x10);
      out.writeBigUInt64LE(BigInt(off), h + 0x18);
      out.writeBigUInt64LE(BigInt(size), h + 0x20);
    };
    sh(1, 1, 3, 0, strOff, strtab.length);
    sh(2, 11, 1, ELF_BASE + ELF_DATA_OFF, ELF_DATA_OFF, data.length);
    sh(3, 25, 1, 0, rodataOff, rodata.length);
  }
  return out;
}

/** A minimal 64-bit little-endian Mach-O: a `__DATA` segment with one `__go_buildinfo` section. */
function macho(data: Buffer): Buffer {
  const dataOff = 0x200;
  const out = Buffer.alloc(dataOff + data.length);
  out.writeUInt32LE(0xfeedfacf, 0);
  out.writeUInt32LE(0x01000007, 4);
  out.writeUInt32LE(2, 12); // MH_EXECUTE
  out.writeUInt32LE(1, 16); // ncmds
  out.writeUInt32LE(72 + 80, 20);
  const c = 32;
  out.writeUInt32LE(0x19, c); // LC_SEGMENT_64
  out.writeUInt32LE(72 + 80, c + 4);
  out.write('__DATA', c + 8, 'latin1');
  out.writeBigUInt64LE(0x100000000n + BigInt(dataOff), c + 24);
  out.writeBigUInt64LE(BigInt(data.length), c + 32);
  out.writeBigUInt64LE(BigInt(dataOff), c + 40);
  out.writeBigUInt64LE(BigInt(data.length), c + 48);
  out.writeUInt32LE(1, c + 64); // nsects
  const s = c + 72;
  out.write('__go_buildinfo', s, 'latin1');
  out.write('__DATA', s + 16, 'latin1');
  out.writeBigUInt64LE(0x100000000n + BigInt(dataOff), s + 32);
  out.writeBigUInt64LE(BigInt(data.length), s + 40);
  out.writeUInt32LE(dataOff, s + 48);
  data.copy(out, dataOff);
  return out;
}

/** A universal (fat) file around one Mach-O slice. */
function fat(slice: Buffer): Buffer {
  const off = 0x1000;
  const out = Buffer.alloc(off + slice.length);
  out.writeUInt32BE(0xcafebabe, 0);
  out.writeUInt32BE(1, 4);
  out.writeUInt32BE(0x01000007, 8);
  out.writeUInt32BE(off, 16);
  out.writeUInt32BE(slice.length, 20);
  slice.copy(out, off);
  return out;
}

/** A minimal PE32+ file whose `.data` section starts with `data`. */
function pe(data: Buffer): Buffer {
  const peOff = 0x80;
  const opt = peOff + 24;
  const sect = opt + 240;
  const rawOff = 0x400;
  const out = Buffer.alloc(rawOff + data.length);
  out.write('MZ', 0, 'latin1');
  out.writeUInt32LE(peOff, 0x3c);
  out.write('PE\0\0', peOff, 'latin1');
  out.writeUInt16LE(0x8664, peOff + 4);
  out.writeUInt16LE(1, peOff + 6); // sections
  out.writeUInt16LE(240, peOff + 20); // SizeOfOptionalHeader
  out.writeUInt16LE(0x20b, opt);
  out.writeBigUInt64LE(0x140000000n, opt + 24);
  out.write('.data', sect, 'latin1');
  out.writeUInt32LE(data.length, sect + 8);
  out.writeUInt32LE(0x1000, sect + 12);
  out.writeUInt32LE(data.length, sect + 16);
  out.writeUInt32LE(rawOff, sect + 20);
  out.writeUInt32LE(0xc0000040, sect + 36);
  data.copy(out, rawOff);
  return out;
}

const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\tgithub.com/google/uuid\tv1.6.0\th1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=',
  'dep\tgolang.org/x/net\tv0.20.0',
  '=>\tgithub.com/example/net-fork\tv0.20.1\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  'dep\texample.com/lib\tv0.0.0-00010101000000-000000000000',
  '=>\t../lib\t(devel)\t',
  'dep\tgopkg.in/yaml.v3\tv3.0.1\th1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=',
  'build\t-buildmode=exe',
  'build\t-compiler=gc',
  'build\tCGO_ENABLED=0',
  'build\tGOOS=linux',
  '',
].join('\n');

const GO_ELF = elf(inlineBlob('go1.22.5', MODINFO));

let seq = 0;
/** As a file named on the command line is read: `wants(path, size)` first. */
async function namedExtract(buf: Buffer, name = 'app'): Promise<Inventory> {
  const p = `named${++seq}/bin/${name}`;
  expect(goBinaryExtractor.wants(p, 2 * 1024 * 1024)).toBe(true);
  return goBinaryExtractor.extract(memoryInput(p, buf));
}

/** As `--parse-as go-binary` does: no `wants` call. */
function forcedExtract(buf: Buffer, p = `forced${++seq}/app`): Promise<Inventory> {
  return goBinaryExtractor.extract(memoryInput(p, buf));
}

async function errorOf(p: Promise<unknown>): Promise<VouchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    return e as VouchError;
  }
  throw new Error('expected a VouchError, got a result');
}

function nameVersions(inv: Inventory): string[] {
  return [...inv.graph.components.values()].map((c) => `${c.name}@${c.version}`).sort();
}

const EXPECTED = [
  'github.com/example/net-fork@v0.20.1',
  'github.com/google/uuid@v1.6.0',
  'gopkg.in/yaml.v3@v3.0.1',
  'stdlib@1.22.5',
];

// ---------------------------------------------------------------------------------------------

describe('go/binary: file selection', () => {
  const MiB = 1024 * 1024;
  it.each([
    ['bin/app', 2 * MiB, true],
    ['C:\\tools\\app.exe', 2 * MiB, true],
    ['bin/APP.EXE', 2 * MiB, true],
    ['bin/app', 512 * 1024, false],
    ['bin/app', 600 * MiB, false],
    ['bin/app.json', 2 * MiB, false],
    ['lib/libssl.so.3', 2 * MiB, false],
    ['repo/LICENSE', 2 * MiB, false],
    ['repo/Makefile', 2 * MiB, false],
    ['repo/.gitignore', 2 * MiB, false],
    ['rootfs/usr/share/misc/magic', 2 * MiB, false],
    ['rootfs/etc/ld.so.cache', 2 * MiB, false],
    ['rootfs/var/lib/dpkg/status', 2 * MiB, false],
    ['rootfs/lib/apk/db/installed', 2 * MiB, false],
    ['repo/node_modules/x/bin/tool', 2 * MiB, false],
  ])('wants(%s, %d) = %s', (p, size, want) => expect(goBinaryExtractor.wants(p, size)).toBe(want));

  it('a directory walk (no size) hands over no executables; nor does it take the files other extractors read', () => {
    expect(goBinaryExtractor.wants('sel/usr/local/bin/terraform')).toBe(false);
    expect(goBinaryExtractor.wants('sel/dist/app.exe')).toBe(false);
    expect(goBinaryExtractor.wants('sel/README')).toBe(false);
    const all = withGoBinary();
    for (const p of [
      '/r/var/lib/dpkg/status',
      '/r/var/lib/dpkg/status.d/base',
      '/r/lib/apk/db/installed',
      '/r/usr/lib/python3/site-packages/x-1.0.dist-info/METADATA',
      '/r/app/go.mod',
      '/r/app/Gemfile.lock',
    ]) {
      expect(all.find((x) => x.wants(p))?.id, p).not.toBe('go/binary');
    }
  });

  it('a bare name without a size is --parse-as asking for a format, not a file', () => {
    expect(goBinaryExtractor.wants('nope')).toBe(false);
    expect(goBinaryExtractor.wants('nope', 2 * 1024 * 1024)).toBe(true); // `vouch scan nope`, a file named so
    expect(() => extractorForParseAs('nope', withGoBinary())).toThrow(/unknown format "nope"/);
    expect(extractorForParseAs('go-binary', withGoBinary())).toBe(goBinaryExtractor);
  });

  it('reads nothing over the network, runs nothing, sniffs ELF and PE', () => {
    expect(goBinaryExtractor.id).toBe('go/binary');
    expect(goBinaryExtractor.parseAs).toContain('go-binary');
    expect(goBinaryExtractor.sniff!(GO_ELF.toString('utf8', 0, 4096))).toBe(true);
    expect(goBinaryExtractor.sniff!(pe(Buffer.alloc(16)).toString('utf8', 0, 4096))).toBe(true);
    expect(goBinaryExtractor.sniff!('module example.com/x\n')).toBe(false);
    expect(goBinaryExtractor.sniff!('MZ is a text file')).toBe(false);
  });
});

describe('go/binary: the build information', () => {
  it('reads deps (after => replacements), stdlib, the main module as the root, no h1: hashes', async () => {
    const inv = await namedExtract(GO_ELF);
    expect(inv.source.extractor).toBe('go/binary');
    expect(nameVersions(inv)).toEqual(EXPECTED);
    expect([...inv.graph.roots.values()]).toEqual(['example.com/app']);
    const [rootId] = [...inv.graph.roots.keys()];
    expect(rootId).toBe(`root:${inv.source.path}`);
    expect([...inv.graph.edges.get(rootId!)!].sort()).toEqual([...inv.graph.components.keys()].sort());
    for (const c of inv.graph.components.values()) {
      expect(c.ecosystem).toBe('Go');
      expect(c.scope).toBe('prod');
      expect(c.hashes).toBeUndefined();
      expect(c.locations).toEqual([{ path: inv.source.path }]);
    }
    const uuid = inv.graph.components.get(goPurl('github.com/google/uuid', 'v1.6.0'))!;
    expect(uuid.purl).toBe('pkg:golang/github.com/google/uuid@v1.6.0');
    expect(uuid.direct).toBe(false);
    expect(inv.graph.components.get('pkg:golang/stdlib@1.22.5')!.direct).toBe(true);
    // the local replacement has no version: unresolved, with the module it replaces
    expect(inv.unresolved).toEqual([
      {
        name: '../lib',
        ecosystem: 'Go',
        spec: 'example.com/lib@v0.0.0-00010101000000-000000000000',
        reason: 'replaced by the local directory ../lib; no version',
      },
    ]);
    // the replaced module itself is not reported
    expect(nameVersions(inv).some((n) => n.startsWith('golang.org/x/net'))).toBe(false);
  });

  it('reports a main module with a real version (go install m@v) as a direct component', async () => {
    const text = 'path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\tv1.4.2\th1:x=\ndep\tgithub.com/google/uuid\tv1.6.0\th1:y=\n';
    const inv = await namedExtract(elf(inlineBlob('go1.21.13', text)));
    expect(nameVersions(inv)).toEqual(['github.com/acme/tool@v1.4.2', 'github.com/google/uuid@v1.6.0', 'stdlib@1.21.13']);
    expect(inv.graph.components.get(goPurl('github.com/acme/tool', 'v1.4.2'))!.direct).toBe(true);
  });

  it.each([
    ['go1.22.5', '1.22.5'],
    ['go1.21.0 X:boringcrypto', '1.21.0'],
    ['go1.20', '1.20'],
  ])('toolchain %s → stdlib %s', async (goVersion, std) => {
    const inv = await namedExtract(elf(inlineBlob(goVersion, MODINFO)));
    expect(inv.graph.components.has(`pkg:golang/stdlib@${std}`)).toBe(true);
  });

  it('a development toolchain: no stdlib, a warning', async () => {
    const inv = await namedExtract(elf(inlineBlob('devel go1.23-5c5d8b1 Tue Jan 2 2024', MODINFO)));
    expect(nameVersions(inv)).not.toContain('stdlib');
    expect([...inv.graph.components.values()].some((c) => c.name === 'stdlib')).toBe(false);
    expect(inv.warnings.join('\n')).toMatch(/development Go toolchain/);
  });

  it('a binary built without modules (GOPATH): stdlib only, with a warning', async () => {
    const inv = await namedExtract(elf(inlineBlob('go1.24.3', 'path\tgithub.com/docker/cli/cmd/docker\nbuild\tGOOS=linux\n')));
    expect(nameVersions(inv)).toEqual(['stdlib@1.24.3']);
    expect([...inv.graph.roots.values()]).toEqual(['github.com/docker/cli/cmd/docker']);
    expect(inv.warnings.join('\n')).toMatch(/without module information/);
    // Go before 1.13: no modinfo at all
    const old = await namedExtract(elf(inlineBlob('go1.12', '')));
    expect(nameVersions(old)).toEqual(['stdlib@1.12']);
  });

  it('reads the same blob from the writable segment (no section headers), Mach-O, fat Mach-O and PE', async () => {
    for (const buf of [elf(inlineBlob('go1.22.5', MODINFO), { sections: false }), macho(inlineBlob('go1.22.5', MODINFO)), fat(macho(inlineBlob('go1.22.5', MODINFO))), pe(inlineBlob('go1.22.5', MODINFO))]) {
      expect(nameVersions(await namedExtract(buf))).toEqual(EXPECTED);
    }
  });

  it('reads the pre-1.18 pointer format through the segment map', async () => {
    const buf = elf(pointerBlob('go1.17.13', MODINFO, ELF_BASE + ELF_DATA_OFF));
    expect(readGoBuildInfo(buf)?.format).toBe('pointer');
    expect(nameVersions(await namedExtract(buf))).toEqual(EXPECTED.map((e) => (e.startsWith('stdlib') ? 'stdlib@1.17.13' : e)));
  });

  it('finds the header by scanning a file of no known format', async () => {
    const buf = Buffer.concat([Buffer.alloc(1000, 0x41), inlineBlob('go1.22.5', MODINFO), Buffer.alloc(100)]);
    expect(nameVersions(await namedExtract(buf))).toEqual(EXPECTED);
  });

  it('ignores the magic where it is only a constant (Go programs that read build info carry it too)', async () => {
    // rodata holding the bare magic string, then a real header in .go.buildinfo
    const constant = Buffer.concat([MAGIC, Buffer.from('\x08\x02rest of rodata', 'latin1')]);
    const buf = elf(inlineBlob('go1.22.5', MODINFO), { rodata: constant });
    expect(nameVersions(await namedExtract(buf))).toEqual(EXPECTED);
    // a file that holds only the constant is no Go binary
    const lone = Buffer.concat([Buffer.alloc(64), constant, Buffer.alloc(64)]);
    expect(readGoBuildInfo(lone)).toBeUndefined();
  });
});

describe('go/binary: files without build information', () => {
  const NOT_GO = [
    ['an ELF without the magic', elf(Buffer.alloc(256), { sections: false })],
    ['a text file', Buffer.from('#!/bin/sh\necho hello\n')],
    ['an empty file', Buffer.alloc(0)],
  ] as const;


  it.each(NOT_GO)('%s forced with --parse-as go-binary: INPUT_UNSUPPORTED', async (_, buf) => {
    const e = await errorOf(forcedExtract(buf, 'forced/x'));
    expect(e.code).toBe('INPUT_UNSUPPORTED');
    expect(e.oneLine()).toMatch(/^forced\/x: not a Go executable/);
  });

  it('a file named on the command line (wants with a size) that is not Go: INPUT_UNSUPPORTED', async () => {
    const p = 'named/tool';
    expect(goBinaryExtractor.wants(p, 2 * 1024 * 1024)).toBe(true);
    expect((await errorOf(goBinaryExtractor.extract(memoryInput(p, elf(Buffer.alloc(64), { sections: false }))))).code).toBe('INPUT_UNSUPPORTED');
  });

  it('in collectInventory: a walk passes over executables; a named Go binary is read; --parse-as on a non-Go file fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-gobin-'));
    try {
      mkdirSync(path.join(dir, 'bin'));
      writeFileSync(path.join(dir, 'bin', 'app'), GO_ELF);
      writeFileSync(path.join(dir, 'bin', 'helper'), '#!/bin/sh\nexit 0\n');
      const extractors = withGoBinary();
      const walked = await collectInventory([dir], { extractors });
      expect(walked.inputs).toEqual([]);

      const named = await collectInventory([path.join(dir, 'bin', 'app')], { extractors });
      expect([...named.graph.components.values()].map((c) => `${c.name}@${c.version}`).sort()).toEqual(EXPECTED);

      const e = await errorOf(collectInventory([path.join(dir, 'bin', 'helper')], { extractors, parseAs: 'go-binary' }));
      expect(e.code).toBe('INPUT_UNSUPPORTED');
      const forced = await collectInventory([path.join(dir, 'bin', 'app')], { extractors, parseAs: 'go-binary' });
      expect(forced.graph.components.size).toBe(EXPECTED.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('go/binary: damaged and hostile input', () => {
  /** Every outcome allowed: build info, none, or a VouchError; never another exception. */
  function survives(buf: Buffer): void {
    try {
      readGoBuildInfo(buf);
    } catch (e) {
      expect(e).toBeInstanceOf(VouchError);
    }
  }

  it('every truncation of ELF, Mach-O, fat, PE and pointer-format files', () => {
    const samples = [
      GO_ELF,
      macho(inlineBlob('go1.22.5', MODINFO)),
      fat(macho(inlineBlob('go1.22.5', MODINFO))),
      pe(inlineBlob('go1.22.5', MODINFO)),
      elf(pointerBlob('go1.17.13', MODINFO, ELF_BASE + ELF_DATA_OFF)),
    ];
    for (const s of samples) for (let n = 0; n <= s.length; n++) survives(s.subarray(0, n));
  });

  it('build information cut off by the end of the file, or an empty .go.buildinfo: INPUT_PARSE, not a crash', async () => {
    for (const buf of [GO_ELF.subarray(0, ELF_DATA_OFF + 40), elf(Buffer.alloc(256))]) {
      const e = await errorOf(namedExtract(buf));
      expect(e.code).toBe('INPUT_PARSE');
      expect(e.message).toMatch(/Go build information is unreadable/);
    }
  });

  it('random bytes behind each format magic, and random byte flips in real-shaped files', () => {
    let x = 0x9e3779b9;
    const rand = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x100000000;
    };
    const prefixes = ['\x7fELF\x02\x01', '\x7fELF\x01\x02', 'MZ', '\xcf\xfa\xed\xfe', '\xfe\xed\xfa\xce', '\xca\xfe\xba\xbe\x00\x00\x00\x02', '\xff Go buildinf:\x08\x02', '\xff Go buildinf:\x04\x01'];
    for (let i = 0; i < 400; i++) {
      const buf = Buffer.alloc(1 + Math.floor(rand() * 2048));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256);
      Buffer.from(prefixes[i % prefixes.length]!, 'latin1').copy(buf);
      survives(buf);
    }
    const samples = [GO_ELF, macho(inlineBlob('go1.22.5', MODINFO)), pe(inlineBlob('go1.22.5', MODINFO)), elf(pointerBlob('go1.17.13', MODINFO, ELF_BASE + ELF_DATA_OFF))];
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.from(samples[i % samples.length]!);
      for (let k = 0; k < 4; k++) buf[Math.floor(rand() * Math.min(buf.length, 0x400))] = Math.floor(rand() * 256);
      survives(buf);
    }
  });

  it('a string length far past the end of the file is not read', () => {
    const header = inlineBlob('go1.22.5', '').subarray(0, 32);
    const huge = Buffer.concat([header, uvarint(0x7fffffff), Buffer.from('go1.22.5')]);
    expect(() => readGoBuildInfo(Buffer.concat([Buffer.alloc(64), huge]))).not.toThrow();
    expect(readGoBuildInfo(Buffer.concat([Buffer.alloc(64), huge]))).toBeUndefined();
    // inside the dedicated section it is a parse error
    expect(() => readGoBuildInfo(elf(huge))).toThrow(/unreadable/);
  });

  it('pointers outside the file and absurd header counts', () => {
    const ptr = pointerBlob('go1.17.13', MODINFO, ELF_BASE + ELF_DATA_OFF);
    ptr.writeBigUInt64LE(0xffffffffffff0000n, 16);
    expect(() => readGoBuildInfo(elf(ptr))).toThrow(VouchError);
    const absurd = Buffer.from(GO_ELF);
    absurd.writeBigUInt64LE(0x7fffffffffffffffn, 0x28); // e_shoff
    absurd.writeUInt16LE(0xffff, 0x38); // phnum
    expect(readGoBuildInfo(absurd)?.goVersion).toBe('go1.22.5'); // found by the segment, then the scan
  });
});

describe('go/binary: parseModInfo', () => {
  it('reads the text form leniently', () => {
    const info = parseModInfo('go\tgo1.22.5\r\npath\tx/cmd\r\nmod\tx\t(devel)\t\r\n=>\torphan\tv1.0.0\t\r\ndep\ta/b\tv1.0.0\r\nbuild\tvcs.revision=abc\r\nwhat is this\r\n');
    expect(info.path).toBe('x/cmd');
    expect(info.main).toMatchObject({ path: 'x', version: '(devel)', line: 3, replace: { path: 'orphan', version: 'v1.0.0' } });
    expect(info.deps).toEqual([{ path: 'a/b', version: 'v1.0.0', line: 5 }]);
    expect(info.settings).toEqual([['vcs.revision', 'abc']]);
    // `=>` after a mod line is accepted by Go's grammar too; here it replaced the main module (line 4); line 7 is not understood
    expect(info.badLines).toEqual([7]);
  });

  it('a replacement with no module before it is a bad line', () => {
    expect(parseModInfo('=>\ta\tv1.0.0\t\n').badLines).toEqual([1]);
  });
});


describe('go/binary: found in root filesystems by probing executables', () => {
  const MiB = 1024 * 1024;
  /** The ELF padded past the 1 MiB a Go program at least weighs. */
  const big = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc(MiB + 4096)]);

  it('candidate: executable bit, size and name; probe: the magic in the first writable segment', async () => {
    const x = goBinaryExtractor.executables!;
    expect(x.candidate('/r/usr/local/bin/app', 2 * MiB, 0o100755)).toBe(true);
    expect(x.candidate('/r/usr/local/bin/app', 2 * MiB, 0o100644)).toBe(false); // not executable
    expect(x.candidate('/r/usr/local/bin/app', 100 * 1024, 0o100755)).toBe(false); // too small for Go
    expect(x.candidate('/r/usr/share/doc/app', 2 * MiB, 0o100755)).toBe(false);
    expect(x.candidate('/r/usr/lib/libfoo.so', 2 * MiB, 0o100755)).toBe(false);

    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-goprobe-'));
    try {
      const file = (name: string, data: Buffer | string): string => {
        const p = path.join(dir, name);
        writeFileSync(p, data);
        return p;
      };
      expect(await probeGoElf(file('go', GO_ELF))).toBe(true);
      expect(await probeGoElf(file('go-stripped', elf(inlineBlob('go1.22.5', MODINFO), { sections: false })))).toBe(true);
      expect(await probeGoElf(file('c', elf(Buffer.alloc(4096), { sections: false })))).toBe(false);
      expect(await probeGoElf(file('script', '#!/bin/sh\nexit 0\n'))).toBe(false);
      expect(await probeGoElf(file('cut', GO_ELF.subarray(0, 40)))).toBe(false);
      expect(await probeGoElf(path.join(dir, 'missing'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Real executables of this machine (the CI machines are of the same kind): every executable over
  // 1 MiB in PATH and the Cloud SDK's bin folder. The oracle is independent of the probe: the whole
  // file searched for the magic at a 16-byte boundary, as Go aligns it.
  const realExecutables = [...new Set([...(process.env['PATH'] ?? '').split(':'), '/usr/lib/google-cloud-sdk/bin'])]
    .filter((d) => d && existsSync(d))
    .flatMap((d) => readdirSync(d).map((n) => path.join(d, n)))
    .filter((f) => {
      const st = statSync(f, { throwIfNoEntry: false });
      return st?.isFile() && (st.mode & 0o111) !== 0 && st.size > MiB && st.size < 256 * MiB;
    });
  const hasAlignedMagic = (buf: Buffer): boolean => {
    for (let i = buf.indexOf(MAGIC); i >= 0; i = buf.indexOf(MAGIC, i + 1)) if (i % 16 === 0) return true;
    return false;
  };
  if (!realExecutables.some((f) => hasAlignedMagic(readFileSync(f)))) {
    console.warn('[vouch tests] no real Go executable in PATH or /usr/lib/google-cloud-sdk/bin: the real-binary probe test does not run here');
  }
  it.runIf(realExecutables.some((f) => hasAlignedMagic(readFileSync(f))))(
    'on the real executables of this machine, the probe agrees with a whole-file search, and the Go ones extract',
    async () => {
      let go = 0;
      for (const f of realExecutables) {
        const buf = readFileSync(f);
        const expected = buf.subarray(0, 4).toString('latin1') === '\x7fELF' && hasAlignedMagic(buf);
        expect(await probeGoElf(f), f).toBe(expected);
        if (!expected) continue;
        go++;
        const inv = await goBinaryExtractor.extract(memoryInput(f, buf));
        expect([...inv.graph.components.values()].some((c) => c.name === 'stdlib'), f).toBe(true);
      }
      expect(go).toBeGreaterThan(0);
      expect(await probeGoElf(process.execPath)).toBe(false); // node: a large C++ program
    },
  );

  it('scanRootfs reads the Go executables and passes over scripts, C programs, non-executables and documentation', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vouch-gorootfs-'));
    try {
      const put = (rel: string, data: Buffer | string, mode: number): void => {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), data);
        chmodSync(path.join(root, rel), mode);
      };
      put('usr/local/bin/app', big(GO_ELF), 0o755);
      put('usr/local/bin/app-copy-not-executable', big(GO_ELF), 0o644);
      put('usr/share/app/app', big(GO_ELF), 0o755);
      put('usr/bin/cprog', big(elf(Buffer.alloc(4096), { sections: false })), 0o755);
      put('usr/bin/script', '#!/bin/sh\nexit 0\n', 0o755);
      const inv = await scanRootfs(root, withGoBinary());
      expect(inv.inputs.map((i) => [path.relative(root, i.path), i.extractor, i.status])).toEqual([['usr/local/bin/app', 'go/binary', 'ok']]);
      expect([...inv.graph.components.values()].map((c) => `${c.name}@${c.version}`).sort()).toEqual(EXPECTED);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('go/binary: in container images', () => {
  it('an executable Go binary in a layer is written with its x bit and read; the same bytes without it are not', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-goimage-'));
    try {
      const body = Buffer.concat([GO_ELF, Buffer.alloc(1024 * 1024 + 4096)]);
      const layer = buildTar([
        { name: 'usr/', type: 'dir' },
        { name: 'usr/local/bin/app', data: body, mode: 0o755 },
        { name: 'usr/local/bin/data-file', data: body, mode: 0o644 },
      ]);
      const tarPath = path.join(dir, 'image.tar');
      writeFileSync(
        tarPath,
        buildTar([
          { name: 'layer0/layer.tar', data: layer },
          { name: 'config.json', data: '{}' },
          { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['x:1'], Layers: ['layer0/layer.tar'] }]) },
        ]),
      );
      const inv = await extractImage(tarPath, { extractors: withGoBinary(), tmpDir: dir });
      expect(inv.inputs.map((i) => [i.path, i.extractor, i.status])).toEqual([[`${tarPath}!/usr/local/bin/app`, 'go/binary', 'ok']]);
      expect(nameVersions({ graph: inv.graph } as Inventory)).toEqual(EXPECTED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
