/**
 * Dart / Flutter `pubspec.lock` (YAML, written by `dart pub get` / `flutter pub get`):
 *
 * ```yaml
 * packages:
 *   shelf:
 *     dependency: transitive            # "direct main" | "direct dev" | "direct overridden" | transitive
 *     description:
 *       name: shelf
 *       sha256: "…"                     # newer pub: the archive's SHA-256
 *       url: "https://pub.dev"
 *     source: hosted                    # hosted | git | path | sdk
 *     version: "1.3.2"
 * sdks:
 *   dart: ">=2.17.1 <3.0.0"
 * ```
 *
 * What becomes what:
 * - hosted, git and path packages with a version are components (line = the package's key).
 *   `direct main` → direct, prod; `direct dev` → direct, dev; `direct overridden` → direct, scope
 *   unknown; `transitive` → scope unknown (the lockfile does not say whether only dev
 *   dependencies pull it in). `description.sha256` → the `sha256` hash.
 * - git packages keep the version their pubspec declares, with a warning naming the commit
 *   (`resolved-ref`); path packages likewise with a warning (a local folder, not pub.dev); a
 *   hosted package from another server than pub.dev gets a warning naming it.
 * - sdk packages (`flutter`, `flutter_test`, `flutter_web_plugins` …) ship inside the Flutter or
 *   Dart SDK; pub records `0.0.0` for them, a placeholder, not their version. They are listed in
 *   `unresolved` with that reason instead of becoming components. (osv-scanner and osv-scalibr
 *   report them at 0.0.0; an advisory range starting at 0 would then match every Flutter app.)
 * - A package without a version is `unresolved`.
 * - The lockfile records no edges between packages: the root links to the direct ones only.
 *
 * Errors: an empty file, YAML that does not parse, or a document that is not a map is an
 * INPUT_PARSE / INPUT_UNSUPPORTED error with the line (osv-scalibr also refuses an empty file).
 */
import type * as Yaml from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { yamlLib } from '../../io/libs.js';
import { parseYamlInput } from '../../io/yaml.js';
import type { Component, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';

// yaml loads on the first YAML file only (src/inventory/libs.ts)
const isMap = ((n: unknown) => yamlLib().isMap(n)) as typeof Yaml.isMap;
const isScalar = ((n: unknown) => yamlLib().isScalar(n)) as typeof Yaml.isScalar;

const ID = 'pub/pubspec-lock';
const ECOSYSTEM = 'Pub';
const PUB_DEV = /^https:\/\/(?:pub\.dev|pub\.dartlang\.org)\/?$/;

export const pubspecLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['pubspec.lock'],

  wants(p: string): boolean {
    const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return p.slice(slash + 1) === 'pubspec.lock';
  },

  sniff(head: string): boolean {
    return /(?:^|\n)packages:[ \t]*(?:\{\s*\}|\r?\n[ \t]+[^\s:]+:[ \t]*\r?\n[ \t]+(?:dependency|description|source|version):)/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parsePubspecLock(decodeText(await input.read(), input.path), input.path);
  },
};

