/**
 * Packages an input names without a version, listed in the SBOM as components without a version:
 * the shared builder (purls, collapsing, OS namespaces), both CycloneDX and both SPDX
 * serialisations, the round trip through the readers, and the schemas.
 */
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { collectInventory } from '../inventory/collect.js';
import { DependencyGraph } from '../model/graph.js';
import { spdxVcsLocation } from './spdx-write.js';
import { vcsUrl, versionlessComponents } from './common-write.js';
import { writeCycloneDxJson, writeCycloneDxXml } from './cyclonedx-write.js';
import { readCycloneDx } from './cyclonedx-read.js';
import { writeSpdxJson, writeSpdxTagValue } from './spdx-write.js';
import { readSpdx } from './spdx-read.js';
import { sampleGraph, sampleUnresolved } from './sbom-write-testing.js';

const FIXTURES = path.join(import.meta.dirname, '__fixtures__', 'versionless');

const GITDEP_URL = 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567';
const PLUG_URL = 'https://github.com/acme/plug_git.git#abcdef0123456789abcdef0123456789abcdef01';
const opts = (over: object = {}) => ({ subjectName: 'app', deterministic: true, unresolved: sampleUnresolved(), ...over });

interface CdxComp {
  'bom-ref': string;
  name: string;
  group?: string;
  version?: string;
  purl: string;
  properties?: { name: string; value: string }[];
  externalReferences?: { type: string; url: string }[];
  evidence?: { occurrences: { location: string; line?: number }[] };
}

