/** Package URLs, through packageurl-js. Canonical strings are what every component is keyed by. */
import { createRequire } from 'node:module';
import type * as PurlLib from 'packageurl-js';
import { VouchError } from './errors.js';

// Loaded on first use: its initialisation costs ~30 ms, and a scan whose extractors spell their
// purls directly (npm's plain names) never needs it.
let purlLib: typeof PurlLib | undefined;
function lib(): typeof PurlLib {
  return (purlLib ??= createRequire(import.meta.url)('packageurl-js') as typeof PurlLib);
}

export interface PurlParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers?: Record<string, string> | undefined;
  subpath?: string | undefined;
}

/** Parse a purl; throws VouchError(INPUT_PARSE) with packageurl-js's reason. */
export function parsePurl(purl: string): PurlParts {
  try {
    const p = lib().PackageURL.fromString(purl);
    return {
      type: p.type,
      namespace: p.namespace ?? undefined,
      name: p.name,
      version: p.version ?? undefined,
      qualifiers: (p.qualifiers as Record<string, string> | undefined) ?? undefined,
      subpath: p.subpath ?? undefined,
    };
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `invalid purl "${purl}": ${(e as Error).message}`, { cause: e });
  }
}

/** Build the canonical purl string. */
export function buildPurl(parts: PurlParts): string {
  try {
    return new (lib().PackageURL)(
      parts.type,
      parts.namespace ?? undefined,
      parts.name,
      parts.version ?? undefined,
      parts.qualifiers ?? undefined,
      parts.subpath ?? undefined,
    ).toString();
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `cannot build a purl from ${JSON.stringify(parts)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
