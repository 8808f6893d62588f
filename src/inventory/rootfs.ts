/**
 * Scan a root file system (a mounted disk, a container's merged layers, or `/` itself): walk the
 * tree defensively and give every file an extractor wants to that extractor — OS package
 * databases (dpkg, apk), language lockfiles and installed package metadata alike — and every
 * executable that an extractor's `executables.probe` recognises (Go binaries).
 *
 * Defensive walk: symlinks are never followed (neither to files nor to folders), `proc`, `sys`
 * and `dev` at the root are skipped, VCS metadata and installed dependency trees are skipped as
 * in a directory scan, depth and the number of files read are bounded. One file that cannot be
 * read or parsed is a `failed` entry in `inputs`, never an abort.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../model/errors.js';
import { DependencyGraph } from '../model/graph.js';
import type { Inventory } from '../model/inventory.js';
import type { Extractor } from '../ecosystems/types.js';
import type { CollectedInventory } from '../model/inventory.js';
import { fileInput } from '../io/input.js';
import { resolveInRoot } from '../io/root.js';
import { SKIPPED_DIRS, addInventory, shadowedInput, shadowingSibling } from './common.js';

/** Root-level folders that are kernel or device views, not files. */
const SKIPPED_AT_ROOT = ['proc', 'sys', 'dev'];

export interface RootfsOptions {
  /** Walk only these root-relative folders (e.g. `['var/lib/dpkg', 'etc']`); default: the whole tree. */
  only?: readonly string[];
  /** Root-relative folders never entered, besides `proc`, `sys` and `dev`. */
  skip?: readonly string[];
  /** Folder depth below the root that is still entered (default 48). */
  maxDepth?: number;
  /** Most files handed to extractors (default 100,000); the rest is skipped with a warning. */
  maxFiles?: number;
  /**
   * How paths are reported: `<displayRoot>/<root-relative path>` (e.g. `image.tar!` for an image
   * unpacked into a temporary folder). Default: the real path.
   */
  displayRoot?: string;
  /** Called once per file found, before it is read (progress). */
  onFile?: (path: string) => void;
}

export interface RootfsInventory extends CollectedInventory {
  /** Remarks about the walk itself that lose nothing (links leading nowhere). */
  warnings: string[];
  /**
   * What the walk could not read — folders deeper than the limit, unreadable folders, files past
   * the file limit (and, for an image, layers not applied and entries refused): the tree is then a
   * `partial` input, and a scan exits 2 unless --allow-partial.
   */
  lost: string[];
}

