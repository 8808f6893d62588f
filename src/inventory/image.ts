/**
 * Container images saved as a tar: `docker save` (manifest.json → layer tars) and the OCI image
 * layout (index.json → manifest → layer blobs; also what `docker save` writes since Docker 25),
 * optionally gzip-compressed as a whole. Layers (plain or gzip tar) are applied in order into a
 * temporary folder, with whiteouts honoured (`.wh.<name>` deletes `<name>` from lower layers,
 * `.wh..wh..opq` empties a folder of what lower layers put there); then scanRootfs reads the
 * merged tree and the folder is removed.
 *
 * Defensive:
 * - entries whose path is absolute or has a `..` component are refused with a warning, as is a
 *   symlink whose relative target climbs out of the image root; absolute symlink targets are kept
 *   and, like every path we resolve, are read as if the image root were `/` (resolveInRoot), so no
 *   write or read ever leaves the temporary folder;
 * - only the files some extractor wants (plus os-release and friends) are written by default;
 *   folders and symlinks always are, so the tree keeps its shape;
 * - bounded: bytes written, bytes decompressed, number of entries, size of one file.
 * zstd layers are not supported on Node 20 (a failure naming the layer, the others still apply).
 */
import { createReadStream } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, open, readdir, rm, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { VouchError } from '../model/errors.js';
import type { Extractor } from '../ecosystems/types.js';
import { defaultExtractors } from './extractors.js';
import { resolveInRoot } from '../io/root.js';
import { scanRootfs, type RootfsInventory, type RootfsOptions } from './rootfs.js';
import { readTar } from '../io/tar.js';
import { makeTempDir, removeStaleTempDirs } from '../io/temp.js';

/** Temporary folders of image scans: `vouch-image-<pid>-XXXXXX`. */
export const IMAGE_TMP_PREFIX = 'vouch-image-';

/** Files always written, whatever the extractors want: what tells the distribution and release. */
const RELEASE_FILES = new Set(['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release', 'etc/debian_version', 'etc/lsb-release']);

export interface ImageLimits {
  /** Bytes written into the temporary folder (default 4 GiB). */
  maxWrittenBytes?: number;
  /** Bytes of layer tar read, after decompression (default 64 GiB): stops decompression bombs. */
  maxLayerBytes?: number;
  /** Entries over all layers (default 5 million). */
  maxEntries?: number;
  /** One file (default 512 MiB). */
  maxFileBytes?: number;
}

export interface UnpackOptions extends ImageLimits {
  /** Which regular files (root-relative path, size, permission bits) to write; default: every file. */
  keep?: (rel: string, size: number, mode: number) => boolean;
}

export interface UnpackResult {
  format: 'docker' | 'oci';
  /** Layer paths inside the archive, in the order applied. */
  layers: string[];
  repoTags: string[];
  warnings: string[];
  /** Layers that could not be applied (unsupported compression, broken tar), with the reason. */
  failedLayers: { layer: string; reason: string }[];
  /** Layers not applied and entries refused (unsafe names, links out of the image): the image is `partial`. */
  lost: string[];
}

export interface ImageOptions extends ImageLimits {
  extractors?: readonly Extractor[];
  /** Parent of the temporary folder (default the OS temp folder). */
  tmpDir?: string;
  /** Write every file, not only those an extractor wants (slower; for debugging). */
  writeAll?: boolean;
  /** Passed on to scanRootfs (its displayRoot defaults to `<tarPath>!`). */
  rootfs?: RootfsOptions;
}

export interface ImageInventory extends RootfsInventory {
  image: Omit<UnpackResult, 'warnings' | 'lost'>;
}

/**
 * Scan a container image saved as a tar: unpack its layers into a temporary folder (only the
 * files extractors want), scanRootfs the merged tree, remove the folder. Paths in the result read
 * `<tarPath>!/<path in the image>`. Throws VouchError for an archive that is not an image.
 */
