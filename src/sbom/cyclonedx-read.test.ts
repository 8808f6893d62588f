import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { PURL_TYPES } from '../model/purl-types.js';
import { VouchError } from '../model/errors.js';
import type { Inventory } from '../model/inventory.js';
import { fileInput, memoryInput } from '../io/input.js';
import { cyclonedxExtractor } from './cyclonedx-read.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const fixture = (name: string): string => path.join(FIXTURES, name);

async function read(name: string): Promise<Inventory> {
  return cyclonedxExtractor.extract(await fileInput(fixture(name)));
}

async function readText(text: string | Buffer, name = 'bom.json'): Promise<Inventory> {
  return cyclonedxExtractor.extract(memoryInput(name, text));
}

async function failure(text: string | Buffer, name = 'bom.json'): Promise<VouchError> {
  const e = await readText(text, name).then(
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
  const lines = readFileSync(fixture(file), 'utf8').split('\n');
  return lines.findIndex((l) => l.includes(needle)) + 1;
}

describe('cyclonedxExtractor.wants / sniff', () => {
  it.each([
    ['bom.json', true],
    ['BOM.JSON', true],
    ['dir/bom.xml', true],
    ['app.cdx.json', true],
    ['app.cdx.xml', true],
    ['proton-bridge-v1.8.0.bom.json', true],
    ['x.bom.xml', true],
    ['outer.jar!/META-INF/sbom/bom.json', true],
    ['bom.1.2.json', false],
    ['package.json', false],
    ['sbom.spdx.json', false],
    ['mybom.json', false],
    ['app.vex.cdx.json', false], // a VEX document found beside the inputs (src/triage/vex/discover.ts)
  ])('wants(%s) = %s', (p, expected) => {
    expect(cyclonedxExtractor.wants(p)).toBe(expected);
  });

  it.each([
    ['{\n  "bomFormat" : "CycloneDX",\n "specVersion": "1.5"', true],
    ['<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.2" version="1">', true],
    ['{"spdxVersion": "SPDX-2.3"}', false],
    ['{"name": "bom", "bomFormat": "other"}', false],
    ['<project xmlns="http://maven.apache.org/POM/4.0.0">', false],
  ])('sniff(%j) = %s', (head, expected) => {
    expect(cyclonedxExtractor.sniff!(head)).toBe(expected);
  });

  it('needs neither network nor code execution', () => {
    expect(cyclonedxExtractor.id).toBe('sbom/cyclonedx');
  });
});

describe('CycloneDX JSON with a dependency graph', () => {
  const file = 'graph.cdx.json';
  const root = `root:${fixture(file)}`;

  it('makes the root from metadata.component and lists it as a component (known ecosystem purl)', async () => {
    const inv = await read(file);
    expect(inv.source).toEqual({ path: fixture(file), extractor: 'sbom/cyclonedx' });
    expect([...inv.graph.roots]).toEqual([[root, 'demo-app']]);
    // the project, plus the components the graph leaves unreachable (not direct)
    expect(edgesOf(inv, root)).toEqual(['pkg:generic/openssl@3.0.7', 'pkg:npm/demo-app@1.0.0', 'pkg:pypi/orphan-pkg@0.0.1']);
    const app = inv.graph.components.get('pkg:npm/demo-app@1.0.0')!;
    expect(app).toMatchObject({ ecosystem: 'npm', name: 'demo-app', version: '1.0.0', direct: true });
  });

  it('turns dependsOn into edges, looking through purl-less components', async () => {
    const inv = await read(file);
    expect(edgesOf(inv, 'pkg:npm/demo-app@1.0.0')).toEqual([
      'pkg:npm/express@4.17.1',
      'pkg:npm/fsevents@2.3.2',
      'pkg:npm/jest@29.0.0',
      'pkg:npm/lodash@4.17.20', // through the purl-less "bundle"
    ]);
    expect(edgesOf(inv, 'pkg:npm/express@4.17.1')).toEqual(['pkg:npm/body-parser@1.19.0']);
    expect(edgesOf(inv, 'pkg:npm/body-parser@1.19.0')).toEqual(['pkg:npm/express@4.17.1']); // a cycle, kept
    expect(inv.graph.shortestPath('pkg:npm/body-parser@1.19.0')).toEqual([
      root,
      'pkg:npm/demo-app@1.0.0',
      'pkg:npm/express@4.17.1',
      'pkg:npm/body-parser@1.19.0',
    ]);
    expect(inv.warnings.some((w) => w.includes('ghost-ref'))).toBe(true);
  });

  it('marks what the metadata component depends on as direct, the rest not', async () => {
    const inv = await read(file);
    const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => c.purl);
    expect(direct.sort()).toEqual([
      'pkg:npm/demo-app@1.0.0',
      'pkg:npm/express@4.17.1',
      'pkg:npm/fsevents@2.3.2',
      'pkg:npm/jest@29.0.0',
      'pkg:npm/lodash@4.17.20',
    ]);
    expect(inv.graph.components.get('pkg:npm/body-parser@1.19.0')!.direct).toBe(false);
  });

  it('maps scope: required → prod, optional → optional, excluded → dev, absent → unknown', async () => {
    const inv = await read(file);
    const scope = (p: string) => inv.graph.components.get(p)!.scope;
    expect(scope('pkg:npm/express@4.17.1')).toBe('prod');
    expect(scope('pkg:npm/fsevents@2.3.2')).toBe('optional');
    expect(scope('pkg:npm/jest@29.0.0')).toBe('dev');
    expect(scope('pkg:npm/body-parser@1.19.0')).toBe('unknown');
  });

  it('takes the version field when the purl has none, and puts it on the purl', async () => {
    const inv = await read(file);
    expect(inv.graph.components.get('pkg:npm/fsevents@2.3.2')).toMatchObject({ name: 'fsevents', version: '2.3.2' });
  });

  it('carries hashes (normalised algorithm names) and licences (id, name, expression)', async () => {
    const inv = await read(file);
    const express = inv.graph.components.get('pkg:npm/express@4.17.1')!;
    expect(express.hashes).toEqual([
      { alg: 'sha512', value: 'abcdef' },
      { alg: 'sha1', value: '0123' },
    ]);
    expect(express.licenses).toEqual(['MIT']);
    expect(inv.graph.components.get('pkg:npm/jest@29.0.0')!.licenses).toEqual(['MIT OR Apache-2.0']);
    expect(inv.graph.components.get('pkg:npm/lodash@4.17.20')!.licenses).toEqual(['Lodash licence']);
  });

  it('reads nested components at any depth; unlisted ones hang under their container', async () => {
    const inv = await read(file);
    expect(inv.graph.components.has('pkg:npm/lodash@4.17.20')).toBe(true);
    const orphan = 'pkg:pypi/orphan-pkg@0.0.1';
    expect(inv.graph.components.get(orphan)).toMatchObject({ ecosystem: 'PyPI', name: 'orphan-pkg', direct: false });
    expect(edgesOf(inv, root)).not.toContain('pkg:pypi/deep@1.0.0');
    expect(edgesOf(inv, orphan)).toEqual(['pkg:pypi/deep@1.0.0']);
    expect(edgesOf(inv, 'pkg:pypi/deep@1.0.0')).toEqual(['pkg:pypi/deeper@2.0.0']);
    expect(inv.graph.shortestPath('pkg:pypi/deeper@2.0.0')).toEqual([
      root,
      orphan,
      'pkg:pypi/deep@1.0.0',
      'pkg:pypi/deeper@2.0.0',
    ]);
  });

  it('keeps components of ecosystems vouch does not know, with ecosystem undefined', async () => {
    const inv = await read(file);
    const openssl = inv.graph.components.get('pkg:generic/openssl@3.0.7')!;
    expect(openssl).toMatchObject({ ecosystem: undefined, name: 'openssl', version: '3.0.7', direct: false });
    expect(inv.graph.shortestPath('pkg:generic/openssl@3.0.7')).toEqual([root, 'pkg:generic/openssl@3.0.7']);
  });

  it('gives every component a path from the root', async () => {
    const inv = await read(file);
    for (const purl of inv.graph.components.keys()) expect(inv.graph.shortestPath(purl), purl).toBeDefined();
  });

  it('reports a component without version as unresolved, with a warning naming its JSON path', async () => {
    const inv = await read(file);
    expect(inv.unresolved).toContainEqual({
      name: 'left-pad',
      ecosystem: 'npm',
      spec: 'pkg:npm/left-pad',
      line: lineOf(file, '"bom-ref": "no-version"'),
      reason: 'no version',
    });
    expect(inv.warnings.some((w) => w.startsWith('$.components[5]:') && w.includes('no version'))).toBe(true);
  });

  it('reports an invalid purl as unresolved, with a warning naming $.components[6].purl', async () => {
    const inv = await read(file);
    const u = inv.unresolved.find((x) => x.name === 'broken')!;
    expect(u.reason).toBe('invalid purl: a purl starts with "pkg:"');
    expect(u.spec).toBe('npm/broken@1.0.0');
    expect(inv.warnings.some((w) => w.startsWith('$.components[6].purl:'))).toBe(true);
  });

  it('reports a component without purl as unresolved ("no purl")', async () => {
    const inv = await read(file);
    expect(inv.unresolved).toContainEqual(expect.objectContaining({ name: 'bundle', reason: 'no purl' }));
  });

  it('accounts for every component entry: listed, or unresolved', async () => {
    const inv = await read(file);
    // 13 entries: metadata + 9 top-level + 3 nested; 10 components, 3 unresolved (no purl, no version, invalid)
    expect(inv.graph.components.size).toBe(10);
    expect(inv.unresolved).toHaveLength(3);
  });

  it('records the file and line of each component', async () => {
    const inv = await read(file);
    const express = inv.graph.components.get('pkg:npm/express@4.17.1')!;
    expect(express.locations).toEqual([{ path: fixture(file), line: lineOf(file, '"bom-ref": "express"') }]);
  });
});

