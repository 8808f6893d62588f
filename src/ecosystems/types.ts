/** The ecosystem plug-in (ARCHITECTURE.md): every ecosystem exports one `Ecosystem` object from its folder. */
import type { Advisory } from '../model/advisory.js';
import type { AdvisoryOracle, FixPlan, MaxBump, Strategy } from '../model/fix.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import type { PurlParts } from '../model/purl.js';

/** An opaque parsed version; only the ecosystem's own Versioning understands it. */
export type ParsedVersion = unknown;

export interface Versioning {
  /** undefined = not a version of this ecosystem. */
  parse(version: string): ParsedVersion | undefined;
  /** The ecosystem's own total order. Throws VouchError(INPUT_PARSE) when either side does not parse. */
  compare(a: string, b: string): number;
}

export interface Extractor {
  readonly id: string; // "npm/package-lock"
  readonly needs: { network: boolean; runsCode: boolean };
  /**
   * The usual file names of the format(s) this extractor reads (`package-lock.json`, `yarn.lock`,
   * `dpkg-status` ...): `--parse-as NAME` picks the extractor whose list holds NAME.
   */
  readonly parseAs?: readonly string[];
  /** Cheap filter on the file name (and size): no I/O. */
  wants(path: string, size?: number): boolean;
  /**
   * Optional content check for a file named on the command line whose name says nothing
   * (e.g. `my-sbom.json`): given the first few KiB as text, does this extractor read it?
   */
  sniff?(head: string): boolean;
  /**
   * Optional, for formats that are executables rather than named files (Go binaries): how a
   * root-filesystem or image walk finds them. `candidate` is a cheap filter on the path, size and
   * permission bits (no I/O); `probe` reads a few KiB to say whether the file is really one. Only
   * rootfs and image scans use it: a directory scan of a source tree does not read executables.
   */
  readonly executables?: {
    candidate(path: string, size: number, mode: number): boolean;
    probe(path: string): Promise<boolean>;
  };
  /**
   * Optional: the name of a sibling file the ecosystem's own tool reads instead of this one when
   * both are in a folder (npm reads npm-shrinkwrap.json over package-lock.json). A directory walk
   * then skips this file, saying why; a file the user names is read all the same, with a note.
   */
  shadowedBy?(path: string): string | undefined;
  extract(input: InputFile): Promise<Inventory>;
}

export interface Ecosystem {
  /** OSV ecosystem name: "npm", "PyPI", "Maven", "crates.io" ... */
  readonly osvName: string;
  /** purl type: "npm", "pypi", "maven", "cargo" ... */
  readonly purlType: string;
  /**
   * How the ecosystem's package name splits into purl namespace and name: npm `@scope/name` and
   * Go/Packagist paths split at the last '/', Maven `group:artifact` at ':'; none = no namespace.
   */
  readonly purlNamespaceSeparator?: '/' | ':';
  /** The name as compared when matching advisories: PEP 503 for PyPI, case rules per ecosystem. */
  normalizeName(name: string): string;
  /**
   * Optional: can `name` be a package's name here? (PEP 508 for PyPI; npm's `@scope/name`.) Used
   * where a reader may have kept a path or URL as a name for want of one; absent: any name is.
   */
  isPackageName?(name: string): boolean;
  readonly versioning: Versioning;
  readonly extractors: readonly Extractor[];
  /**
   * Optional, for a package read back from an SBOM: what its purl says beyond type, name and
   * version — the OS release in `distro` (`Debian:12` rather than every Debian release) and the
   * source package in `upstream`, which OS advisories are published for. Undefined fields: nothing.
   */
  fromPurl?(parts: PurlParts): PurlIdentity;
  /** Optional: `vouch fix` support (see Fixer). */
  readonly fixer?: Fixer;
  /**
   * Optional: manifests that name dependencies without pinning them, with the lockfiles that would
   * pin them and the one command that writes one. A folder walk that finds such a manifest with none
   * of its lockfiles beside it names it in the output, with the command, instead of passing over it.
   */
  readonly lockfileHints?: readonly LockfileHint[];
}

export interface LockfileHint {
  /** The manifest's file name (`package.json`), or a suffix starting with `*` (`*.csproj`). */
  manifest: string;
  /** Any of these beside it means the project is locked. */
  lockfiles: readonly string[];
  /** The command that writes the lockfile, run in the manifest's folder. */
  command: string;
}

/** What `Ecosystem.fromPurl` reads from a purl. */
export interface PurlIdentity {
  /** The OSV ecosystem with its release, e.g. `Debian:12`, `Alpine:v3.19`. */
  ecosystem?: string;
  advisoryName?: string;
  advisoryVersion?: string;
}

