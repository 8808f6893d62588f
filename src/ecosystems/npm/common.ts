/** What npm's lockfile readers share (package-lock, yarn, pnpm, bun): purls, project identities, SRI hashes, JSON string ends. */
import type { Hash } from '../../model/component.js';
import type { RootIdentity } from '../../model/graph.js';
import { buildPurl } from '../../model/purl.js';

/** The purl of an npm package: `@scope/name` splits into namespace and name, as purlOf(npm, …) does. */
export function npmPurl(name: string, version: string): string {
  const i = name.lastIndexOf('/');
  return buildPurl(
    i > 0
      ? { type: 'npm', namespace: name.slice(0, i), name: name.slice(i + 1), version }
      : { type: 'npm', name, version },
  );
}

/** A project's own name and version (the lockfile's root package, a workspace), when both are recorded. */
export function rootIdentity(name: string | undefined, version: string | undefined): RootIdentity | undefined {
  return name && version ? { name, version, purl: npmPurl(name, version) } : undefined;
}

/** Where the JSON string whose body starts at `from` ends: its closing quote (one not escaped by an odd run of backslashes), or the text's length. */
export function closingQuote(text: string, from: number): number {
  for (let end = from; ; ) {
    const q = text.indexOf('"', end);
    if (q < 0) return text.length;
    let b = q - 1;
    while (text.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    end = q + 1;
  }
}

const SRI_ALGS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** SRI `integrity` (`sha512-<base64>`, possibly several separated by spaces) → hex hashes. */
export function hashesOf(integrity: string): Hash[] {
  const out: Hash[] = [];
  for (const part of integrity.split(' ')) {
    const dash = part.indexOf('-');
    const alg = part.slice(0, dash);
    if (dash < 0 || !SRI_ALGS.has(alg) || out.some((h) => h.alg === alg)) continue;
    const q = part.indexOf('?', dash); // SRI options: `sha512-<digest>?opt`
    const b64 = q < 0 ? part.slice(dash + 1) : part.slice(dash + 1, q);
    if (!BASE64.test(b64)) continue;
    const value = Buffer.from(b64, 'base64').toString('hex');
    if (value) out.push({ alg, value });
  }
  return out;
}
