import { describe, expect, it } from 'vitest';
import { collectInventory } from '../inventory/collect.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { type PurlParts, buildPurl, buildPurlWithLibrary, parsePurl, parsePurlWithLibrary, plainParse, plainPurl } from './purl.js';

/** The same parts whether a key is absent or undefined. */
const tidy = (p: PurlParts): PurlParts =>
  Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && !(typeof v === 'object' && Object.keys(v).length === 0))) as PurlParts;

/** Both paths give the same string, or both refuse the parts. */
function sameBuild(parts: PurlParts): string | 'refused' {
  const lib = ((): string | 'refused' => {
    try {
      return buildPurlWithLibrary(parts);
    } catch {
      return 'refused';
    }
  })();
  if (lib === 'refused') expect(() => buildPurl(parts)).toThrow();
  else expect(buildPurl(parts)).toBe(lib);
  return lib;
}

/** Both paths give the same parts, or both refuse the string. */
function sameParse(purl: string): void {
  let lib: PurlParts | undefined;
  try {
    lib = parsePurlWithLibrary(purl);
  } catch {
    expect(() => parsePurl(purl)).toThrow();
    return;
  }
  expect(tidy(parsePurl(purl)), purl).toEqual(tidy(lib));
}

describe('purl: the plain path equals packageurl-js', () => {
  // Each rule of the plain path, with a case just inside it and one just outside.
  const cases: [label: string, parts: PurlParts, canonical: string | 'refused', plain: boolean][] = [
    ['go module', { type: 'golang', namespace: 'github.com/hashicorp', name: 'hcl', version: 'v2.0.0+incompatible' }, 'pkg:golang/github.com/hashicorp/hcl@v2.0.0+incompatible', true],
    ['go pseudo-version', { type: 'golang', namespace: 'golang.org/x', name: 'net', version: 'v0.0.0-20210405180319-a5a99cb37ef4' }, 'pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4', true],
    ['go stdlib, no namespace', { type: 'golang', name: 'stdlib', version: 'v1.22.3' }, 'pkg:golang/stdlib@v1.22.3', true],
    ['go: a v version that is not semver is refused', { type: 'golang', namespace: 'example.com', name: 'm', version: 'v1.2' }, 'refused', false],
    ['go: a version without v is anything', { type: 'golang', namespace: 'example.com', name: 'm', version: '1.2' }, 'pkg:golang/example.com/m@1.2', true],
    ['npm lower case', { type: 'npm', name: 'left-pad', version: '1.3.0' }, 'pkg:npm/left-pad@1.3.0', true],
    ['npm upper case is lowered', { type: 'npm', name: 'JSONStream', version: '1.3.5' }, 'pkg:npm/jsonstream@1.3.5', false],
    ['npm scope is encoded', { type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' }, 'pkg:npm/%40babel/core@7.24.0', true],
    ['npm scope in upper case is lowered', { type: 'npm', namespace: '@Babel', name: 'core', version: '7.24.0' }, 'pkg:npm/%40babel/core@7.24.0', false],
    ['an @ outside an npm scope is encoded', { type: 'golang', namespace: 'example.com/@x', name: 'm', version: 'v1.0.0' }, 'pkg:golang/example.com/%40x/m@v1.0.0', false],
    ['pypi underscore becomes dash', { type: 'pypi', name: 'typing_extensions', version: '4.12.2' }, 'pkg:pypi/typing-extensions@4.12.2', false],
    ['pypi dots stay', { type: 'pypi', name: 'zope.interface', version: '6.4' }, 'pkg:pypi/zope.interface@6.4', true],
    ['pub: a dash becomes an underscore', { type: 'pub', name: 'flutter-web', version: '1.0.0' }, 'pkg:pub/flutter_web@1.0.0', false],
    ['pub', { type: 'pub', name: 'flutter_web_plugins', version: '0.0.0' }, 'pkg:pub/flutter_web_plugins@0.0.0', true],
    ['maven', { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' }, 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', true],
    ['maven without group is refused', { type: 'maven', name: 'log4j-core', version: '2.14.1' }, 'refused', false],
    ['hex upper case is lowered', { type: 'hex', name: 'Phoenix', version: '1.7.0' }, 'pkg:hex/phoenix@1.7.0', false],
    ['nuget keeps case', { type: 'nuget', name: 'Newtonsoft.Json', version: '13.0.1' }, 'pkg:nuget/Newtonsoft.Json@13.0.1', true],
    ['gem', { type: 'gem', name: 'rails', version: '7.1.3.4' }, 'pkg:gem/rails@7.1.3.4', true],
    ['cargo, no version', { type: 'cargo', name: 'serde' }, 'pkg:cargo/serde', true],
    ['a space is encoded', { type: 'cargo', name: 'a b', version: '1.0.0' }, 'pkg:cargo/a%20b@1.0.0', false],
    ['a version with a space', { type: 'gem', name: 'x', version: '1.0 beta' }, 'pkg:gem/x@1.0%20beta', false],
    ['qualifiers are sorted', { type: 'deb', namespace: 'debian', name: 'curl', version: '7.50.3-1', qualifiers: { distro: 'jessie', arch: 'i386' } }, 'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie', false],
    ['a type vouch does not write', { type: 'rpm', namespace: 'fedora', name: 'curl', version: '7.50.3-1.fc25' }, 'pkg:rpm/fedora/curl@7.50.3-1.fc25', false],
  ];
  it.each(cases)('%s', (_label, parts, expected, plain) => {
    expect(sameBuild(parts)).toBe(expected);
    if (expected !== 'refused') sameParse(expected);
    // which path it took: the plain one only where its rules say so
    expect(plainPurl(parts) !== undefined).toBe(plain);
    if (plain) expect(plainParse(expected)).toBeDefined();
  });

  it('parses what the library parses, and refuses what it refuses', () => {
    for (const s of [
      'pkg:golang/github.com/gorilla/mux@v1.8.0',
      'pkg:golang/example.com/m@v1.2',
      'pkg:npm/Left-Pad@1.3.0',
      'pkg:npm/%40core',
      'pkg:npm/%40scope/a/b@1.0.0',
      'pkg:maven/%40g/a@1',
      'pkg:pypi/Django@5.0',
      'pkg:maven/log4j-core@2.14.1',
      'pkg:cargo/serde@1.0.0#src',
      'pkg:cargo/serde@1.0.0?x=1',
      'pkg:gem/rails',
      'pkg:gem//rails@1',
      'pkg:gem/rails@',
      'npm/left-pad@1.3.0',
      'pkg:NPM/left-pad@1.3.0',
    ]) sameParse(s);
  });
});

describe.skipIf(!HAS_SHARED)('purl: the plain path on every purl vouch makes from ../shared/realworld', () => {
  it('gives the library’s string and parts for each of them', async () => {
    const inv = await collectInventory([shared('realworld')]);
    const purls = [...inv.graph.components.keys()];
    expect(purls.length).toBeGreaterThan(5_000);
    const plainTypes = new Set<string>();
    for (const purl of purls) {
      sameParse(purl);
      const parts = parsePurlWithLibrary(purl);
      expect(buildPurl(parts)).toBe(purl);
      expect(buildPurlWithLibrary(parts)).toBe(purl);
      if (plainParse(purl)) plainTypes.add(parts.type);
    }
    // the inputs cover the types the plain path takes, and it took them
    for (const t of ['npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget']) expect(plainTypes).toContain(t);
  }, 120_000);
});