describe('versionlessComponents', () => {
  it('one component per versionless purl, sorted; entries without a known ecosystem or a valid purl are left out', () => {
    const v = versionlessComponents(sampleUnresolved());
    expect(v.map((c) => c.purl)).toEqual([
      'pkg:apk/alpine/musl-utils',
      'pkg:hex/plug_git',
      'pkg:npm/%40acme/local-tools',
      'pkg:npm/gitdep',
      'pkg:pypi/requests',
    ]);
    const requests = v.find((c) => c.name === 'requests')!;
    expect(requests).toEqual({
      purl: 'pkg:pypi/requests',
      ecosystem: 'PyPI',
      name: 'requests',
      locations: [
        { path: 'app/requirements.txt', line: 3 },
        { path: 'app/requirements.txt', line: 5 },
      ],
      reasons: ['unpinned: <3', 'unpinned: >=2.0'],
      specs: ['<3', '>=2.0'],
      vcs: [],
    });
    expect(v.find((c) => c.name === 'gitdep')!.vcs).toEqual([GITDEP_URL]);
    expect(v.find((c) => c.name === 'plug_git')!.vcs).toEqual([PLUG_URL]);
    expect(v.find((c) => c.name === '@acme/local-tools')!.vcs).toEqual([]);
  });

  it('names that stand for no package stay out: paths, URLs, pnpm file: names, white space', () => {
    const names = (eco: string, ...ns: string[]) => versionlessComponents(ns.map((name) => ({ name, ecosystem: eco, reason: 'x' }))).map((c) => c.name);
    expect(names('npm', '  ', 'file:../nameless-package', 'a b', 'github.com/kevva/is-positive', 'scope/x', '@scope/ok', 'ok')).toEqual(['@scope/ok', 'ok']);
    expect(names('PyPI', './downloads/numpy-1.9.2-cp34-none-win32.whl', 'http://wxpython.org/x.whl', 'foo/bar', 'Mopidy-Dirble', 'zope.interface')).toEqual(['mopidy-dirble', 'zope.interface']);
    expect(names('Go', './fork/net', 'github.com/a/b')).toEqual(['github.com/a/b']);
    expect(names('Maven', 'org.acme:lib', 'org/acme')).toEqual(['org.acme:lib']);
    expect(names('RubyGems', 'a:b', 'rails')).toEqual(['rails']);
  });

  it('a Maven parent POM missing from disk is no versionless package (its version is known)', () => {
    expect(versionlessComponents(sampleUnresolved()).some((c) => c.name.includes('parent'))).toBe(false);
  });

  it('PyPI names collapse as the purl normalises them (Flask, flask)', () => {
    const v = versionlessComponents([
      { name: 'Flask', ecosystem: 'PyPI', reason: 'unpinned: no version specifier', line: 2, path: 'a/requirements.txt' },
      { name: 'flask', ecosystem: 'PyPI', reason: 'unpinned: no version specifier', line: 9, path: 'b/requirements.txt' },
    ]);
    expect(v).toHaveLength(1);
    expect(v[0]!.purl).toBe('pkg:pypi/flask');
    expect(v[0]!.locations).toEqual([
      { path: 'a/requirements.txt', line: 2 },
      { path: 'b/requirements.txt', line: 9 },
    ]);
  });

  it('OS packages: namespace and distro of the versioned packages of the same file, else from the release', () => {
    const g = new DependencyGraph();
    g.add({
      purl: 'pkg:deb/debian/bash@5.2.15-2?arch=amd64&distro=debian-12.5',
      ecosystem: 'Debian:12',
      name: 'bash',
      version: '5.2.15-2',
      scope: 'prod',
      direct: true,
      locations: [{ path: 'var/lib/dpkg/status', line: 1 }],
    });
    const v = versionlessComponents(
      [
        { name: 'broken', ecosystem: 'Debian:12', line: 30, reason: 'no Version field', path: 'var/lib/dpkg/status' },
        { name: 'other', ecosystem: 'Debian:11', line: 4, reason: 'no Version field', path: 'elsewhere/status' },
        { name: 'nover', ecosystem: 'Debian', reason: 'no Version field', path: 'x/status' },
        { name: 'musl-utils', ecosystem: 'Alpine:v3.19', reason: 'no V: (version) field', path: 'lib/apk/db/installed' },
      ],
      g,
    );
    expect(v.map((c) => c.purl)).toEqual([
      'pkg:apk/alpine/musl-utils',
      'pkg:deb/debian/broken?distro=debian-12.5',
      'pkg:deb/debian/nover',
      'pkg:deb/debian/other?distro=debian-11',
    ]);
  });

  it('vcs: git URLs with a scheme only', () => {
    expect(vcsUrl(GITDEP_URL)).toBe(GITDEP_URL);
    expect(vcsUrl('git://example.org/repo#v1')).toBe('git://example.org/repo#v1');
    expect(vcsUrl('https://github.com/a/b.git')).toBe('https://github.com/a/b.git');
    // a repository URL without .git counts when the reader says it is a git requirement
    expect(vcsUrl('https://github.com/a/b#abc', 'git dependency at commit abc: the lockfile records no version')).toBe('https://github.com/a/b#abc');
    expect(vcsUrl('https://example.org/pkg-1.0.tgz', 'no version recorded')).toBeUndefined();
    expect(vcsUrl('git: https://github.com/pallets/markupsafe', 'no version recorded (git source)')).toBe('https://github.com/pallets/markupsafe');
    expect(vcsUrl('github:a/b#abc')).toBeUndefined();
    expect(vcsUrl('git@github.com:a/b.git')).toBeUndefined();
    expect(vcsUrl('>=2.0')).toBeUndefined();
    expect(vcsUrl('file:../tools')).toBeUndefined();
  });

  it('SPDX VCS form: git+ before a plain transport, #commit as @commit', () => {
    expect(spdxVcsLocation(GITDEP_URL)).toBe('git+ssh://git@github.com/acme/gitdep.git@0123456789abcdef0123456789abcdef01234567');
    expect(spdxVcsLocation(PLUG_URL)).toBe('git+https://github.com/acme/plug_git.git@abcdef0123456789abcdef0123456789abcdef01');
    expect(spdxVcsLocation('git://example.org/repo')).toBe('git://example.org/repo');
  });
});

