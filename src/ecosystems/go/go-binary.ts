/**
 * Go executables: the module build information the Go linker embeds (what `go version -m` prints),
 * read from the file's bytes. The binary is never run.
 *
 * Where it is: a 32-byte header starting with the magic `\xff Go buildinf:` (14 bytes), then the
 * pointer size and a flags byte. Flag 0x2 (Go 1.18+): the Go version and the modinfo text follow
 * the header as varint-length-prefixed strings. Without it (Go 1.13–1.17): two pointers (in the
 * byte order flag 0x1 names) to Go string headers `{data, len}`, resolved through the file's
 * segment/section map. The header sits in ELF `.go.buildinfo`, Mach-O `__go_buildinfo` (fat files:
 * every slice), or at the start of the writable data (ELF first writable PT_LOAD, Mach-O `__DATA`,
 * PE `.data`); for any other file the first SCAN_LIMIT bytes are searched, and only a header
 * whose content reads as build information counts (Go programs that read build info themselves
 * carry the magic as a constant too).
 *
 * What becomes what (runtime/debug.BuildInfo's text: `path`, `mod`, `dep`, `=>`, `build` lines):
 * - `mod` (the main module) names the root; with a real version (`go install m@v1.2.3`, or a
 *   version Go 1.24+ stamps from VCS) it is also a component, direct. `(devel)`: root only.
 * - every `dep`, at its `=>` replacement when there is one, is a Go component (prod, not known to
 *   be direct: the binary does not say) with an edge from the root. A replacement by a local folder
 *   (`=> ./x (devel)`) has no version: it goes to `unresolved`, as go-mod.ts does.
 * - the toolchain version (`go1.22.5`, `go1.22.5 X:boringcrypto`) → a `stdlib` component `1.22.5`,
 *   as go-mod.ts writes it. A `devel` toolchain has no release version: a warning, no stdlib.
 * - `h1:` sums are hashes of module trees, not of any file here: not recorded as hashes.
 * Locations: the binary's path (no line).
 *
 * `wants`: only files named on the command line (their size is known: 1–512 MiB) with no extension
 * (or `.exe`), not under a folder that holds no executables, not a well-known text file; `sniff`
 * also recognises ELF and PE headers. Directory walks do not hand executables over (they give no
 * size, and any extension-less file could be one): name the binary, or use `--parse-as go-binary`.
 *
 * A file without Go build information is an INPUT_UNSUPPORTED error; build information that is
 * present but unreadable is INPUT_PARSE (a truncated or damaged Go binary).
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Component } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import type { Extractor } from '../types.js';
import { type ExeLayout, type Mapping, OutOfBounds, PF_W, PF_X, PT_LOAD, layoutsOf } from './exe-layout.js';
import { goPurl } from './go-mod.js';

const ID = 'go/binary';
const ECOSYSTEM = 'Go';

const MIN_SIZE = 1024 * 1024;
const MAX_SIZE = 512 * 1024 * 1024;
/** Bytes searched for the magic when the file's headers do not lead to it. */
export const SCAN_LIMIT = 64 * 1024 * 1024;
/** Longest version or modinfo string read (real modinfo is tens of KiB). */
const MAX_STRING = 16 * 1024 * 1024;

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;

/** Folder names under which no executable is looked for. */
const NON_BINARY_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.idea', '.vscode',
  'etc', 'doc', 'docs', 'man', 'include', 'locale', 'i18n', 'licenses', 'zoneinfo', 'terminfo', 'dpkg', 'apk',
  'proc', 'sys', 'dev',
]);
/** Extension-less file names that are never executables (or that other extractors read). */
const NON_BINARY_NAMES = new Set([
  'license', 'licence', 'copying', 'notice', 'readme', 'authors', 'contributors', 'maintainers', 'owners',
  'codeowners', 'changelog', 'changes', 'history', 'news', 'version', 'patents', 'todo', 'install',
  'makefile', 'gnumakefile', 'dockerfile', 'containerfile', 'gemfile', 'pipfile', 'procfile', 'rakefile',
  'vagrantfile', 'jenkinsfile', 'brewfile', 'podfile', 'caddyfile', 'justfile', 'tiltfile', 'berksfile',
  'gradlew', 'mvnw', 'configure', 'status', 'installed', 'metadata', 'pkg-info', 'record', 'wheel',
  'installer', 'requested', 'top_level', 'os-release', 'lsb-release', 'issue', 'hostname', 'hosts', 'passwd',
  'group', 'shadow', 'gshadow', 'shells', 'fstab', 'crontab', 'sudoers', 'config', 'description', 'head',
  'fetch_head', 'orig_head', 'packed-refs', 'index',
]);