/**
 * Fix support of an ecosystem (`vouch fix`, docs/fix.md): which projects it plans, how it plans the
 * smallest changes that remove known advisories, and how such a plan is carried out. Everything
 * that is the same for every ecosystem is src/remediate's, which drives the fixer:
 *
 * 1. `resolveTarget` asks every registered fixer to `detect` what a path holds; a folder holding
 *    several projects is planned from one whose lockfile is there, else the first in registry order;
 * 2. `plan` reads the project and plans, asking `ctx.oracle` (never the store) which advisories
 *    affect a version; remediate then ranks the steps and matches the containment playbook
 *    against `found()`;
 * 3. to apply, remediate returns early when there is no step, else calls `apply.check`, backs up
 *    `apply.files` (in memory and in a temporary folder that survives a crash), writes
 *    `apply.edits` atomically, runs `apply.relock`, compares `apply.rescan()` with `findings()`,
 *    and on any failure, a new advisory or Ctrl-C (`ctx.signal`) writes every file back byte for
 *    byte and removes `apply.leftovers`. Without `relock`, the steps' `command`s are printed for
 *    the user to run instead, and only steps that change a file count as applied.
 *
 * A fixer never prints and never asks the user anything; it throws VouchError (file:line) on bad
 * input. Shared building blocks: ecosystems/shared/fix/ (the line-edit planner for manifests that
 * pin versions, the lockfile planner and its constraint dialects, `fixerOf` to join several kinds).
 */
export interface Fixer {
  /**
   * The manifests this fixer edits, each with the lockfiles it plans from (none: the manifest pins
   * its versions itself, like requirements.txt or go.mod). Listed by `vouch fix --help` and the
   * error for a folder nothing can be planned in.
   */
  readonly manifests: readonly FixManifest[];
  /**
   * What this fixer plans at `at`: a folder named on the command line (`file` undefined), or a
   * file (`file` as given, `dir` its folder). Undefined when nothing there is its own. Looks only
   * at names and which files exist (no parsing). Paths in the target are built from `at` as given
   * (relative stays relative): plans print them.
   */
  detect(at: { dir: string; file?: string }): Omit<FixTarget, 'ecosystem'> | undefined;
  /** Reads the project and plans it. Throws VouchError on bad input, naming the file and line. */
  plan(target: FixTarget, ctx: FixContext): Promise<FixerPlan>;
}

export interface FixManifest {
  /** The file a plan edits: `package.json`, `pyproject.toml`, `requirements.txt`, `go.mod` ... */
  name: string;
  /** The lockfiles it is planned from, preferred first; empty when the manifest pins versions itself. */
  lockfiles: readonly string[];
}

/** A project a fixer plans (what `Fixer.detect` found). */
export interface FixTarget {
  /** The OSV name of the ecosystem whose fixer found it (set by remediate). */
  ecosystem: string;
  /** What is planned there, one of the fixer's own: `npm`, `yarn`, `pnpm`, `poetry`, `uv`, `requirements`, `go.mod` ... */
  kind: string;
  /** The project folder, as given. */
  dir: string;
  /** The manifest the plan edits. */
  manifest: string;
  /** The lockfile the plan reads, when it is there. */
  lockfile?: string;
}

/** What remediate hands a fixer. */
export interface FixContext {
  /** The ecosystem the fixer belongs to (its name rules and version order). */
  ecosystem: Ecosystem;
  /** Which advisories affect a version (the store, through the scan's matcher). */
  oracle: AdvisoryOracle;
  /** The strategies allowed (`--strategy`) and the largest semver change a step may make (`--max-bump`). */
  strategies: ReadonlySet<Strategy>;
  maxBump: MaxBump;
  /** Recorded registry metadata to read instead of the registry (npm: packuments `<dir>/<name>.json`). */
  metadataDir?: string;
  /** The vouch home folder: registry caches live below it. */
  home: string;
  /** Runs the ecosystem's own tool (npm, yarn, pnpm ...); tests inject one. Default: the tool found on PATH. */
  runner?: ToolRunner;
  /** Aborted on Ctrl-C: a relock stops and the project is restored. */
  signal?: AbortSignal;
}

/** A fixer's plan, and what carrying it out takes. */
export interface FixerPlan {
  /** Steps in any order (remediate ranks them); `containment` empty (remediate fills it). */
  plan: FixPlan;
  /** The (package, advisory) pairs the project has now, in the order found: the containment playbook is matched against them. */
  found(): { package: string; advisory: Advisory }[];
  /** The `name@version advisory` pairs the project has now, sorted: the `before` of an apply. */
  findings(): string[];
  apply: FixApplication;
}

/** How a plan is carried out; remediate does the backup, the writes, the checks and the restore. Each hook gets the plan ranked. */
export interface FixApplication {
  /**
   * Every file the apply may change, backed up and restored byte for byte on failure: the manifest
   * first (a failure says `<manifest> restored`, or `<manifest> and the lockfile restored` when there
   * are more), the file the rescan reads last (a new advisory is reported against it).
   */
  files: readonly string[];
  /** Files a failed relock may leave behind (`yarn-error.log`): removed on restore when they were not there before. */
  leftovers?: readonly string[];
  /** Before anything is touched: throws when the plan cannot be applied here (its tool is missing); may add warnings to `plan`. */
  check?(plan: FixPlan): Promise<void>;
  /** The new text of each file the plan edits (only the files that change). */
  edits(plan: FixPlan): { file: string; text: string }[];
  /** Regenerates the lockfile with the ecosystem's tool after the edits (stopping when `ctx.signal` aborts); absent when vouch leaves that to the user (the steps' `command`). */
  relock?(plan: FixPlan): Promise<void>;
  /** The `name@version advisory` pairs after the change, sorted; absent when the files a scan reads do not change (the lockfile is left to the user). */
  rescan?(): Promise<string[]>;
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ecosystem's tool with `args` in `cwd`. */
export type ToolRunner = (args: string[], opts: { cwd: string; signal?: AbortSignal }) => Promise<ToolResult>;
