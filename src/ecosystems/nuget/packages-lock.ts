/**
 * NuGet `packages.lock.json` (written by `dotnet restore` with `RestorePackagesWithLockFile`),
 * lock file version 1 and 2:
 *
 * ```json
 * { "version": 1,
 *   "dependencies": {
 *     "net6.0": {
 *       "Core.Dep":  { "type": "Direct", "requested": "[1.24.0, )", "resolved": "1.24.0",
 *                      "contentHash": "<base64 sha512>", "dependencies": { "Some.Dep": "1.1.1" } },
 *       "Some.Dep":  { "type": "Transitive", "resolved": "1.1.1", "contentHash": "…" },
 *       "mylib":     { "type": "Project", "dependencies": { "Other": "[2.0.0, )" } } } } }
 * ```
 *
 * What becomes what:
 * - Every target framework (and runtime-specific `tfm/rid` section) is read; a package resolved
 *   at the same version in several is one component with one location per declaration.
 * - `Direct`, `Transitive` and `CentralTransitive` (version 2: a transitive package pinned by
 *   central package management) entries are components at their `resolved` version, scope prod;
 *   `Direct` ones are direct (an edge from the file's root `root:<file>`).
 * - `Project` entries are the solution's other projects this one references: roots of their own,
 *   `root:<file>#<project>`, never components; the file's root links to them.
 * - An entry's `dependencies` (name → the range it asked for) become edges to the entry of that
 *   name in the same framework section (NuGet ids are case-insensitive; project keys are
 *   lower-case), which records the version actually resolved.
 * - `contentHash` (base64 SHA-512 of the .nupkg) → the `sha512` hash, in hex.
 * - An entry without `resolved`, or whose `resolved` is not a NuGet version, is `unresolved`.
 */
import type { Component, Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText, isJsonObject, jsonTypeName, parseJsonInput } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';

const ID = 'nuget/packages-lock';
const ECOSYSTEM = 'NuGet';
const PACKAGE_TYPES = new Set(['Direct', 'Transitive', 'CentralTransitive']);

