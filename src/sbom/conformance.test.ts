/**
 * The SBOM readers on real documents written by other tools (../shared/conformance). Counts below
 * were checked by hand against the files (grep / a JSON one-liner), not taken from the reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../model/errors.js';
import type { Inventory } from '../model/inventory.js';
import { fileInput } from '../io/input.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { cyclonedxExtractor } from './cyclonedx-read.js';
import { spdxExtractor } from './spdx-read.js';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

const CDX = (...p: string[]) => shared('conformance', 'cyclonedx', ...p);
const SPDX = (...p: string[]) => shared('conformance', 'spdx', ...p);

const readCdx = async (file: string): Promise<Inventory> => cyclonedxExtractor.extract(await fileInput(file));
const readSpdx = async (file: string): Promise<Inventory> => spdxExtractor.extract(await fileInput(file));

function declaresCycloneDx(text: string): boolean {
  return /"bomFormat"\s*:\s*"CycloneDX"/.test(text) || /xmlns(:\w+)?="http:\/\/cyclonedx\.org\/schema\/bom\/1\.\d+"/.test(text);
}

/** Distinct `"purl": "..."` values in a JSON text, or `<purl>` values in XML (CDATA stripped). */
function grepPurls(text: string): Set<string> {
  const json = [...text.matchAll(/"purl"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
  const xml = [...text.matchAll(/<purl>(?:<!\[CDATA\[)?([^<\]]+)(?:\]\]>)?<\/purl>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  return new Set([...json, ...xml]);
}

/** Reads every file, returning the ones that threw (with why) so one failure names them all. */
async function readAll(files: string[], reader: (f: string) => Promise<Inventory>): Promise<Map<string, Inventory>> {
  const ok = new Map<string, Inventory>();
  const failed: string[] = [];
  for (const f of files) {
    try {
      ok.set(f, await reader(f));
    } catch (e) {
      failed.push(`${f}: ${(e as Error).message}`);
    }
  }
  expect(failed).toEqual([]);
  return ok;
}

function everyComponentHasAPath(inv: Inventory): string[] {
  return [...inv.graph.components.keys()].filter((p) => inv.graph.shortestPath(p) === undefined);
}

describe.skipIf(!HAS_SHARED)('CycloneDX bom-examples (real SBOMs)', () => {
  it('every JSON and XML document that declares CycloneDX parses, and every component has a path', async () => {
    const files = walk(CDX('bom-examples')).filter(
      (f) => /\.(json|xml)$/.test(f) && declaresCycloneDx(readFileSync(f, 'utf8')),
    );
    expect(files.length).toBeGreaterThanOrEqual(65);
    const all = await readAll(files, readCdx);
    for (const [f, inv] of all) {
      expect(everyComponentHasAPath(inv), f).toEqual([]);
      expect(cyclonedxExtractor.sniff!(readFileSync(f, 'utf8').slice(0, 4096)), f).toBe(true);
    }
  });

  it.each([
    ['SBOM/juice-shop/v11.1.2/bom.json', 841],
    ['SBOM/juice-shop/v11.1.2/bom.xml', 841],
    ['SBOM/protonmail-webclient-v4-0912dff/bom.json', 884],
    ['SBOM/dropwizard-1.3.15/bom.json', 168],
    ['SBOM/dropwizard-1.3.15/bom.xml', 168],
    ['SBOM/cern-lhc-vdm-editor-e564943/bom.json', 44],
    ['SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json', 202],
  ])('%s: one component per distinct purl (%i, counted with grep)', async (rel, count) => {
    const file = CDX('bom-examples', rel);
    const inv = await readCdx(file);
    expect(grepPurls(readFileSync(file, 'utf8')).size).toBe(count);
    expect(inv.graph.components.size).toBe(count);
    expect(inv.unresolved).toEqual([]);
    expect(inv.warnings).toEqual([]);
  });

  it('juice-shop: the JSON and XML forms give the same components', async () => {
    const json = await readCdx(CDX('bom-examples', 'SBOM/juice-shop/v11.1.2/bom.json'));
    const xml = await readCdx(CDX('bom-examples', 'SBOM/juice-shop/v11.1.2/bom.xml'));
    expect([...xml.graph.components.keys()].sort()).toEqual([...json.graph.components.keys()].sort());
  });

  it('laravel: spec 1.1–1.4, JSON and XML, give the same components; 1.2+ the same graph', async () => {
    const dir = CDX('bom-examples', 'SBOM', 'laravel-7.12.0');
    const files = ['bom.1.1.xml', 'bom.1.2.json', 'bom.1.2.xml', 'bom.1.3.json', 'bom.1.3.xml', 'bom.1.4.json', 'bom.1.4.xml'];
    const invs = await Promise.all(files.map((f) => readCdx(path.join(dir, f))));
    const keys = (inv: Inventory) => [...inv.graph.components.keys()].sort();
    // 62 library components + the metadata component (a composer purl, so it is listed)
    for (const inv of invs.slice(1)) expect(keys(inv)).toHaveLength(63);
    for (const inv of invs.slice(2)) expect(keys(inv)).toEqual(keys(invs[1]!));
    const meta = 'pkg:composer/cyclonedx/cyclonedx-php-composer-demo@dev-master';
    for (const inv of invs.slice(1)) {
      const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => c.purl);
      // metadata dependsOn: ["laravel/laravel-7.12.0.0"]
      expect(direct.sort()).toEqual([meta, 'pkg:composer/laravel/laravel@v7.12.0'].sort());
      let edges = 0;
      for (const s of inv.graph.edges.values()) edges += s.size;
      expect(edges).toBe(113 + 1); // 113 dependsOn entries (python count) + root → metadata component
    }
    expect(invs[0]!.warnings).toEqual([expect.stringContaining('CycloneDX 1.1')]);
  });

  it('proton-bridge: 56 direct dependencies of the metadata component (+ itself)', async () => {
    const inv = await readCdx(CDX('bom-examples', 'SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json'));
    const direct = [...inv.graph.components.values()].filter((c) => c.direct);
    expect(direct).toHaveLength(57);
    const meta = inv.graph.components.get('pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0')!;
    expect(meta).toMatchObject({ ecosystem: 'Go', name: 'github.com/ProtonMail/proton-bridge', direct: true });
  });

  it('CBOM/HBOM documents without purls yield unresolved entries, not components', async () => {
    const inv = await readCdx(CDX('bom-examples', 'CBOM/Protocol/bom.json'));
    expect(inv.graph.components.size).toBe(0);
    expect(inv.unresolved.length).toBeGreaterThan(0);
    expect(inv.unresolved.every((u) => u.reason === 'no purl')).toBe(true);
  });
});

describe.skipIf(!HAS_SHARED)('CycloneDX specification test-resources', () => {
  const resources = (v: string, re: RegExp) =>
    readdirSync(CDX('specification', 'test-resources', v))
      .filter((f) => re.test(f))
      .map((f) => CDX('specification', 'test-resources', v, f));

  it.each(['1.2', '1.3', '1.4', '1.5', '1.6'])('%s: every valid-*.json and valid-*.xml reads, with no warnings', async (v) => {
    const files = resources(v, /^valid-.*\.(json|xml)$/);
    expect(files.length).toBeGreaterThanOrEqual(40);
    const all = await readAll(files, readCdx);
    for (const [f, inv] of all) {
      expect(inv.warnings, f).toEqual([]);
      expect(everyComponentHasAPath(inv), f).toEqual([]);
    }
  });

  it('1.7: every valid document reads (with a version warning)', async () => {
    await readAll(resources('1.7', /^valid-.*\.(json|xml)$/), readCdx);
  });

  it('invalid-* documents of every version never crash: an inventory or a VouchError', async () => {
    const files = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'].flatMap((v) => resources(v, /invalid-.*\.(json|xml)$/));
    expect(files.length).toBeGreaterThan(250);
    const crashes: string[] = [];
    for (const f of files) {
      try {
        await readCdx(f);
      } catch (e) {
        if (!isVouchError(e)) crashes.push(`${f}: ${String(e)}`);
      }
    }
    expect(crashes).toEqual([]);
  });

  it('valid-bom-1.6: metadata component without purl names the root; purl bom-refs become edges', async () => {
    const inv = await readCdx(CDX('specification', 'test-resources', '1.6', 'valid-bom-1.6.json'));
    const catalina = 'pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar';
    const app = 'pkg:maven/com.example/myapplication@1.0.0?packaging=war';
    const framework = 'pkg:maven/com.example/myframework@1.0.0?packaging=war';
    expect([...inv.graph.roots.values()]).toEqual(['Acme Application']);
    expect([...inv.graph.components.keys()].sort()).toEqual([catalina, app, framework].sort());
    for (const c of inv.graph.components.values()) expect(c).toMatchObject({ scope: 'prod', direct: false });
    expect([...inv.graph.edges.get(catalina)!]).toEqual([app]);
    expect(inv.unresolved).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED)('SPDX 2.2 / 2.3 documents (real)', () => {
  const spdx2Files = (): string[] =>
    walk(SPDX()).filter(
      (f) =>
        /\.(json|spdx)$/.test(f) &&
        !f.includes(`${path.sep}spdx-spec-v3${path.sep}`) &&
        !f.includes(`${path.sep}spdx3.0${path.sep}`) &&
        !/schema/.test(path.basename(f)),
    );

  it('every SPDX 2.2/2.3 JSON and tag-value document parses, without warnings', async () => {
    const files = spdx2Files();
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(17);
    expect(files.filter((f) => f.endsWith('.spdx')).length).toBeGreaterThanOrEqual(13);
    const all = await readAll(files, readSpdx);
    for (const [f, inv] of all) {
      expect(inv.warnings, f).toEqual([]);
      expect(everyComponentHasAPath(inv), f).toEqual([]);
      expect(spdxExtractor.sniff!(readFileSync(f, 'utf8').slice(0, 4096)), f).toBe(true);
    }
  });

  it('SPDX 3 documents are refused as unsupported, not crashed on', async () => {
    const files = walk(SPDX()).filter((f) => f.endsWith('.json') && (f.includes('spdx3') || f.includes('spdx-spec-v3')));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      await expect(readSpdx(f), f).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED' });
    }
  });

  it.each([
    ['spdx-spec-v2.3', 'SPDXJSONExample-v2.3.spdx.json', 'SPDXTagExample-v2.3.spdx'],
    ['spdx-spec-v2.2.2', 'SPDXJSONExample-v2.2.spdx.json', 'SPDXTagExample-v2.2.spdx'],
  ])('%s: the JSON and tag-value examples give the same purls, packages and graph', async (dir, json, tv) => {
    const a = await readSpdx(SPDX(dir, json));
    const b = await readSpdx(SPDX(dir, tv));
    expect([...a.graph.components.keys()].sort()).toEqual([...b.graph.components.keys()].sort());
    // one purl in the example (grep: "PACKAGE-MANAGER purl"), Jena; the other packages have none
    expect([...a.graph.components.keys()]).toEqual(['pkg:maven/org.apache.jena/apache-jena@3.12.0']);
    expect(a.unresolved.map((u) => u.name).sort()).toEqual(b.unresolved.map((u) => u.name).sort());
    expect(a.unresolved.map((u) => u.name).sort()).toEqual(['Apache Commons Lang', 'Saxon', 'glibc']);
    const edges = (inv: Inventory) => [...inv.graph.edges].map(([k, v]) => [k.replace(/^root:.*/, 'root'), [...v].sort()]).sort();
    expect(edges(a)).toEqual(edges(b));
    expect(b.graph.components.get('pkg:maven/org.apache.jena/apache-jena@3.12.0')!.locations[0]!.line).toBe(
      readFileSync(SPDX(dir, tv), 'utf8').split('\n').indexOf('PackageName: Jena') + 1,
    );
  });

  it('example9 (appbomination): DEPENDENCY_OF / TEST_DEPENDENCY_OF edges, scope and direct flags', async () => {
    const inv = await readSpdx(SPDX('spdx-examples', 'software', 'example9', 'spdx2.2', 'appbomination.spdx.json'));
    const c = (p: string) => inv.graph.components.get(p)!;
    const junit = 'pkg:maven/junit/junit@4.12';
    const hamcrest = 'pkg:maven/org.hamcrest/hamcrest-core@1.3';
    expect([...inv.graph.components.keys()].sort()).toEqual(
      [hamcrest, 'pkg:maven/org.apache.commons/commons-lang3@3.4', junit, 'pkg:maven/org.slf4j/slf4j-api@1.7.21'].sort(),
    );
    // App-BOM-ination (described, no purl) → commons-lang3, slf4j-api, junit (test); junit → hamcrest-core
    expect(c(junit)).toMatchObject({ scope: 'dev', direct: true, name: 'junit:junit' });
    expect(c(hamcrest)).toMatchObject({ direct: false });
    expect(c('pkg:maven/org.slf4j/slf4j-api@1.7.21').direct).toBe(true);
    expect(inv.graph.shortestPath(hamcrest)).toEqual([expect.stringMatching(/^root:/), junit, hamcrest]);
    expect(inv.unresolved.map((u) => u.name).sort()).toEqual(['App-BOM-ination', 'Faust Proprietary File', 'Gradle']);
  });

  it('example11: four purls (grep), of which the cargo ones are crates.io components', async () => {
    const file = SPDX('spdx-examples', 'software', 'example11', 'spdx2.3', 'sbom.spdx.json');
    const inv = await readSpdx(file);
    expect(grepPurls(readFileSync(file, 'utf8')).size).toBe(0); // purls sit in referenceLocator, not "purl"
    expect(readFileSync(file, 'utf8').match(/"referenceLocator":\s*"pkg:/g)).toHaveLength(4);
    expect(inv.graph.components.size).toBe(4);
    expect([...inv.graph.components.values()].filter((x) => x.ecosystem === 'crates.io').map((x) => x.name).sort()).toEqual([
      'hyper',
      'pretty_env_logger',
      'tokio',
    ]);
  });
});
