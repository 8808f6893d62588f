/**
 * Turn command-line paths into one dependency graph: directories are walked (skipping
 * node_modules, .git, vendor and other tool folders), files are given to the first extractor
 * that wants them (by name, else by content). Inside a directory one bad file is a reported
 * failure and the rest is scanned; a file named explicitly that cannot be read is an error.
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { lstat } from '../io/fs-async.js';
import { VouchError } from '../model/errors.js';
import { DependencyGraph } from '../model/graph.js';
import type { Extractor } from '../ecosystems/types.js';
import { SKIPPED_DIRS, addInventory, shadowNote, shadowedInput, shadowingSibling } from './common.js';
import { defaultExtractors } from './extractors.js';
import { extractImage } from './image.js';
import { type RootfsInventory, scanRootfs } from './rootfs.js';
import { fileInput, memoryInput } from '../io/input.js';
import type { CollectedInventory, InputStatus, UnlockedManifest } from '../model/inventory.js';
import { lockfileHintFor } from '../ecosystems/index.js';
import { byCodePoint } from '../model/order.js';

export interface CollectOptions {
  extractors?: Extractor[];
  /** Called once per file found, before it is read (progress). */
  onFile?: (path: string) => void;
  /**
   * `--parse-as NAME`: every file named explicitly is read by the extractor whose `parseAs` list
   * holds NAME (else the first that wants a file so named); directories are walked as usual.
   * An unknown NAME is a USAGE error listing the known names.
   */
  parseAs?: string;
  /** `--rootfs DIR`: root filesystems to inventory (OS package databases and everything else found there). */
  rootfs?: readonly string[];
}

/** Every NAME `--parse-as` knows, from the extractors' `parseAs` lists, sorted. */
export function parseAsNames(extractors: readonly Extractor[] = defaultExtractors()): string[] {
  return [...new Set(extractors.flatMap((x) => x.parseAs ?? []))].sort(byCodePoint);
}

/** The extractor for `--parse-as NAME` (see CollectOptions.parseAs). */
export function extractorForParseAs(name: string, extractors: readonly Extractor[] = defaultExtractors()): Extractor {
  const n = name.trim().toLowerCase();
  const listed = (entry: string): boolean => {
    const e = entry.toLowerCase();
    return e === n || (e.startsWith('*') && n.length > e.length - 1 && n.endsWith(e.slice(1)));
  };
  const found = (n && extractors.find((x) => x.parseAs?.some(listed))) || (n && !n.includes('/') ? extractors.find((x) => x.wants(n)) : undefined);
  if (!found) throw new VouchError('USAGE', `--parse-as: unknown format "${name}"; known: ${parseAsNames(extractors).join(', ')}`);
  return found;
}

/** Something must be named: a path or a --rootfs folder (a USAGE error otherwise). */
export function requireInputs(paths: readonly string[], rootfs: readonly string[]): void {
  if (paths.length === 0 && rootfs.length === 0) {
    throw new VouchError('USAGE', 'nothing to read: name a directory, a lockfile, an SBOM, an archive or an image tar, or give --rootfs DIR');
  }
}

