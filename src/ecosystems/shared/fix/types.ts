/** What an ecosystem tells the shared fix planners (text-plan.ts, lockfile-plan.ts) about its manifests, and what they return. */
import type { Advisory } from '../../../model/advisory.js';
import type { Component } from '../../../model/component.js';
import type { FixPlan } from '../../../model/fix.js';
import type { Extractor } from '../../types.js';
import type { DialectName } from './constraint.js';

/** A kind of manifest that pins versions in text, edited line by line (requirements.txt, go.mod, pom.xml). */
export interface TextManifest {
  /** The target kind: `requirements`, `go.mod`, `pom`. */
  kind: string;
  /** The file name looked for in a folder. */
  name: string;
  /** Is a file named on the command line of this kind? */
  wants(file: string): boolean;
  /** Reads the pins, each component located at its line in the file. */
  extractor: Extractor;
  /**
   * Writes `to` where the component's version is declared: on its line (0-based `index`) or where
   * that line takes it from (a pom property). Mutates `lines`; returns the 0-based line edited and
   * a note for the step, or undefined when the version is not written there.
   */
  editVersion(lines: string[], index: number, c: Component, to: string): { line: number; note?: string } | undefined;
  /** Why a vulnerable component cannot be fixed in this file at all (Go's stdlib: the toolchain), or undefined. */
  notInManifest?(c: Component, target: string): string | undefined;
}

/** Where a manifest declares one dependency's constraint. */
export interface Declaration {
  /** The package name as written. */
  name: string;
  /** 0-based line. */
  line: number;
  /** The constraint's column span on that line (empty span = no constraint written). */
  start: number;
  end: number;
  constraint: string;
  section: string;
}

/** A manifest planned from the lockfile beside it (pyproject.toml + poetry.lock or uv.lock, Cargo.toml, Gemfile, composer.json). */
export interface LockfileAdapter {
  /** The target kind: `poetry`, `uv`, `cargo`, `bundler`, `composer`. */
  kind: string;
  manifest: string;
  lock: string;
  /** The manifest is this kind's only with the lockfile beside it (pyproject.toml: Poetry's or uv's). */
  onlyWithLock?: boolean;
  /** Reads the lockfile. */
  extractor: Extractor;
  /** Where the manifest declares each constraint (a line scan); throws VouchError (file:line) on a manifest that does not parse. */
  declarations(text: string, file: string): Declaration[];
  /** The constraint dialect of the manifest, or of each declaration (Poetry tables vs PEP 508 strings in one pyproject.toml). */
  dialect: DialectName | ((d: Declaration) => DialectName);
  /** The dialect of the requirements `parents` reads from the lockfile (default: `dialect`, when one name). */
  lockDialect?: DialectName;
  /** The command that moves the lockfile to `version` (direct, or transitive within the parents' ranges). */
  relock(name: string, version: string): string;
  /** Requirements the lockfile records on `name` (parent package → constraint), when the format keeps them. */
  parents?(lockText: string, name: string): { parent: string; constraint: string }[];
  /** Transitive: the command, or undefined when the fix needs a parent upgrade. */
  transitive(name: string, from: string, to: string): { command: string; note: string } | undefined;
  /** The rewritten constraint as written back between the span's `quote`s (Gemfile: each requirement its own argument). */
  requote?(text: string, quote: string): string;
}

/** A plan of a manifest edited in place (text-plan.ts, lockfile-plan.ts). */
export interface ManifestPlan {
  /** The plan; its steps unranked (remediate ranks them). */
  plan: FixPlan;
  /** The manifest's text after every step. */
  edited: string;
  original: string;
  /** (package, advisory) pairs found, for the containment playbook. */
  found: { package: string; advisory: Advisory }[];
}