/** Parse the text of a pubspec.lock (`file` is its display path). */
export function parsePubspecLock(text: string, file: string): Inventory {
  // syntax, duplicate keys, custom tags and any alias are one-line errors there (io/yaml.ts)
  const { doc, lines: lc } = parseYamlInput(text, file, { aliases: 'refuse', duplicateKeys: 'error' });
  const lineOf = (n: Node | null | undefined): number | undefined => (n?.range ? lc.linePos(n.range[0]).line : undefined);
  const top = doc.contents;
  if (top === null) throw new VouchError('INPUT_PARSE', 'empty file: a pubspec.lock holds a `packages:` map', { path: file });
  if (!isMap(top)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a pubspec.lock: the document is not a map with `packages:`', {
      path: file,
      ...(lineOf(top) !== undefined ? { position: { line: lineOf(top)! } } : {}),
    });
  }

  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  const result = (): Inventory => ({ source: { path: file, extractor: ID }, graph, unresolved, warnings });

  const packagesPair = top.items.find((p) => isScalar(p.key) && p.key.value === 'packages');
  if (packagesPair === undefined) {
    warnings.push('no `packages:` map: no packages');
    return result();
  }
  const packages = packagesPair.value as Node | null;
  if (packages === null || (isScalar(packages) && packages.value === null)) return result();
  if (!isMap(packages)) throw wrongType(file, '`packages`', 'a map', lineOf(packages));

  for (const pair of packages.items) {
    const keyNode = pair.key as Node | null;
    const line = lineOf(keyNode);
    const at = line !== undefined ? `line ${line}: ` : '';
    const name = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (name === undefined || name === '') {
      warnings.push(`${at}a package key that is not a name; skipped`);
      continue;
    }
    const entry = pair.value as Node | null;
    if (!isMap(entry)) throw wrongType(file, `packages.${name}`, 'a map', lineOf(entry) ?? line);
    const fields = new Fields(file, `packages.${name}`, entry, lineOf);

    const dependency = fields.str('dependency');
    const source = fields.str('source');
    const version = fields.str('version');
    const description = entry.get('description', true) as Node | undefined;
    const desc = isMap(description) ? new Fields(file, `packages.${name}.description`, description, lineOf) : undefined;

    const direct = dependency !== undefined && dependency.startsWith('direct');
    const scope: Scope = dependency === 'direct main' ? 'prod' : dependency === 'direct dev' ? 'dev' : 'unknown';
    if (dependency !== undefined && !['direct main', 'direct dev', 'direct overridden', 'transitive'].includes(dependency)) {
      warnings.push(`${at}${name}: unknown dependency kind "${dependency}"; taken as transitive`);
    }

    if (source === 'sdk') {
      const sdk = isScalar(description) ? String(description.value) : 'an';
      unresolved.push({
        name,
        ecosystem: ECOSYSTEM,
        ...(version !== undefined ? { spec: version } : {}),
        ...(line !== undefined ? { line } : {}),
        reason: `ships with the ${sdk} SDK: pub records ${version !== undefined ? `"${version}" as a placeholder, ` : ''}not the package's version`,
      });
      continue;
    }
    if (version === undefined || version === '') {
      unresolved.push({ name, ecosystem: ECOSYSTEM, ...(line !== undefined ? { line } : {}), reason: 'no version recorded' });
      continue;
    }
    if (source === 'git') {
      const ref = desc?.str('resolved-ref') ?? desc?.str('ref');
      const url = desc?.str('url');
      const from = [url !== undefined ? redact(url) : undefined, ref !== undefined ? `at ${ref}` : undefined].filter(Boolean).join(' ');
      warnings.push(`${at}${name}@${version} comes from git${from ? ` (${from})` : ''}, not pub.dev; version as its pubspec declares it`);
    } else if (source === 'path') {
      warnings.push(`${at}${name}@${version} comes from a local folder${desc?.str('path') ? ` (${desc.str('path')})` : ''}, not pub.dev`);
    } else if (source === 'hosted') {
      const url = desc?.str('url');
      if (url !== undefined && !PUB_DEV.test(url)) warnings.push(`${at}${name}@${version} comes from ${redact(url)}, not pub.dev`);
    } else if (source !== undefined) {
      warnings.push(`${at}${name}@${version}: unknown source "${source}"`);
    }

    let purl: string;
    try {
      purl = buildPurl({ type: 'pub', name, version });
    } catch (e) {
      warnings.push(`${at}${name}@${version}: ${(e as Error).message}; skipped`);
      continue;
    }
    const sha256 = desc?.str('sha256');
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope,
      direct,
      ...(sha256 !== undefined && /^[0-9a-f]{64}$/i.test(sha256) ? { hashes: [{ alg: 'sha256', value: sha256.toLowerCase() }] } : {}),
      locations: [line !== undefined ? { path: file, line } : { path: file }],
    };
    graph.add(c);
    if (direct) graph.addEdge(rootId, purl);
  }
  return result();
}

/** String fields of one YAML map: absent → undefined; numbers and booleans as written; else INPUT_PARSE. */
class Fields {
  constructor(
    private readonly file: string,
    private readonly where: string,
    private readonly map: YAMLMap,
    private readonly lineOf: (n: Node | null | undefined) => number | undefined,
  ) {}

  str(field: string): string | undefined {
    const n = this.map.get(field, true) as Node | undefined;
    if (n === undefined) return undefined;
    if (isScalar(n)) {
      if (n.value === null) return undefined;
      if (typeof n.value === 'string') return n.value;
      // an unquoted `version: 1.0` reads as a number: keep the text as written
      if (typeof n.value === 'number' || typeof n.value === 'boolean') return n.source ?? String(n.value);
    }
    throw wrongType(this.file, `${this.where}.${field}`, 'a string', this.lineOf(n));
  }
}

function wrongType(file: string, where: string, expected: string, line: number | undefined): VouchError {
  return new VouchError('INPUT_PARSE', `${where}: expected ${expected}`, {
    path: file,
    ...(line !== undefined ? { position: { line } } : {}),
  });
}

/** Drops credentials from URLs (`https://token@host/…` → `https://host/…`). */
function redact(s: string): string {
  return s.replace(/\/\/[^/@\s]+@/g, '//');
}