export async function extractImage(tarPath: string, opts: ImageOptions = {}): Promise<ImageInventory> {
  const extractors = opts.extractors ?? defaultExtractors();
  // leftovers of image scans killed with SIGKILL are removed first; this one's folder is removed
  // on SIGINT/SIGTERM/SIGHUP too (io/temp.ts)
  removeStaleTempDirs(IMAGE_TMP_PREFIX, opts.tmpDir);
  const temp = await makeTempDir(IMAGE_TMP_PREFIX, opts.tmpDir);
  const tmp = temp.dir;
  try {
    const root = path.join(tmp, 'rootfs');
    await mkdir(root);
    const keep = opts.writeAll
      ? () => true
      : (rel: string, size: number, mode: number) =>
          RELEASE_FILES.has(rel) ||
          extractors.some((x) => x.wants(path.join(root, rel)) || x.executables?.candidate(path.join(root, rel), size, mode));
    const unpacked = await unpackImage(tarPath, root, { ...opts, keep, scratch: tmp });
    const inv = await scanRootfs(root, extractors, { displayRoot: `${tarPath}!`, ...opts.rootfs });
    const { warnings, lost, ...image } = unpacked;
    return { ...inv, warnings: [...warnings, ...inv.warnings], lost: [...lost, ...inv.lost], image };
  } finally {
    await temp.dispose();
  }
}

interface TarIndexEntry {
  offset: number;
  size: number;
}

/**
 * Apply the layers of the image in `tarPath` into the (empty) folder `dest`. Exposed for tests and
 * for callers that want the merged tree itself.
 */
export async function unpackImage(tarPath: string, dest: string, opts: UnpackOptions & { scratch?: string } = {}): Promise<UnpackResult> {
  let archive = tarPath;
  try {
    if (await isGzip(tarPath, 0)) {
      // `docker save | gzip`: random access needs the plain tar, written to the temporary folder —
      // within the write budget and the space free there, counted before each chunk is written
      const scratch = opts.scratch ?? (await mkdtemp(path.join(tmpdir(), 'vouch-image-')));
      archive = path.join(scratch, 'image.tar');
      const budget = Math.min(opts.maxLayerBytes ?? 64 * 1024 ** 3, opts.maxWrittenBytes ?? DEFAULT_MAX_WRITTEN, await freeBytes(scratch));
      await gunzipTo(tarPath, archive, budget, scratch);
    }
    const index = await indexTar(archive, tarPath);
    const json = async (name: string): Promise<unknown> => {
      const e = index.get(name);
      if (!e) throw new VouchError('INPUT_UNSUPPORTED', `not a container image: ${name} missing`, { path: tarPath });
      if (e.size > 16 * 1024 * 1024) throw new VouchError('INPUT_TOO_LARGE', `${name} is ${e.size} bytes`, { path: tarPath });
      const text = (await readRange(archive, e.offset, e.size)).toString('utf8');
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new VouchError('INPUT_PARSE', `${name}: not valid JSON`, { path: tarPath, cause: err });
      }
    };
    const warnings: string[] = [];
    let format: UnpackResult['format'];
    let layers: string[];
    let repoTags: string[] = [];
    if (index.has('manifest.json')) {
      format = 'docker';
      const m = await json('manifest.json');
      if (!Array.isArray(m) || m.length === 0 || !isObject(m[0]) || !Array.isArray(m[0]['Layers'])) {
        throw new VouchError('INPUT_PARSE', 'manifest.json: expected [{ "Layers": [...] }]', { path: tarPath });
      }
      if (m.length > 1) warnings.push(`the archive holds ${m.length} images; the first (${describeTags(m[0])}) is scanned`);
      layers = (m[0]['Layers'] as unknown[]).map((l) => String(l));
      repoTags = Array.isArray(m[0]['RepoTags']) ? (m[0]['RepoTags'] as unknown[]).map(String) : [];
    } else if (index.has('index.json')) {
      format = 'oci';
      const r = await ociLayers(json, index, await json('index.json'), tarPath, warnings);
      layers = r.layers;
      repoTags = r.tags;
    } else {
      throw new VouchError('INPUT_UNSUPPORTED', 'not a container image (no manifest.json or index.json): save it with `docker save` or as an OCI layout', { path: tarPath });
    }

    const lost: string[] = [];
    // files are written within the budget and the space free where they go, counted before each write
    const room = Math.min(opts.maxWrittenBytes ?? DEFAULT_MAX_WRITTEN, await freeBytes(dest));
    const applier = new LayerApplier(dest, { ...opts, maxWrittenBytes: room }, lost);
    const failedLayers: UnpackResult['failedLayers'] = [];
    for (const layer of layers) {
      const e = index.get(normName(layer));
      if (!e) {
        failedLayers.push({ layer, reason: 'missing from the archive' });
        continue;
      }
      try {
        await applier.apply(archive, e, layer);
      } catch (err) {
        if (!(err instanceof VouchError)) throw err;
        if (err.code === 'INPUT_TOO_LARGE') throw err; // a limit is for the whole image
        failedLayers.push({ layer, reason: err.message });
      }
    }
    applier.summarize();
    for (const f of failedLayers) lost.push(`layer ${f.layer} not applied: ${f.reason}`);
    return { format, layers, repoTags, warnings, failedLayers, lost };
  } finally {
    if (archive !== tarPath && !opts.scratch) await rm(path.dirname(archive), { recursive: true, force: true });
  }
}

