/** What an extractor returns for one input file, and the file abstraction extractors read from. */
import type { DependencyGraph } from './graph.js';

export interface InputFile {
  /** Display path: as given on the command line, or `archive.jar!/inner/path` inside an archive. */
  readonly path: string;
  readonly size: number;
  read(): Promise<Buffer>;
}

/** What one extractor found in one file. */
export interface Inventory {
  /** The file and the extractor that read it. */
  readonly source: { path: string; extractor: string };
  /** Components, edges and the root id(s) standing for the file's project or document. */
  readonly graph: DependencyGraph;
  /** Packages the file names but does not pin (e.g. an unpinned requirement): reported, never invented. */
  readonly unresolved: { name: string; ecosystem?: string; spec?: string; line?: number; reason: string }[];
  /** Non-fatal remarks (e.g. "component without version skipped at $.components[3]"). */
  readonly warnings: string[];
}

export interface InputStatus {
  path: string;
  extractor?: string;
  status: 'ok' | 'failed';
  /** One-line reason when failed. */
  reason?: string;
  components: number;
  warnings: string[];
}

export interface CollectedInventory {
  /** Every input's components and edges, merged. */
  graph: DependencyGraph;
  inputs: InputStatus[];
  unresolved: (Inventory['unresolved'][number] & { path: string })[];
}
