/**
 * Installed Python distributions: `<site-packages>/<name>-<version>.dist-info/METADATA` (wheels,
 * modern pip) and `<name>.egg-info/PKG-INFO` (setuptools/eggs). One file is one component.
 *
 * - The header block (RFC 822 style, up to the first blank line; indented lines continue a value)
 *   gives `Name` and `Version`; the component's line is the `Name:` line. No `Name` → INPUT_PARSE;
 *   no `Version` → `unresolved`.
 * - Edges: each `Requires-Dist` name that is installed beside it, i.e. a sibling
 *   `<name>-<version>.dist-info` folder in the same directory (name compared by PEP 503; the
 *   version is the folder's). Requirements not installed there are left out. Only for files on
 *   disk; the directory listing is read once per directory and reused for its siblings.
 * - Each file is a root (`root:<file>`) holding its package, not marked direct (an installed
 *   package says nothing about what the project asked for). Scope: prod.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { normalizeName, PyContext, requirementName } from './common.js';

const ID = 'pypi/installed';

export const installedExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['METADATA', 'PKG-INFO'],
  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    const file = parts[parts.length - 1];
    const dir = parts[parts.length - 2] ?? '';
    return (file === 'METADATA' && dir.endsWith('.dist-info')) || (file === 'PKG-INFO' && dir.endsWith('.egg-info'));
  },
  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path, { invalid: 'replace' });
    const siblings = input.path.includes('!') || !input.path.endsWith('METADATA') ? undefined : await siblingDists(input.path);
    return parseMetadata(text, input.path, siblings);
  },
};

/** PEP 503 name → [name, version] of the `*.dist-info` folders beside this file's folder. */
export type Installed = ReadonlyMap<string, readonly [string, string]>;

let cache: { dir: string; map: Installed } | undefined;

async function siblingDists(file: string): Promise<Installed | undefined> {
  const dir = path.dirname(path.dirname(file));
  if (cache?.dir === dir) return cache.map;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return undefined;
  }
  const map = new Map<string, readonly [string, string]>();
  for (const e of entries) {
    const m = /^(.+?)-([^-]+)\.dist-info$/.exec(e);
    if (m) map.set(normalizeName(m[1]!), [m[1]!, m[2]!]);
  }
  cache = { dir, map };
  return map;
}

interface Header {
  name: string;
  value: string;
  line: number;
}

function headers(text: string, file: string): Header[] {
  const out: Header[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') break; // the body (long description) starts here
    if (/^[ \t]/.test(l)) {
      const last = out[out.length - 1];
      if (!last) throw new VouchError('INPUT_PARSE', 'continuation line before any header', { path: file, position: { line: i + 1 } });
      last.value += `\n${l.trim()}`;
      continue;
    }
    const colon = l.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9-]+$/.test(l.slice(0, colon))) {
      throw new VouchError('INPUT_PARSE', `not a metadata header: "${l.slice(0, 60)}"`, { path: file, position: { line: i + 1 } });
    }
    out.push({ name: l.slice(0, colon).toLowerCase(), value: l.slice(colon + 1).trim(), line: i + 1 });
  }
  return out;
}

/** Parse core metadata text; `installed` lists the distributions beside it (for edges). */
export function parseMetadata(text: string, file: string, installed?: Installed): Inventory {
  const hs = headers(text, file);
  const name = hs.find((h) => h.name === 'name');
  if (!name || !name.value) {
    throw new VouchError('INPUT_PARSE', 'no Name header: not Python package metadata', { path: file, position: { line: 1 } });
  }
  const ctx = new PyContext(file, ID, name.value);
  const version = hs.find((h) => h.name === 'version')?.value;
  if (!version) {
    ctx.unresolvedEntry(name.value, 'no Version header', undefined, name.line);
    return ctx.inventory();
  }
  const purl = ctx.add({ name: name.value, version, scope: 'prod', line: name.line });
  if (!purl) return ctx.inventory();
  ctx.graph.addEdge(ctx.rootId, purl);
  if (installed) {
    for (const h of hs) {
      if (h.name !== 'requires-dist') continue;
      const dep = requirementName(h.value);
      const hit = dep !== undefined ? installed.get(normalizeName(dep)) : undefined;
      if (hit) ctx.graph.addEdge(purl, ctx.purl(hit[0], hit[1]));
    }
  }
  return ctx.inventory();
}
