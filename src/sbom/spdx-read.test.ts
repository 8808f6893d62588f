import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import type { Inventory } from '../model/inventory.js';
import { fileInput, memoryInput } from '../io/input.js';
import { spdxExtractor } from './spdx-read.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const fixture = (name: string): string => path.join(FIXTURES, name);

async function read(name: string): Promise<Inventory> {
  return spdxExtractor.extract(await fileInput(fixture(name)));
}

async function failure(text: string | Buffer, name = 'x.spdx.json'): Promise<VouchError> {
  const e = await spdxExtractor.extract(memoryInput(name, text)).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VouchError);
  return e as VouchError;
}

function edgesOf(inv: Inventory, from: string): string[] {
  return [...(inv.graph.edges.get(from) ?? [])].sort();
}

function lineOf(file: string, needle: string): number {
  return readFileSync(fixture(file), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
}

const WEBAPP = 'pkg:npm/webapp@3.1.0';
const REACT = 'pkg:npm/react@18.2.0';
const LOOSE = 'pkg:npm/loose-envify@1.4.0';
const ESLINT = 'pkg:npm/eslint@8.57.0';
const FSEVENTS = 'pkg:npm/fsevents@2.3.3';
const MUSL = 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64';
const RACK = 'pkg:gem/rack@2.2.8';

describe('spdxExtractor.wants / sniff', () => {
  it.each([
    ['example.spdx', true],
    ['dir/SBOM.SPDX.JSON', true],
    ['x.spdx.tv', true],
    ['x.spdx.txt', true],
    ['x.spdx.rdf.xml', false],
    ['x.spdx.yaml', false],
    ['bom.json', false],
    ['spdx.json', false],
  ])('wants(%s) = %s', (p, expected) => {
    expect(spdxExtractor.wants(p)).toBe(expected);
  });

  it.each([
    ['{\n  "SPDXID" : "SPDXRef-DOCUMENT",\n  "spdxVersion" : "SPDX-2.3"', true],
    ['{\n  "files": [\n    {\n      "fileName": "./a.c",\n      "SPDXID": "SPDXRef-File-a"', true],
    ['SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0', true],
    ['## comment\nSPDXVersion: SPDX-2.3', true],
    ['{"bomFormat": "CycloneDX"}', false],
    ['spdxVersion: "SPDX-2.3"', false],
  ])('sniff(%j) = %s', (head, expected) => {
    expect(spdxExtractor.sniff!(head)).toBe(expected);
  });
});

describe.each([
  ['JSON 2.3', 'webapp.spdx.json'],
  ['tag-value 2.2', 'webapp.spdx'],
])('SPDX %s', (_label, file) => {
  const root = `root:${fixture(file)}`;

  it('finds the purl-carrying packages (both PACKAGE-MANAGER spellings)', async () => {
    const inv = await read(file);
    expect(inv.source).toEqual({ path: fixture(file), extractor: 'sbom/spdx' });
    expect([...inv.graph.components.keys()].sort()).toEqual([MUSL, RACK, ESLINT, FSEVENTS, LOOSE, REACT, WEBAPP].sort());
    expect(inv.graph.components.get(REACT)).toMatchObject({ ecosystem: 'npm', name: 'react', version: '18.2.0' });
    expect(inv.graph.components.get(MUSL)).toMatchObject({ ecosystem: 'Alpine', name: 'musl', version: '1.2.4-r2' });
    expect(inv.graph.components.get(RACK)).toMatchObject({ ecosystem: 'RubyGems', name: 'rack' });
  });

  it('the document is the root; DESCRIBES gives its edge', async () => {
    const inv = await read(file);
    expect([...inv.graph.roots]).toEqual([[root, 'webapp-sbom']]);
    // the described package, and rack, which no relationship reaches (fallback, not direct)
    expect(edgesOf(inv, root)).toEqual([RACK, WEBAPP]);
  });

  it('turns relationships into edges in the right direction, looking through purl-less packages', async () => {
    const inv = await read(file);
    expect(edgesOf(inv, WEBAPP)).toEqual([MUSL, ESLINT, FSEVENTS, REACT].sort()); // musl: CONTAINED_BY base-layer, DEPENDENCY_OF webapp
    expect(edgesOf(inv, REACT)).toEqual([LOOSE]); // DEPENDENCY_OF, reversed
    expect(inv.graph.shortestPath(LOOSE)).toEqual([root, WEBAPP, REACT, LOOSE]);
    for (const purl of inv.graph.components.keys()) expect(inv.graph.shortestPath(purl), purl).toBeDefined();
  });

  it('direct = the described package and what it depends on', async () => {
    const inv = await read(file);
    const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => c.purl);
    expect(direct.sort()).toEqual([MUSL, ESLINT, FSEVENTS, REACT, WEBAPP].sort());
  });

  it('scope from the relationship: DEV_DEPENDENCY_OF → dev, OPTIONAL_DEPENDENCY_OF → optional', async () => {
    const inv = await read(file);
    const scope = (p: string) => inv.graph.components.get(p)!.scope;
    expect(scope(ESLINT)).toBe('dev');
    expect(scope(FSEVENTS)).toBe('optional');
    expect(scope(REACT)).toBe('unknown');
  });

  it('licences (NOASSERTION skipped, duplicates merged) and checksums', async () => {
    const inv = await read(file);
    expect(inv.graph.components.get(WEBAPP)!.licenses).toEqual(['Apache-2.0']);
    expect(inv.graph.components.get(REACT)).toMatchObject({
      licenses: ['MIT'],
      hashes: [
        { alg: 'sha256', value: 'ab12cd' },
        { alg: 'sha1', value: 'ef34' },
      ],
    });
    expect(inv.graph.components.get(LOOSE)!.licenses).toBeUndefined();
  });

  it('packages without purl, with an invalid purl, or without version are unresolved, never dropped', async () => {
    const inv = await read(file);
    const byName = new Map(inv.unresolved.map((u) => [u.name, u]));
    expect([...byName.keys()].sort()).toEqual(['bad', 'base-layer', 'six', 'zlib']);
    expect(byName.get('zlib')).toMatchObject({ reason: 'no purl', spec: '1.2.13' });
    expect(byName.get('base-layer')).toMatchObject({ reason: 'no purl' });
    expect(byName.get('bad')!.reason).toMatch(/^invalid purl: /);
    expect(byName.get('six')).toMatchObject({ reason: 'no version', ecosystem: 'PyPI', spec: 'pkg:pypi/six' });
    expect(inv.warnings).toHaveLength(2);
  });
});

