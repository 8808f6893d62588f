/**
 * Gradle dependency verification: `gradle/verification-metadata.xml`.
 *
 * Every `<components><component group name version>` is a module Gradle downloaded for the build
 * (libraries, plugins, test tools, parent POMs alike), so the scope is unknown and none is direct;
 * each gets an edge from the root so it has a path. Hashes: sha256 / sha512 (and sha1) of the
 * component's main artifact, `<name>-<version>.jar` (else `.aar`, else the only artifact that is
 * not a `.pom`/`.module`); the hashes of metadata files are not the package's. A component without
 * group, name or version is listed in `unresolved`. The same component twice is one component with
 * two locations.
 */
import type { Component, Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';
import { attr, childNames, decodeXml, kid, kids, parseXml, type XmlNode } from './xml.js';

const ID = 'maven/gradle-verification-metadata';
const ECOSYSTEM = 'Maven';
const HASH_ALGS = ['sha1', 'sha256', 'sha512'] as const;

export const verificationMetadataExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['verification-metadata.xml'],

  /** `gradle/verification-metadata.xml` (the file's place is part of its name). */
  wants(p: string): boolean {
    return /(^|[/\\])gradle[/\\]verification-metadata\.xml$/.test(p);
  },

  sniff(head: string): boolean {
    return /<verification-metadata[\s>]/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseVerificationMetadata(decodeXml(await input.read(), input.path), input.path);
  },
};

function mainArtifact(component: XmlNode, name: string, version: string): XmlNode | undefined {
  const artifacts = kids(component, 'artifact');
  const named = (n: string): XmlNode | undefined => artifacts.find((a) => attr(a, 'name') === n);
  const found = named(`${name}-${version}.jar`) ?? named(`${name}-${version}.aar`);
  if (found) return found;
  const others = artifacts.filter((a) => !/\.(pom|module)$/.test(attr(a, 'name') ?? ''));
  return others.length === 1 ? others[0] : undefined;
}

function hashesOf(artifact: XmlNode | undefined): Hash[] {
  const out: Hash[] = [];
  for (const alg of HASH_ALGS) {
    const value = attr(kid(artifact, alg), 'value')?.toLowerCase();
    if (value && /^[0-9a-f]+$/.test(value)) out.push({ alg, value });
  }
  return out;
}

export function parseVerificationMetadata(text: string, file: string): Inventory {
  const doc = parseXml(text, file);
  const meta = kid(doc.root, 'verification-metadata');
  if (!meta) {
    const found = childNames(doc.root)[0];
    throw new VouchError(
      'INPUT_UNSUPPORTED',
      `not Gradle verification metadata: the root element is ${found ? `<${found}>` : 'missing'}, not <verification-metadata>`,
      { path: file },
    );
  }
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  for (const comp of kids(kid(meta, 'components'), 'component')) {
    const line = doc.lineOf(comp);
    const group = attr(comp, 'group')?.trim() ?? '';
    const name = attr(comp, 'name')?.trim() ?? '';
    const version = attr(comp, 'version')?.trim() ?? '';
    const full = `${group}:${name}`;
    const lack = [!group && 'group', !name && 'name', !version && 'version'].filter(Boolean);
    if (lack.length) {
      unresolved.push({
        name: full,
        ecosystem: ECOSYSTEM,
        ...(version ? { spec: version } : {}),
        ...(line !== undefined ? { line } : {}),
        reason: `<component> without ${lack.join(', ')}`,
      });
      continue;
    }
    if (versioning.parse(version) === undefined) {
      unresolved.push({ name: full, ecosystem: ECOSYSTEM, spec: version, ...(line !== undefined ? { line } : {}), reason: `"${version}" is not a Maven version` });
      continue;
    }
    let purl: string;
    try {
      purl = buildPurl({ type: 'maven', namespace: group, name, version });
    } catch (e) {
      warnings.push(`line ${line ?? '?'}: ${full}@${version}: ${(e as Error).message}; skipped`);
      continue;
    }
    const hashes = hashesOf(mainArtifact(comp, name, version));
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name: full,
      version,
      scope: 'unknown',
      direct: false,
      ...(hashes.length ? { hashes } : {}),
      locations: [line !== undefined ? { path: file, line } : { path: file }],
    };
    graph.add(c);
    graph.addEdge(rootId, purl);
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}
