/**
 * Java archives: JAR, WAR, EAR and their kin (`.par`, `.sar`, `.jpi`, `.hpi`, `.lpkg`), with the
 * archives they contain at any depth (`WEB-INF/lib`, `BOOT-INF/lib`, an EAR's `lib/`, jars in jars).
 *
 * Everything is read in memory from the input's bytes; a nested archive's bytes are its parent's
 * inflated entry. Nothing is ever written to disk. Only three kinds of entry are inflated:
 * `META-INF/maven/<g>/<a>/pom.properties`, `META-INF/MANIFEST.MF` and nested archives.
 *
 * Defences: entry names that are absolute or have a `..` segment are ignored with a warning; every
 * entry's declared size is checked against a cap before it is inflated (1 MiB for metadata, 256 MiB
 * for a nested archive), the inflater stops at the declared size (a header that lies about a bomb is
 * caught after a few KiB), the inflated bytes of one input are capped in total (2 GiB) and so is
 * the number of archives opened (10,000); nesting deeper than 8 archives is not opened. A nested
 * archive that is corrupt or truncated, an entry refused or not inflated, a corrupt central
 * directory: each is `lost` (the input is `partial`, a scan exits 2 unless --allow-partial); only an
 * outer input that is not a zip at all is an error (INPUT_PARSE).
 *
 * Identification of each archive, strongest evidence first:
 * 1. every `META-INF/maven/<g>/<a>/pom.properties` (groupId/artifactId/version; a shaded jar has
 *    several, so several components). The one whose artifactId names the file (`x-1.0.jar` → `x`),
 *    or the only one, is the archive itself; the others are what it shades.
 * 2. else `META-INF/MANIFEST.MF`: version from `Implementation-Version` / `Bundle-Version`;
 *    artifactId from the versioned file name, else `Implementation-Title` when it is an identifier;
 *    groupId from `Implementation-Vendor-Id`, else from `Bundle-SymbolicName` only when the symbolic
 *    name is `<group>.<artifactId>` (a symbolic name alone does not say where the group ends:
 *    `org.apache.logging.log4j.core` is log4j-core of group `org.apache.logging.log4j`).
 *    A manifest with a name and a version but no group is listed in `unresolved` with that guess.
 * 3. else the file name (`log4j-core-2.14.1.jar`): advisories are keyed by groupId:artifactId, so
 *    an artifact without its group cannot be matched; it is listed in `unresolved` with the guess.
 *
 * Components are prod (shipped inside the archive). The location path is the evidence:
 * `app.war!/WEB-INF/lib/x.jar!/META-INF/maven/g/a/pom.properties`. Edges follow the nesting: the
 * root (the outer archive) → the outer archive's own component (if it has one) → the components of
 * the archives inside it → …; an archive without an identity of its own is looked through.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import type * as Yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { entryLabel, unsafeEntryPath } from '../../io/zip.js';
import type { Component, Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';

// loaded on first use: scans without Java archives do not pay its start-up
let yauzlLib: typeof Yauzl | undefined;
function yauzl(): typeof Yauzl {
  return (yauzlLib ??= createRequire(import.meta.url)('yauzl') as typeof Yauzl);
}

const ID = 'maven/jar';
const ECOSYSTEM = 'Maven';
export const ARCHIVE_EXTENSIONS = ['jar', 'war', 'ear', 'par', 'sar', 'jpi', 'hpi', 'lpkg'] as const;
const ARCHIVE_RE = new RegExp(`\\.(?:${ARCHIVE_EXTENSIONS.join('|')})$`, 'i');
const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;
const MANIFEST = 'META-INF/MANIFEST.MF';

export interface JarLimits {
  /** Largest metadata entry (pom.properties, MANIFEST.MF) inflated, in bytes. */
  maxMetadataBytes: number;
  /** Largest nested archive inflated, in bytes. */
  maxArchiveBytes: number;
  /** Largest total of inflated bytes for one input. */
  maxTotalBytes: number;
  /** Archives nested deeper than this (the outer one is depth 0) are not opened. */
  maxDepth: number;
  /** Most archives opened for one input. */
  maxArchives: number;
}

export const DEFAULT_JAR_LIMITS: JarLimits = {
  maxMetadataBytes: 1024 * 1024,
  maxArchiveBytes: 256 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxDepth: 8,
  maxArchives: 10_000,
};

