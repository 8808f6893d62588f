/**
 * Composer `composer.lock`.
 *
 * What becomes what:
 * - Each entry of `packages` is a prod component, each of `packages-dev` a dev one, at the line of
 *   the entry's opening `{` (one linear pass over the text). Names are Composer's (`vendor/name`,
 *   lower-case); versions as the lockfile writes them (`v1.2.6`, `2.0.0-alpha4`, `3.0.0-dev`).
 * - A branch checkout (`dev-main`, `dev-feature/x`: Composer's name for "whatever the branch held",
 *   pinned only by `source.reference`) or an entry without a version is not a release version:
 *   it goes to `unresolved` with the reference, never a component.
 * - `dist.shasum`, when not empty, is the archive's sha1.
 * - `license` (composer.json's SPDX identifiers) → the component's licence; several mean the
 *   package may be used under any one of them (Composer's "dual licensed"), so they become one
 *   expression `A OR B`, never a list a licence policy would read as all applying.
 * - `require` of each package → edges to the listed packages of those names (or to the listed
 *   package that `replace`s / `provide`s the name); platform requirements (`php`, `ext-*`,
 *   `lib-*`, `composer-*-api`) are the PHP installation's and are left out, even where a polyfill
 *   `provide`s them (symfony/polyfill-mbstring provides `ext-mbstring`).
 * - Direct: the `require` / `require-dev` names of the `composer.json` beside the lockfile, when
 *   there is one (a file on disk); otherwise the listed packages that no other listed package
 *   requires (what the project itself must have asked for), with a warning saying so. The root
 *   (`root:<file>`) has an edge to each direct package.
 */
import { readBeside } from '../../io/input.js';
import path from 'node:path';
import type { Component, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText, isJsonObject, parseJsonInput, wrongJsonType } from '../../io/json.js';
import type { Extractor } from '../types.js';

const ID = 'packagist/composer-lock';
const ECOSYSTEM = 'Packagist';

export const composerLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['composer.lock'],

  /** `composer.lock`, not inside vendor/ (a dependency's own files). */
  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    return parts[parts.length - 1] === 'composer.lock' && !parts.includes('vendor');
  },

  sniff(head: string): boolean {
    return /^\s*\{/.test(head) && /"content-hash"\s*:/.test(head) && /"packages"\s*:/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    const manifest = await siblingManifest(input);
    return parseComposerLock(text, input.path, manifest);
  },
};

/**
 * The composer.json beside a composer.lock on disk: its text and path, when there is one. Read
 * inside the lockfile's root; one that is a FIFO, a device, a link out of the root or too large
 * fails the lockfile with that line.
 */
async function siblingManifest(input: InputFile): Promise<{ path: string; text: string } | undefined> {
  if (input.path.includes('!')) return undefined;
  const sibling = path.join(path.dirname(input.path), 'composer.json');
  const buf = await readBeside(input, sibling);
  return buf === undefined ? undefined : { path: sibling, text: buf.toString('utf8') };
}

/** The purl of a Composer package: `vendor/name` splits into namespace and name. */
export function composerPurl(name: string, version: string): string {
  const i = name.lastIndexOf('/');
  return buildPurl(
    i > 0
      ? { type: 'composer', namespace: name.slice(0, i), name: name.slice(i + 1), version }
      : { type: 'composer', name, version },
  );
}

/** Platform package names: PHP itself, its extensions and libraries, Composer's APIs. */
const PLATFORM = /^(?:php(?:-64bit|-ipv6|-zts|-debug)?|hhvm|ext-.+|lib-.+|composer(?:-plugin-api|-runtime-api)?)$/;

interface Entry {
  name: string;
  key: string; // lower-case name
  id: string | undefined; // purl, when a component
  requires: string[];
  line: number | undefined;
}

/**
 * Parse the text of a composer.lock (`file` is its display path); `manifest` is the composer.json
 * beside it, when known.
 */
