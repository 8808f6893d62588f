/** in-toto Statement v1: subjects (name + sha256) and a typed predicate. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { VouchError } from '../model/errors.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export const PREDICATE_TYPES = {
  cyclonedx: 'https://cyclonedx.org/bom',
  spdx: 'https://spdx.dev/Document',
  vuln: 'https://in-toto.io/attestation/vulns/v0.2',
  vex: 'https://openvex.dev/ns/v0.2.0',
  'slsa-provenance': 'https://slsa.dev/provenance/v1',
} as const;

/** What `--type` accepts besides a URI. */
export const ATTEST_TYPES = ['sbom', 'vuln', 'vex', 'slsa-provenance'] as const;

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  /** Hex digests by algorithm (`sha256`, `sha512` ...). Subjects always have one. */
  digest?: Record<string, string>;
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate: unknown;
}

/**
 * The predicateType for `--type`: sbom → CycloneDX or SPDX from the predicate's content; vuln,
 * vex, slsa-provenance → their URIs; anything else must be an absolute URI and is used as given.
 */
export function predicateTypeFor(type: string, predicate: unknown, predicatePath = 'predicate'): string {
  switch (type) {
    case 'sbom': {
      const p = predicate as Record<string, unknown>;
      if (p['bomFormat'] === 'CycloneDX') return PREDICATE_TYPES.cyclonedx;
      if (typeof p['spdxVersion'] === 'string') return PREDICATE_TYPES.spdx;
      throw new VouchError('INPUT_UNSUPPORTED', '--type sbom: the predicate is neither CycloneDX JSON (bomFormat "CycloneDX") nor SPDX JSON (spdxVersion)', {
        path: predicatePath,
      });
    }
    case 'vuln':
      return PREDICATE_TYPES.vuln;
    case 'vex':
      return PREDICATE_TYPES.vex;
    case 'slsa-provenance':
      return PREDICATE_TYPES['slsa-provenance'];
    default:
      if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(type)) {
        throw new VouchError('USAGE', `--type: "${type}" is neither one of ${ATTEST_TYPES.join(', ')} nor a URI`);
      }
      return type;
  }
}

/** Reads a predicate file: it must hold one JSON object. */
export async function readPredicate(file: string): Promise<unknown> {
  let text: string;
  try {
    text = (await readRegularFile(file)).toString('utf8');
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the predicate (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: file, cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `the predicate is not JSON (${(e as Error).message}); in-toto predicates are JSON objects (CycloneDX XML and SPDX tag-value cannot be attested: write JSON)`, {
      path: file,
      cause: e,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VouchError('INPUT_PARSE', 'the predicate must be a JSON object', { path: file, position: { jsonPath: '$' } });
  }
  return value;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The subject name of a file: its path as given, with forward slashes and without a leading `./`. */
export function subjectName(file: string): string {
  return path.normalize(file).split(path.sep).join('/').replace(/^\.\//, '');
}

/** Each file as a subject: name and sha256 digest of its bytes. */
export async function subjectsOf(files: readonly string[]): Promise<ResourceDescriptor[]> {
  if (files.length === 0) throw new VouchError('USAGE', 'at least one --subject FILE is needed');
  const out: ResourceDescriptor[] = [];
  for (const f of files) {
    let data: Buffer;
    try {
      data = await readRegularFile(f, { maxBytes: MAX_INPUT_BYTES });
    } catch (e) {
      if (e instanceof VouchError) throw e;
      throw new VouchError('INPUT_MISSING', `cannot read the subject (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: f, cause: e });
    }
    out.push({ name: subjectName(f), digest: { sha256: sha256Hex(data) } });
  }
  return out;
}

export function buildStatement(subject: ResourceDescriptor[], predicateType: string, predicate: unknown): Statement {
  return { _type: STATEMENT_TYPE, subject, predicateType, predicate };
}
