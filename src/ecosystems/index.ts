/**
 * The ecosystem registry: the list of ecosystems and lookups by OSV name, purl type and file name.
 * Adding an ecosystem = a new folder + one line in ECOSYSTEMS.
 */
import { baseEcosystem } from '../model/advisory.js';
import { byCodePoint } from '../model/order.js';
import { buildPurl, type PurlParts } from '../model/purl.js';
import type { Ecosystem, Extractor, LockfileHint } from './types.js';
import { npm } from './npm/index.js';
import { pypi } from './pypi/index.js';
import { maven } from './maven/index.js';
import { golang } from './go/index.js';
import { cargo } from './cargo/index.js';
import { rubygems } from './rubygems/index.js';
import { packagist } from './packagist/index.js';
import { nuget } from './nuget/index.js';
import { pub } from './pub/index.js';
import { hex } from './hex/index.js';
import { debian } from './debian/index.js';
import { alpine } from './alpine/index.js';

export const ECOSYSTEMS: readonly Ecosystem[] = [npm, pypi, maven, golang, cargo, rubygems, packagist, nuget, pub, hex, debian, alpine];

const byOsv = new Map(ECOSYSTEMS.map((e) => [e.osvName, e]));
const byPurl = new Map(ECOSYSTEMS.map((e) => [e.purlType, e]));

/** Lookup by OSV ecosystem string; `Debian:12` finds `Debian`. Undefined for an ecosystem vouch does not know. */
export function ecosystemByOsvName(osvEcosystem: string): Ecosystem | undefined {
  return byOsv.get(baseEcosystem(osvEcosystem));
}

export function ecosystemByPurlType(type: string): Ecosystem | undefined {
  return byPurl.get(type.toLowerCase());
}

/** Every extractor of every ecosystem, in registry order. */
export function allEcosystemExtractors(): Extractor[] {
  return ECOSYSTEMS.flatMap((e) => [...e.extractors]);
}

/**
 * Two versions in the order of `ecosystem` (an OSV name, `Debian:12` too) when both parse there,
 * else in code-point order: the order reports and rankings list versions in.
 */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  const v = ecosystemByOsvName(ecosystem)?.versioning;
  if (v && v.parse(a) !== undefined && v.parse(b) !== undefined) return v.compare(a, b);
  return byCodePoint(a, b);
}

/** The purl of an ecosystem package (name as the ecosystem writes it). */
export function purlOf(eco: Ecosystem, name: string, version: string | undefined, qualifiers?: Record<string, string>): string {
  return buildPurl({ ...splitName(eco, name), type: eco.purlType, version, qualifiers });
}

function splitName(eco: Ecosystem, name: string): { namespace?: string; name: string } {
  const sep = eco.purlNamespaceSeparator;
  if (!sep) return { name };
  const i = name.lastIndexOf(sep);
  if (i <= 0) return { name };
  return { namespace: name.slice(0, i), name: name.slice(i + 1) };
}

/** The ecosystem package name a purl stands for (inverse of purlOf's split). */
export function nameFromPurl(eco: Ecosystem, parts: PurlParts): string {
  const sep = eco.purlNamespaceSeparator;
  if (sep && parts.namespace) return `${parts.namespace}${sep}${parts.name}`;
  return parts.name;
}

/** The lockfile hint of a manifest file name (`package.json`, `App.csproj`), with its ecosystem, or undefined. */
export function lockfileHintFor(fileName: string): { ecosystem: string; hint: LockfileHint } | undefined {
  for (const e of ECOSYSTEMS) {
    for (const hint of e.lockfileHints ?? []) {
      const m = hint.manifest;
      if (m.startsWith('*') ? fileName.endsWith(m.slice(1)) && fileName.length > m.length - 1 : fileName === m) return { ecosystem: e.osvName, hint };
    }
  }
  return undefined;
}