describe('CycloneDX: components without a version', () => {
  const bom = JSON.parse(writeCycloneDxJson(sampleGraph(), opts())) as { components: CdxComp[]; dependencies: { ref: string }[] };

  it('are listed among the components, sorted by purl, without version', () => {
    expect(bom.components.map((c) => c['bom-ref'])).toEqual([
      'pkg:apk/alpine/musl-utils',
      'pkg:golang/github.com/foo/bar@v1.2.3',
      'pkg:hex/plug_git',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      'pkg:npm/%40acme/local-tools',
      'pkg:npm/%40babel/core@7.24.0',
      'pkg:npm/fsevents@2.3.3',
      'pkg:npm/gitdep',
      'pkg:npm/vitest@1.0.0',
      'pkg:pypi/requests',
    ]);
    for (const c of bom.components) expect(c.version === undefined, c.purl).toBe(!/@[^/]*$/.test(c.purl.replace('%40', '')));
  });

  it('npm git dependency: purl, vcs reference, why, the requirement, file and line', () => {
    expect(bom.components.find((c) => c.name === 'gitdep')).toEqual({
      type: 'library',
      'bom-ref': 'pkg:npm/gitdep',
      name: 'gitdep',
      purl: 'pkg:npm/gitdep',
      externalReferences: [{ type: 'vcs', url: GITDEP_URL }],
      properties: [
        { name: 'vouch:unresolved', value: sampleUnresolved()[0]!.reason },
        { name: 'vouch:requirement', value: GITDEP_URL },
      ],
      evidence: { occurrences: [{ location: 'app/package-lock.json', line: 15 }] },
    });
    // a scoped name keeps CycloneDX's group/name split
    expect(bom.components.find((c) => c.group === '@acme')).toMatchObject({ name: 'local-tools' });
  });

  it('unpinned requirements collapse into one component with each occurrence, reason and requirement', () => {
    expect(bom.components.find((c) => c.name === 'requests')).toEqual({
      type: 'library',
      'bom-ref': 'pkg:pypi/requests',
      name: 'requests',
      purl: 'pkg:pypi/requests',
      properties: [
        { name: 'vouch:unresolved', value: 'unpinned: <3' },
        { name: 'vouch:unresolved', value: 'unpinned: >=2.0' },
        { name: 'vouch:requirement', value: '<3' },
        { name: 'vouch:requirement', value: '>=2.0' },
      ],
      evidence: {
        occurrences: [
          { location: 'app/requirements.txt', line: 3 },
          { location: 'app/requirements.txt', line: 5 },
        ],
      },
    });
  });

  it('have no node in the dependency graph', () => {
    const refs = new Set(bom.dependencies.map((d) => d.ref));
    for (const p of ['pkg:npm/gitdep', 'pkg:pypi/requests', 'pkg:hex/plug_git']) expect(refs.has(p)).toBe(false);
  });

  it('without unresolved entries the document is what it was', () => {
    expect(writeCycloneDxJson(sampleGraph(), opts({ unresolved: [] }))).toBe(writeCycloneDxJson(sampleGraph(), { subjectName: 'app', deterministic: true }));
  });

  it('deterministic, whatever order the entries come in', () => {
    const reversed = opts({ unresolved: sampleUnresolved().reverse() });
    expect(writeCycloneDxJson(sampleGraph(), reversed)).toBe(writeCycloneDxJson(sampleGraph(), opts()));
    expect(writeCycloneDxXml(sampleGraph(), reversed)).toBe(writeCycloneDxXml(sampleGraph(), opts()));
  });

  it('XML: externalReferences and properties after purl, escaped', () => {
    const xml = writeCycloneDxXml(sampleGraph(), opts());
    expect(XMLValidator.validate(xml)).toBe(true);
    const block = xml.slice(xml.indexOf('<component type="library" bom-ref="pkg:npm/gitdep">'));
    expect(block.slice(0, block.indexOf('</component>')).split('\n').map((l) => l.trim())).toEqual([
      '<component type="library" bom-ref="pkg:npm/gitdep">',
      '<name>gitdep</name>',
      '<purl>pkg:npm/gitdep</purl>',
      '<externalReferences>',
      '<reference type="vcs">',
      `<url>${GITDEP_URL}</url>`,
      '</reference>',
      '</externalReferences>',
      '<properties>',
      `<property name="vouch:unresolved">${sampleUnresolved()[0]!.reason}</property>`,
      `<property name="vouch:requirement">${GITDEP_URL}</property>`,
      '</properties>',
      '<evidence>',
      '<occurrences>',
      '<occurrence>',
      '<location>app/package-lock.json</location>',
      '<line>15</line>',
      '</occurrence>',
      '</occurrences>',
      '</evidence>',
      '',
    ]);
    expect(xml).toContain('<property name="vouch:unresolved">no version recorded (resolved file:../tools &amp; "&lt;more&gt;")</property>');
  });
});