export async function collectInventory(paths: readonly string[], opts: CollectOptions = {}): Promise<CollectedInventory> {
  const extractors = opts.extractors ?? defaultExtractors();
  const forced = opts.parseAs === undefined ? undefined : extractorForParseAs(opts.parseAs, extractors);
  const graph = new DependencyGraph();
  const result: CollectedInventory = { graph, inputs: [], unresolved: [] };

  for (const dir of opts.rootfs ?? []) {
    opts.onFile?.(dir);
    mergeCollected(result, dir, await scanRootfs(dir, extractors, { onFile: opts.onFile }));
  }

  for (const p of paths) {
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      throw new VouchError('INPUT_MISSING', `no such file or directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path: p });
    }
    if (st.isDirectory()) {
      const found: { file: string; extractor: Extractor; shadowedBy?: string }[] = [];
      const unreadable: { dir: string; reason: string }[] = [];
      const unlocked: UnlockedManifest[] = [];
      const special: InputStatus[] = [];
      await walk(p, extractors, found, unreadable, unlocked, special);
      result.inputs.push(...special);
      if (unlocked.length) (result.unlocked ??= []).push(...unlocked);
      for (const u of unreadable) {
        result.inputs.push({ path: u.dir, status: 'failed', reason: `${u.dir}: cannot read folder: ${u.reason}`, components: 0, warnings: [] });
      }
      for (const { file, extractor, shadowedBy } of found) {
        opts.onFile?.(file);
        if (shadowedBy !== undefined) {
          // the ecosystem's own tool reads the sibling instead: so does a walk (a file named is read)
          result.inputs.push(shadowedInput(file, extractor, shadowedBy));
          continue;
        }
        try {
          addInventory(result, await extractor.extract(await fileInput(file, { dir: p, mode: 'confine' })));
        } catch (e) {
          if (!(e instanceof VouchError)) throw e;
          result.inputs.push({ path: file, extractor: extractor.id, status: 'failed', reason: e.oneLine(), components: 0, warnings: [] });
        }
      }
    } else if (st.isFile() || st.isSymbolicLink()) {
      opts.onFile?.(p);
      const input = await fileInput(p);
      const extractor = forced ?? extractors.find((x) => x.wants(p, input.size)) ?? sniffExtractor(await readHead(p), extractors);
      if (!extractor && (await looksLikeTar(p))) {
        // a container image saved as a tar (`docker save` or OCI layout): every extractor runs on the merged layers
        mergeCollected(result, p, await extractImage(p, { extractors, rootfs: { onFile: opts.onFile } }));
        continue;
      }
      if (!extractor) {
        const hint = lockfileHintFor(path.basename(p));
        if (hint) {
          throw new VouchError('INPUT_UNSUPPORTED', `a manifest names dependencies without pinning them; write ${hint.hint.lockfiles[0]} with \`${hint.hint.command}\` in its folder, then scan that`, { path: p });
        }
        throw new VouchError('INPUT_UNSUPPORTED', 'not a lockfile or SBOM that vouch reads (see `vouch scan --help` for the formats)', { path: p });
      }
      addInventory(result, await extractor.extract(input));
      const sibling = p.includes('!') ? undefined : shadowingSibling(extractor, p, () => true);
      if (sibling !== undefined && (await isFile(sibling))) {
        result.inputs.at(-1)!.warnings.unshift(`read as named, though ${shadowNote(extractor, sibling)} (a folder scan reads that one)`);
      }
    } else {
      throw new VouchError('INPUT_UNSUPPORTED', 'not a regular file or directory', { path: p });
    }
  }
  return result;
}

/** Fold a whole tree's inventory (a rootfs or an image) into the result; its walk remarks go with its first input. */
function mergeCollected(result: CollectedInventory, label: string, other: RootfsInventory): void {
  if (result.graph.components.size === 0 && result.graph.roots.size === 0) result.graph = other.graph;
  else result.graph.merge(other.graph);
  result.inputs.push(...other.inputs);
  result.unresolved.push(...other.unresolved);
  if (other.lost.length) {
    // what the walk or the unpacking could not read: the tree is partial (exit 2 unless --allow-partial)
    result.inputs.push({ path: label, status: 'partial', lost: [...other.lost], components: 0, warnings: other.warnings });
  } else if (other.warnings.length) {
    result.inputs.push({ path: label, status: 'ok', components: 0, warnings: other.warnings });
  }
}