export async function scanRootfs(dir: string, extractors: readonly Extractor[], opts: RootfsOptions = {}): Promise<RootfsInventory> {
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `no such directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path: dir });
  }
  if (!st.isDirectory()) throw new VouchError('INPUT_UNSUPPORTED', 'not a directory', { path: dir });

  const root = path.resolve(dir);
  const maxDepth = opts.maxDepth ?? 48;
  const maxFiles = opts.maxFiles ?? 100_000;
  const skip = new Set([...SKIPPED_AT_ROOT, ...(opts.skip ?? [])].map((s) => normRel(s)));
  const result: RootfsInventory = { graph: new DependencyGraph(), inputs: [], unresolved: [], warnings: [], lost: [] };
  let found: { file: string; extractor: Extractor; shadowedBy?: string; viaLink?: boolean }[] = [];
  const state = { unreadable: 0, tooDeep: 0, tooMany: 0, dangling: 0 };
  const refused: { file: string; extractor: Extractor; reason: string }[] = [];

  const starts = opts.only?.length ? opts.only.map(normRel) : [''];
  for (const rel of [...new Set(starts)].sort()) {
    // the start folders themselves are not followed through symlinks either
    if (rel !== '' && !(await isRealDir(root, rel))) continue;
    if (starts.some((s) => s !== rel && s !== '' && rel.startsWith(`${s}/`))) continue; // nested in another start
    const executables = extractors.filter((x) => x.executables);
    await walk(root, rel, rel === '' ? 0 : rel.split('/').length, { extractors, executables, skip, maxDepth, maxFiles, found, refused, state });
  }
  if (state.unreadable) result.lost.push(`${state.unreadable} folder(s) could not be read and were skipped`);
  if (state.tooDeep) result.lost.push(`${state.tooDeep} folder(s) deeper than ${maxDepth} levels were not entered`);
  if (state.dangling) result.warnings.push(`${state.dangling} symbolic link(s) named like a file vouch reads lead nowhere inside the root (not read)`);
  if (state.tooMany) result.lost.push(`file limit (${maxFiles}) reached: ${state.tooMany} more file(s) were not read`);

  // a file reached through a link (/usr/share/java/x.jar → x-1.2.jar) is read once: not again
  // when the walk meets it itself, nor once per link
  const direct = new Set(found.filter((f) => !f.viaLink).map((f) => f.file));
  const seenLinks = new Set<string>();
  found = found.filter((f) => !f.viaLink || (!direct.has(f.file) && !seenLinks.has(f.file) && seenLinks.add(f.file)));
  const show = opts.displayRoot === undefined ? (s: string) => s : relabeller(root, opts.displayRoot);
  for (const r of refused) {
    result.inputs.push({ path: show(r.file), extractor: r.extractor.id, status: 'failed', reason: `${show(r.file)}: ${r.reason}`, components: 0, warnings: [] });
  }
  for (const { file, extractor, shadowedBy } of found) {
    opts.onFile?.(show(file));
    if (shadowedBy !== undefined) {
      result.inputs.push(shadowedInput(show(file), extractor, show(shadowedBy)));
      continue;
    }
    try {
      addInventory(result, relabel(await extractor.extract(await fileInput(file, { dir: root, mode: 'chroot' })), show));
    } catch (e) {
      // a file that cannot be read is that input's failure; anything else thrown is a bug (exit 70)
      if (!(e instanceof VouchError)) throw e;
      result.inputs.push({ path: show(file), extractor: extractor.id, status: 'failed', reason: show(e.oneLine()), components: 0, warnings: [] });
    }
  }
  return result;
}

interface WalkCtx {
  extractors: readonly Extractor[];
  /** extractors that find executables by probing them (Go binaries) */
  executables: readonly Extractor[];
  skip: ReadonlySet<string>;
  maxDepth: number;
  maxFiles: number;
  found: { file: string; extractor: Extractor; shadowedBy?: string; viaLink?: boolean }[];
  /** files an extractor wants that are not regular files: reported as failed inputs, never read */
  refused: { file: string; extractor: Extractor; reason: string }[];
  state: { unreadable: number; tooDeep: number; tooMany: number; dangling: number };
}

async function walk(root: string, rel: string, depth: number, ctx: WalkCtx): Promise<void> {
  const dir = rel === '' ? root : path.join(root, rel);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    ctx.state.unreadable++;
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name) || ctx.skip.has(childRel)) continue;
      if (depth + 1 > ctx.maxDepth) {
        ctx.state.tooDeep++;
        continue;
      }
      await walk(root, childRel, depth + 1, ctx);
    } else if (e.isFile()) {
      // symlinks, sockets, devices: never read
      const full = path.join(root, childRel);
      let extractor = ctx.extractors.find((x) => x.wants(full));
      if (!extractor && ctx.executables.length && mayBeExecutable(e.name)) {
        const st = await lstat(full).catch(() => undefined);
        if (st?.isFile()) {
          const x = ctx.executables.find((y) => y.executables!.candidate(full, st.size, st.mode));
          // probed here (a few KiB) so that only real matches count toward the file limit
          if (x && (await x.executables!.probe(full))) extractor = x;
        }
      }
      if (!extractor) continue;
      if (ctx.found.length >= ctx.maxFiles) ctx.state.tooMany++;
      else {
        const shadowedBy = shadowingSibling(extractor, full, (name) => entries.some((x) => x.isFile() && x.name === name));
        ctx.found.push({ file: full, extractor, ...(shadowedBy ? { shadowedBy } : {}) });
      }
    } else {
      // a symlink, FIFO, socket or device an extractor wants (var/lib/dpkg/status as a link or a
      // FIFO): never silently passed over. A link is resolved inside the root, as if it were `/`.
      const full = path.join(root, childRel);
      const extractor = ctx.extractors.find((x) => x.wants(full));
      if (!extractor) continue;
      if (!e.isSymbolicLink()) {
        ctx.refused.push({ file: full, extractor, reason: `not a regular file (${e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : 'a device'}): not read` });
        continue;
      }
      const real = await resolveInRoot(root, childRel);
      const st = real === undefined ? undefined : await stat(real).catch(() => undefined);
      if (real === undefined) ctx.refused.push({ file: full, extractor, reason: 'a loop of symbolic links: not read' });
      else if (!st) ctx.state.dangling++; // nothing to read: counted in the walk's warnings
      else if (!st.isFile()) ctx.refused.push({ file: full, extractor, reason: `a symbolic link to something that is not a regular file: not read` });
      else if (ctx.found.length >= ctx.maxFiles) ctx.state.tooMany++;
      else ctx.found.push({ file: real, extractor, viaLink: true });
    }
  }
}

/** Executables have no extension (or `.exe`) and are not hidden: the rest is never lstat-ed. */
function mayBeExecutable(name: string): boolean {
  if (name.startsWith('.')) return false;
  const dot = name.lastIndexOf('.');
  return dot <= 0 || name.slice(dot + 1).toLowerCase() === 'exe';
}

/** `<root>/x/y` → `<displayRoot>/x/y`, wherever the real root appears in a string. */
function relabeller(root: string, displayRoot: string): (s: string) => string {
  const from = root.endsWith(path.sep) ? root.slice(0, -1) : root;
  const to = displayRoot.endsWith('/') ? displayRoot.slice(0, -1) : displayRoot;
  return (s) => (s.includes(from) ? s.split(from).join(to) : s);
}

/** The inventory with every path (root ids and labels, locations, warnings) relabelled. */
function relabel(inv: Inventory, show: (s: string) => string): Inventory {
  if (show(inv.source.path) === inv.source.path) return inv;
  const graph = new DependencyGraph();
  for (const [id, label] of inv.graph.roots) graph.addRoot(show(id), show(label));
  for (const c of inv.graph.components.values()) graph.add({ ...c, locations: c.locations.map((l) => ({ ...l, path: show(l.path) })) });
  for (const [from, tos] of inv.graph.edges) for (const to of tos) graph.addEdge(show(from), show(to));
  return {
    source: { path: show(inv.source.path), extractor: inv.source.extractor },
    graph,
    unresolved: inv.unresolved.map((u) => ({ ...u, reason: show(u.reason) })),
    warnings: inv.warnings.map(show),
  };
}

function normRel(p: string): string {
  return p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** A real (not symlinked) folder at every step from the root to `rel`. */
async function isRealDir(root: string, rel: string): Promise<boolean> {
  let cur = root;
  for (const part of rel.split('/')) {
    if (part === '..') return false;
    cur = path.join(cur, part);
    try {
      if (!(await lstat(cur)).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}
