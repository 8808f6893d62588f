import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectInventory } from '../inventory/collect.js';
import { DependencyGraph } from '../model/graph.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { VERSION } from '../version.js';
import { readSpdx } from './spdx-read.js';
import { declaredLicense, sanitizeSpdxId, type SpdxDocument, writeSpdxJson, writeSpdxTagValue } from './spdx-write.js';
import { graphShape, sampleGraph, sampleUnresolved, spdxJsonValidator } from './sbom-write-testing.js';

const OPTS = { subjectName: 'app', deterministic: true } as const;

describe('SPDX JSON', () => {
  const doc = JSON.parse(writeSpdxJson(sampleGraph(), OPTS)) as SpdxDocument;

  it('document and creation info', () => {
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'app' });
    expect(doc.creationInfo).toEqual({ created: '1970-01-01T00:00:00Z', creators: [`Tool: vouch-${VERSION}`] });
    expect(doc.documentNamespace).toMatch(/^https:\/\/spdx\.org\/spdxdocs\/app-[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('packages: the root, then components by purl, with purl refs, checksums and licences', () => {
    expect(doc.packages.map((p) => p.SPDXID)).toEqual([
      'SPDXRef-Root-app',
      'SPDXRef-Package-golang-github.com-foo-bar-v1.2.3',
      'SPDXRef-Package-maven-org.apache.logging.log4j-log4j-core-2.14.1',
      'SPDXRef-Package-npm-40babel-core-7.24.0',
      'SPDXRef-Package-npm-fsevents-2.3.3',
      'SPDXRef-Package-npm-vitest-1.0.0',
    ]);
    expect(doc.packages[0]).toEqual({
      name: 'app',
      SPDXID: 'SPDXRef-Root-app',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      primaryPackagePurpose: 'APPLICATION',
    });
    expect(doc.packages[3]).toEqual({
      name: '@babel/core',
      SPDXID: 'SPDXRef-Package-npm-40babel-core-7.24.0',
      versionInfo: '7.24.0',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [
        { algorithm: 'SHA1', checksumValue: 'cd'.repeat(20) },
        { algorithm: 'SHA512', checksumValue: 'ab'.repeat(64) },
      ],
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'MIT',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/%40babel/core@7.24.0' }],
      primaryPackagePurpose: 'LIBRARY',
    });
    expect(doc.packages[1]!.checksums).toEqual([{ algorithm: 'SHA224', checksumValue: 'ef'.repeat(28) }]);
    expect(doc.packages[2]!.licenseDeclared).toBe('Apache-2.0 OR MIT');
    expect(doc.packages[4]!.licenseDeclared).toBe('MIT AND LicenseRef-Apache-2.0');
    expect(doc.packages[5]!.licenseDeclared).toBe('LicenseRef-SEE-LICENSE-IN-LICENSE-more');
    expect(doc.hasExtractedLicensingInfos).toEqual([
      { licenseId: 'LicenseRef-Apache-2.0', extractedText: 'Apache 2.0', name: 'Apache 2.0' },
      { licenseId: 'LicenseRef-SEE-LICENSE-IN-LICENSE-more', extractedText: 'SEE LICENSE IN <LICENSE> & "more"', name: 'SEE LICENSE IN <LICENSE> & "more"' },
    ]);
  });

  it('relationships: DESCRIBES the root, DEPENDS_ON, DEV/OPTIONAL_DEPENDENCY_OF for the root’s dev and optional edges', () => {
    const rel = doc.relationships.map((r) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`);
    expect(rel).toEqual([
      'SPDXRef-DOCUMENT DESCRIBES SPDXRef-Root-app',
      'SPDXRef-Root-app DEPENDS_ON SPDXRef-Package-npm-40babel-core-7.24.0',
      'SPDXRef-Package-npm-fsevents-2.3.3 OPTIONAL_DEPENDENCY_OF SPDXRef-Root-app',
      'SPDXRef-Package-npm-vitest-1.0.0 DEV_DEPENDENCY_OF SPDXRef-Root-app',
      'SPDXRef-Package-maven-org.apache.logging.log4j-log4j-core-2.14.1 DEPENDS_ON SPDXRef-Package-golang-github.com-foo-bar-v1.2.3',
      'SPDXRef-Package-npm-40babel-core-7.24.0 DEPENDS_ON SPDXRef-Package-maven-org.apache.logging.log4j-log4j-core-2.14.1',
      'SPDXRef-Package-npm-vitest-1.0.0 DEPENDS_ON SPDXRef-Package-npm-40babel-core-7.24.0',
    ]);
  });

  it('several roots: each is described; the document is named after the scanned path', () => {
    const d = JSON.parse(writeSpdxJson(sampleGraph({ twoRoots: true }), { subjectName: 'my dir/' })) as SpdxDocument;
    expect(d.name).toBe('my dir/');
    expect(d.documentNamespace).toMatch(/^https:\/\/spdx\.org\/spdxdocs\/my-dir-[0-9a-f-]{36}$/);
    expect(d.relationships.filter((r) => r.relationshipType === 'DESCRIBES').map((r) => r.relatedSpdxElement)).toEqual([
      'SPDXRef-Root-app',
      'SPDXRef-Root-web',
    ]);
  });

  it('SPDXIDs are sanitised and unique', () => {
    const g = new DependencyGraph();
    g.addRoot('root:a', 'x y');
    g.addRoot('root:b', 'x/y');
    g.addRoot('root:c', '!!!');
    const ids = (JSON.parse(writeSpdxJson(g, OPTS)) as SpdxDocument).packages.map((p) => p.SPDXID);
    expect(ids).toEqual(['SPDXRef-Root-x-y', 'SPDXRef-Root-x-y-2', 'SPDXRef-Root-unnamed']);
    expect(sanitizeSpdxId('@scope/name@1.0.0+build')).toBe('scope-name-1.0.0-build');
  });

  it('licenceDeclared: ids, expressions, free text as LicenseRef (numbered when two texts sanitise alike)', () => {
    const ex = new Map();
    expect(declaredLicense([], ex)).toBe('NOASSERTION');
    expect(declaredLicense(['mit'], ex)).toBe('MIT');
    expect(declaredLicense(['MIT', 'ISC OR 0BSD'], ex)).toBe('MIT AND (ISC OR 0BSD)');
    expect(declaredLicense(['Apache 2'], ex)).toBe('LicenseRef-Apache-2');
    expect(declaredLicense(['Apache/2'], ex)).toBe('LicenseRef-Apache-2-2');
    expect(declaredLicense(['Apache 2'], ex)).toBe('LicenseRef-Apache-2');
    expect(declaredLicense(['MIT OR LicenseRef-acme'], ex)).toBe('MIT OR LicenseRef-acme');
    expect([...ex.keys()]).toEqual(['LicenseRef-Apache-2', 'LicenseRef-Apache-2-2', 'LicenseRef-acme']);
  });

  it('deterministic: identical bytes; otherwise a random namespace', () => {
    expect(writeSpdxJson(sampleGraph(), OPTS)).toBe(writeSpdxJson(sampleGraph(), OPTS));
    const a = JSON.parse(writeSpdxJson(sampleGraph(), { subjectName: 'app' })) as SpdxDocument;
    const b = JSON.parse(writeSpdxJson(sampleGraph(), { subjectName: 'app' })) as SpdxDocument;
    expect(a.documentNamespace).not.toBe(b.documentNamespace);
  });

  it('reads back to the same purls and edges; dev and optional scopes of direct dependencies survive', () => {
    for (const g of [sampleGraph(), sampleGraph({ twoRoots: true })]) {
      const back = readSpdx(writeSpdxJson(g, OPTS), 'x.spdx.json').graph;
      expect(graphShape(back)).toEqual(graphShape(g));
      expect(back.components.get('pkg:npm/vitest@1.0.0')!.scope).toBe('dev');
      expect(back.components.get('pkg:npm/fsevents@2.3.3')!.scope).toBe('optional');
      for (const c of g.components.values()) expect(back.components.get(c.purl)!.direct, c.purl).toBe(c.direct);
    }
  });
});

describe('SPDX tag-value', () => {
  const text = writeSpdxTagValue(sampleGraph({ twoRoots: true }), OPTS);

  it('has the document header, one block per package, relationships and extracted licences', () => {
    expect(text.split('\n').slice(0, 7)).toEqual([
      'SPDXVersion: SPDX-2.3',
      'DataLicense: CC0-1.0',
      'SPDXID: SPDXRef-DOCUMENT',
      'DocumentName: app',
      expect.stringMatching(/^DocumentNamespace: https:\/\/spdx\.org\/spdxdocs\/app-[0-9a-f-]{36}$/),
      `Creator: Tool: vouch-${VERSION}`,
      'Created: 1970-01-01T00:00:00Z',
    ]);
    expect(text).toContain(
      [
        'PackageName: @babel/core',
        'SPDXID: SPDXRef-Package-npm-40babel-core-7.24.0',
        'PackageVersion: 7.24.0',
        'PackageDownloadLocation: NOASSERTION',
        'FilesAnalyzed: false',
        `PackageChecksum: SHA1: ${'cd'.repeat(20)}`,
        `PackageChecksum: SHA512: ${'ab'.repeat(64)}`,
        'PackageLicenseConcluded: NOASSERTION',
        'PackageLicenseDeclared: MIT',
        'ExternalRef: PACKAGE-MANAGER purl pkg:npm/%40babel/core@7.24.0',
        'PrimaryPackagePurpose: LIBRARY',
      ].join('\n'),
    );
    expect(text).toContain('Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Root-web');
    expect(text).toContain('LicenseID: LicenseRef-Apache-2.0\nExtractedText: <text>Apache 2.0</text>\nLicenseName: Apache 2.0');
  });

  it('reads back to the same graph as the JSON form', () => {
    const g = sampleGraph({ twoRoots: true });
    const fromTv = readSpdx(text, 'x.spdx').graph;
    expect(graphShape(fromTv)).toEqual(graphShape(g));
    const fromJson = readSpdx(writeSpdxJson(g, OPTS), 'x.spdx.json').graph;
    for (const c of fromJson.components.values()) {
      expect({ ...fromTv.components.get(c.purl)!, locations: [] }).toEqual({ ...c, locations: [] });
    }
  });

  it('deterministic: identical bytes', () => {
    expect(writeSpdxTagValue(sampleGraph({ twoRoots: true }), OPTS)).toBe(text);
  });
});

const LOCKFILES = HAS_SHARED
  ? readdirSync(shared('realworld'))
      .filter((d) => {
        try {
          return readdirSync(shared('realworld', d)).includes('package-lock.json');
        } catch {
          return false;
        }
      })
      .map((d) => shared('realworld', d, 'package-lock.json'))
  : [];

describe.skipIf(!HAS_SHARED)('SPDX against the 2.3 schema', () => {
  it('the sample documents validate against spdx-schema-2.3.json', () => {
    const validate = spdxJsonValidator();
    // the last one lists packages named without a version (no versionInfo, annotations, a VCS downloadLocation)
    for (const [g, o] of [
      [sampleGraph(), OPTS],
      [sampleGraph({ twoRoots: true }), OPTS],
      [new DependencyGraph(), OPTS],
      [sampleGraph(), { ...OPTS, unresolved: sampleUnresolved() }],
    ] as const) {
      const ok = validate(JSON.parse(writeSpdxJson(g, o)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('finds the realworld lockfiles', () => {
    expect(LOCKFILES.length).toBeGreaterThanOrEqual(4);
  });

  it.each(LOCKFILES.map((f) => [path.basename(path.dirname(f)), f]))('%s: JSON validates; JSON and tag-value read back', async (name, file) => {
    const inv = await collectInventory([file]);
    const opts = { subjectName: file, deterministic: true };
    const json = writeSpdxJson(inv.graph, opts);
    const validate = spdxJsonValidator();
    const ok = validate(JSON.parse(json));
    expect((validate.errors ?? []).slice(0, 5), name).toEqual([]);
    expect(ok).toBe(true);
    const shape = graphShape(inv.graph);
    expect(shape.purls.length).toBeGreaterThan(100);
    expect(graphShape(readSpdx(json, 'x.spdx.json').graph)).toEqual(shape);
    const tv = writeSpdxTagValue(inv.graph, opts);
    expect(graphShape(readSpdx(tv, 'x.spdx').graph)).toEqual(shape);
    expect(writeSpdxJson(inv.graph, opts)).toBe(json);
    expect(writeSpdxTagValue(inv.graph, opts)).toBe(tv);
  });
});