export const jarExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ARCHIVE_EXTENSIONS.map((e) => `*.${e}`),

  wants(p: string): boolean {
    return ARCHIVE_RE.test(p);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return scanJar(await input.read(), input.path);
  },
};

/** Reads a Java archive's bytes (`display` is its path in messages and locations). */
export async function scanJar(buf: Buffer, display: string, limits: JarLimits = DEFAULT_JAR_LIMITS): Promise<Inventory> {
  const ctx = new Context(display, limits);
  await scanArchive(ctx, buf, display, 0, ctx.rootId);
  return {
    source: { path: display, extractor: ID },
    graph: ctx.graph,
    unresolved: ctx.unresolved,
    warnings: ctx.warnings,
    ...(ctx.lost.length ? { lost: ctx.lost } : {}),
  };
}

class Context {
  readonly graph = new DependencyGraph();
  readonly unresolved: Inventory['unresolved'] = [];
  readonly warnings: string[] = [];
  /** Entries and nested archives that could not be read: the input is `partial` (exit 2 unless --allow-partial). */
  readonly lost: string[] = [];
  readonly rootId: string;
  inflated = 0;
  archives = 0;
  budgetWarned = false;

  constructor(
    readonly file: string,
    readonly limits: JarLimits,
  ) {
    this.rootId = `root:${file}`;
    this.graph.addRoot(this.rootId, baseName(file));
  }

  link(from: string, to: string): void {
    this.graph.addEdge(from, to);
    if (from === this.rootId) {
      const c = this.graph.components.get(to);
      if (c) c.direct = true;
    }
  }
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(i + 1);
}

interface Identity {
  groupId: string;
  artifactId: string;
  version: string | undefined;
  /** The evidence: `archive!/META-INF/...`. */
  evidence: string;
}

async function scanArchive(ctx: Context, buf: Buffer, display: string, depth: number, parentNode: string): Promise<void> {
  if (++ctx.archives > ctx.limits.maxArchives) {
    if (ctx.archives === ctx.limits.maxArchives + 1) {
      ctx.lost.push(`${display}: more than ${ctx.limits.maxArchives} nested archives; the rest are not opened`);
    }
    return;
  }
  let zip: ZipFile;
  try {
    zip = await yauzl().fromBufferPromise(buf, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false, // names are decoded and checked here
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (e) {
    if (depth === 0) {
      throw new VouchError('INPUT_PARSE', `not a readable zip archive: ${(e as Error).message}`, { path: display, cause: e });
    }
    ctx.lost.push(`${display}: not a readable zip archive (${(e as Error).message}); identified by its file name only`);
    identifyByFileName(ctx, display, depth);
    return;
  }
  try {
    const poms: { g: string; a: string; name: string; data: Buffer }[] = [];
    let manifest: Buffer | undefined;
    const nested: { name: string; entry: Entry }[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        const name = yauzl().getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
        const unsafe = unsafeEntryPath(name);
        if (unsafe) {
          ctx.lost.push(`${entryLabel(display, `/${name}`)}: ${unsafe}; entry ignored`);
          continue;
        }
        if (name.endsWith('/')) continue;
        const pm = POM_PROPERTIES.exec(name);
        if (pm) {
          const data = await readEntry(ctx, zip, buf, entry, display, name, ctx.limits.maxMetadataBytes);
          if (data) poms.push({ g: pm[1]!, a: pm[2]!, name, data });
        } else if (name.toUpperCase() === MANIFEST) {
          manifest = (await readEntry(ctx, zip, buf, entry, display, name, ctx.limits.maxMetadataBytes)) ?? manifest;
        } else if (ARCHIVE_RE.test(name)) {
          nested.push({ name, entry });
        }
      }
    } catch (e) {
      ctx.lost.push(`${display}: corrupt zip archive (${(e as Error).message}); read as far as it goes`);
    }

    const node = identify(ctx, buf, display, depth, parentNode, poms, manifest);

    for (const { name, entry } of nested) {
      const inner = entryLabel(display, `/${name}`); // control characters made visible
      if (depth + 1 > ctx.limits.maxDepth) {
        ctx.lost.push(`${inner}: nested more than ${ctx.limits.maxDepth} archives deep; not opened, identified by its file name only`);
        identifyByFileName(ctx, inner, depth + 1);
        continue;
      }
      const data = await readEntry(ctx, zip, buf, entry, display, name, ctx.limits.maxArchiveBytes);
      if (data === undefined) {
        identifyByFileName(ctx, inner, depth + 1);
        continue;
      }
      if (data.length === 0) continue;
      await scanArchive(ctx, data, inner, depth + 1, node);
    }
  } finally {
    zip.close();
  }
}

/** An entry's inflated bytes, or undefined with a warning saying why not. */
async function readEntry(
  ctx: Context,
  zip: ZipFile,
  buf: Buffer,
  entry: Entry,
  display: string,
  name: string,
  cap: number,
): Promise<Buffer | undefined> {
  const where = entryLabel(display, `/${name}`);
  const skip = (why: string): undefined => {
    ctx.lost.push(`${where}: ${why}; not read`);
    return undefined;
  };
  if (entry.isEncrypted()) return skip('encrypted entry');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    return skip(`unsupported compression method ${entry.compressionMethod}`);
  }
  const declared = entry.uncompressedSize;
  if (declared > cap) return skip(`declares ${declared} bytes uncompressed, over the ${cap}-byte limit`);
  if (entry.compressedSize > cap) return skip(`is ${entry.compressedSize} bytes compressed, over the ${cap}-byte limit`);
  if (ctx.inflated + declared > ctx.limits.maxTotalBytes) {
    if (ctx.budgetWarned) return undefined;
    ctx.budgetWarned = true;
    return skip(`the archive inflates to more than the ${ctx.limits.maxTotalBytes}-byte limit (zip bomb?); this and later entries`);
  }
  if (declared === 0) return Buffer.alloc(0);
  let raw: Buffer;
  try {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    const end = fileDataStart + entry.compressedSize;
    if (end > buf.length) return skip('entry data runs past the end of the archive (truncated?)');
    raw = buf.subarray(fileDataStart, end);
  } catch (e) {
    return skip(`unreadable entry (${(e as Error).message})`);
  }
  let data: Buffer;
  if (entry.compressionMethod === 0) {
    data = raw;
  } else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: declared });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return skip(`inflates to more than the ${declared} bytes its header declares (zip bomb?)`);
      }
      return skip(`corrupt compressed data (${(e as Error).message})`);
    }
  }
  ctx.inflated += data.length;
  if (data.length !== declared) return skip(`inflated to ${data.length} bytes, its header declares ${declared}`);
  return data;
}

