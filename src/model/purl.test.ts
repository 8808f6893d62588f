import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openZip } from '../io/zip.js';
import { ecosystemByPurlType, nameFromPurl } from '../ecosystems/index.js';
import { collectInventory } from '../inventory/collect.js';
import { versionlessComponents } from '../sbom/common-write.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { type PurlParts, InvalidPurlError, buildPurl, canonicalParts, canonicalPurl, parsePurl, tryParsePurl } from './purl.js';

describe('purl: components → canonical string → the same components', () => {
  // Each rule, with a case on either side of it. Expected strings written from ECMA-427 5.4 (what is
  // encoded) and the type definitions (what is lower-cased), not from the code.
  const cases: [label: string, parts: PurlParts, canonical: string | 'refused'][] = [
    ['go module with +incompatible: + is %2B', { type: 'golang', namespace: 'github.com/docker', name: 'docker', version: 'v19.03.0+incompatible' }, 'pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible'],
    ['go pseudo-version', { type: 'golang', namespace: 'golang.org/x', name: 'net', version: 'v0.0.0-20210405180319-a5a99cb37ef4' }, 'pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4'],
    ['go keeps case', { type: 'golang', namespace: 'github.com/BurntSushi', name: 'toml', version: 'v1.3.2' }, 'pkg:golang/github.com/BurntSushi/toml@v1.3.2'],
    ['go stdlib, without namespace', { type: 'golang', name: 'stdlib', version: 'v1.22.3' }, 'pkg:golang/stdlib@v1.22.3'],
    ['go: any other module needs a namespace', { type: 'golang', name: 'toml', version: 'v1.3.2' }, 'refused'],
    ['go: a v version that is no semver is still a version', { type: 'golang', namespace: 'example.com', name: 'm', version: 'v1.2' }, 'pkg:golang/example.com/m@v1.2'],
    ['npm lower case', { type: 'npm', name: 'left-pad', version: '1.3.0' }, 'pkg:npm/left-pad@1.3.0'],
    ['npm keeps case (JSONStream is not jsonstream)', { type: 'npm', name: 'JSONStream', version: '1.3.5' }, 'pkg:npm/JSONStream@1.3.5'],
    ['npm scope: the @ is %40', { type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' }, 'pkg:npm/%40babel/core@7.24.0'],
    ['npm scope keeps case', { type: 'npm', namespace: '@Babel', name: 'Core', version: '7.24.0' }, 'pkg:npm/%40Babel/Core@7.24.0'],
    ['npm build metadata: + is %2B', { type: 'npm', namespace: '@types', name: 'node', version: '20.1.0-beta.1+build.5' }, 'pkg:npm/%40types/node@20.1.0-beta.1%2Bbuild.5'],
    ['an @ in a version is %40, a / is %2F', { type: 'npm', name: 'a', version: '1.0.0+build/5@x' }, 'pkg:npm/a@1.0.0%2Bbuild%2F5%40x'],
    ['an @ outside an npm scope is %40 too', { type: 'golang', namespace: 'example.com/@x', name: 'm', version: 'v1.0.0' }, 'pkg:golang/example.com/%40x/m@v1.0.0'],
    ['pypi: lower case, _ becomes -', { type: 'pypi', name: 'Typing_Extensions', version: '4.12.2' }, 'pkg:pypi/typing-extensions@4.12.2'],
    ['pypi dots stay', { type: 'pypi', name: 'zope.interface', version: '6.4' }, 'pkg:pypi/zope.interface@6.4'],
    ['pypi has no namespace', { type: 'pypi', namespace: 'x', name: 'django', version: '5.0' }, 'refused'],
    ['pub: a dash becomes an underscore', { type: 'pub', name: 'flutter-web', version: '1.0.0' }, 'pkg:pub/flutter_web@1.0.0'],
    ['pub', { type: 'pub', name: 'flutter_web_plugins', version: '0.0.0' }, 'pkg:pub/flutter_web_plugins@0.0.0'],
    ['maven keeps case', { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-Core', version: '2.14.1' }, 'pkg:maven/org.apache.logging.log4j/log4j-Core@2.14.1'],
    ['maven without group is refused', { type: 'maven', name: 'log4j-core', version: '2.14.1' }, 'refused'],
    ['hex is lower-cased', { type: 'hex', name: 'Phoenix', version: '1.7.0' }, 'pkg:hex/phoenix@1.7.0'],
    ['composer is lower-cased', { type: 'composer', namespace: 'Laravel', name: 'Framework', version: 'v10.0.0' }, 'pkg:composer/laravel/framework@v10.0.0'],
    ['nuget keeps case', { type: 'nuget', name: 'Newtonsoft.Json', version: '13.0.1' }, 'pkg:nuget/Newtonsoft.Json@13.0.1'],
    ['gem', { type: 'gem', name: 'rails', version: '7.1.3.4' }, 'pkg:gem/rails@7.1.3.4'],
    ['cargo, no version', { type: 'cargo', name: 'serde' }, 'pkg:cargo/serde'],
    ['cargo + in a version', { type: 'cargo', name: 'wasi', version: '0.11.0+wasi-snapshot-preview1' }, 'pkg:cargo/wasi@0.11.0%2Bwasi-snapshot-preview1'],
    ['a space is %20', { type: 'cargo', name: 'a b', version: '1.0 beta' }, 'pkg:cargo/a%20b@1.0%20beta'],
    ['a colon is never encoded', { type: 'deb', namespace: 'debian', name: 'attr', version: '1:2.4.47-2+b1', qualifiers: { arch: 'amd64' } }, 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64'],
    ['qualifiers sorted, values encoded, empty ones dropped', { type: 'deb', namespace: 'Debian', name: 'curl', version: '7.50.3-1', qualifiers: { distro: 'debian-12', arch: 'i386', empty: '' } }, 'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=debian-12'],
    ['a URL qualifier: / is %2F, : stays', { type: 'npm', name: 'x', version: '1.0.0', qualifiers: { vcs_url: 'git+https://h.example/r.git@abc' } }, 'pkg:npm/x@1.0.0?vcs_url=git%2Bhttps:%2F%2Fh.example%2Fr.git%40abc'],
    ['a qualifier key with a space is refused', { type: 'npm', name: 'x', qualifiers: { 'in production': 'true' } }, 'refused'],
    ['subpath segments encoded, . and .. dropped', { type: 'golang', namespace: 'google.golang.org', name: 'genproto', subpath: '/./googleapis/../api+x/' }, 'pkg:golang/google.golang.org/genproto#googleapis/api%2Bx'],
    ['git: the namespace is the host, the name the path on it', { type: 'git', namespace: 'codeberg.org/forgejo', name: 'forgejo', version: 'a72d2c0' }, 'pkg:git/codeberg.org/forgejo/forgejo@a72d2c0'],
    ['git on GitHub is lower-cased (GitHub paths are case-insensitive)', { type: 'git', namespace: 'github.com', name: 'Package-URL/Purl-Spec' }, 'pkg:git/github.com/package-url/purl-spec'],
    ['a type vouch does not read', { type: 'rpm', namespace: 'Fedora', name: 'curl', version: '7.50.3-1.fc25' }, 'pkg:rpm/fedora/curl@7.50.3-1.fc25'],
    ['an unregistered type: general rules only', { type: 'acme', namespace: 'A', name: 'B', version: 'C' }, 'pkg:acme/A/B@C'],
    ['a type must start with a letter', { type: '3d', name: 'x' }, 'refused'],
    ['a name is required', { type: 'cargo', name: '' }, 'refused'],
    ['a lone surrogate is refused', { type: 'cargo', name: 'a\ud800' }, 'refused'],
  ];
  it.each(cases)('%s', (_label, parts, expected) => {
    if (expected === 'refused') {
      expect(() => buildPurl(parts)).toThrow(InvalidPurlError);
      return;
    }
    expect(buildPurl(parts)).toBe(expected);
    // parsing the canonical string gives the canonical components, which build the same string
    const back = parsePurl(expected, { strict: true });
    expect(back).toEqual(canonicalParts(parts));
    expect(buildPurl(back)).toBe(expected);
    expect(parsePurl(buildPurl(back))).toEqual(back);
  });

  it('reads the docker +incompatible purl whether the + is encoded (Syft, cdxgen, Trivy) or not', () => {
    const want = { type: 'golang', namespace: 'github.com/docker', name: 'docker', version: 'v19.03.0+incompatible' };
    expect(parsePurl('pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible')).toEqual(want);
    expect(parsePurl('pkg:golang/github.com/docker/docker@v19.03.0+incompatible')).toEqual(want);
    expect(canonicalPurl('pkg:golang/github.com/docker/docker@v19.03.0+incompatible')).toBe('pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible');
  });

  it('reads non-canonical spellings leniently, and says why a string is no purl', () => {
    expect(parsePurl('pkg:NPM/JSONStream@1.3.5')).toEqual({ type: 'npm', name: 'JSONStream', version: '1.3.5' });
    expect(parsePurl('pkg:npm/@babel/core@7.0.0')).toEqual({ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' });
    expect(parsePurl('pkg://maven/org.x/y@1')).toEqual({ type: 'maven', namespace: 'org.x', name: 'y', version: '1' });
    expect(parsePurl('pkg:pypi/Django_X@5.0')).toEqual({ type: 'pypi', name: 'django-x', version: '5.0' });
    expect(parsePurl('pkg:gem/x@1?Platform=java')).toEqual({ type: 'gem', name: 'x', version: '1', qualifiers: { platform: 'java' } });
    expect(() => parsePurl('pkg:gem/x@1?Platform=java', { strict: true })).toThrow('the qualifier key "Platform" is not lower case');
    expect(parsePurl('pkg:gem/rails@')).toEqual({ type: 'gem', name: 'rails' });
    for (const [s, why] of [
      ['npm/left-pad@1.3.0', 'a purl starts with "pkg:"'],
      ['pkg:left-pad', 'a type and a name are required'],
      ['pkg:npm/', 'a name is required'],
      ['pkg:maven/log4j-core@2.14.1', 'a maven purl needs a namespace'],
      ['pkg:cargo/%zz@1', 'the name is not valid percent-encoded UTF-8'],
      ['pkg:cargo/a@%C3%28', 'the version is not valid percent-encoded UTF-8'],
      ['pkg:npm/a?x=1&x=2', 'the qualifier key "x" appears twice'],
      ['pkg:julia/Dates@1.9.0', 'a julia purl needs a "uuid" qualifier'],
    ] as const) {
      expect(() => parsePurl(s), s).toThrow(why);
      expect(tryParsePurl(s)).toBeUndefined();
    }
  });

  it('tryParsePurl returns undefined only for a string that is no purl; anything else is thrown', () => {
    expect(tryParsePurl('pkg:npm/x@1')).toEqual({ type: 'npm', name: 'x', version: '1' });
    expect(() => tryParsePurl(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe.skipIf(!HAS_SHARED)('purl: every purl vouch writes for ../shared/realworld reads back to the same component', () => {
  it('parses to parts that build the same string (it is canonical), and the parts are what vouch built it from', async () => {
    const inv = await collectInventory([shared('realworld')]);
    const components = [...inv.graph.components.values()];
    expect(components.length).toBeGreaterThan(5_000);
    const types = new Set<string>();
    for (const c of components) {
      const parts = parsePurl(c.purl, { strict: true });
      expect(buildPurl(parts), c.purl).toBe(c.purl);
      expect(parts.version, c.purl).toBe(c.version);
      const eco = ecosystemByPurlType(parts.type)!;
      expect(eco.normalizeName(nameFromPurl(eco, parts)), c.purl).toBe(eco.normalizeName(c.name));
      types.add(parts.type);
    }
    for (const t of ['npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget']) expect(types).toContain(t);
    // names and versions that need the type's rules: mixed-case npm, + in a version
    expect(inv.graph.components.get('pkg:npm/JSONStream@1.3.5')?.name).toBe('JSONStream');
    expect(components.filter((c) => c.version.includes('+')).every((c) => c.purl.includes('%2B'))).toBe(true);
    expect(components.some((c) => c.version.includes('+'))).toBe(true);
    // the purls an SBOM carries besides: the projects' own (roots) and the packages without a version
    const others = [
      ...[...inv.graph.rootIdentities.values()].map((r) => r.purl),
      ...versionlessComponents(inv.unresolved, inv.graph).map((v) => v.purl),
    ];
    expect(others.length).toBeGreaterThan(50);
    for (const purl of others) expect(buildPurl(parsePurl(purl, { strict: true })), purl).toBe(purl);
  }, 120_000);
});

/** Every purl written in the CycloneDX and SPDX documents of ../shared/conformance (JSON, XML, tag-value, RDF, SPDX 3), with a file it is in. */
async function conformancePurls(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const take = (text: string, where: string): void => {
    const re = /"purl"\s*:\s*"((?:[^"\\]|\\.)*)"|<purl>(?:<!\[CDATA\[)?([^<\]]*)(?:\]\]>)?<\/purl>|\bpurl\s+(pkg:\S+)|"referenceLocator"\s*:\s*"(pkg:[^"]*)"|"(?:software_)?packageUrl"\s*:\s*"([^"]*)"/g;
    for (const m of text.matchAll(re)) {
      const purl = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : (m[2] ?? m[3] ?? m[4] ?? m[5])!.replace(/&amp;/g, '&');
      if (!out.has(purl.trim())) out.set(purl.trim(), where);
    }
  };
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.endsWith('.zip') && !p.endsWith('.proto')) take(readFileSync(p, 'utf8'), p);
    }
  };
  walk(shared('conformance', 'cyclonedx'));
  walk(shared('conformance', 'spdx'));
  // the large examples (juice-shop, keycloak) kept zipped: their JSON forms
  const zip = await openZip(shared('conformance', 'cyclonedx', 'bom-examples', 'large-examples.zip'), 'large-examples.zip');
  try {
    for await (const e of zip.entries()) if (e.kind === 'file') take(e.data.toString('utf8'), `large-examples.zip!${e.name}`);
  } finally {
    zip.close();
  }
  return out;
}

describe.skipIf(!HAS_SHARED)('purl: every purl in the CycloneDX and SPDX examples of ../shared/conformance', () => {
  it('reads, and its canonical form reads back to the same component (type, namespace, name, version, qualifiers, subpath)', async () => {
    const purls = await conformancePurls();
    expect(purls.size).toBeGreaterThan(3_000);
    const failed: string[] = [];
    for (const [purl, where] of purls) {
      const parts = tryParsePurl(purl);
      if (!parts) failed.push(`${where}: ${purl}`);
      else expect(parsePurl(buildPurl(parts)), `${where}: ${purl}`).toEqual(parts);
    }
    expect(failed).toEqual([]);
    // one of them was written non-canonically (an encoded ':', a raw '/' in a qualifier): it reads the same either way
    expect(canonicalPurl('pkg:npm/juice-shop@14.1.1?vcs_url=git%2Bhttps%3A//github.com/juice-shop/juice-shop.git')).toBe(
      'pkg:npm/juice-shop@14.1.1?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fjuice-shop%2Fjuice-shop.git',
    );
  }, 60_000);
});
