/**
 * Advisory authoring (`vouch advisory new`): an OSV record for a vulnerability found in-house or in
 * a dependency before it has a public id, built from plain answers and checked three ways before it
 * is written — the affected packages are packages of an ecosystem vouch knows (from their purls),
 * every version in the ranges is a version of that ecosystem, and the record validates against the
 * OSV JSON Schema (vendor/osv-schema, upstream's own file).
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ecosystemByPurlType, nameFromPurl } from '../ecosystems/index.js';
import type { Advisory, OsvAffected, OsvEvent, OsvReference, OsvSeverity } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { InvalidPurlError, parsePurl } from '../model/purl.js';
import schema from '../../vendor/osv-schema/schema.json' with { type: 'json' };

/** The schema version vouch writes (the OSV format of the records it reads and matches). */
export const OSV_SCHEMA_VERSION = '1.6.0';

/** One affected package: a purl without version, and its range as OSV events in order. */
export interface AffectedInput {
  purl: string;
  /** `introduced=0,fixed=2.17.1` / `introduced=2.0,last_affected=2.16.0` ..., in OSV event order. */
  events: OsvEvent[];
  /** Explicit versions affected (besides or instead of the range). */
  versions?: string[];
}

export interface AdvisoryInput {
  id: string;
  summary: string;
  details?: string;
  aliases?: string[];
  affected: AffectedInput[];
  /** CVSS vectors (v2, v3.x or v4.0). */
  severity?: string[];
  /** URLs (type WEB, or ADVISORY / FIX / REPORT ... with `TYPE:url`). */
  references?: string[];
  published?: string;
  modified?: string;
  withdrawn?: string;
  /** `database_specific` fields, e.g. the CWE ids. */
  cwes?: string[];
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const REFERENCE_TYPES = ['ADVISORY', 'ARTICLE', 'DETECTION', 'DISCUSSION', 'REPORT', 'FIX', 'INTRODUCED', 'GIT', 'PACKAGE', 'EVIDENCE', 'WEB'];

/** `introduced=0,fixed=2.17.1` → OSV events, in the order written. */
export function parseEvents(spec: string): OsvEvent[] {
  const events: OsvEvent[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq <= 0 || !value || !(EVENT_KEYS as readonly string[]).includes(key)) {
      throw new VouchError('USAGE', `range "${spec}": each part is introduced=V, fixed=V, last_affected=V or limit=V (got "${part}")`);
    }
    events.push({ [key]: value } as OsvEvent);
  }
  if (!events.length || events[0]!.introduced === undefined) throw new VouchError('USAGE', `range "${spec}" must start with introduced=V (introduced=0 for every version before the fix)`);
  return events;
}

/** The record, checked; throws VouchError(USAGE) naming what is wrong. */
export function buildAdvisory(input: AdvisoryInput, now: Date = new Date()): Advisory {
  if (!input.summary.trim()) throw new VouchError('USAGE', 'an advisory needs a summary');
  if (!input.affected.length) throw new VouchError('USAGE', 'an advisory needs at least one affected package (--affected PURL)');
  const modified = input.modified ?? now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const record: Advisory = {
    schema_version: OSV_SCHEMA_VERSION,
    id: input.id,
    modified,
    published: input.published ?? modified,
    ...(input.withdrawn ? { withdrawn: input.withdrawn } : {}),
    ...(input.aliases?.length ? { aliases: [...new Set(input.aliases)] } : {}),
    summary: input.summary.trim(),
    ...(input.details?.trim() ? { details: input.details.trim() } : {}),
    ...(input.severity?.length ? { severity: input.severity.map(severityOf) } : {}),
    affected: input.affected.map(affectedOf),
    ...(input.references?.length ? { references: input.references.map(referenceOf) } : {}),
    ...(input.cwes?.length ? { database_specific: { cwe_ids: input.cwes } } : {}),
  };
  const problems = validateOsv(record);
  if (problems.length) throw new VouchError('USAGE', `the record is not valid OSV: ${problems.join('; ')}`);
  return record;
}

function affectedOf(a: AffectedInput): OsvAffected {
  let parts;
  try {
    parts = parsePurl(a.purl);
  } catch (e) {
    if (!(e instanceof InvalidPurlError)) throw e; // a bug, not the user's purl
    throw new VouchError('USAGE', `--affected ${a.purl}: not a purl (${e.message})`);
  }
  if (parts.version) throw new VouchError('USAGE', `--affected ${a.purl}: name the package without @version; the versions go in --range`);
  const eco = ecosystemByPurlType(parts.type);
  if (!eco) throw new VouchError('USAGE', `--affected ${a.purl}: vouch knows no OSV ecosystem for purl type "${parts.type}"`);
  const name = nameFromPurl(eco, parts);
  for (const v of [...a.events.flatMap((e) => Object.values(e) as string[]).filter((v) => v !== '0'), ...(a.versions ?? [])]) {
    if (eco.versioning.parse(v) === undefined) throw new VouchError('USAGE', `--affected ${a.purl}: "${v}" is not a ${eco.osvName} version`);
  }
  return {
    package: { ecosystem: eco.osvName, name, purl: a.purl },
    ...(a.events.length ? { ranges: [{ type: 'ECOSYSTEM', events: a.events }] } : {}),
    ...(a.versions?.length ? { versions: a.versions } : {}),
  };
}

function severityOf(vector: string): OsvSeverity {
  const type = vector.startsWith('CVSS:4.0/') ? 'CVSS_V4' : vector.startsWith('CVSS:3.') ? 'CVSS_V3' : /^AV:[NAL]\//.test(vector) ? 'CVSS_V2' : undefined;
  if (!type) throw new VouchError('USAGE', `--severity ${vector}: a CVSS vector (CVSS:4.0/…, CVSS:3.1/…, or a v2 AV:…/…)`);
  return { type, score: vector };
}

function referenceOf(ref: string): OsvReference {
  const m = /^([A-Z]+):(https?:\/\/.+)$/.exec(ref);
  const [type, url] = m && REFERENCE_TYPES.includes(m[1]!) ? [m[1]!, m[2]!] : ['WEB', ref];
  if (!/^https?:\/\/\S+$/.test(url)) throw new VouchError('USAGE', `--reference ${ref}: an http(s) URL, optionally TYPE:URL (${REFERENCE_TYPES.join(', ')})`);
  return { type, url };
}

let validator: ValidateFunction | undefined;

/** Problems of `record` against the OSV JSON Schema, one line each (JSON path: message); [] when valid. */
export function validateOsv(record: unknown): string[] {
  return osvErrors(record).map((e) => `$${e.instancePath.replace(/\//g, '.')}: ${e.message ?? 'invalid'}`);
}

/**
 * The same problems with their JSON path apart, written `$.affected[0].package.ecosystem` (the
 * API's problem+json `errors`); [] when valid.
 */
export function osvProblems(record: unknown): { path: string; message: string }[] {
  return osvErrors(record).map((e) => ({ path: jsonPath(e.instancePath), message: e.message ?? 'invalid' }));
}

function osvErrors(record: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validator = ajv.compile(schema);
  }
  if (validator(record)) return [];
  return validator.errors ?? [];
}

function jsonPath(instancePath: string): string {
  let out = '$';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}
