/**
 * Test helpers for the SBOM writers: a small graph with every feature the writers map, the
 * comparison of a graph with what a reader gives back, and the schema validators of ../shared.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { Component } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import { shared } from '../testing/shared.js';

const lib = (over: Partial<Component> & { purl: string; name: string; version: string }): Component => ({
  ecosystem: 'npm',
  scope: 'prod',
  direct: false,
  locations: [],
  ...over,
});

/**
 * One root (`root:app/package-lock.json`, "app"), npm and Maven components, a dev and an optional
 * one, hashes, licences of every kind, locations with and without lines, characters XML must escape.
 */
export function sampleGraph(opts: { twoRoots?: boolean } = {}): DependencyGraph {
  const g = new DependencyGraph();
  const root = 'root:app/package-lock.json';
  g.addRoot(root, 'app');
  const babel = g.add(
    lib({
      purl: 'pkg:npm/%40babel/core@7.24.0',
      name: '@babel/core',
      version: '7.24.0',
      direct: true,
      licenses: ['MIT'],
      hashes: [
        { alg: 'sha512', value: 'ab'.repeat(64) },
        { alg: 'sha1', value: 'cd'.repeat(20) },
      ],
      locations: [
        { path: 'app/package-lock.json', line: 12 },
        { path: 'app/package-lock.json', line: 3 },
      ],
    }),
  );
  const log4j = g.add(
    lib({
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      ecosystem: 'Maven',
      name: 'org.apache.logging.log4j:log4j-core',
      version: '2.14.1',
      licenses: ['(Apache-2.0 OR MIT)'],
      locations: [{ path: 'app/pom.xml' }],
    }),
  );
  const dev = g.add(
    lib({
      purl: 'pkg:npm/vitest@1.0.0',
      name: 'vitest',
      version: '1.0.0',
      scope: 'dev',
      direct: true,
      licenses: ['SEE LICENSE IN <LICENSE> & "more"'],
      locations: [{ path: 'app/package-lock.json', line: 40 }],
    }),
  );
  const opt = g.add(
    lib({
      purl: 'pkg:npm/fsevents@2.3.3',
      name: 'fsevents',
      version: '2.3.3',
      scope: 'optional',
      direct: true,
      licenses: ['mit', 'Apache 2.0'],
      locations: [{ path: 'app/package-lock.json', line: 50 }],
    }),
  );
  const unknown = g.add(
    lib({
      purl: 'pkg:golang/github.com/foo/bar@v1.2.3',
      ecosystem: 'Go',
      name: 'github.com/foo/bar',
      version: 'v1.2.3',
      scope: 'unknown',
      hashes: [{ alg: 'sha224', value: 'ef'.repeat(28) }],
      locations: [{ path: 'app/go.sum', line: 1 }],
    }),
  );
  g.addEdge(root, babel.purl);
  g.addEdge(root, dev.purl);
  g.addEdge(root, opt.purl);
  g.addEdge(babel.purl, log4j.purl);
  g.addEdge(dev.purl, babel.purl);
  g.addEdge(log4j.purl, unknown.purl);
  if (opts.twoRoots) {
    const ws = 'root:app/package-lock.json#packages/web';
    g.addRoot(ws, 'web');
    g.addEdge(root, ws);
    g.addEdge(ws, unknown.purl);
    unknown.direct = true;
  }
  return g;
}

/** What a round trip must keep: the purls, purl → purl edges, and the purls the roots depend on. */
/**
 * The components (purls), the edges between them, and what the roots pull in. A root with an
 * identity of its own (a project with a name and version) is written with its purl, and a reader
 * takes a subject with a purl as a component (other tools' SBOMs name the product they describe
 * that way): the shape counts such a root as that component, so a round trip compares equal.
 */
export function graphShape(g: DependencyGraph): { purls: string[]; edges: string[]; fromRoots: string[] } {
  const purls = new Set(g.components.keys());
  const edges: string[] = [];
  const fromRoots = new Set<string>();
  for (const identity of g.rootIdentities.values()) {
    purls.add(identity.purl);
    fromRoots.add(identity.purl);
  }
  for (const [from, tos] of g.edges) {
    const identity = g.rootIdentities.get(from);
    for (const to of tos) {
      if (!g.components.has(to)) continue;
      if (identity) edges.push(`${identity.purl} -> ${to}`);
      else if (g.roots.has(from)) fromRoots.add(to);
      else edges.push(`${from} -> ${to}`);
    }
  }
  return { purls: [...purls].sort(), edges: [...new Set(edges)].sort(), fromRoots: [...fromRoots].sort() };
}