// ---------------------------------------------------------------------------------------------
// identification

/** Java `.properties`: `key=value` / `key: value` / `key value`, `#`/`!` comments, `\` continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^=:\s\\])*)[ \t\f]*[=: \t\f]?[ \t\f]*(.*)$/.exec(line);
    if (!m) continue;
    const unescape = (s: string): string =>
      s.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_w, hex: string | undefined, ch: string | undefined) => {
        if (hex) return String.fromCharCode(parseInt(hex, 16));
        return ch === 't' ? '\t' : ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch === 'f' ? '\f' : (ch ?? '');
      });
    out.set(unescape(m[1]!), unescape(m[2]!).trim());
  }
  return out;
}

/** The main section of a MANIFEST.MF (attributes before the first blank line; continuation lines joined). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last !== undefined) {
      out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

/** `log4j-core-2.14.1.jar` → { artifactId: 'log4j-core', version: '2.14.1' }. */
export function nameFromFile(file: string): { artifactId: string; version?: string } | undefined {
  const stem = baseName(file).replace(ARCHIVE_RE, '');
  if (!stem) return undefined;
  const m = /^(.+?)-(\d[0-9A-Za-z.+_-]*)$/.exec(stem);
  return m ? { artifactId: m[1]!, version: m[2]! } : { artifactId: stem };
}

const usableVersion = (v: string | undefined): string | undefined =>
  v && !v.includes('${') && versioning.parse(v) !== undefined ? v : undefined;