function describeTags(m: Record<string, unknown>): string {
  const tags = m['RepoTags'];
  return Array.isArray(tags) && tags.length ? tags.join(', ') : 'untagged';
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** Walk index.json (and nested indexes) to one image manifest; its layer blob paths. */
async function ociLayers(
  json: (name: string) => Promise<unknown>,
  index: Map<string, TarIndexEntry>,
  top: unknown,
  tarPath: string,
  warnings: string[],
): Promise<{ layers: string[]; tags: string[] }> {
  let doc = top;
  const tags: string[] = [];
  for (let depth = 0; depth < 4; depth++) {
    if (!isObject(doc)) break;
    if (Array.isArray(doc['layers'])) {
      return {
        layers: (doc['layers'] as unknown[]).map((l) => {
          if (!isObject(l) || typeof l['digest'] !== 'string') throw new VouchError('INPUT_PARSE', 'OCI manifest: a layer without digest', { path: tarPath });
          return blobPath(l['digest'], tarPath);
        }),
        tags,
      };
    }
    const manifests = Array.isArray(doc['manifests']) ? (doc['manifests'] as unknown[]).filter(isObject) : [];
    // skip attestation manifests (platform unknown/unknown); prefer linux/amd64, else the first
    const images = manifests.filter((m) => !(isObject(m['platform']) && m['platform']['os'] === 'unknown'));
    const pick =
      images.find((m) => isObject(m['platform']) && m['platform']['os'] === 'linux' && m['platform']['architecture'] === 'amd64') ?? images[0];
    if (!pick || typeof pick['digest'] !== 'string') break;
    if (images.length > 1) warnings.push(`the image index lists ${images.length} manifests; ${platformOf(pick)} is scanned`);
    const ann = pick['annotations'];
    if (isObject(ann) && typeof ann['org.opencontainers.image.ref.name'] === 'string') tags.push(ann['org.opencontainers.image.ref.name']);
    const blob = blobPath(pick['digest'], tarPath);
    if (!index.has(blob)) throw new VouchError('INPUT_PARSE', `OCI layout: ${blob} missing`, { path: tarPath });
    doc = await json(blob);
    if (typeof pick['mediaType'] === 'string' && !INDEX_TYPES.has(pick['mediaType']) && !Array.isArray((doc as Record<string, unknown>)['layers'])) break;
  }
  throw new VouchError('INPUT_PARSE', 'OCI layout: no image manifest with layers found from index.json', { path: tarPath });
}

function platformOf(m: Record<string, unknown>): string {
  const p = m['platform'];
  return isObject(p) ? `${String(p['os'])}/${String(p['architecture'])}` : String(m['digest']);
}

function blobPath(digest: string, tarPath: string): string {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m) throw new VouchError('INPUT_PARSE', `OCI layout: bad digest ${JSON.stringify(digest)}`, { path: tarPath });
  return `blobs/${m[1]}/${m[2]}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normName(n: string): string {
  return n.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

/** Name → data offset and size of every regular file of the outer archive (no data read). */
async function indexTar(file: string, display: string): Promise<Map<string, TarIndexEntry>> {
  const out = new Map<string, TarIndexEntry>();
  for await (const e of readTar(createReadStream(file, { highWaterMark: 1024 * 1024 }), { path: display })) {
    if (e.type === 'file') out.set(normName(e.name), { offset: e.offset, size: e.size });
  }
  return out;
}

async function readRange(file: string, offset: number, size: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function isGzip(file: string, offset: number): Promise<boolean> {
  const b = await readRange(file, offset, 2);
  return b.length === 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Default budget of bytes written into the temporary folder (ImageLimits.maxWrittenBytes). */
const DEFAULT_MAX_WRITTEN = 4 * 1024 ** 3;

/** Bytes free for us in the folder's file system, less a tenth kept for everyone else. */
async function freeBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return Math.floor(s.bavail * s.bsize * 0.9);
  } catch {
    return Number.MAX_SAFE_INTEGER; // not known: the other limits apply
  }
}

async function gunzipTo(src: string, dst: string, max: number, tmp: string): Promise<void> {
  let n = 0;
  let limit: VouchError | undefined;
  const gz = createGunzip();
  const fh = await open(dst, 'wx');
  try {
    await pipeline(createReadStream(src), gz, async (chunks: AsyncIterable<Buffer>) => {
      for await (const c of chunks) {
        n += c.length;
        // counted before it is written: the temporary folder never holds more than `max`
        if (n > max) {
          throw (limit = new VouchError('INPUT_TOO_LARGE', `the gzip-compressed image decompresses to more than ${max} bytes (the write budget or the space free in ${tmp}); save it uncompressed (docker save -o image.tar) or free space`, {
            path: src,
          }));
        }
        await fh.write(c);
      }
    });
  } catch (e) {
    if (limit) throw limit; // the pipeline reports it as an abort
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_PARSE', `not a valid gzip file: ${(e as Error).message}`, { path: src, cause: e });
  } finally {
    await fh.close();
  }
}

/** Applies layer tars one after the other into `dest`, keeping the shared counters and warnings. */
class LayerApplier {
  private written = 0;
  private layerBytes = 0;
  private entries = 0;
  private readonly refused = new Map<string, { count: number; first: string }>();

  constructor(
    private readonly dest: string,
    private readonly opts: UnpackOptions,
    /** refused entries, one line per reason: lost */
    private readonly lost: string[],
  ) {}

  private refuse(why: string, name: string): void {
    const r = this.refused.get(why);
    if (r) r.count++;
    else this.refused.set(why, { count: 1, first: name });
  }

  summarize(): void {
    for (const [why, r] of this.refused) {
      this.lost.push(`${r.count} entr${r.count === 1 ? 'y' : 'ies'} refused: ${why} (first: ${JSON.stringify(r.first)})`);
    }
  }

  async apply(archive: string, e: TarIndexEntry, layer: string): Promise<void> {
    const magic = await readRange(archive, e.offset, 4);
    if (magic.length >= 4 && magic[0] === 0x28 && magic[1] === 0xb5 && magic[2] === 0x2f && magic[3] === 0xfd) {
      throw new VouchError('INPUT_UNSUPPORTED', 'zstd-compressed layer (not supported)');
    }
    if (e.size === 0) return;
    const raw = createReadStream(archive, { start: e.offset, end: e.offset + e.size - 1, highWaterMark: 1024 * 1024 });
    let source: AsyncIterable<Buffer> = raw;
    let gunzip: Gunzip | undefined;
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      gunzip = createGunzip();
      const g = gunzip;
      raw.on('error', (err) => g.destroy(err));
      source = raw.pipe(g);
    }
    const counted = this.count(source, layer);
    const maxFile = this.opts.maxFileBytes ?? 512 * 1024 * 1024;
    const maxEntries = this.opts.maxEntries ?? 5_000_000;
    const keep = this.opts.keep ?? (() => true);
    /** real paths this layer created, and their ancestors: an opaque folder keeps them */
    const touched = new Set<string>();
    const touch = (real: string): void => {
      for (let p = real; p.length > this.dest.length && !touched.has(p); p = path.dirname(p)) touched.add(p);
    };
    try {
      const entries = readTar(counted, {
        path: layer,
        maxBodyBytes: maxFile,
        wantBody: (x) => x.type === 'file' && this.wanted(x, keep),
      });
      for await (const x of entries) {
        if (++this.entries > maxEntries) throw new VouchError('INPUT_TOO_LARGE', `more than ${maxEntries} entries in the image's layers`);
        const rel = safeRel(x.name);
        if (rel === undefined) {
          this.refuse(x.name.startsWith('/') ? 'absolute path' : 'path with ".."', x.name);
          continue;
        }
        if (rel === '') continue; // the root itself
        const base = path.posix.basename(rel);
        const dirRel = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
        if (base === '.wh..wh..opq') {
          const dir = await resolveInRoot(this.dest, dirRel);
          if (dir !== undefined) await this.opaque(dir, touched);
          continue;
        }
        if (base.startsWith('.wh.')) {
          const target = await resolveInRoot(this.dest, path.posix.join(dirRel, base.slice(4)), false);
          if (target !== undefined && target !== this.dest && !touched.has(target)) await rm(target, { recursive: true, force: true });
          continue;
        }
        const real = await resolveInRoot(this.dest, rel, false);
        if (real === undefined || real === this.dest) {
          this.refuse('path through a symlink loop', x.name);
          continue;
        }
        const parent = path.dirname(real);
        switch (x.type) {
          case 'dir': {
            const st = await lstat(real).catch(() => undefined);
            if (st && !st.isDirectory()) await rm(real, { recursive: true, force: true });
            if (!st || !st.isDirectory()) await mkdir(real, { recursive: true });
            touch(real);
            break;
          }
          case 'file': {
            await this.replace(real, parent);
            touch(real);
            if (x.body === undefined && (x.size > 0 || !this.wanted(x, keep))) break; // not wanted: the path is cleared, nothing written
            const body = x.body ?? Buffer.alloc(0);
            this.written += body.length;
            const max = this.opts.maxWrittenBytes ?? DEFAULT_MAX_WRITTEN;
            if (this.written > max) throw new VouchError('INPUT_TOO_LARGE', `image files over ${max} bytes (the write budget or the space free in the temporary folder)`);
            // executables keep their x bits (a rootfs walk looks for Go binaries among them); nothing else
            await writeFile(real, body, { flag: 'wx', mode: x.mode & 0o111 ? 0o755 : 0o644 });
            break;
          }
          case 'symlink': {
            if (!x.linkname) {
              this.refuse('symlink without a target', x.name);
              break;
            }
            if (!x.linkname.startsWith('/') && path.posix.normalize(path.posix.join(dirRel, x.linkname)).split('/')[0] === '..') {
              this.refuse('symlink pointing outside the image', `${x.name} -> ${x.linkname}`);
              break;
            }
            await this.replace(real, parent);
            await symlink(x.linkname, real);
            touch(real);
            break;
          }
          case 'hardlink': {
            const from = safeRel(x.linkname);
            if (from === undefined || from === '') {
              this.refuse('hard link to a path outside the image', `${x.name} -> ${x.linkname}`);
              break;
            }
            const src = await resolveInRoot(this.dest, from, false);
            const st = src === undefined ? undefined : await lstat(src).catch(() => undefined);
            await this.replace(real, parent);
            touch(real);
            if (src !== undefined && st?.isFile()) await link(src, real);
            break;
          }
          default:
            break; // devices, fifos: nothing a scanner reads
        }
      }
    } catch (err) {
      if (err instanceof VouchError) throw err;
      throw new VouchError('INPUT_PARSE', `${(err as Error).message}`, { path: layer, cause: err });
    } finally {
      gunzip?.destroy();
      raw.destroy();
    }
  }

  private wanted(x: { name: string; size: number; mode: number }, keep: (rel: string, size: number, mode: number) => boolean): boolean {
    const rel = safeRel(x.name);
    return rel !== undefined && rel !== '' && !path.posix.basename(rel).startsWith('.wh.') && keep(rel, x.size, x.mode);
  }

  /** Clears the way for a new entry at `real` (whatever was there goes) and creates its folder. */
  private async replace(real: string, parent: string): Promise<void> {
    await rm(real, { recursive: true, force: true });
    const st = await stat(parent).catch(() => undefined);
    if (!st?.isDirectory()) {
      if (st) await rm(parent, { recursive: true, force: true });
      await mkdir(parent, { recursive: true });
    }
  }

  /** Empties `dir` of everything this layer did not create. */
  private async opaque(dir: string, touched: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const child = path.join(dir, n);
      if (!touched.has(child)) await rm(child, { recursive: true, force: true });
      else if ((await lstat(child)).isDirectory()) await this.opaque(child, touched);
    }
  }

  /** Counts the bytes a layer yields against the image-wide limit. */
  private async *count(source: AsyncIterable<Buffer>, layer: string): AsyncGenerator<Buffer> {
    const max = this.opts.maxLayerBytes ?? 64 * 1024 ** 3;
    try {
      for await (const c of source) {
        this.layerBytes += c.length;
        if (this.layerBytes > max) throw new VouchError('INPUT_TOO_LARGE', `layers decompress to over ${max} bytes`, { path: layer });
        yield c;
      }
    } catch (err) {
      if (err instanceof VouchError) throw err;
      throw new VouchError('INPUT_PARSE', `cannot read layer: ${(err as Error).message}`, { path: layer, cause: err });
    }
  }
}

/** `./a/b/` → `a/b`; undefined for absolute paths and any `..` component. */
function safeRel(name: string): string | undefined {
  if (name.startsWith('/') || name.includes('\0')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}
