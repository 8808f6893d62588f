import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { collectInventory } from '../inventory/collect.js';
import { DependencyGraph } from '../model/graph.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { VERSION } from '../version.js';
import { cdxLicenses, writeCycloneDxJson, writeCycloneDxXml } from './cyclonedx-write.js';
import { readCycloneDx } from './cyclonedx-read.js';
import { parseCargoLock } from '../ecosystems/cargo/cargo-lock.js';
import { cycloneDxValidator, graphShape, HAS_XMLLINT, sampleGraph, sampleUnresolved, xsdErrors } from './sbom-write-testing.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vouch-cdx-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OPTS = { subjectName: 'app', deterministic: true } as const;

interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: { name: string; version: string }[] }; component: Record<string, unknown> };
  components: Record<string, unknown>[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

describe('CycloneDX JSON', () => {
  const bom = JSON.parse(writeCycloneDxJson(sampleGraph(), OPTS)) as Bom;

  it('metadata: tool, timestamp, serial number, the one root as subject', () => {
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.metadata.timestamp).toBe('1970-01-01T00:00:00Z');
    expect(bom.metadata.tools.components).toEqual([{ type: 'application', name: 'vouch', version: VERSION }]);
    expect(bom.metadata.component).toEqual({ type: 'application', 'bom-ref': 'root:app/package-lock.json', name: 'app' });
  });

  it('components: sorted by purl, group/name split, scope, hashes, licences, occurrences', () => {
    expect(bom.components.map((c) => c['bom-ref'])).toEqual([
      'pkg:golang/github.com/foo/bar@v1.2.3',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      'pkg:npm/%40babel/core@7.24.0',
      'pkg:npm/fsevents@2.3.3',
      'pkg:npm/vitest@1.0.0',
    ]);
    const [go, log4j, babel, fsevents, vitest] = bom.components;
    expect(babel).toEqual({
      type: 'library',
      'bom-ref': 'pkg:npm/%40babel/core@7.24.0',
      group: '@babel',
      name: 'core',
      version: '7.24.0',
      scope: 'required',
      hashes: [
        { alg: 'SHA-1', content: 'cd'.repeat(20) },
        { alg: 'SHA-512', content: 'ab'.repeat(64) },
      ],
      licenses: [{ license: { id: 'MIT' } }],
      purl: 'pkg:npm/%40babel/core@7.24.0',
      evidence: {
        occurrences: [
          { location: 'app/package-lock.json', line: 3 },
          { location: 'app/package-lock.json', line: 12 },
        ],
      },
    });
    expect(log4j).toMatchObject({ group: 'org.apache.logging.log4j', name: 'log4j-core', licenses: [{ expression: 'Apache-2.0 OR MIT' }] });
    expect(log4j!['evidence']).toEqual({ occurrences: [{ location: 'app/pom.xml' }] });
    // a Go module keeps its path as the name; SHA-224 has no CycloneDX name; unknown scope is left out
    expect(go).toMatchObject({ name: 'github.com/foo/bar', version: 'v1.2.3' });
    expect(go).not.toHaveProperty('group');
    expect(go).not.toHaveProperty('hashes');
    expect(go).not.toHaveProperty('scope');
    expect(fsevents).toMatchObject({ scope: 'optional', licenses: [{ license: { id: 'MIT' } }, { license: { name: 'Apache 2.0' } }] });
    expect(vitest).toMatchObject({ scope: 'excluded', licenses: [{ license: { name: 'SEE LICENSE IN <LICENSE> & "more"' } }] });
  });

  it('dependencies: the root and every component, dependsOn sorted', () => {
    expect(bom.dependencies).toEqual([
      { ref: 'root:app/package-lock.json', dependsOn: ['pkg:npm/%40babel/core@7.24.0', 'pkg:npm/fsevents@2.3.3', 'pkg:npm/vitest@1.0.0'] },
      { ref: 'pkg:golang/github.com/foo/bar@v1.2.3', dependsOn: [] },
      { ref: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', dependsOn: ['pkg:golang/github.com/foo/bar@v1.2.3'] },
      { ref: 'pkg:npm/%40babel/core@7.24.0', dependsOn: ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'] },
      { ref: 'pkg:npm/fsevents@2.3.3', dependsOn: [] },
      { ref: 'pkg:npm/vitest@1.0.0', dependsOn: ['pkg:npm/%40babel/core@7.24.0'] },
    ]);
  });

  it('several roots: an application named after the scanned path, the roots as sub-components', () => {
    const b = JSON.parse(writeCycloneDxJson(sampleGraph({ twoRoots: true }), { subjectName: 'my/dir' })) as Bom;
    expect(b.metadata.component).toEqual({
      type: 'application',
      'bom-ref': 'vouch:subject',
      name: 'my/dir',
      components: [
        { type: 'application', 'bom-ref': 'root:app/package-lock.json', name: 'app' },
        { type: 'application', 'bom-ref': 'root:app/package-lock.json#packages/web', name: 'web' },
      ],
    });
    expect(b.dependencies[0]).toEqual({ ref: 'vouch:subject', dependsOn: ['root:app/package-lock.json', 'root:app/package-lock.json#packages/web'] });
    expect(b.dependencies[1]!.dependsOn).toContain('root:app/package-lock.json#packages/web');
  });

  it('deterministic: identical bytes, SOURCE_DATE_EPOCH as the time; otherwise a random serial and now', () => {
    expect(writeCycloneDxJson(sampleGraph(), OPTS)).toBe(writeCycloneDxJson(sampleGraph(), OPTS));
    const epoch = JSON.parse(writeCycloneDxJson(sampleGraph(), { ...OPTS, sourceDateEpoch: '1700000000' })) as Bom;
    expect(epoch.metadata.timestamp).toBe('2023-11-14T22:13:20Z');
    expect(epoch.serialNumber).not.toBe(bom.serialNumber); // the content differs, so does the serial
    const a = JSON.parse(writeCycloneDxJson(sampleGraph(), { subjectName: 'app', now: new Date('2024-05-01T12:00:00.123Z') })) as Bom;
    const b = JSON.parse(writeCycloneDxJson(sampleGraph(), { subjectName: 'app' })) as Bom;
    expect(a.metadata.timestamp).toBe('2024-05-01T12:00:00Z');
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(() => writeCycloneDxJson(sampleGraph(), { ...OPTS, sourceDateEpoch: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });

  it('an empty graph still makes a document', () => {
    const b = JSON.parse(writeCycloneDxJson(new DependencyGraph(), { subjectName: '.' })) as Bom;
    expect(b.metadata.component).toEqual({ type: 'application', 'bom-ref': 'vouch:subject', name: '.' });
    expect(b.components).toEqual([]);
  });

  it('reads back to the same purls, edges, scopes and hashes', () => {
    const g = sampleGraph({ twoRoots: true });
    const back = readCycloneDx(writeCycloneDxJson(g, OPTS), 'bom.json').graph;
    expect(graphShape(back)).toEqual(graphShape(g));
    for (const c of g.components.values()) {
      const r = back.components.get(c.purl)!;
      expect(r.scope, c.purl).toBe(c.scope);
      expect(r.direct, c.purl).toBe(c.direct);
    }
    expect(back.components.get('pkg:npm/%40babel/core@7.24.0')!.hashes).toEqual([
      { alg: 'sha1', value: 'cd'.repeat(20) },
      { alg: 'sha512', value: 'ab'.repeat(64) },
    ]);
  });
});

describe('CycloneDX licences', () => {
  it.each([
    [['MIT'], [{ license: { id: 'MIT' } }]],
    [['apache-2.0'], [{ license: { id: 'Apache-2.0' } }]],
    [['(MIT)'], [{ license: { id: 'MIT' } }]],
    [['MIT OR ISC'], [{ expression: 'MIT OR ISC' }]],
    [['GPL-2.0-only WITH Classpath-exception-2.0'], [{ expression: 'GPL-2.0-only WITH Classpath-exception-2.0' }]],
    [['MIT', 'ISC OR 0BSD'], [{ expression: 'MIT AND (ISC OR 0BSD)' }]],
    [['MIT', 'Custom', 'ISC OR 0BSD'], [{ license: { id: 'MIT' } }, { license: { name: 'Custom' } }, { license: { name: 'ISC OR 0BSD' } }]],
    [['BSD'], [{ license: { name: 'BSD' } }]],
    [['MIT OR'], [{ license: { name: 'MIT OR' } }]],
    [['LicenseRef-acme'], [{ expression: 'LicenseRef-acme' }]],
  ])('%j → %j', (input, expected) => {
    expect(cdxLicenses(input)).toEqual(expected);
  });
});

describe('CycloneDX XML', () => {
  const xml = writeCycloneDxXml(sampleGraph({ twoRoots: true }), OPTS);

  it('is well-formed, escaped, and reads back to the same graph as the JSON', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<name>SEE LICENSE IN &lt;LICENSE&gt; &amp; "more"</name>');
    expect(xml).toContain('<hash alg="SHA-512">');
    const g = sampleGraph({ twoRoots: true });
    const back = readCycloneDx(xml, 'bom.xml').graph;
    expect(graphShape(back)).toEqual(graphShape(g));
    const fromJson = readCycloneDx(writeCycloneDxJson(g, OPTS), 'bom.json').graph;
    for (const c of fromJson.components.values()) {
      expect({ ...back.components.get(c.purl)!, locations: [] }).toEqual({ ...c, locations: [] });
    }
  });

  it('escapes attribute values and drops characters XML cannot carry', () => {
    const g = new DependencyGraph();
    g.addRoot('root:"a"&<b>\n', 'x\u0001y');
    const out = writeCycloneDxXml(g, { subjectName: 's' });
    expect(XMLValidator.validate(out)).toBe(true);
    expect(out).toContain('bom-ref="root:&quot;a&quot;&amp;&lt;b&gt;&#10;"');
    expect(out).toContain('<name>x\ufffdy</name>');
  });

  it('deterministic: identical bytes; the serial differs from the JSON form', () => {
    expect(writeCycloneDxXml(sampleGraph({ twoRoots: true }), OPTS)).toBe(xml);
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<bom xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/1\.6" serialNumber="urn:uuid:[0-9a-f-]{36}" version="1">/);
  });
});

const SCHEMA_CASES = (): [DependencyGraph, typeof OPTS & { unresolved?: ReturnType<typeof sampleUnresolved> }][] => [
  [sampleGraph(), OPTS],
  [sampleGraph({ twoRoots: true }), OPTS],
  [new DependencyGraph(), OPTS],
  [sampleGraph(), { ...OPTS, unresolved: sampleUnresolved() }],
];

describe.skipIf(!HAS_SHARED)('CycloneDX against the 1.6 schemas', () => {
  it(`XML validates against bom-1.6.xsd (${HAS_XMLLINT ? 'xmllint' : 'xmllint absent: well-formedness and read-back only'})`, () => {
    // the last one lists packages named without a version (components without version, properties, a vcs reference)
    for (const [i, [g, o]] of SCHEMA_CASES().entries()) {
      const f = path.join(tmp, `sample-${i}.cdx.xml`);
      const xml = writeCycloneDxXml(g, o);
      writeFileSync(f, xml);
      expect(XMLValidator.validate(xml)).toBe(true);
      if (HAS_XMLLINT) expect(xsdErrors(f)).toBe('');
    }
  });

  it('JSON validates against bom-1.6.schema.json', () => {
    const validate = cycloneDxValidator();
    for (const [g, o] of SCHEMA_CASES()) {
      const ok = validate(JSON.parse(writeCycloneDxJson(g, o)));
      expect(validate.errors ?? [], 'schema errors').toEqual([]);
      expect(ok).toBe(true);
    }
  });
});

const LOCKFILES = HAS_SHARED
  ? readdirSync(shared('realworld'))
      .map((d) => shared('realworld', d, 'package-lock.json'))
      .filter((f) => {
        try {
          return readdirSync(path.dirname(f)).includes('package-lock.json');
        } catch {
          return false;
        }
      })
  : [];

describe.skipIf(!HAS_SHARED)('CycloneDX from the realworld npm lockfiles', () => {
  it('finds the lockfiles', () => {
    expect(LOCKFILES.length).toBeGreaterThanOrEqual(4);
  });

  it.each(LOCKFILES.map((f) => [path.basename(path.dirname(f)), f]))('%s: JSON validates, XML validates, both read back', async (name, file) => {
    const inv = await collectInventory([file]);
    const opts = { subjectName: file, deterministic: true };
    const json = writeCycloneDxJson(inv.graph, opts);
    const validate = cycloneDxValidator();
    const ok = validate(JSON.parse(json));
    expect((validate.errors ?? []).slice(0, 5), name).toEqual([]);
    expect(ok).toBe(true);
    const shape = graphShape(inv.graph);
    expect(shape.purls.length).toBeGreaterThan(100);
    expect(graphShape(readCycloneDx(json, 'bom.json').graph)).toEqual(shape);

    const xml = writeCycloneDxXml(inv.graph, opts);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(graphShape(readCycloneDx(xml, 'bom.xml').graph)).toEqual(shape);
    if (HAS_XMLLINT) {
      const f = path.join(tmp, `${name}.cdx.xml`);
      writeFileSync(f, xml);
      expect(xsdErrors(f)).toBe('');
    }
    expect(writeCycloneDxJson(inv.graph, opts)).toBe(json);
  });
});

describe('projects with a version of their own (workspace members, the lockfile root)', () => {
  it('are written with version and purl: one as the subject, several as its sub-components; validated', () => {
    const cargo = parseCargoLock(
      [
        'version = 4',
        '[[package]]\nname = "app"\nversion = "0.3.0"\ndependencies = ["app-core", "serde"]',
        '[[package]]\nname = "app-core"\nversion = "0.1.2"\ndependencies = ["serde"]',
        '[[package]]\nname = "serde"\nversion = "1.0.200"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "' + 'a'.repeat(64) + '"',
      ].join('\n\n'),
      'Cargo.lock',
    );
    const bom = JSON.parse(writeCycloneDxJson(cargo.graph, { subjectName: 'ws', deterministic: true }));
    const members = (bom.metadata.component.components as { name: string; version?: string; purl?: string }[]).filter((c) => c.purl);
    // sorted by root id: `…#app-core@0.1.2` before `…#app@0.3.0`
    expect(members.map((c) => [c.name, c.version, c.purl])).toEqual([
      ['app-core', '0.1.2', 'pkg:cargo/app-core@0.1.2'],
      ['app', '0.3.0', 'pkg:cargo/app@0.3.0'],
    ]);
    expect((bom.components as { purl: string }[]).map((c) => c.purl)).toEqual(['pkg:cargo/serde@1.0.200']);
    if (HAS_SHARED) {
      const validate = cycloneDxValidator();
      expect(validate(bom), JSON.stringify(validate.errors)).toBe(true);
    }

    const single = new DependencyGraph();
    single.addRoot('root:package-lock.json', '@acme/shop', { name: '@acme/shop', version: '2.1.0', purl: 'pkg:npm/%40acme/shop@2.1.0' });
    const one = JSON.parse(writeCycloneDxJson(single, { subjectName: 'x', deterministic: true }));
    expect(one.metadata.component).toEqual({
      type: 'application',
      'bom-ref': 'root:package-lock.json',
      group: '@acme',
      name: 'shop',
      version: '2.1.0',
      purl: 'pkg:npm/%40acme/shop@2.1.0',
    });
  });
});