let cdxValidator: ValidateFunction | undefined;
/** bom-1.6.schema.json (draft-07) with spdx.schema.json and jsf-0.82.schema.json as referenced schemas. */
export function cycloneDxValidator(): ValidateFunction {
  if (cdxValidator) return cdxValidator;
  const dir = (f: string) => JSON.parse(readFileSync(shared('conformance', 'cyclonedx', 'specification', 'schema', f), 'utf8')) as object;
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  // formats ajv-formats does not know: checked by no validator we have, so accepted as they are
  for (const f of ['iri-reference', 'idn-email']) ajv.addFormat(f, true);
  ajv.addSchema(dir('spdx.schema.json'), 'spdx.schema.json');
  ajv.addSchema(dir('jsf-0.82.schema.json'), 'jsf-0.82.schema.json');
  return (cdxValidator = ajv.compile(dir('bom-1.6.schema.json')));
}

let spdxValidator: ValidateFunction | undefined;
/** spdx-schema-2.3.json (draft 2019-09). */
export function spdxJsonValidator(): ValidateFunction {
  if (spdxValidator) return spdxValidator;
  const schema = JSON.parse(readFileSync(shared('conformance', 'spdx', 'spdx-spec-v2.3', 'spdx-schema-2.3.json'), 'utf8')) as object;
  const ajv = new Ajv2019.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return (spdxValidator = ajv.compile(schema));
}

export const HAS_XMLLINT = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Validates a CycloneDX 1.6 XML file against bom-1.6.xsd with xmllint, offline (the spec's own
 * XML catalog maps the imported SPDX schema to its local copy). Returns xmllint's complaints.
 */
export function xsdErrors(file: string): string {
  const dir = shared('conformance', 'cyclonedx', 'specification', 'schema');
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', `${dir}/bom-1.6.xsd`, file], {
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: `${dir}/xmlcatalog.xml` },
  });
  return r.status === 0 ? '' : `${r.stderr}${r.stdout}`.trim() || `xmllint exited ${r.status}`;
}

/**
 * Packages named without a version, as collectInventory reports them: an npm git dependency, two
 * unpinned requirements of one PyPI package (they collapse into one component), a mix.lock git
 * entry, a scoped npm file dependency (its reason with characters XML escapes), an apk stanza
 * without V:, and entries that cannot be listed (no ecosystem; an ecosystem vouch does not know; a
 * path kept as the name; a Maven parent POM missing from disk).
 */
export function sampleUnresolved(): { name: string; ecosystem?: string; spec?: string; line?: number; reason: string; path: string }[] {
  return [
    {
      name: 'gitdep',
      ecosystem: 'npm',
      spec: 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567',
      line: 15,
      reason: 'version "git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567" is not a semver version (git)',
      path: 'app/package-lock.json',
    },
    { name: 'requests', ecosystem: 'PyPI', spec: '>=2.0', line: 3, reason: 'unpinned: >=2.0', path: 'app/requirements.txt' },
    { name: 'requests', ecosystem: 'PyPI', spec: '<3', line: 5, reason: 'unpinned: <3', path: 'app/requirements.txt' },
    {
      name: 'plug_git',
      ecosystem: 'Hex',
      spec: 'https://github.com/acme/plug_git.git#abcdef0123456789abcdef0123456789abcdef01',
      line: 3,
      reason: 'git dependency at commit abcdef0123456789abcdef0123456789abcdef01: the lockfile records no version',
      path: 'app/mix.lock',
    },
    { name: '@acme/local-tools', ecosystem: 'npm', spec: 'file:../tools', line: 20, reason: 'no version recorded (resolved file:../tools & "<more>")', path: 'app/package-lock.json' },
    { name: 'musl-utils', ecosystem: 'Alpine:v3.19', line: 7, reason: 'no V: (version) field', path: 'lib/apk/db/installed' },
    { name: 'mystery', spec: 'whatever', reason: 'no purl', path: 'app/bom.json' },
    { name: 'thing', ecosystem: 'Nonesuch', reason: 'not pinned', path: 'app/other.lock' },
    { name: './downloads/numpy-1.9.2-cp34-none-win32.whl', ecosystem: 'PyPI', spec: './downloads/numpy-1.9.2-cp34-none-win32.whl', line: 9, reason: 'direct URL or local path: no registry version', path: 'app/requirements.txt' },
    { name: 'org.acme:parent', ecosystem: 'Maven', spec: '1.0', line: 3, reason: 'parent POM org.acme:parent:1.0 is not on disk (not found at ../pom.xml): the properties, managed versions and dependencies it may define are unknown', path: 'app/pom.xml' },
  ];
}