export const goBinaryExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['go-binary'],

  wants(p: string, size?: number): boolean {
    // walks give no size: executables are read only when named (or forced with --parse-as go-binary)
    return size !== undefined && executableName(p, size);
  },

  /** rootfs and image walks: executable files of a plausible size and name, then an ELF probe */
  executables: {
    candidate(p: string, size: number, mode: number): boolean {
      return (mode & 0o111) !== 0 && executableName(p, size);
    },
    probe: probeGoElf,
  },

  /** ELF and PE headers survive the text decoding; Mach-O's do not (named files are still read by `wants`). */
  sniff(head: string): boolean {
    return head.startsWith('\x7fELF') || (head.startsWith('MZ') && head.includes('PE\0\0'));
  },

  async extract(input: InputFile): Promise<Inventory> {
    const buf = await input.read();
    const info = readGoBuildInfo(buf, input.path);
    if (!info) {
      throw new VouchError('INPUT_UNSUPPORTED', 'not a Go executable: no Go build information ("\\xff Go buildinf:") found', {
        path: input.path,
      });
    }
    return buildInventory(info, input.path);
  },
};

/** A name and size a Go executable may have (see `wants` above). */
function executableName(p: string, size: number): boolean {
  if (size < MIN_SIZE || size > MAX_SIZE) return false;
  const parts = p.split(/[/\\]/);
  const name = parts[parts.length - 1] ?? '';
  if (name === '' || name.startsWith('.')) return false;
  const dot = name.lastIndexOf('.');
  if (dot > 0 && name.slice(dot + 1).toLowerCase() !== 'exe') return false;
  if (NON_BINARY_NAMES.has(name.toLowerCase())) return false;
  for (let i = 0; i < parts.length - 1; i++) {
    const d = parts[i]!;
    if (NON_BINARY_DIRS.has(d)) return false;
    if (d === 'share' && parts[i - 1] === 'usr') return false;
    if ((d === 'log' || d === 'cache') && parts[i - 1] === 'var') return false;
  }
  return true;
}

/** How far into the first writable segment Go's own reader (debug/buildinfo) looks for the magic. */
const PROBE_WINDOW = 64 * 1024;

/**
 * Is `file` an ELF executable carrying Go build information? Looks where Go's own reader
 * (debug/buildinfo) does: the `.go.buildinfo` section (section headers and their names), else,
 * when sections are stripped, the first 64 KiB of the first writable PT_LOAD segment; a few KiB
 * per executable, so a root filesystem's thousands of C binaries cost little. Other formats (PE, Mach-O) are not probed: they are read when named.
 * Never throws: an unreadable or malformed file is simply not a Go binary here.
 */