describe('CycloneDX JSON without a dependency graph', () => {
  const file = 'nograph.bom.json';
  const root = `root:${fixture(file)}`;

  it('labels the root with the metadata component but does not list it (purl of an unknown ecosystem)', async () => {
    const inv = await read(file);
    expect(inv.graph.roots.get(root)).toBe('image-scan');
    expect(inv.graph.components.has('pkg:generic/image-scan@1')).toBe(false);
    expect(inv.unresolved.map((u) => u.name)).toEqual(['debian']);
  });

  it('adds root → each top-level component and container → nested, with direct left false', async () => {
    const inv = await read(file);
    const guava = 'pkg:maven/com.google.guava/guava@31.1-jre?type=jar';
    expect(edgesOf(inv, root)).toEqual([guava, 'pkg:pypi/requests@2.31.0']);
    expect(edgesOf(inv, guava)).toEqual(['pkg:maven/com.google.guava/failureaccess@1.0.1']);
    for (const c of inv.graph.components.values()) expect(c.direct, c.purl).toBe(false);
    expect(inv.graph.components.get(guava)).toMatchObject({ ecosystem: 'Maven', name: 'com.google.guava:guava', version: '31.1-jre' });
  });
});

describe('CycloneDX XML', () => {
  it('reads spec 1.2 (CDATA, nested components, nested <dependency>)', async () => {
    const file = 'laravel-1.2.bom.xml';
    const root = `root:${fixture(file)}`;
    const inv = await read(file);
    const meta = 'pkg:composer/acme/demo-site@dev-master';
    const framework = 'pkg:composer/laravel/framework@7.12.0';
    expect(inv.graph.roots.get(root)).toBe('demo-site');
    expect(edgesOf(inv, root)).toEqual([meta]);
    expect(edgesOf(inv, meta)).toEqual([framework, 'pkg:composer/mockery/mockery@1.10']);
    expect(edgesOf(inv, framework)).toEqual(['pkg:composer/illuminate/support@7.12.0', 'pkg:composer/symfony/console@5.0.8']);
    const c = (p: string) => inv.graph.components.get(p)!;
    expect(c(framework)).toMatchObject({
      ecosystem: 'Packagist',
      name: 'laravel/framework',
      direct: true,
      licenses: ['MIT'],
      hashes: [{ alg: 'sha1', value: '0d1c2b3a' }],
      locations: [{ path: fixture(file), line: lineOf(file, 'bom-ref="laravel/framework-7.12.0.0"') }],
    });
    expect(c('pkg:composer/mockery/mockery@1.10')).toMatchObject({ version: '1.10', scope: 'dev', direct: true });
    expect(c('pkg:composer/symfony/console@5.0.8')).toMatchObject({ scope: 'prod', direct: false });
    expect(c('pkg:composer/illuminate/support@7.12.0').direct).toBe(false);
    // the invalid purl: a warning naming the XML position, and an unresolved entry
    const line = lineOf(file, 'bom-ref="bad"');
    expect(inv.warnings).toContainEqual(expect.stringMatching(new RegExp(`^/bom/components/component\\[4\\]/purl \\(line ${line}\\): `)));
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'bad', line, reason: expect.stringMatching(/^invalid purl/) })]);
  });

  it('reads spec 1.6 (expression licences, hashes, services in the graph, foreign elements)', async () => {
    const file = 'crypto-1.6.cdx.xml';
    const root = `root:${fixture(file)}`;
    const inv = await read(file);
    const catalina = 'pkg:maven/org.apache.tomcat/tomcat-catalina@9.0.14?packaging=jar';
    expect(inv.graph.roots.get(root)).toBe('payments');
    expect([...inv.graph.components.keys()]).toEqual([catalina]);
    expect(inv.graph.components.get(catalina)).toMatchObject({
      name: 'org.apache.tomcat:tomcat-catalina',
      scope: 'optional',
      direct: true, // payments → gateway (a service) → catalina
      licenses: ['EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0'],
      hashes: [
        { alg: 'sha256', value: 'f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b' },
        { alg: 'sha3-512', value: '7d58' },
        { alg: 'blake2b-256', value: 'd877' },
      ],
    });
    expect(edgesOf(inv, root)).toEqual([catalina]);
    expect(inv.unresolved).toEqual([
      expect.objectContaining({ name: 'AES-128-GCM', reason: 'no purl' }),
      expect.objectContaining({ name: 'serde', ecosystem: 'crates.io', reason: 'no version' }),
    ]);
    expect(inv.warnings).toHaveLength(1);
    expect(inv.warnings[0]).toMatch(/^\/bom\/components\/component\[3\] \(line \d+\): pkg:cargo\/serde has no version/);
  });

  it('reads a namespace bound to a prefix', async () => {
    const xml = `<?xml version="1.0"?>
<c:bom xmlns:c="http://cyclonedx.org/schema/bom/1.5" version="1">
  <c:components>
    <c:component type="library"><c:name>a</c:name><c:version>1.0.0</c:version><c:purl>pkg:npm/a@1.0.0</c:purl></c:component>
  </c:components>
</c:bom>`;
    const inv = await readText(xml, 'bom.xml');
    expect([...inv.graph.components.keys()]).toEqual(['pkg:npm/a@1.0.0']);
    expect(inv.graph.components.get('pkg:npm/a@1.0.0')!.locations).toEqual([{ path: 'bom.xml', line: 4 }]);
  });

  it('names the line of broken XML', async () => {
    const xml = '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n<components>\n<component>\n</components>\n</bom>\n';
    const e = await failure(xml, 'bom.xml');
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.line).toBe(5);
  });

  it('refuses XML that is not CycloneDX', async () => {
    const e = await failure('<project xmlns="http://maven.apache.org/POM/4.0.0"><artifactId>x</artifactId></project>', 'bom.xml');
    expect(e.code).toBe('INPUT_UNSUPPORTED');
  });
});

