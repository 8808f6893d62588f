/** A component: one package at one version, identified by its purl. */

export type Scope = 'prod' | 'dev' | 'optional' | 'unknown';

export interface Location {
  /** The file the component was found in, as given on the command line (or inside an archive: `outer.jar!/inner.jar`). */
  path: string;
  /** 1-based line where the package is declared, when the format lets us know it. */
  line?: number;
}

export interface Hash {
  alg: string; // "sha512", "sha1", "sha256" ...
  value: string; // hex
}

export interface Component {
  /** Canonical purl, with version: the identity of the component. */
  purl: string;
  /** OSV ecosystem name, e.g. "npm", "Maven", "PyPI", "crates.io"; undefined when no ecosystem vouch knows covers it. */
  ecosystem: string | undefined;
  /** The package name as the ecosystem (and OSV) writes it: "@babel/core", "org.apache.logging.log4j:log4j-core". */
  name: string;
  version: string;
  /**
   * The name advisories use for this package when it differs from `name`: OS distributions
   * publish advisories per source package (Debian's `Source:` field, Alpine's `o:` origin).
   */
  advisoryName?: string;
  /** The version advisories use when it differs from `version` (Debian's source version, `Source: x (1.2-3)`). */
  advisoryVersion?: string;
  scope: Scope;
  /** True when a root (the project) depends on it directly. */
  direct: boolean;
  licenses?: string[];
  hashes?: Hash[];
  locations: Location[];
}

/** Merge what two sightings of the same purl say: locations add up, prod beats dev, direct beats transitive. */
export function mergeComponent(into: Component, other: Component): void {
  for (const loc of other.locations) {
    if (!into.locations.some((l) => l.path === loc.path && l.line === loc.line)) into.locations.push(loc);
  }
  into.direct ||= other.direct;
  into.scope = strongerScope(into.scope, other.scope);
  if (other.licenses?.length && !into.licenses?.length) into.licenses = other.licenses;
  if (other.hashes?.length) {
    into.hashes ??= [];
    for (const h of other.hashes) if (!into.hashes.some((x) => x.alg === h.alg)) into.hashes.push(h);
  }
}

const SCOPE_RANK: Record<Scope, number> = { prod: 3, optional: 2, dev: 1, unknown: 0 };

export function strongerScope(a: Scope, b: Scope): Scope {
  return SCOPE_RANK[a] >= SCOPE_RANK[b] ? a : b;
}