/** Adds the archive's components; returns the graph node its nested archives hang from. */
function identify(
  ctx: Context,
  buf: Buffer,
  display: string,
  depth: number,
  parentNode: string,
  poms: { g: string; a: string; name: string; data: Buffer }[],
  manifestBytes: Buffer | undefined,
): string {
  const file = nameFromFile(display);
  const ids: Identity[] = poms.map((p) => {
    const props = parseProperties(p.data.toString('utf8'));
    return {
      groupId: props.get('groupId') || p.g,
      artifactId: props.get('artifactId') || p.a,
      version: props.get('version') || undefined,
      evidence: entryLabel(display, `/${p.name}`),
    };
  });
  let main: Identity | undefined;
  if (ids.length) {
    main = ids.find((i) => i.artifactId === file?.artifactId) ?? (ids.length === 1 ? ids[0] : undefined);
  } else if (manifestBytes) {
    const mf = parseManifest(manifestBytes.toString('utf8'));
    const version = usableVersion(mf.get('Implementation-Version')) ?? usableVersion(mf.get('Bundle-Version'));
    const title = mf.get('Implementation-Title');
    const bsn = mf.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
    const artifactId = file?.version ? file.artifactId : title && /^[A-Za-z0-9._-]+$/.test(title) ? title : undefined;
    let groupId = mf.get('Implementation-Vendor-Id')?.trim() || undefined;
    if (!groupId && bsn && artifactId && bsn.endsWith(`.${artifactId}`)) groupId = bsn.slice(0, -artifactId.length - 1);
    if (groupId && artifactId && version) {
      main = { groupId, artifactId, version, evidence: `${display}!/${MANIFEST}` };
      ids.push(main);
    } else if (version && (bsn || artifactId)) {
      // a name and a version, but no group: the guess is reported, not matched
      ctx.unresolved.push({
        name: groupId ? `${groupId}:${artifactId ?? bsn}` : (bsn ?? artifactId)!,
        ecosystem: ECOSYSTEM,
        spec: version,
        reason: `${display}!/${MANIFEST}: names ${bsn ? `Bundle-SymbolicName ${bsn}` : `artifact ${artifactId}`} ${version} but not its groupId:artifactId, so advisories cannot be matched`,
      });
      return parentNode;
    }
  }
  if (!ids.length) {
    identifyByFileName(ctx, display, depth);
    return parentNode;
  }
  const hashes = main ? archiveHashes(buf) : [];
  const mainPurl = main ? addComponent(ctx, main, hashes) : undefined;
  if (mainPurl) ctx.link(parentNode, mainPurl);
  const from = mainPurl ?? parentNode;
  for (const id of ids) {
    if (id === main) continue;
    const purl = addComponent(ctx, id, []);
    if (purl) ctx.link(from, purl);
  }
  return from;
}

function archiveHashes(buf: Buffer): Hash[] {
  return [
    { alg: 'sha1', value: createHash('sha1').update(buf).digest('hex') },
    { alg: 'sha256', value: createHash('sha256').update(buf).digest('hex') },
  ];
}

function addComponent(ctx: Context, id: Identity, hashes: Hash[]): string | undefined {
  const name = `${id.groupId}:${id.artifactId}`;
  const version = usableVersion(id.version);
  if (!version) {
    ctx.unresolved.push({
      name,
      ecosystem: ECOSYSTEM,
      ...(id.version !== undefined ? { spec: id.version } : {}),
      reason: `${id.evidence}: ${id.version === undefined ? 'no version' : `"${id.version}" is not a Maven version`}`,
    });
    return undefined;
  }
  let purl: string;
  try {
    purl = buildPurl({ type: 'maven', namespace: id.groupId, name: id.artifactId, version });
  } catch (e) {
    ctx.warnings.push(`${id.evidence}: ${name}@${version}: ${(e as Error).message}; skipped`);
    return undefined;
  }
  const c: Component = {
    purl,
    ecosystem: ECOSYSTEM,
    name,
    version,
    scope: 'prod',
    direct: false,
    ...(hashes.length ? { hashes } : {}),
    locations: [{ path: id.evidence }],
  };
  ctx.graph.add(c);
  return purl;
}

function identifyByFileName(ctx: Context, display: string, depth: number): void {
  const file = nameFromFile(display);
  if (file?.version) {
    ctx.unresolved.push({
      name: file.artifactId,
      ecosystem: ECOSYSTEM,
      spec: file.version,
      reason: `${display}: identified by its file name only (no pom.properties or usable MANIFEST.MF): the groupId is unknown, so advisories cannot be matched`,
    });
  } else if (depth > 0) {
    ctx.warnings.push(`${display}: not identified (no pom.properties, no usable MANIFEST.MF, no version in the file name)`);
  }
}
