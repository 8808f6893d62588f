/**
 * OSV schema types (https://ossf.github.io/osv-schema/), as published. We never rewrite a record.
 * Only the fields vouch reads are typed precisely; everything else passes through.
 */
export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: OsvRangeType | string;
  repo?: string;
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

export interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvSeverity {
  type: string; // CVSS_V2 | CVSS_V3 | CVSS_V4 | Ubuntu ...
  score: string;
}

export interface OsvAffected {
  package?: OsvPackage;
  severity?: OsvSeverity[];
  ranges?: OsvRange[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface Advisory {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: OsvReference[];
  credits?: unknown[];
  database_specific?: Record<string, unknown>;
}

/** The OSV ecosystem string's base (before `:`), e.g. `Debian:12` → `Debian`. */
export function baseEcosystem(osvEcosystem: string): string {
  const i = osvEcosystem.indexOf(':');
  return i < 0 ? osvEcosystem : osvEcosystem.slice(0, i);
}

/** A severity as published: the CVSS vector(s) and any qualitative rating the record carries. */
export function publishedSeverity(adv: Advisory): string | undefined {
  const ds = adv.database_specific?.['severity'];
  if (typeof ds === 'string' && ds) return ds.toUpperCase();
  return undefined;
}

const CVE_RE = /^CVE-\d{4}-\d{4,}$/;

/** A CVE id as CVE writes it (`CVE-2021-44228`, upper case). */
export function isCveId(id: string): boolean {
  return CVE_RE.test(id);
}

/** The CVE ids among an advisory's id and aliases (upper-cased, in order, no duplicates). */
export function cveIds(ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const u = id.trim().toUpperCase();
    if (isCveId(u) && !out.includes(u)) out.push(u);
  }
  return out;
}

/**
 * Where a record came from when it is not the OSV database: a subscribed feed (docs/feeds.md). It
 * is kept beside the record, never written into it (records stay as published); the store tags the
 * records it returns, and the report names the source of each finding.
 */
export interface AdvisorySource {
  /** The publisher the feed's signed index names. */
  name: string;
  /** The feed's URL (or the absolute path of a local feed folder). */
  url: string;
  /** `SHA256:<hex>` of the key that verified the feed. */
  key: string;
  /** The record's TLP level in that feed. */
  tlp: string;
}

const recordSources = new WeakMap<Advisory, AdvisorySource>();

/** Marks a record as coming from a subscribed feed. */
export function tagAdvisorySource(adv: Advisory, source: AdvisorySource): Advisory {
  recordSources.set(adv, source);
  return adv;
}

/** The subscribed feed a record came from; undefined for the OSV database's records. */
export function advisorySource(adv: Advisory): AdvisorySource | undefined {
  return recordSources.get(adv);
}