export async function probeGoElf(file: string): Promise<boolean> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const head = Buffer.alloc(64);
    if ((await fh.read(head, 0, 64, 0)).bytesRead < 52) return false;
    if (head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    if (head[4] !== 1 && head[4] !== 2) return false;
    const le = head[5] !== 2;
    const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number): number => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const read = async (len: number, at: number): Promise<Buffer | undefined> => {
      if (len <= 0 || len > 1024 * 1024 || at < 0) return undefined;
      const b = Buffer.alloc(len);
      const { bytesRead } = await fh!.read(b, 0, len, at);
      return bytesRead === len ? b : undefined;
    };
    // 1. the `.go.buildinfo` section, where Go's reader looks first (externally linked and PIE
    //    binaries put it in the middle of their data)
    const shoff = is64 ? u64(head, 0x28) : u32(head, 0x20);
    const shentsize = u16(head, is64 ? 0x3a : 0x2e);
    const shnum = u16(head, is64 ? 0x3c : 0x30);
    const shstrndx = u16(head, is64 ? 0x3e : 0x32);
    const sh = shoff && shentsize >= (is64 ? 0x40 : 0x28) && shstrndx < shnum ? await read(shnum * shentsize, shoff) : undefined;
    if (sh) {
      const field = (i: number, o64: number, o32: number): number => (is64 ? u64(sh, i * shentsize + o64) : u32(sh, i * shentsize + o32));
      const strtab = await read(Math.min(field(shstrndx, 0x20, 0x14), 64 * 1024), field(shstrndx, 0x18, 0x10));
      if (strtab) {
        for (let i = 0; i < shnum; i++) {
          const nameAt = u32(sh, i * shentsize);
          if (strtab.toString('latin1', nameAt, nameAt + 14) !== '.go.buildinfo\0') continue;
          const hdr = await read(MAGIC.length, field(i, 0x18, 0x10));
          return hdr !== undefined && hdr.equals(MAGIC);
        }
      }
    }
    // 2. no section headers (stripped): the start of the first writable PT_LOAD segment
    const phoff = is64 ? u64(head, 0x20) : u32(head, 0x1c);
    const phentsize = u16(head, is64 ? 0x36 : 0x2a);
    const phnum = u16(head, is64 ? 0x38 : 0x2c);
    if (!phoff || phentsize < (is64 ? 0x38 : 0x20) || phnum === 0) return false;
    const ph = await read(phnum * phentsize, phoff);
    if (!ph) return false;
    for (let i = 0; i < phnum; i++) {
      const h = i * phentsize;
      if (u32(ph, h) !== PT_LOAD) continue;
      const flags = is64 ? u32(ph, h + 4) : u32(ph, h + 0x18);
      if ((flags & (PF_X | PF_W)) !== PF_W) continue;
      const off = is64 ? u64(ph, h + 8) : u32(ph, h + 4);
      const filesz = is64 ? u64(ph, h + 0x20) : u32(ph, h + 0x10);
      const window = Buffer.alloc(Math.min(PROBE_WINDOW, filesz));
      const { bytesRead } = await fh.read(window, 0, window.length, off);
      return window.subarray(0, bytesRead).indexOf(MAGIC) >= 0;
    }
    return false;
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// finding the build information

export interface GoBuildInfo {
  /** The toolchain version as embedded: `go1.22.5`, `go1.22.5 X:boringcrypto`, `devel go1.23-…`. */
  goVersion: string;
  /** The modinfo text (runtime/debug.BuildInfo), sentinels removed; empty for pre-module builds. */
  modinfo: string;
  format: 'inline' | 'pointer';
}

/**
 * The build information of a Go executable, undefined when the file has none. Throws
 * VouchError(INPUT_PARSE) when a section made for it (`.go.buildinfo`, `__go_buildinfo`) holds
 * no readable header, or a header at the start of the writable data does not decode (a truncated
 * or damaged file).
 */
export function readGoBuildInfo(buf: Buffer, file = '<memory>'): GoBuildInfo | undefined {
  const layouts: ExeLayout[] = [];
  try {
    layoutsOf(buf, layouts);
  } catch (e) {
    if (!(e instanceof OutOfBounds)) throw e;
    // damaged headers: the fallback scan below still runs
  }
  let dedicatedProblem: string | undefined;
  const tried = new Set<number>();
  for (const layout of layouts) {
    for (const { region, dedicated } of layout.regions) {
      const start = Math.max(0, Math.min(region.off, buf.length));
      const end = Math.max(start, Math.min(region.off + region.size, buf.length));
      if (dedicated && end - start < HEADER_SIZE) {
        dedicatedProblem ??= 'the build information section lies beyond the end of the file (truncated?)';
        continue;
      }
      let problem: string | undefined;
      for (let at = buf.indexOf(MAGIC, start); at >= 0 && at + MAGIC.length <= end; at = buf.indexOf(MAGIC, at + 1)) {
        if (tried.has(at)) continue;
        tried.add(at);
        const r = decodeAt(buf, at, layout.map);
        if (typeof r !== 'string') return r;
        problem ??= r;
      }
      // where the linker puts it (not where a constant could sit), a header that does not decode is damage
      if (dedicated) dedicatedProblem ??= problem ?? 'no build information header in the build information section';
      else if (problem !== undefined) dedicatedProblem ??= problem;
    }
  }
  if (dedicatedProblem !== undefined) {
    throw new VouchError('INPUT_PARSE', `Go build information is unreadable: ${dedicatedProblem}`, { path: file });
  }
  // no (readable) headers: search the start of the file; only a header that decodes counts
  const limit = Math.min(buf.length, SCAN_LIMIT);
  const map = layouts.flatMap((l) => l.map);
  for (let at = buf.indexOf(MAGIC); at >= 0 && at + MAGIC.length <= limit; at = buf.indexOf(MAGIC, at + 1)) {
    if (tried.has(at)) continue;
    const r = decodeAt(buf, at, map);
    if (typeof r !== 'string') return r;
  }
  return undefined;
}