describe('SPDX positions', () => {
  it('JSON: warnings name the JSON path; locations the line of the SPDXID', async () => {
    const file = 'webapp.spdx.json';
    const inv = await read(file);
    expect(inv.warnings).toEqual([
      expect.stringMatching(/^\$\.packages\[6\]\.externalRefs\[0\]\.referenceLocator: invalid purl "npm:bad@1\.0\.0"/),
      expect.stringMatching(/^\$\.packages\[7\]: pkg:pypi\/six has no version/),
    ]);
    expect(inv.graph.components.get(REACT)!.locations).toEqual([
      { path: fixture(file), line: lineOf(file, '"SPDXID": "SPDXRef-react"') },
    ]);
  });

  it('tag-value: the line of each PackageName; <text> blocks are skipped', async () => {
    const file = 'webapp.spdx';
    const inv = await read(file);
    expect(inv.graph.components.get(REACT)!.locations).toEqual([{ path: fixture(file), line: lineOf(file, 'PackageName: react') }]);
    expect(inv.graph.components.get(WEBAPP)!.locations).toEqual([{ path: fixture(file), line: lineOf(file, 'PackageName: webapp') }]);
    expect(inv.unresolved.find((u) => u.name === 'zlib')!.line).toBe(lineOf(file, 'PackageName: zlib'));
    const badLine = lineOf(file, 'purl npm:bad@1.0.0');
    expect(inv.warnings[0]).toMatch(new RegExp(`^line ${badLine}: invalid purl`));
    expect(inv.graph.components.has('pkg:npm/not-a-purl@0.0.0')).toBe(false);
    expect(inv.unresolved.some((u) => u.name.startsWith('not-a-package'))).toBe(false);
  });
});

