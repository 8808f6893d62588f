/** What an extractor returns for one input file, and the file abstraction extractors read from. */
import type { DependencyGraph } from './graph.js';

export interface InputFile {
  /** Display path: as given on the command line, or `archive.jar!/inner/path` inside an archive. */
  readonly path: string;
  readonly size: number;
  /**
   * The tree the file was found in, for files read beside it (io/input.ts readBeside): an image
   * or root filesystem is a `chroot` (links resolved as if it were `/`), a walked folder
   * `confine`s (links followed only while they stay inside). Absent: a file named by the user.
   */
  readonly root?: InputRoot;
  /** The whole file (refused over io/input.ts MAX_INPUT_BYTES). */
  read(): Promise<Buffer>;
  /**
   * The file in chunks, for a reader that parses as it reads (a JSON SBOM too large for one
   * string, up to MAX_STREAM_INPUT_BYTES). Absent for inputs held in memory.
   */
  stream?(): AsyncIterable<Buffer>;
}

export interface InputRoot {
  readonly dir: string;
  readonly mode: 'chroot' | 'confine';
}

/** What one extractor found in one file. */
export interface Inventory {
  /** The file and the extractor that read it. */
  readonly source: { path: string; extractor: string };
  /** Components, edges and the root id(s) standing for the file's project or document. */
  readonly graph: DependencyGraph;
  /** Packages the file names but does not pin (e.g. an unpinned requirement): reported, never invented. */
  readonly unresolved: { name: string; ecosystem?: string; spec?: string; line?: number; reason: string }[];
  /** Non-fatal remarks that lose nothing (e.g. "no package.json beside the lockfile: scopes unknown"). */
  readonly warnings: string[];
  /**
   * What the file holds but could not be read — a package, an entry, a nested archive — one line
   * each with its position: the input is then `partial`, and a scan exits 2 unless --allow-partial.
   */
  readonly lost?: readonly string[];
}

export interface InputStatus {
  path: string;
  extractor?: string;
  /** `partial`: read, but some of what it holds could not be (`lost`); `failed`: not read at all (`reason`). */
  status: 'ok' | 'partial' | 'failed';
  /** One-line reason when failed. */
  reason?: string;
  /** Since 1.3: what could not be read, one line each with its position (status `partial`). */
  lost?: string[];
  components: number;
  warnings: string[];
}

export interface CollectedInventory {
  /** Every input's components and edges, merged. */
  graph: DependencyGraph;
  inputs: InputStatus[];
  unresolved: (Inventory['unresolved'][number] & { path: string })[];
  /** Manifests found with none of their lockfiles beside them: not read, named with the command that locks them. */
  unlocked?: UnlockedManifest[];
}

/** A manifest a walk found with no lockfile beside it (src/ecosystems/types.ts LockfileHint). */
export interface UnlockedManifest {
  path: string;
  ecosystem: string;
  /** The lockfiles any of which would be read. */
  lockfiles: string[];
  /** The command that writes one, run in the manifest's folder. */
  command: string;
}