describe('SPDX: packages without a version', () => {
  const doc = JSON.parse(writeSpdxJson(sampleGraph(), opts())) as {
    packages: Record<string, unknown>[];
    relationships: { spdxElementId: string; relatedSpdxElement: string }[];
  };

  it('no versionInfo, the purl without version, the git repository as downloadLocation, why as annotations', () => {
    const gitdep = doc.packages.find((p) => p['name'] === 'gitdep');
    expect(gitdep).toEqual({
      name: 'gitdep',
      SPDXID: 'SPDXRef-Package-npm-gitdep',
      downloadLocation: 'git+ssh://git@github.com/acme/gitdep.git@0123456789abcdef0123456789abcdef01234567',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/gitdep' }],
      primaryPackagePurpose: 'LIBRARY',
      annotations: [
        { annotationDate: '1970-01-01T00:00:00Z', annotationType: 'OTHER', annotator: expect.stringMatching(/^Tool: vouch-/), comment: `vouch:unresolved: ${sampleUnresolved()[0]!.reason}` },
        { annotationDate: '1970-01-01T00:00:00Z', annotationType: 'OTHER', annotator: expect.stringMatching(/^Tool: vouch-/), comment: `vouch:requirement: ${GITDEP_URL}` },
      ],
    });
    expect(doc.packages.find((p) => p['name'] === 'requests')).toMatchObject({ SPDXID: 'SPDXRef-Package-pypi-requests', downloadLocation: 'NOASSERTION' });
    expect(doc.packages.find((p) => p['name'] === 'musl-utils')).toMatchObject({ SPDXID: 'SPDXRef-Package-apk-alpine-musl-utils' });
    const ids = doc.packages.map((p) => p['SPDXID']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are in no relationship', () => {
    const ids = new Set(doc.relationships.flatMap((r) => [r.spdxElementId, r.relatedSpdxElement]));
    expect(ids.has('SPDXRef-Package-npm-gitdep')).toBe(false);
  });

  it('tag-value: the annotations follow the package', () => {
    const tv = writeSpdxTagValue(sampleGraph(), opts());
    const at = tv.indexOf('PackageName: gitdep');
    const block = tv.slice(at, tv.indexOf('\n\n', at)).split('\n');
    expect(block.filter((l) => /^(PackageVersion|PackageDownloadLocation|SPDXREF|AnnotationComment|AnnotationType)/.test(l))).toEqual([
      'PackageDownloadLocation: git+ssh://git@github.com/acme/gitdep.git@0123456789abcdef0123456789abcdef01234567',
      'AnnotationType: OTHER',
      'SPDXREF: SPDXRef-Package-npm-gitdep',
      `AnnotationComment: <text>vouch:unresolved: ${sampleUnresolved()[0]!.reason}</text>`,
      'AnnotationType: OTHER',
      'SPDXREF: SPDXRef-Package-npm-gitdep',
      `AnnotationComment: <text>vouch:requirement: ${GITDEP_URL}</text>`,
    ]);
  });

  it('deterministic, whatever order the entries come in', () => {
    const reversed = opts({ unresolved: sampleUnresolved().reverse() });
    expect(writeSpdxJson(sampleGraph(), reversed)).toBe(writeSpdxJson(sampleGraph(), opts()));
    expect(writeSpdxTagValue(sampleGraph(), reversed)).toBe(writeSpdxTagValue(sampleGraph(), opts()));
  });
});

describe('round trip: the readers give the unresolved entries back', () => {
  /** What a written entry must come back as: one per versionless purl, reasons and specs joined. */
  const expected = [
    { name: 'musl-utils', ecosystem: 'Alpine', reason: 'no V: (version) field' },
    { name: 'plug_git', ecosystem: 'Hex', spec: PLUG_URL, reason: sampleUnresolved()[3]!.reason },
    { name: '@acme/local-tools', ecosystem: 'npm', spec: 'file:../tools', reason: 'no version recorded (resolved file:../tools & "<more>")' },
    { name: 'gitdep', ecosystem: 'npm', spec: GITDEP_URL, reason: sampleUnresolved()[0]!.reason },
    { name: 'requests', ecosystem: 'PyPI', spec: '<3; >=2.0', reason: 'unpinned: <3; unpinned: >=2.0' },
  ];
  const strip = (u: { line?: number }[]) => u.map(({ line: _line, ...rest }) => rest);

  it.each([
    ['CycloneDX JSON', () => readCycloneDx(writeCycloneDxJson(sampleGraph(), opts()), 'x.cdx.json')],
    ['CycloneDX XML', () => readCycloneDx(writeCycloneDxXml(sampleGraph(), opts()), 'x.cdx.xml')],
    ['SPDX JSON', () => readSpdx(writeSpdxJson(sampleGraph(), opts()), 'x.spdx.json')],
    ['SPDX tag-value', () => readSpdx(writeSpdxTagValue(sampleGraph(), opts()), 'x.spdx')],
  ])('%s: same entries, with a line in the SBOM, and no "has no version" warning', (_name, read) => {
    const inv = read();
    // (SPDX: the root's package, the project without a purl, is an entry "no purl" of its own, as before)
    expect(strip(inv.unresolved.filter((u) => u.reason !== 'no purl'))).toEqual(expected);
    for (const u of inv.unresolved) expect(u.line).toBeGreaterThan(0);
    expect(inv.warnings.filter((w) => w.includes('has no version'))).toEqual([]);
    // the versioned components are all still there
    expect(inv.graph.components.size).toBe(sampleGraph().components.size);
  });

  it('a foreign versionless component (no vouch:unresolved) still gets its warning', () => {
    const foreign = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ type: 'library', name: 'gitdep', purl: 'pkg:npm/gitdep', properties: [{ name: 'cdx:npm:package:development', value: 'true' }] }],
    });
    const inv = readCycloneDx(foreign, 'f.cdx.json');
    expect(inv.warnings).toEqual(['$.components[0]: pkg:npm/gitdep has no version; not matched against advisories']);
    expect(strip(inv.unresolved)).toEqual([{ name: 'gitdep', ecosystem: 'npm', spec: 'pkg:npm/gitdep', reason: 'no version' }]);
  });
});