export function parseComposerLock(text: string, file: string, manifest?: { path: string; text: string }): Inventory {
  const data = parseJsonInput(text, file);
  if (!isJsonObject(data) || (!('packages' in data) && !('packages-dev' in data))) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a composer.lock (no packages or packages-dev)', { path: file });
  }
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  const lines = entryLines(text);

  const entries: Entry[] = [];
  const byName = new Map<string, Entry[]>();
  const providers = new Map<string, Entry>(); // replaced / provided name → entry
  for (const [section, scope] of [
    ['packages', 'prod'],
    ['packages-dev', 'dev'],
  ] as const) {
    const list = data[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw wrongJsonType(file, `$["${section}"]`, 'an array', list);
    for (let i = 0; i < list.length; i++) {
      const at = `$["${section}"][${i}]`;
      const line = lines[section][i];
      const raw: unknown = list[i];
      if (!isJsonObject(raw)) throw wrongJsonType(file, at, 'an object', raw, line);
      const name = raw['name'];
      if (typeof name !== 'string' || !name) throw wrongJsonType(file, `${at}.name`, 'a package name', name, line);
      const version = raw['version'];
      if (version !== undefined && typeof version !== 'string') throw wrongJsonType(file, `${at}.version`, 'a string', version, line);
      const requires = namesOf(file, raw['require'], `${at}.require`, line);
      const entry: Entry = { name, key: name.toLowerCase(), id: undefined, requires, line };
      entries.push(entry);
      const same = byName.get(entry.key);
      if (same) same.push(entry);
      else byName.set(entry.key, [entry]);
      for (const field of ['replace', 'provide']) {
        for (const other of namesOf(file, raw[field], `${at}.${field}`, line)) {
          if (!providers.has(other.toLowerCase())) providers.set(other.toLowerCase(), entry);
        }
      }
      entry.id = addComponent(raw, name, version, scope, line, at);
    }
  }

  function addComponent(
    raw: Record<string, unknown>,
    name: string,
    version: string | undefined,
    scope: Scope,
    line: number | undefined,
    at: string,
  ): string | undefined {
    const where = line !== undefined ? `line ${line}` : at;
    const source = isJsonObject(raw['source']) ? raw['source'] : undefined;
    const reference = typeof source?.['reference'] === 'string' ? source['reference'] : undefined;
    if (version === undefined || version === '' || /^dev-/i.test(version)) {
      const reason =
        version === undefined || version === ''
          ? 'no version recorded'
          : `a development branch checkout (${version}${reference ? ` at ${reference}` : ''}), not a release version`;
      warnings.push(`${where}: ${name}: ${reason}; skipped`);
      unresolved.push({
        name,
        ecosystem: ECOSYSTEM,
        ...(version ? { spec: reference ? `${version}#${reference}` : version } : {}),
        ...(line !== undefined ? { line } : {}),
        reason,
      });
      return undefined;
    }
    let purl: string;
    try {
      purl = composerPurl(name, version);
    } catch (e) {
      warnings.push(`${where}: ${name}@${version}: ${(e as Error).message}; skipped`);
      return undefined;
    }
    const dist = isJsonObject(raw['dist']) ? raw['dist'] : undefined;
    const shasum = typeof dist?.['shasum'] === 'string' ? dist['shasum'].toLowerCase() : '';
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope,
      direct: false,
      ...(/^[0-9a-f]{40}$/.test(shasum) ? { hashes: [{ alg: 'sha1', value: shasum }] } : {}),
      ...licencesOf(raw['license']),
      locations: [line !== undefined ? { path: file, line } : { path: file }],
    };
    graph.add(c);
    return purl;
  }

  const resolve = (requirement: string): string[] => {
    const key = requirement.toLowerCase();
    // platform requirements are the PHP installation's, even when a polyfill `provide`s them
    if (PLATFORM.test(key)) return [];
    const listed = byName.get(key);
    if (listed) return listed.flatMap((e) => (e.id !== undefined ? [e.id] : []));
    const provider = providers.get(key);
    return provider?.id !== undefined ? [provider.id] : [];
  };

  const required = new Set<string>();
  for (const e of entries) {
    for (const r of e.requires) {
      for (const to of resolve(r)) {
        required.add(to);
        if (e.id !== undefined) graph.addEdge(e.id, to);
      }
    }
  }

  // direct: from composer.json when there is one, else the packages nothing else requires
  let rootLabel = file;
  let directNames: string[] | undefined;
  if (manifest) {
    let json: unknown;
    try {
      json = parseJsonInput(manifest.text, manifest.path);
    } catch (e) {
      warnings.push(`${(e as VouchError).oneLine()}; direct dependencies guessed from the lockfile`);
    }
    if (isJsonObject(json)) {
      if (typeof json['name'] === 'string') rootLabel = json['name'];
      try {
        directNames = [
          ...namesOf(manifest.path, json['require'], '$.require', undefined),
          ...namesOf(manifest.path, json['require-dev'], '$["require-dev"]', undefined),
        ];
      } catch (e) {
        warnings.push(`${(e as VouchError).oneLine()}; direct dependencies guessed from the lockfile`);
      }
    }
  }
  graph.addRoot(rootId, rootLabel);
  const direct = new Set<string>();
  if (directNames) {
    for (const n of directNames) for (const to of resolve(n)) direct.add(to);
  } else {
    for (const e of entries) if (e.id !== undefined && !required.has(e.id)) direct.add(e.id);
    if (entries.length) {
      warnings.push('no composer.json beside the lockfile: packages that no other package requires are taken as direct');
    }
  }
  for (const to of direct) {
    graph.addEdge(rootId, to);
    graph.components.get(to)!.direct = true;
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

/** Names of a `{ name: constraint }` map (an empty `[]` is what PHP writes for an empty map). */
function namesOf(file: string, v: unknown, jsonPath: string, line: number | undefined): string[] {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return [];
  if (!isJsonObject(v)) throw wrongJsonType(file, jsonPath, 'an object of version constraints', v, line);
  return Object.keys(v);
}

/**
 * The line of each entry's `{` in the top-level `packages` and `packages-dev` arrays: one pass
 * over the text, tracking nesting and strings.
 */
export function entryLines(text: string): { packages: number[]; 'packages-dev': number[] } {
  const out = { packages: [] as number[], 'packages-dev': [] as number[] };
  let depth = 0;
  let line = 1;
  let lastString = '';
  let topKey = '';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34 /* " */) {
      const startStr = i + 1;
      i++;
      while (i < n && text.charCodeAt(i) !== 34) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
        i++;
      }
      if (depth === 1) lastString = text.slice(startStr, i);
    } else if (c === 58 /* : */) {
      if (depth === 1) topKey = lastString;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (c === 123 && depth === 3 && (topKey === 'packages' || topKey === 'packages-dev')) out[topKey].push(line);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return out;
}

/**
 * An entry's `license`: a list of SPDX identifiers (or, in old lockfiles, one string), any one of
 * which the package may be used under — one licence as given, several as one `A OR B` expression
 * (an identifier holding an expression of its own is bracketed). Anything else carries no usable
 * licence and is left out: a licence is metadata, never a reason to refuse the lockfile.
 */
function licencesOf(v: unknown): { licenses?: string[] } {
  const ids = [...new Set((Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()))];
  if (ids.length === 0) return {};
  return { licenses: [ids.length === 1 ? ids[0]! : ids.map((x) => (/\s/.test(x) ? `(${x})` : x)).join(' OR ')] };
}