/** A tar archive: `ustar` at offset 257 of the first header (also true for gzip-free OCI/docker tars). */
async function looksLikeTar(p: string): Promise<boolean> {
  if (/\.(tar\.gz|tgz)$/i.test(p)) return true;
  let fh;
  try {
    fh = await open(p, 'r');
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 257);
    return bytesRead >= 5 && buf.subarray(0, 5).toString('latin1') === 'ustar';
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

async function walk(
  dir: string,
  extractors: readonly Extractor[],
  out: { file: string; extractor: Extractor; shadowedBy?: string }[],
  unreadable: { dir: string; reason: string }[],
  unlocked: UnlockedManifest[],
  special: InputStatus[],
): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    unreadable.push({ dir, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }); // reported, not silently skipped
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) await walk(full, extractors, out, unreadable, unlocked, special);
      else if (e.name === 'node_modules') {
        // an installed tree is not walked, but npm's record of it is read (node_modules/.package-lock.json)
        const hidden = path.join(full, '.package-lock.json');
        const extractor = extractors.find((x) => x.wants(hidden));
        if (extractor && (await isFile(hidden))) out.push({ file: hidden, extractor });
      }
    } else if (e.isFile()) {
      const hint = lockfileHintFor(e.name);
      if (hint && !hint.hint.lockfiles.some((l) => names.has(l))) {
        unlocked.push({ path: full, ecosystem: hint.ecosystem, lockfiles: [...hint.hint.lockfiles], command: hint.hint.command });
      }
      // symlinks are not followed inside a walk: no loops, no escaping the tree
      const extractor = extractors.find((x) => x.wants(full));
      if (!extractor) continue;
      const shadowedBy = shadowingSibling(extractor, full, (name) => entries.some((x) => x.isFile() && x.name === name));
      out.push({ file: full, extractor, ...(shadowedBy ? { shadowedBy } : {}) });
    } else {
      // a symlink, FIFO, socket or device named like a file vouch reads: never read, never passed over in silence
      const full = path.join(dir, e.name);
      const extractor = extractors.find((x) => x.wants(full));
      if (!extractor) continue;
      if (e.isSymbolicLink()) {
        special.push({ path: full, extractor: extractor.id, status: 'ok', components: 0, warnings: ['skipped: a symbolic link (a folder walk does not follow links; name the file to read it)'] });
      } else {
        const kind = e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : 'a device';
        special.push({ path: full, extractor: extractor.id, status: 'failed', reason: `${full}: not a regular file (${kind}): not read`, components: 0, warnings: [] });
      }
    }
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isFile();
  } catch {
    return false;
  }
}

/** The extractor whose content check recognises a file's first bytes (a file named explicitly whose name says nothing). */
function sniffExtractor(head: string, extractors: readonly Extractor[]): Extractor | undefined {
  return extractors.find((x) => x.sniff?.(head));
}

/** Bytes an extractor's `sniff` is shown. */
const HEAD_BYTES = 8192;

/**
 * The inventory of one document given as bytes (an upload): read by the extractor `--parse-as`
 * names (`parseAs`), else the one its file name asks for, else the one that recognises its
 * content — as `vouch scan FILE` chooses for a file named on the command line. A document no
 * extractor reads is INPUT_UNSUPPORTED; one that does not parse throws the extractor's error.
 */
export async function inventoryOfDocument(fileName: string, bytes: Buffer, opts: { parseAs?: string; extractors?: Extractor[] } = {}): Promise<CollectedInventory> {
  const extractors = opts.extractors ?? defaultExtractors();
  const extractor =
    (opts.parseAs !== undefined ? extractorForParseAs(opts.parseAs, extractors) : undefined) ??
    extractors.find((x) => x.wants(fileName, bytes.length)) ??
    sniffExtractor(bytes.subarray(0, HEAD_BYTES).toString('utf8'), extractors);
  if (!extractor) throw new VouchError('INPUT_UNSUPPORTED', 'not a lockfile or SBOM that vouch reads', { path: fileName });
  const result: CollectedInventory = { graph: new DependencyGraph(), inputs: [], unresolved: [] };
  addInventory(result, await extractor.extract(memoryInput(fileName, bytes)));
  return result;
}

async function readHead(p: string): Promise<string> {
  let fh;
  try {
    fh = await open(p, 'r');
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: p, cause: e });
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
