/** The ecosystem plug-in (ARCHITECTURE.md): every ecosystem exports one `Ecosystem` object from its folder. */
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
}

/** What `Ecosystem.fromPurl` reads from a purl. */
export interface PurlIdentity {
  /** The OSV ecosystem with its release, e.g. `Debian:12`, `Alpine:v3.19`. */
  ecosystem?: string;
  advisoryName?: string;
  advisoryVersion?: string;
}
