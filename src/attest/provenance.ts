/**
 * SLSA Provenance v1 predicates: who built (runDetails.builder.id), how (buildType and the
 * external parameters), and from what (resolvedDependencies: every locked package of the given
 * lockfiles, as a ResourceDescriptor with its purl and the lockfile's hashes).
 */
import { collectInventory } from '../inventory/collect.js';
import type { Component } from '../model/component.js';
import { VouchError } from '../model/errors.js';
import type { ResourceDescriptor } from './statement.js';

/** The buildType of provenance vouch writes: dependencies resolved from lockfiles, parameters as given. */
export const VOUCH_BUILD_TYPE = 'https://github.com/vouch-dev/vouch/blob/main/docs/provenance.md#build-type-v1';

export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
  };
}

export interface ProvenanceOptions {
  builderId: string;
  /** Lockfiles, SBOMs or directories whose components are the resolved dependencies. */
  lockfiles: readonly string[];
  /** `--param KEY=VALUE`: extra external parameters. */
  params?: Record<string, string>;
  invocationId?: string;
  onFile?: (path: string) => void;
}

export interface ProvenanceResult {
  predicate: SlsaProvenanceV1;
  /** Inputs that could not be read (one line each), for the CLI to report. */
  skipped: string[];
}

function isUri(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(s);
}

/** `sha-512` / `SHA512` → `sha512`, the spelling of in-toto DigestSet keys. */
function digestAlg(alg: string): string {
  return alg.toLowerCase().replace(/-/g, '');
}

/** A component as a ResourceDescriptor: uri = purl, digest = its hashes (hex), when the lockfile has them. */
export function dependencyDescriptor(c: Component): ResourceDescriptor {
  const digest: Record<string, string> = {};
  for (const h of c.hashes ?? []) if (/^[0-9a-f]+$/i.test(h.value)) digest[digestAlg(h.alg)] = h.value.toLowerCase();
  return Object.keys(digest).length ? { uri: c.purl, digest } : { uri: c.purl };
}

export async function buildProvenance(opts: ProvenanceOptions): Promise<ProvenanceResult> {
  if (!isUri(opts.builderId)) throw new VouchError('USAGE', `--builder-id must be a URI (e.g. https://github.com/org/repo/.github/workflows/release.yml), not "${opts.builderId}"`);
  const inventory = await collectInventory(opts.lockfiles, opts.onFile ? { onFile: opts.onFile } : {});
  const resolvedDependencies = [...inventory.graph.components.values()]
    .map(dependencyDescriptor)
    .sort((a, b) => (a.uri! < b.uri! ? -1 : a.uri! > b.uri! ? 1 : 0));
  const predicate: SlsaProvenanceV1 = {
    buildDefinition: {
      buildType: VOUCH_BUILD_TYPE,
      externalParameters: { ...(opts.params ?? {}), lockfiles: [...opts.lockfiles] },
      resolvedDependencies,
    },
    runDetails: {
      builder: { id: opts.builderId },
      ...(opts.invocationId !== undefined ? { metadata: { invocationId: opts.invocationId } } : {}),
    },
  };
  const skipped = inventory.inputs.filter((i) => i.status === 'failed').map((i) => `${i.path}: ${i.reason ?? 'failed'}`);
  return { predicate, skipped };
}