describe('CycloneDX bad input', () => {
  const good = readFileSync(fixture('graph.cdx.json'), 'utf8');

  it('truncated JSON → INPUT_PARSE naming the last line', async () => {
    const cut = good.slice(0, good.indexOf('"dependencies"'));
    const e = await failure(cut);
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.line).toBe(cut.split('\n').length);
    expect(e.oneLine()).toMatch(new RegExp(`^bom\\.json:${cut.split('\n').length}: not valid JSON`));
  });

  it('a syntax error mid-file → INPUT_PARSE naming its line', async () => {
    const lines = good.split('\n');
    const at = lines.findIndex((l) => l.includes('"name": "express"'));
    lines[at] = lines[at]!.replace(/,\s*$/, ''); // drop a comma
    const e = await failure(lines.join('\n'));
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.line).toBe(at + 2);
  });

  it('binary garbage → decodeText error', async () => {
    const e = await failure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10]));
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.message).toMatch(/binary/);
  });

  it.each([
    ['{"name": "left-pad", "version": "1.3.0"}', /bomFormat/],
    ['[1, 2, 3]', /not an object/],
    ['{"spdxVersion": "SPDX-2.3", "packages": []}', /SPDX/],
    ['{"bomFormat": "SPDX"}', /bomFormat/],
  ])('JSON that is not CycloneDX (%s) → INPUT_UNSUPPORTED', async (text, msg) => {
    const e = await failure(text);
    expect(e.code).toBe('INPUT_UNSUPPORTED');
    expect(e.message).toMatch(msg);
  });

  it('odd shapes inside a CycloneDX document are warnings, not crashes', async () => {
    const inv = await readText(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        metadata: { component: 'not an object' },
        components: [null, 42, { name: 'x', purl: 12 }, { purl: 'pkg:npm/ok@1.0.0', components: { not: 'a list' } }],
        dependencies: [{ dependsOn: ['a'] }, 'junk', { ref: 'pkg:npm/ok@1.0.0', dependsOn: [null, 'x'] }],
      }),
    );
    expect([...inv.graph.components.keys()]).toEqual(['pkg:npm/ok@1.0.0']);
    expect(inv.warnings).toEqual(
      expect.arrayContaining([
        '$.components[0]: not a component object; ignored',
        '$.components[1]: not a component object; ignored',
        '$.components[3].components: not a list; ignored',
        '$.dependencies[0]: no "ref"; ignored',
      ]),
    );
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'x', spec: '12', reason: expect.stringMatching(/^invalid purl: /) })]);
  });

  it('reads percent-encoded and raw + in a Go version alike (docker +incompatible), without a warning', async () => {
    const inv = await readText(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [
          { name: 'a', purl: 'pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible' },
          { name: 'b', purl: 'pkg:golang/github.com/docker/cli@v20.10.0+incompatible' },
        ],
      }),
    );
    expect(inv.warnings).toEqual([]);
    expect([...inv.graph.components.values()].map((c) => [c.purl, c.name, c.version])).toEqual([
      ['pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible', 'github.com/docker/docker', 'v19.03.0+incompatible'],
      ['pkg:golang/github.com/docker/cli@v20.10.0%2Bincompatible', 'github.com/docker/cli', 'v20.10.0+incompatible'],
    ]);
  });

  it('an internal error while reading one component is thrown, not turned into a warning about the input', async () => {
    // a bug inside purl parsing (as packageurl-js 2.0.1's ReferenceError "throws is not defined" was)
    const spy = vi.spyOn(PURL_TYPES['cpan']!, 'check').mockImplementation(() => {
      throw new ReferenceError('throws is not defined');
    });
    try {
      const read = readText(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'DateTime', purl: 'pkg:cpan/DateTime@1.55' }] }));
      await expect(read).rejects.toThrow(ReferenceError);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('an empty BOM is an empty inventory with its root', async () => {
    const inv = await readText('{"bomFormat":"CycloneDX","specVersion":"1.4","version":1}', 'empty.cdx.json');
    expect(inv.graph.components.size).toBe(0);
    expect([...inv.graph.roots]).toEqual([['root:empty.cdx.json', 'empty.cdx.json']]);
    expect(inv.warnings).toEqual([]);
  });

  it('a spec version outside 1.2–1.6 is read with a warning', async () => {
    const inv = await readText('{"bomFormat":"CycloneDX","specVersion":"1.7","components":[{"purl":"pkg:npm/a@1.0.0"}]}');
    expect(inv.graph.components.size).toBe(1);
    expect(inv.warnings).toEqual([expect.stringContaining('CycloneDX 1.7')]);
  });
});