export const packagesLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['packages.lock.json'],

  wants(p: string): boolean {
    const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return p.slice(slash + 1) === 'packages.lock.json';
  },

  sniff(head: string): boolean {
    return /^\s*\{\s*"version"\s*:\s*[12]\s*,\s*"dependencies"\s*:\s*\{/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parsePackagesLock(decodeText(await input.read(), input.path), input.path);
  },
};




const keyPath = (base: string, key: string): string => `${base}[${JSON.stringify(key)}]`;

/** Parse the text of a packages.lock.json (`file` is its display path). */
export function parsePackagesLock(text: string, file: string): Inventory {
  const data = parseJsonInput(text, file);
  const wrong = (jsonPath: string, expected: string, found: unknown, line?: number): VouchError =>
    new VouchError('INPUT_PARSE', `expected ${expected}, found ${jsonTypeName(found)}`, {
      path: file,
      position: line !== undefined ? { line, jsonPath } : { jsonPath },
    });
  if (!isJsonObject(data)) throw wrong('$', 'an object', data);
  const version = data['version'];
  if (typeof version !== 'number') {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a NuGet packages.lock.json (no numeric "version")', { path: file, position: { jsonPath: '$.version' } });
  }
  if (version !== 1 && version !== 2) {
    throw new VouchError('INPUT_UNSUPPORTED', `unsupported lock file version ${version} (vouch reads 1 and 2)`, {
      path: file,
      position: { jsonPath: '$.version' },
    });
  }
  const frameworks = data['dependencies'] ?? {};
  if (!isJsonObject(frameworks)) throw wrong('$.dependencies', 'an object', frameworks);

  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  const lines = packageLines(text);

  for (const [tfm, section] of Object.entries(frameworks)) {
    const tfmPath = keyPath('$.dependencies', tfm);
    if (!isJsonObject(section)) throw wrong(tfmPath, 'an object', section);
    /** lower-cased name → graph id (purl or project root) in this framework */
    const ids = new Map<string, string>();
    const deps: { from: string; names: string[] }[] = [];

    for (const [name, entry] of Object.entries(section)) {
      const jsonPath = keyPath(tfmPath, name);
      const line = lines.get(`${tfm}\n${name}`);
      if (!isJsonObject(entry)) throw wrong(jsonPath, 'an object', entry, line);
      const str = (field: string): string | undefined => {
        const v = entry[field];
        if (v === undefined) return undefined;
        if (typeof v !== 'string') throw wrong(`${jsonPath}.${field}`, 'a string', v, line);
        return v;
      };
      const type = str('type');
      const depMap = entry['dependencies'];
      if (depMap !== undefined && !isJsonObject(depMap)) throw wrong(`${jsonPath}.dependencies`, 'an object', depMap, line);
      const at = line !== undefined ? `line ${line} ` : '';

      if (type === 'Project') {
        const projectRoot = `${rootId}#${name}`;
        graph.addRoot(projectRoot, `${file} (project ${name})`);
        graph.addEdge(rootId, projectRoot);
        ids.set(name.toLowerCase(), projectRoot);
        if (depMap) deps.push({ from: projectRoot, names: Object.keys(depMap) });
        continue;
      }
      if (type === undefined || !PACKAGE_TYPES.has(type)) {
        warnings.push(`${at}${jsonPath}: ${name}: unknown entry type ${JSON.stringify(type ?? null)}; read as a package`);
      }
      const resolved = str('resolved');
      const requested = str('requested');
      if (resolved === undefined || versioning.parse(resolved) === undefined) {
        unresolved.push({
          name,
          ecosystem: ECOSYSTEM,
          ...(requested !== undefined || resolved !== undefined ? { spec: (resolved ?? requested)! } : {}),
          ...(line !== undefined ? { line } : {}),
          reason: resolved === undefined ? 'no resolved version recorded' : `"${resolved}" is not a NuGet version`,
        });
        continue;
      }
      let purl: string;
      try {
        purl = buildPurl({ type: 'nuget', name, version: resolved });
      } catch (e) {
        warnings.push(`${at}${jsonPath}: ${name}@${resolved}: ${(e as Error).message}; skipped`);
        continue;
      }
      const contentHash = str('contentHash');
      const hashes = contentHash !== undefined ? sha512Of(contentHash) : [];
      if (contentHash !== undefined && hashes.length === 0) warnings.push(`${at}${jsonPath}.contentHash: not a base64 SHA-512; ignored`);
      const direct = type === 'Direct';
      const c: Component = {
        purl,
        ecosystem: ECOSYSTEM,
        name,
        version: resolved,
        scope: 'prod',
        direct,
        ...(hashes.length ? { hashes } : {}),
        locations: [line !== undefined ? { path: file, line } : { path: file }],
      };
      graph.add(c);
      if (direct) graph.addEdge(rootId, purl);
      ids.set(name.toLowerCase(), purl);
      if (depMap) deps.push({ from: purl, names: Object.keys(depMap) });
    }

    for (const { from, names } of deps) {
      for (const n of names) {
        const to = ids.get(n.toLowerCase());
        if (to !== undefined) graph.addEdge(from, to);
      }
    }
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

/** `contentHash`: base64 of a 64-byte SHA-512 digest → hex. */
function sha512Of(b64: string): Hash[] {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(b64)) return [];
  return [{ alg: 'sha512', value: Buffer.from(b64, 'base64').toString('hex') }];
}

/**
 * Lines of the package keys, `<tfm>\n<name>` → 1-based line, in one pass over text that
 * JSON.parse has accepted: keys three objects deep under the top-level `dependencies`.
 */
export function packageLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const keyAt: (string | undefined)[] = [];
  const isObj: boolean[] = [];
  let depth = 0;
  let expectKey = false;
  let line = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      let end = i + 1;
      while (end < n) {
        const d = text.charCodeAt(end);
        if (d === 92) end += 2;
        else if (d === 34) break;
        else end++;
      }
      if (expectKey) {
        let key = text.slice(i + 1, end);
        if (key.includes('\\')) key = JSON.parse(text.slice(i, end + 1)) as string;
        keyAt[depth] = key;
        if (depth === 3 && keyAt[1] === 'dependencies') out.set(`${keyAt[2]}\n${key}`, line);
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      isObj[depth] = c === 123;
      keyAt[depth] = undefined;
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      depth--;
      expectKey = false;
    } else if (c === 44) {
      expectKey = isObj[depth] === true;
    }
  }
  return out;
}