/** The build information at `at`, or a string saying why it does not read as one. */
function decodeAt(buf: Buffer, at: number, map: readonly Mapping[]): GoBuildInfo | string {
  if (at + HEADER_SIZE > buf.length) return 'the build information header is cut short';
  const ptrSize = buf[at + 14]!;
  const flags = buf[at + 15]!;
  if (flags & ~0x3) return `unknown build information flags 0x${flags.toString(16)}`;
  let goVersion: string;
  let modinfo: string;
  let format: GoBuildInfo['format'];
  try {
    if (flags & 0x2) {
      format = 'inline';
      const v = varintString(buf, at + HEADER_SIZE);
      const m = varintString(buf, v.next);
      goVersion = v.text;
      modinfo = m.text;
    } else {
      format = 'pointer';
      if (ptrSize !== 4 && ptrSize !== 8) return `pointer size ${ptrSize}`;
      if (!map.length) return 'pointer-format build information in a file whose address map is unknown';
      const be = (flags & 0x1) !== 0;
      goVersion = goString(buf, map, readPtr(buf, at + 16, ptrSize, be), ptrSize, be);
      modinfo = goString(buf, map, readPtr(buf, at + 16 + ptrSize, ptrSize, be), ptrSize, be);
    }
  } catch (e) {
    if (e instanceof OutOfBounds) return e.message || 'the build information runs past the end of the file';
    throw e;
  }
  if (!/^(?:go\d|devel )/.test(goVersion)) return `"${goVersion.slice(0, 40)}" is not a Go version`;
  // the modinfo text is wrapped in 16-byte sentinels
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, -16);
  return { goVersion, modinfo, format };
}

function varintString(buf: Buffer, pos: number): { text: string; next: number } {
  let n = 0;
  let mul = 1;
  for (let i = 0; ; i++) {
    if (i >= 8) throw new OutOfBounds('string length varint too long');
    if (pos >= buf.length) throw new OutOfBounds();
    const b = buf[pos++]!;
    n += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) break;
  }
  if (n > MAX_STRING) throw new OutOfBounds(`string of ${n} bytes`);
  if (pos + n > buf.length) throw new OutOfBounds();
  return { text: buf.toString('utf8', pos, pos + n), next: pos + n };
}

function readPtr(buf: Buffer, off: number, ptrSize: number, be: boolean): number {
  if (off < 0 || off + ptrSize > buf.length) throw new OutOfBounds();
  if (ptrSize === 4) return be ? buf.readUInt32BE(off) : buf.readUInt32LE(off);
  const v = be ? buf.readBigUInt64BE(off) : buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new OutOfBounds('address out of range');
  return Number(v);
}

/** A Go string `{data *byte, len int}` at virtual address `va`. */
function goString(buf: Buffer, map: readonly Mapping[], va: number, ptrSize: number, be: boolean): string {
  const hdr = fileOffset(map, va, 2 * ptrSize);
  const data = readPtr(buf, hdr, ptrSize, be);
  const len = readPtr(buf, hdr + ptrSize, ptrSize, be);
  if (len > MAX_STRING) throw new OutOfBounds(`string of ${len} bytes`);
  if (len === 0) return '';
  const off = fileOffset(map, data, len);
  return buf.toString('utf8', off, off + len);
}

function fileOffset(map: readonly Mapping[], va: number, len: number): number {
  for (const m of map) {
    if (va >= m.va && va + len <= m.va + m.size) return m.off + (va - m.va);
  }
  throw new OutOfBounds(`address 0x${va.toString(16)} is not in the file`);
}

// ---------------------------------------------------------------------------------------------
// the modinfo text

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
  /** 1-based line in the modinfo text */
  line: number;
}

export interface GoModInfo {
  /** the main package's import path (`path` line) */
  path: string | undefined;
  main: GoModule | undefined;
  deps: GoModule[];
  /** `build key=value` settings, in order */
  settings: [string, string][];
  /** lines that are none of the above */
  badLines: number[];
}