describe('from the inputs: package-lock git dependency, unpinned requirements, mix.lock git entry', () => {
  it('the SBOM lists them without a version, at the lines of the inputs', async () => {
    const inv = await collectInventory([FIXTURES]);
    const bom = JSON.parse(writeCycloneDxJson(inv.graph, { subjectName: 'fx', deterministic: true, unresolved: inv.unresolved })) as { components: CdxComp[] };
    const rel = (f: string) => path.join(FIXTURES, f);
    const versionless = bom.components.filter((c) => c.version === undefined);
    expect(versionless.map((c) => [c.purl, c.evidence?.occurrences, c.externalReferences?.map((r) => r.url) ?? []])).toEqual([
      ['pkg:hex/plug_git', [{ location: rel('mix.lock'), line: 3 }], [PLUG_URL]],
      // package-lock.json: "node_modules/gitdep" is on line 15; the ssh URL keeps its user (git@)
      ['pkg:npm/gitdep', [{ location: rel('package-lock.json'), line: 15 }], [GITDEP_URL]],
      ['pkg:pypi/flask', [{ location: rel('requirements.txt'), line: 2 }], []],
      [
        'pkg:pypi/requests',
        [
          { location: rel('requirements.txt'), line: 3 },
          { location: rel('requirements.txt'), line: 5 },
        ],
        [],
      ],
    ]);
    // the pinned ones keep their versions
    expect(bom.components.filter((c) => c.version).map((c) => c.purl)).toEqual(['pkg:hex/jason@1.4.1', 'pkg:npm/left-pad@1.3.0', 'pkg:pypi/django@4.2.1']);
    expect(bom.components.find((c) => c.name === 'flask')!.properties).toEqual([{ name: 'vouch:unresolved', value: expect.stringMatching(/unpinned/) }]);
  });
});

// The schema validation of documents with versionless components: cyclonedx-write.test.ts and spdx-write.test.ts.