describe('SPDX relationships', () => {
  const doc = (relationships: [string, string, string][], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'rel',
      packages: ['a', 'b', 'c'].map((n) => ({
        SPDXID: `SPDXRef-${n}`,
        name: n,
        versionInfo: '1.0.0',
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:npm/${n}@1.0.0` }],
      })),
      relationships: relationships.map(([from, type, to]) => ({
        spdxElementId: `SPDXRef-${from}`,
        relationshipType: type,
        relatedSpdxElement: `SPDXRef-${to}`,
      })),
      ...extra,
    });
  const read = (text: string) => spdxExtractor.extract(memoryInput('rel.spdx.json', text));
  const A = 'pkg:npm/a@1.0.0';
  const B = 'pkg:npm/b@1.0.0';
  const C = 'pkg:npm/c@1.0.0';

  it.each([
    ['DEPENDS_ON', A, B, 'unknown'],
    ['CONTAINS', A, B, 'unknown'],
    ['STATIC_LINK', A, B, 'unknown'],
    ['DEPENDENCY_OF', B, A, 'unknown'],
    ['CONTAINED_BY', B, A, 'unknown'],
    ['DEV_DEPENDENCY_OF', B, A, 'dev'],
    ['TEST_DEPENDENCY_OF', B, A, 'dev'],
    ['BUILD_DEPENDENCY_OF', B, A, 'dev'],
    ['OPTIONAL_DEPENDENCY_OF', B, A, 'optional'],
    ['RUNTIME_DEPENDENCY_OF', B, A, 'prod'],
  ])('a %s b → edge %s → %s, scope of the dependency %s', async (type, from, to, scope) => {
    const inv = await read(doc([['DOCUMENT', 'DESCRIBES', 'c'], ['a', type, 'b']]));
    expect([...(inv.graph.edges.get(from) ?? [])]).toEqual([to]);
    expect(inv.graph.components.get(to)!.scope).toBe(scope);
    expect(inv.graph.components.get(to)!.direct).toBe(false);
  });

  it('documentDescribes and DESCRIBED_BY name top-level packages too', async () => {
    const inv = await read(doc([['b', 'DESCRIBED_BY', 'DOCUMENT']], { documentDescribes: ['SPDXRef-a'] }));
    expect([...inv.graph.edges.get('root:rel.spdx.json')!].sort()).toEqual([A, B, C]);
    expect(inv.graph.components.get(A)!.direct).toBe(true);
    expect(inv.graph.components.get(B)!.direct).toBe(true);
    expect(inv.graph.components.get(C)!.direct).toBe(false); // no relationship at all: fallback edge
  });

  it('relationships to undefined ids are a warning; external documents and NOASSERTION are not', async () => {
    const inv = await read(
      doc([
        ['a', 'DEPENDS_ON', 'ghost'],
        ['a', 'DEPENDS_ON', 'b'],
      ]).replace('"SPDXRef-ghost"', '"SPDXRef-ghost"}, {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "DocumentRef-x:SPDXRef-y"}, {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "NOASSERTION"'),
    );
    expect(inv.warnings).toEqual([expect.stringContaining('SPDXRef-ghost')]);
    expect([...inv.graph.edges.get(A)!]).toEqual([B]);
  });
});

describe('SPDX bad input', () => {
  it('truncated JSON → INPUT_PARSE naming the line', async () => {
    const text = readFileSync(fixture('webapp.spdx.json'), 'utf8');
    const cut = text.slice(0, text.indexOf('"relationships"'));
    const e = await failure(cut);
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.line).toBe(cut.split('\n').length);
  });

  it('tag-value with an unclosed <text> → INPUT_PARSE naming its line', async () => {
    const e = await failure('SPDXVersion: SPDX-2.3\nDocumentName: x\nDocumentComment: <text>never closed\nPackageName: a\n', 'x.spdx');
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.line).toBe(3);
  });

  it('binary garbage → decodeText error', async () => {
    const e = await failure(Buffer.from([0x00, 0x01, 0x02, 0xff]), 'x.spdx');
    expect(e.code).toBe('INPUT_PARSE');
  });

  it.each([
    ['{"name": "x"}', /spdxVersion/],
    ['{"bomFormat": "CycloneDX", "specVersion": "1.5"}', /CycloneDX/],
    ['{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}', /SPDX 3/],
    ['{"spdxVersion": "SPDX-3.0"}', /SPDX-3\.0/],
    ['[]', /not an object/],
    ['<?xml version="1.0"?><rdf:RDF></rdf:RDF>', /RDF/],
    ['just some text\nwith lines\n', /SPDXVersion/],
  ])('not SPDX 2 (%s) → INPUT_UNSUPPORTED', async (text, msg) => {
    const e = await failure(text);
    expect(e.code).toBe('INPUT_UNSUPPORTED');
    expect(e.message).toMatch(msg);
  });

  it('odd shapes inside an SPDX document are warnings, not crashes', async () => {
    const inv = await spdxExtractor.extract(
      memoryInput(
        'odd.spdx.json',
        JSON.stringify({
          spdxVersion: 'SPDX-2.3',
          packages: [null, { name: 'n', externalRefs: 'nope', checksums: [1] }],
          relationships: [{ spdxElementId: 'x' }],
          files: 'nope',
        }),
      ),
    );
    expect(inv.graph.components.size).toBe(0);
    expect(inv.unresolved).toEqual([{ name: 'n', reason: 'no purl' }]);
    expect(inv.warnings).toEqual([
      '$.packages[0]: not a package object; ignored',
      '$.relationships[0]: incomplete relationship; ignored',
      '$.files: not a list; ignored',
    ]);
  });

  it('tag-value lines that are not "Tag: value" are warnings', async () => {
    const inv = await spdxExtractor.extract(
      memoryInput('x.spdx', 'SPDXVersion: SPDX-2.3\nDocumentName: d\nthis line is junk\nPackageName: a\nSPDXID: SPDXRef-a\nExternalRef: PACKAGE-MANAGER purl pkg:npm/a@1.0.0\n'),
    );
    expect([...inv.graph.components.keys()]).toEqual(['pkg:npm/a@1.0.0']);
    expect(inv.warnings).toEqual(['line 3: not a "Tag: value" line; ignored']);
  });
});