/** Parse runtime/debug.BuildInfo's text form (tab-separated), leniently: odd lines are counted, not fatal. */
export function parseModInfo(text: string): GoModInfo {
  const info: GoModInfo = { path: undefined, main: undefined, deps: [], settings: [], badLines: [] };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const word = tab < 0 ? line : line.slice(0, tab);
    const cols = tab < 0 ? [] : line.slice(tab + 1).split('\t');
    const mod = (): GoModule | undefined =>
      cols.length >= 2 && cols.length <= 3 && cols[0]
        ? { path: cols[0], version: cols[1]!, ...(cols[2] ? { sum: cols[2] } : {}), line: i + 1 }
        : undefined;
    switch (word) {
      case 'go':
      case 'path':
        if (word === 'path') info.path = cols.join('\t');
        last = undefined;
        break;
      case 'mod':
      case 'dep': {
        const m = mod();
        if (!m) {
          info.badLines.push(i + 1);
          last = undefined;
          break;
        }
        if (word === 'mod') info.main = m;
        else info.deps.push(m);
        last = m;
        break;
      }
      case '=>': {
        const m = mod();
        if (!m || !last) info.badLines.push(i + 1);
        else last.replace = m;
        last = undefined;
        break;
      }
      case 'build': {
        const kv = cols.join('\t');
        const eq = kv.indexOf('=');
        if (eq <= 0) info.badLines.push(i + 1);
        else info.settings.push([kv.slice(0, eq), kv.slice(eq + 1)]);
        last = undefined;
        break;
      }
      default:
        info.badLines.push(i + 1);
        last = undefined;
    }
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// building the inventory

/** Go's canonical module version: v-prefixed semver (pseudo-versions, +incompatible, +dirty). */
const GO_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;


function buildInventory(bi: GoBuildInfo, file: string): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const info = parseModInfo(bi.modinfo);
  const rootId = `root:${file}`;
  graph.addRoot(rootId, info.main?.path ?? info.path ?? file);
  const where = [{ path: file }];

  const add = (name: string, version: string, direct: boolean): void => {
    let purl: string;
    try {
      purl = goPurl(name, version);
    } catch (e) {
      warnings.push(`${name}@${version}: ${(e as Error).message}; skipped`);
      return;
    }
    const c: Component = { purl, ecosystem: ECOSYSTEM, name, version, scope: 'prod', direct, locations: where };
    graph.add(c);
    graph.addEdge(rootId, purl);
  };

  if (info.main && GO_VERSION.test(info.main.version)) add(info.main.path, info.main.version, true);

  for (const dep of info.deps) {
    const eff = dep.replace ?? dep;
    if (dep.replace && (eff.version === '' || eff.version === '(devel)')) {
      const reason = `replaced by the local directory ${eff.path}; no version`;
      warnings.push(`${dep.path}@${dep.version}: ${reason}`);
      unresolved.push({ name: eff.path, ecosystem: ECOSYSTEM, spec: `${dep.path}@${dep.version}`, reason });
      continue;
    }
    if (!GO_VERSION.test(eff.version)) {
      const reason = `version "${eff.version}" is not a canonical Go module version`;
      warnings.push(`${eff.path}: ${reason}`);
      unresolved.push({ name: eff.path, ecosystem: ECOSYSTEM, spec: eff.version, reason });
      continue;
    }
    add(eff.path, eff.version, false);
  }

  // the standard library at the toolchain's version (`go1.22.5 X:boringcrypto` → 1.22.5), as go-mod.ts writes it
  const std = /^go(\d+(?:\.\d+)*)/.exec(bi.goVersion);
  if (std) {
    const version = std[1]!;
    const purl = buildPurl({ type: 'golang', name: 'stdlib', version });
    graph.add({ purl, ecosystem: ECOSYSTEM, name: 'stdlib', version, scope: 'prod', direct: true, locations: where });
    graph.addEdge(rootId, purl);
  } else {
    warnings.push(`built by a development Go toolchain ("${bi.goVersion}"): the standard library's version is not known`);
  }

  if (!info.main && !info.deps.length) {
    warnings.push('built without module information (GOPATH mode or Go before 1.13): only the standard library is known');
  }
  if (info.badLines.length) {
    warnings.push(`${info.badLines.length} build information line(s) not understood (first: line ${info.badLines[0]})`);
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}
