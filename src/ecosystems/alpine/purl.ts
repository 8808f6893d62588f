/**
 * An Alpine package read back from an SBOM: its release branch from the purl `distro` qualifier
 * (`alpine-3.19.1`, as vouch and Syft write it, or `3.19.1`), its origin (source) package from
 * `upstream`.
 */
import type { PurlParts } from '../../model/purl.js';
import { parseUpstream } from '../shared/upstream.js';
import type { PurlIdentity } from '../types.js';
import { alpineBranch } from './apk-installed.js';

export function alpineFromPurl(parts: PurlParts): PurlIdentity {
  const distro = parts.qualifiers?.['distro']?.trim().toLowerCase().replace(/^alpine-/, '');
  const branch = distro ? alpineBranch(distro) : undefined;
  return { ...(branch ? { ecosystem: `Alpine:${branch}` } : {}), ...parseUpstream(parts.qualifiers?.['upstream'], parts.name, parts.version) };
}
