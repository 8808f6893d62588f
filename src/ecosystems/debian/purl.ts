/**
 * A Debian or Ubuntu package read back from an SBOM: its release from the purl `distro` qualifier,
 * its source package from `upstream`. `distro` is written `debian-12` by vouch and Syft,
 * `debian-12.5` by Trivy, and with the code name (`bookworm`) in the purl specification's example;
 * Ubuntu's is `ubuntu-22.04`. A distro vouch cannot place leaves the plain ecosystem (every release).
 */
import type { PurlParts } from '../../model/purl.js';
import { parseUpstream } from '../shared/upstream.js';
import type { PurlIdentity } from '../types.js';

/** Debian code names → major release. */
const CODENAMES: Record<string, string> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11',
  bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

function releaseOf(namespace: string | undefined, distro: string | undefined): string | undefined {
  const d = distro?.trim().toLowerCase();
  if (!d) return undefined;
  if (namespace?.toLowerCase() === 'ubuntu') {
    const m = /^(?:ubuntu-)?(\d+\.\d+)$/.exec(d);
    return m ? `Ubuntu:${m[1]}` : undefined;
  }
  const m = /^(?:debian-)?(\d+)(?:\.\d+)*$/.exec(d);
  if (m) return `Debian:${m[1]}`;
  const major = CODENAMES[d.replace(/^debian-/, '')];
  return major && !major.includes('.') ? `Debian:${major}` : undefined;
}

export function debianFromPurl(parts: PurlParts): PurlIdentity {
  const release = releaseOf(parts.namespace, parts.qualifiers?.['distro']);
  return { ...(release ? { ecosystem: release } : {}), ...parseUpstream(parts.qualifiers?.['upstream'], parts.name, parts.version) };
}
