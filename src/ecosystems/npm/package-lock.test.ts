import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashesOf, npmPurl } from './common.js';
import { keyLines, packageLockExtractor, packagesKeyLinesAsNpmWrites, parsePackageLock } from './package-lock.js';
import { npm } from './index.js';
import { purlOf } from '../index.js';
import type { Scope } from '../../model/component.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { lockfileCases } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { comp, edgesFrom, errorOf, nameVersions, P } from './lock-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

async function extractFile(p: string): Promise<Inventory> {
  return packageLockExtractor.extract(await fileInput(p));
}

function fixture(name: string): Promise<Inventory> {
  return extractFile(path.join(FIXTURES, name));
}

function extractText(text: string, p = 'package-lock.json'): Promise<Inventory> {
  return packageLockExtractor.extract(memoryInput(p, text));
}

// ---------------------------------------------------------------------------------------------

describe('npm/package-lock: file selection', () => {
  it.each([
    ['package-lock.json', true],
    ['path/to/my/package-lock.json', true],
    ['npm-shrinkwrap.json', true],
    ['C:\\work\\app\\npm-shrinkwrap.json', true],
    ['app.tgz!/package/npm-shrinkwrap.json', true],
    ['path/to/my/package-lock.json/file', false],
    ['path/to/my/package-lock.json.file', false],
    ['path.to.my.package-lock.json', false],
    ['node_modules/.package-lock.json', false],
    ['app/node_modules/dep/package-lock.json', false],
    ['app/node_modules/dep/npm-shrinkwrap.json', false],
    ['package.json', false],
    ['yarn.lock', false],
  ])('wants(%s) = %s', (p, want) => {
    expect(packageLockExtractor.wants(p)).toBe(want);
  });

  it('sniffs JSON with a lockfileVersion, not bun.lock or SBOMs', () => {
    expect(packageLockExtractor.sniff!('{\n  "name": "x",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n')).toBe(true);
    expect(packageLockExtractor.sniff!('{"lockfileVersion":1,"requires":true,"dependencies":{')).toBe(true);
    expect(packageLockExtractor.sniff!('{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {\n')).toBe(false);
    expect(packageLockExtractor.sniff!('{"bomFormat":"CycloneDX","specVersion":"1.5"')).toBe(false);
    expect(packageLockExtractor.sniff!('lockfileVersion: \'6.0\'\n')).toBe(false);
  });

  it('builds the same purls as purlOf', () => {
    expect(packageLockExtractor.id).toBe('npm/package-lock');
    for (const [name, version] of [
      ['left-pad', '1.3.0'],
      ['@babel/code-frame', '7.0.0'],
      ['@types/node', '20.1.0-beta.1+build.5'],
    ] as const) {
      expect(npmPurl(name, version)).toBe(purlOf(npm, name, version));
    }
    expect(npmPurl('@babel/code-frame', '7.0.0')).toBe('pkg:npm/%40babel/code-frame@7.0.0');
    // names with upper case (kept: npm names are case-sensitive) or characters that are encoded
    for (const [name, version] of [
      ['JSONStream', '1.3.5'],
      ['@Scope/Mixed', '1.0.0'],
      ['weird name', '1.0.0'],
      ['we"ird', '1.0.0'],
      ['a', '1.0.0+build/5'],
    ] as const) {
      expect(npmPurl(name, version)).toBe(purlOf(npm, name, version));
    }
  });

  it('reads SRI integrity strings as hex hashes', () => {
    expect(hashesOf('sha1-tSQ9jz7BqjXxNkYFvA0QNuMKtp8=')).toEqual([
      { alg: 'sha1', value: 'b5243d8f3ec1aa35f1364605bc0d1036e30ab69f' },
    ]);
    expect(hashesOf('md5-AAAA sha256-!!! sha512-QUJD?opt')).toEqual([{ alg: 'sha512', value: '414243' }]);
  });
});

// ---------------------------------------------------------------------------------------------

const CONFORMANCE_DIRS = ['osv-scanner-v1/npm', 'osv-scalibr/javascript-packagelockjson'];

/**
 * Upstream depGroups → our scope. `bundled` says nothing about scope. Upstream writes
 * ["dev","optional"] both for v1 `"dev": true, "optional": true` (only dev deps reach it: dev for
 * us) and for v2 `"devOptional": true` (a production install includes it: optional for us).
 */
function expectedScope(groups: readonly string[] | undefined, packagesSection: boolean): Scope {
  const g = new Set(groups ?? []);
  if (g.has('dev') && g.has('optional')) return packagesSection ? 'optional' : 'dev';
  if (g.has('dev')) return 'dev';
  if (g.has('optional')) return 'optional';
  return 'prod';
}

describe.skipIf(!HAS_SHARED)('npm/package-lock: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(CONFORMANCE_DIRS);

  it('finds the package-lock cases', () => {
    expect(cases.length).toBe(28 + 34);
  });

  for (const { label, file, c } of cases) {
    it(label, async () => {
      if (!c.fixtureExists) {
        expect((await errorOf(extractFile(file))).code).toBe('INPUT_MISSING');
        return;
      }
      if (c.expectError) {
        // upstream's wording is its own; ours: not JSON → INPUT_PARSE, `null` → not an npm lockfile
        const err = await errorOf(extractFile(file));
        expect(['INPUT_PARSE', 'INPUT_UNSUPPORTED']).toContain(err.code);
        expect(err.oneLine()).toContain(file);
        return;
      }
      const inv = await extractFile(file);
      if (file.endsWith(`both${path.sep}package-lock.json`)) {
        // a deliberate difference: upstream extracts nothing from a package-lock.json with an
        // npm-shrinkwrap.json beside it (npm's precedence); vouch reads a file it is given, and
        // keeps the precedence for directory walks (src/inventory/collect.test.ts)
        expect(c.expectedPackages).toEqual([]);
        expect(inv.graph.components.size).toBeGreaterThan(0);
        return;
      }
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const packagesSection = 'packages' in raw && raw['lockfileVersion'] !== 1;
      const got = nameVersions(inv);

      // Packages upstream lists with an empty version (v1 git/file deps record a URL as the
      // version; a v2 git dep without a version) are skipped by us with a warning and listed in
      // `unresolved`, never invented.
      const listed = c.expectedPackages ?? c.mustInclude ?? [];
      const versionless = listed.filter((p) => p.version === '');
      for (const p of versionless) {
        expect(inv.unresolved.map((u) => u.name)).toContain(p.name);
        expect(inv.warnings.some((w) => w.includes(p.name) && w.includes('skipped'))).toBe(true);
      }
      const want = [...new Set(listed.filter((p) => p.version !== '').map((p) => `${p.name}@${p.version}`))].sort();

      if (c.match === 'exact-set') {
        expect(got).toEqual(want);
      } else {
        for (const w of want) expect(got).toContain(w);
        expect(got.length).toBe(c.expectedCount);
      }

      // scope, where upstream gives groups (the strongest of duplicate listings)
      for (const p of listed) {
        if (p.version === '') continue;
        const dups = listed.filter((q) => q.name === p.name && q.version === p.version);
        const scopes = dups.map((q) => expectedScope(q.depGroups, packagesSection));
        const want = scopes.includes('prod') ? 'prod' : scopes.includes('optional') ? 'optional' : scopes[0]!;
        expect(comp(inv, p.name, p.version).scope, `${p.name}@${p.version}`).toBe(want);
      }

      // every component has its key's line
      for (const comp of inv.graph.components.values()) {
        expect(comp.locations.length).toBeGreaterThan(0);
        for (const loc of comp.locations) {
          expect(loc.path).toBe(file);
          expect(loc.line).toBeGreaterThan(0);
        }
      }
    });
  }

  it('puts upstream line numbers on nested v1 entries (osv-scalibr "nested dependencies v1 line numbers")', async () => {
    const inv = await extractFile(shared('conformance/lockfiles/osv-scalibr/javascript-packagelockjson/nested-dependencies.v1.json'));
    // checked by hand (grep -n): "postcss": { at line 5, "postcss-calc": { at 15, its nested
    // "postcss": { at 26 (not the `"postcss": "^7.0.5"` of its requires, at 21)
    expect(comp(inv, 'postcss', '6.0.23').locations.map((l) => l.line)).toEqual([5]);
    expect(comp(inv, 'postcss-calc', '7.0.1').locations.map((l) => l.line)).toEqual([15]);
    expect(comp(inv, 'postcss', '7.0.16').locations.map((l) => l.line)).toEqual([26]);
    expect(edgesFrom(inv, P('postcss-calc', '7.0.1'))).toContain(P('postcss', '7.0.16'));
  });

  it('reads a package-lock.json even with an npm-shrinkwrap.json beside it (a walk skips it: inventory/collect.test.ts)', async () => {
    const inv = await extractFile(shared('conformance/lockfiles/osv-scalibr/javascript-packagelockjson/both/package-lock.json'));
    expect(inv.graph.components.size).toBeGreaterThan(0);
    expect(packageLockExtractor.shadowedBy!('x/package-lock.json')).toBe('npm-shrinkwrap.json');
    expect(packageLockExtractor.shadowedBy!('x/npm-shrinkwrap.json')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

const REALWORLD: { dir: string; readme: number; unique: number; entries: number }[] = [
  // README: 1,614 unique counts install names; three are alias installs of packages also installed
  // under their own name at the same version (string-width-cjs → string-width@4.2.3, strip-ansi-cjs
  // → strip-ansi@6.0.1, wrap-ansi-cjs → wrap-ansi@7.0.0), so there are 1,611 distinct packages.
  { dir: 'Kong__insomnia', readme: 1614, unique: 1611, entries: 1819 },
  { dir: 'OWASP__NodeGoat', readme: 1091, unique: 1091, entries: 1479 },
  { dir: 'snyk-labs__nodejs-goof', readme: 980, unique: 980, entries: 1274 },
  { dir: 'BookStackApp__BookStack', readme: 623, unique: 623, entries: 650 },
];

describe.skipIf(!HAS_SHARED)('npm/package-lock: real lockfiles', () => {
  for (const r of REALWORLD) {
    it(`${r.dir}: ${r.readme} unique name@version (README), every entry located and reachable`, async () => {
      const file = shared('realworld', r.dir, 'package-lock.json');
      const inv = await extractFile(file);
      const comps = [...inv.graph.components.values()];

      // the README's count: distinct (install name, version) over node_modules entries
      const seen = new Set<string>();
      let entries = 0;
      for (const c of comps) {
        for (const loc of c.locations) {
          entries++;
          seen.add(`${installNameAt(file, loc.line!)}@${c.version}`);
        }
      }
      expect(entries).toBe(r.entries);
      expect(seen.size).toBe(r.readme);
      expect(nameVersions(inv).length).toBe(r.unique);
      expect(inv.graph.components.size).toBe(r.unique);

      const reached = reachableFromRoots(inv);
      for (const c of comps) {
        expect(c.locations.every((l) => l.path === file && l.line! > 0)).toBe(true);
        expect(reached.has(c.purl), `${c.purl} has a path from a root`).toBe(true);
      }
      expect(inv.unresolved).toEqual([]);
      // npmPurl's fast path agrees with purlOf on every real package
      for (const c of comps) expect(c.purl).toBe(purlOf(npm, c.name, c.version));
    });
  }

  it('Kong__insomnia: workspaces are roots, aliases are their real packages, git deps are noted', async () => {
    const file = shared('realworld', 'Kong__insomnia', 'package-lock.json');
    const inv = await extractFile(file);
    const root = `root:${file}`;
    expect([...inv.graph.roots.keys()].sort()).toEqual([
      root,
      `${root}#packages/insomnia`,
      `${root}#packages/insomnia-inso`,
      `${root}#packages/insomnia-sdk`,
      `${root}#packages/insomnia-smoke-test`,
      `${root}#packages/insomnia-testing`,
    ]);
    expect(inv.graph.roots.get(root)).toBe('insomnia');
    expect(inv.graph.roots.get(`${root}#packages/insomnia-inso`)).toBe('insomnia-inso');
    // the workspaces' links (node_modules/insomnia → packages/insomnia, …) are not components
    const names = new Set([...inv.graph.components.values()].map((c) => c.name));
    for (const ws of ['insomnia', 'insomnia-inso', 'insomnia-sdk', 'insomnia-smoke-test', 'insomnia-testing']) {
      expect(names.has(ws), ws).toBe(false);
    }
    // a workspace's dependencies hang off its own root, and are direct
    const inso = [...(inv.graph.edges.get(`${root}#packages/insomnia-inso`) ?? [])];
    expect(inso.length).toBeGreaterThan(10);
    for (const to of inso) expect(inv.graph.components.get(to)?.direct ?? inv.graph.roots.has(to)).toBe(true);
    // alias: string-width-cjs (line 18640) is string-width@4.2.3, as is node_modules/string-width (18627)
    expect(comp(inv, 'string-width', '4.2.3').locations.map((l) => l.line).sort()).toEqual([18627, 18640]);
    // git dependency with a recorded version: kept, noted (line checked by hand)
    expect(comp(inv, 'grpc-reflection-js', '0.3.0').locations).toEqual([{ path: file, line: 12077 }]);
    expect(inv.warnings.some((w) => w.includes('line 12077') && w.includes('git'))).toBe(true);
  });

});

function reachableFromRoots(inv: Inventory): Set<string> {
  const queue = [...inv.graph.roots.keys()];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    for (const to of inv.graph.edges.get(queue[i]!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

const lineCache = new Map<string, string[]>();
/** The install name in the `"node_modules/…": {` key on a given line. */
function installNameAt(file: string, line: number): string {
  let lines = lineCache.get(file);
  if (!lines) lineCache.set(file, (lines = readFileSync(file, 'utf8').split('\n')));
  const m = /^\s*"(?:.*\/)?node_modules\/(.+)": \{/.exec(lines[line - 1] ?? '');
  if (!m) throw new Error(`line ${line} of ${file} is not a node_modules key: ${lines[line - 1]}`);
  return m[1]!;
}

// ---------------------------------------------------------------------------------------------

describe('npm/package-lock: v3 nested folders (__fixtures__/nested.v3.json)', () => {
  const file = path.join(FIXTURES, 'nested.v3.json');
  const root = `root:${file}`;

  it('finds each name@version once, with every location', async () => {
    const inv = await fixture('nested.v3.json');
    expect(nameVersions(inv)).toEqual([
      'a@1.0.0',
      'b@1.0.0',
      'c@1.0.0',
      'c@2.0.0',
      'd@1.0.0',
      'e@1.0.0',
      'helper@1.2.3',
      'native-ext@1.0.0',
      'shared@1.0.0',
      'tester@3.0.0',
    ]);
    expect(inv.graph.roots.get(root)).toBe('nested-demo');
    // e@1.0.0 sits at node_modules/a/node_modules/e (line 35) and node_modules/b/node_modules/e (45)
    expect(comp(inv, 'e', '1.0.0').locations).toEqual([
      { path: file, line: 35 },
      { path: file, line: 45 },
    ]);
    expect(comp(inv, 'a', '1.0.0').locations).toEqual([{ path: file, line: 21 }]);
    expect(comp(inv, 'shared', '1.0.0').locations).toEqual([{ path: file, line: 81 }]);
    expect(comp(inv, 'a', '1.0.0').hashes).toEqual([
      { alg: 'sha1', value: 'b5243d8f3ec1aa35f1364605bc0d1036e30ab69f' },
      {
        alg: 'sha512',
        value:
          '423563c1d5c8b78d3c308880a825f8a142ac814d84a801b3b363e9926e1a4186e39be644584716e127c5353af8b8c35999ad1ecb87f99602eb901d1a5f440ca3',
      },
    ]);
    expect(comp(inv, 'b', '1.0.0').hashes).toBeUndefined();
  });

  it('resolves each dependency to the nearest node_modules folder', async () => {
    const inv = await fixture('nested.v3.json');
    // a's c is its own nested c@2; b's c is the top-level c@1
    expect(edgesFrom(inv, P('a', '1.0.0'))).toEqual([P('c', '2.0.0'), P('e', '1.0.0')].sort());
    expect(edgesFrom(inv, P('b', '1.0.0'))).toEqual([P('c', '1.0.0'), P('e', '1.0.0')].sort());
    // a/node_modules/c has no d of its own: walks up past a to the top-level d
    expect(edgesFrom(inv, P('c', '2.0.0'))).toEqual([P('d', '1.0.0')]);
    // d is top-level: its c is the top-level c@1, not a's nested c@2
    expect(edgesFrom(inv, P('d', '1.0.0'))).toEqual([P('c', '1.0.0')]);
    // root: dependencies, devDependencies and optionalDependencies
    expect(edgesFrom(inv, root)).toEqual(
      [P('a', '1.0.0'), P('b', '1.0.0'), P('tester', '3.0.0'), P('native-ext', '1.0.0')].sort(),
    );
    // an optional dependency not installed (no version) is a warning, not a crash or an edge
    expect(edgesFrom(inv, P('native-ext', '1.0.0'))).toEqual([P('shared', '1.0.0')]);
    expect(inv.warnings.some((w) => w.includes('node_modules/not-for-this-platform') && w.includes('no version'))).toBe(true);
    expect(inv.unresolved).toEqual([
      { name: 'not-for-this-platform', ecosystem: 'npm', line: 85, reason: 'no version recorded' },
    ]);
  });

  it('marks direct dependencies and gives the shortest path', async () => {
    const inv = await fixture('nested.v3.json');
    const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => c.name);
    expect(direct.sort()).toEqual(['a', 'b', 'native-ext', 'tester']);
    expect(inv.graph.shortestPath(P('d', '1.0.0'))).toEqual([root, P('a', '1.0.0'), P('c', '2.0.0'), P('d', '1.0.0')]);
    expect(inv.graph.shortestPath(P('c', '1.0.0'))).toEqual([root, P('b', '1.0.0'), P('c', '1.0.0')]);
    expect(inv.graph.shortestPath(P('helper', '1.2.3'))).toEqual([root, P('tester', '3.0.0'), P('helper', '1.2.3')]);
  });

  it('maps dev / optional / devOptional flags to scopes', async () => {
    const inv = await fixture('nested.v3.json');
    expect(comp(inv, 'a', '1.0.0').scope).toBe('prod');
    expect(comp(inv, 'tester', '3.0.0').scope).toBe('dev');
    // dev + optional: only dev dependencies reach it, a production install leaves it out
    expect(comp(inv, 'helper', '1.2.3').scope).toBe('dev');
    expect(comp(inv, 'native-ext', '1.0.0').scope).toBe('optional');
    // devOptional: a production install includes it unless optional deps are omitted
    expect(comp(inv, 'shared', '1.0.0').scope).toBe('optional');
  });
});

describe('npm/package-lock: workspaces and links (__fixtures__/workspaces.v3.json)', () => {
  const file = path.join(FIXTURES, 'workspaces.v3.json');
  const root = `root:${file}`;
  const app = `${root}#packages/app`;
  const lib = `${root}#packages/lib`;

  it('makes each workspace a root; links are not components', async () => {
    const inv = await fixture('workspaces.v3.json');
    expect([...inv.graph.roots.entries()].sort()).toEqual([
      [root, 'monorepo'],
      [app, '@demo/app'],
      [lib, '@demo/lib'],
    ].sort());
    expect(nameVersions(inv)).toEqual(['is-number@6.0.0', 'is-odd@3.0.1', 'left-pad@1.1.0', 'left-pad@1.3.0', 'lint@2.0.0', 'vendored@4.0.0']);
  });

  it('resolves from the workspace folder, then the top level; a workspace dependency is an edge between roots', async () => {
    const inv = await fixture('workspaces.v3.json');
    expect(edgesFrom(inv, app)).toEqual([lib, P('left-pad', '1.1.0'), P('lint', '2.0.0')].sort());
    expect(edgesFrom(inv, lib)).toEqual([P('is-odd', '3.0.1'), P('left-pad', '1.3.0')].sort());
    expect(edgesFrom(inv, root)).toEqual([P('lint', '2.0.0'), P('vendored', '4.0.0')].sort());
    expect(edgesFrom(inv, P('is-odd', '3.0.1'))).toEqual([P('is-number', '6.0.0')]);
    // a finding's path names the workspace that pulls the package in
    expect(inv.graph.shortestPath(P('is-number', '6.0.0'))).toEqual([lib, P('is-odd', '3.0.1'), P('is-number', '6.0.0')]);
    expect(inv.graph.shortestPath(P('left-pad', '1.1.0'))).toEqual([app, P('left-pad', '1.1.0')]);
    const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => `${c.name}@${c.version}`);
    expect(direct.sort()).toEqual(['is-odd@3.0.1', 'left-pad@1.1.0', 'left-pad@1.3.0', 'lint@2.0.0', 'vendored@4.0.0']);
  });

  it('keeps a file: dependency folder as a component and notes that it is local', async () => {
    const inv = await fixture('workspaces.v3.json');
    expect(comp(inv, 'vendored', '4.0.0').locations).toEqual([{ path: file, line: 18 }]);
    expect(inv.warnings).toEqual([expect.stringMatching(/line 18 .*deps\/vendored.*vendored@4\.0\.0 comes from a local folder/)]);
  });
});

describe('npm/package-lock: alias installs', () => {
  it('uses the `name` field as the package name (__fixtures__/alias.v3.json)', async () => {
    const file = path.join(FIXTURES, 'alias.v3.json');
    const inv = await fixture('alias.v3.json');
    expect(nameVersions(inv)).toEqual(['lodash@3.10.1', 'lodash@4.17.21', 'uses-alias@1.0.0']);
    // located at its install folder's key, "node_modules/lodash3" (line 15)
    expect(comp(inv, 'lodash', '3.10.1').locations).toEqual([{ path: file, line: 15 }]);
    expect(edgesFrom(inv, P('uses-alias', '1.0.0'))).toEqual([P('lodash', '3.10.1')]);
    expect(edgesFrom(inv, `root:${file}`)).toEqual([P('lodash', '3.10.1'), P('lodash', '4.17.21'), P('uses-alias', '1.0.0')].sort());
    expect(comp(inv, 'lodash', '3.10.1').direct).toBe(true);
  });

  it('reads v1 `npm:<name>@<version>` versions', async () => {
    const inv = await fixture('nested.v1.json');
    expect(comp(inv, 'new-name', '2.0.0').locations.map((l) => l.line)).toEqual([38]);
    expect(inv.graph.components.has(P('old-name', '2.0.0'))).toBe(false);
  });
});

describe('npm/package-lock: v1 nested dependencies (__fixtures__/nested.v1.json)', () => {
  const file = path.join(FIXTURES, 'nested.v1.json');
  const root = `root:${file}`;

  it('reads the nested tree with lines of the nested keys', async () => {
    const inv = await fixture('nested.v1.json');
    expect(nameVersions(inv)).toEqual([
      'a@1.0.0',
      'b@1.0.0',
      'c@1.0.0',
      'c@2.0.0',
      'd@1.0.0',
      'new-name@2.0.0',
      'opt@1.0.0',
      'tester@3.0.0',
      'x@1.0.0',
      'y@1.0.0',
    ]);
    expect(inv.graph.roots.get(root)).toBe('legacy');
    // "c": { under a at line 14; c@1.0.0 at top level (28) and under tester (52)
    expect(comp(inv, 'c', '2.0.0').locations).toEqual([{ path: file, line: 14 }]);
    expect(comp(inv, 'c', '1.0.0').locations).toEqual([
      { path: file, line: 28 },
      { path: file, line: 52 },
    ]);
    expect(comp(inv, 'a', '1.0.0').hashes).toEqual([{ alg: 'sha1', value: 'b5243d8f3ec1aa35f1364605bc0d1036e30ab69f' }]);
  });

  it('resolves `requires` through the nesting, like npm', async () => {
    const inv = await fixture('nested.v1.json');
    expect(edgesFrom(inv, P('a', '1.0.0'))).toEqual([P('c', '2.0.0')]);
    expect(edgesFrom(inv, P('c', '2.0.0'))).toEqual([P('d', '1.0.0')]);
    expect(edgesFrom(inv, P('b', '1.0.0'))).toEqual([P('c', '1.0.0')]);
    expect(inv.graph.shortestPath(P('d', '1.0.0'))).toEqual([root, P('a', '1.0.0'), P('c', '2.0.0'), P('d', '1.0.0')]);
  });

  it('takes top-level entries nothing requires as direct (v1 does not record the project), then breaks cycles', async () => {
    const inv = await fixture('nested.v1.json');
    const direct = [...inv.graph.components.values()].filter((c) => c.direct).map((c) => c.name);
    // b is required by tester, so it is not taken as direct; x and y require each other: x (first) is
    expect(direct.sort()).toEqual(['a', 'new-name', 'opt', 'tester', 'x']);
    for (const c of inv.graph.components.values()) expect(inv.graph.shortestPath(c.purl), c.purl).toBeDefined();
    expect(inv.graph.shortestPath(P('y', '1.0.0'))).toEqual([root, P('x', '1.0.0'), P('y', '1.0.0')]);
  });

  it('maps dev / optional and merges scopes of duplicates', async () => {
    const inv = await fixture('nested.v1.json');
    expect(comp(inv, 'tester', '3.0.0').scope).toBe('dev');
    expect(comp(inv, 'opt', '1.0.0').scope).toBe('optional');
    expect(comp(inv, 'a', '1.0.0').scope).toBe('prod');
    // c@1.0.0: prod at the top level, dev under tester → prod
    expect(comp(inv, 'c', '1.0.0').scope).toBe('prod');
  });

  it('skips a git dependency whose version is a URL, with a warning and an unresolved entry', async () => {
    const inv = await fixture('nested.v1.json');
    expect(inv.unresolved).toEqual([
      {
        name: 'gitdep',
        ecosystem: 'npm',
        spec: 'github:someone/gitdep#0123456789abcdef0123456789abcdef01234567',
        line: 34,
        reason: 'version "github:someone/gitdep#0123456789abcdef0123456789abcdef01234567" is not a semver version (git)',
      },
    ]);
    expect(inv.warnings).toEqual([expect.stringMatching(/^line 34 \$\.dependencies\["gitdep"\]: gitdep: .* skipped$/)]);
  });
});

describe('npm/package-lock: other shapes', () => {
  it('reads an old shrinkwrap without lockfileVersion, and an empty lockfile', async () => {
    const inv = await extractText('{"name":"old","version":"1.0.0","dependencies":{"a":{"version":"1.0.0","from":"a@^1"}}}', 'npm-shrinkwrap.json');
    expect(nameVersions(inv)).toEqual(['a@1.0.0']);
    expect(comp(inv, 'a', '1.0.0').direct).toBe(true);
    const empty = await extractText('{"lockfileVersion": 3, "requires": true, "packages": {}}');
    expect(empty.graph.components.size).toBe(0);
    expect(empty.graph.roots.has('root:package-lock.json')).toBe(true);
  });

  it('reads `packages`, not the v1 `dependencies` a v2 lockfile also carries', async () => {
    const inv = await extractText(
      JSON.stringify({
        lockfileVersion: 2,
        packages: { '': { dependencies: { a: '^2' } }, 'node_modules/a': { version: '2.0.0' } },
        dependencies: { a: { version: '1.0.0' }, b: { version: '1.0.0' } },
      }),
    );
    expect(nameVersions(inv)).toEqual(['a@2.0.0']);
  });

  it('notes git and tarball sources (credentials redacted), not registry tarballs', async () => {
    const inv = await extractText(
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { dependencies: { p: 'git+https://x', t: 'https://x', r: '^1', g: '^1' } },
          'node_modules/p': { version: '1.0.0', resolved: 'git+https://user:s3cret@example.invalid/p.git#abc' },
          'node_modules/t': { version: '1.0.0', resolved: 'https://example.invalid/t/tarball/main' },
          'node_modules/r': { version: '1.0.0', resolved: 'https://registry.example.invalid/r/-/r-1.0.0.tgz' },
          'node_modules/g': { version: '1.0.0', resolved: 'https://npm.pkg.github.com/download/@o/g/1.0.0/0a1b2c' },
        },
      }),
    );
    expect(nameVersions(inv)).toEqual(['g@1.0.0', 'p@1.0.0', 'r@1.0.0', 't@1.0.0']);
    expect(inv.warnings).toEqual([
      expect.stringMatching(/p@1\.0\.0 comes from git \(git\+https:\/\/example\.invalid\/p\.git#abc\)/),
      expect.stringMatching(/t@1\.0\.0 comes from a tarball URL/),
    ]);
    expect(inv.warnings.join('\n')).not.toContain('s3cret');
  });

  it('keeps the bare user of an ssh URL (no secret, and the address needs it), drops a password or token', async () => {
    const inv = await extractText(
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { dependencies: { a: 'github:o/a', b: 'git+ssh://x', c: 'git+https://x' } },
          'node_modules/a': { version: 'git+ssh://git@github.com/o/a.git#abc' },
          'node_modules/b': { version: 'git+ssh://git:pw@example.invalid/b.git#abc' },
          'node_modules/c': { version: 'git+https://ghp_token@github.com/o/c.git#abc' },
        },
      }),
    );
    expect(inv.unresolved.map((u) => u.spec)).toEqual([
      'git+ssh://git@github.com/o/a.git#abc',
      'git+ssh://example.invalid/b.git#abc',
      'git+https://github.com/o/c.git#abc',
    ]);
  });

  it('escapes in keys do not break line numbers', () => {
    const text = '{\n"lockfileVersion": 3,\n"packages": {\n"node_modules/we\\"ird": {"version": "1.0.0"},\n"node_modules/b": {\n"version": "1.0.0"}}}';
    const lines = keyLines(text, 'packages');
    expect(lines.get('node_modules/we"ird')).toBe(4);
    expect(lines.get('node_modules/b')).toBe(5);
    const inv = parsePackageLock(text, 'x/package-lock.json');
    expect(comp(inv, 'we"ird', '1.0.0').locations).toEqual([{ path: 'x/package-lock.json', line: 4 }]);
  });
});

describe('npm/package-lock: line numbers of a lockfile laid out as npm writes it', () => {
  const fast = (text: string): Map<string, number> | undefined =>
    packagesKeyLinesAsNpmWrites(text, (JSON.parse(text) as { packages: Record<string, unknown> }).packages);

  it.skipIf(!HAS_SHARED)('finds the same lines as the full walk on every real package-lock', () => {
    for (const r of REALWORLD) {
      const text = readFileSync(shared('realworld', r.dir, 'package-lock.json'), 'utf8');
      const lines = fast(text);
      expect(lines, r.dir).toBeDefined();
      expect([...lines!], r.dir).toEqual([...keyLines(text, 'packages')]);
    }
  });

  it.each(['nested.v3.json', 'workspaces.v3.json', 'alias.v3.json'])('finds the same lines as the full walk on %s', (name) => {
    const text = readFileSync(path.join(FIXTURES, name), 'utf8');
    expect([...fast(text)!]).toEqual([...keyLines(text, 'packages')]);
  });

  it('reads empty entries, escaped keys and an empty section', () => {
    const doc = { lockfileVersion: 3, packages: { '': {}, 'node_modules/we"ird\\x': { version: '1.0.0', dependencies: { a: '1' } }, 'node_modules/a': {} } };
    const text = JSON.stringify(doc, null, 2);
    expect([...fast(text)!]).toEqual([
      ['', 4],
      ['node_modules/we"ird\\x', 5],
      ['node_modules/a', 11],
    ]);
    expect([...fast(text)!]).toEqual([...keyLines(text, 'packages')]);
    const empty = JSON.stringify({ lockfileVersion: 3, packages: {} }, null, 2);
    expect(fast(empty)).toBeUndefined(); // `"packages": {}` on one line: the full walk finds no keys either
    expect(keyLines(empty, 'packages').size).toBe(0);
  });

  it('leaves any other layout to the full walk', () => {
    const doc = { lockfileVersion: 3, packages: { '': { version: '1.0.0' }, 'node_modules/a': { version: '1.0.0' } } };
    for (const text of [
      JSON.stringify(doc), // one line
      JSON.stringify(doc, null, 2).replace(/\n/g, '\r\n'), // CRLF
      JSON.stringify(doc, null, '\t'), // tabs
      JSON.stringify(doc, null, 4), // four spaces
      // an entry opened on its key's line and one written inline
      '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {\n      "version": "1.0.0"\n    }, "node_modules/a": {"version": "1.0.0"}\n  }\n}',
      // a `packages` key nested elsewhere at the same indent as well
      '{\n  "packages": {\n    "": {\n      "version": "1.0.0"\n    }\n  },\n  "x": {\n  "packages": {\n  }\n  }\n}',
    ]) {
      expect(fast(text), text).toBeUndefined();
      // and the reader still gives the full walk's lines
      const inv = parsePackageLock(text, 'package-lock.json');
      expect([...inv.graph.components.values()].every((c) => c.locations.every((l) => l.line === keyLines(text, 'packages').get('node_modules/a')))).toBe(true);
    }
  });
});

describe('npm/package-lock: licences', () => {
  it('keeps each entry\'s `license` as given: an expression, a name, the legacy object and list forms', async () => {
    const inv = await extractText(
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { license: 'UNLICENSED', dependencies: { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1', g: '1' } },
          'node_modules/a': { version: '1.0.0', license: 'MIT' },
          'node_modules/b': { version: '1.0.0', license: '(MIT OR Apache-2.0)' },
          'node_modules/c': { version: '1.0.0', license: { type: 'BSD-like', url: 'https://example.invalid/L' } },
          'node_modules/d': { version: '1.0.0', license: ['MIT', { type: 'Apache2' }, 'MIT', 7, ''] },
          'node_modules/e': { version: '1.0.0', license: 42 },
          'node_modules/f': { version: '1.0.0' },
          'node_modules/g': { version: '1.0.0', license: '  SEE LICENSE IN LICENSE.md ' },
          // the same package in a nested folder without the field: the first sighting's licence stays
          'node_modules/g/node_modules/a': { version: '1.0.0' },
        },
      }, null, 2),
    );
    expect(comp(inv, 'a', '1.0.0').licenses).toEqual(['MIT']);
    expect(comp(inv, 'b', '1.0.0').licenses).toEqual(['(MIT OR Apache-2.0)']);
    expect(comp(inv, 'c', '1.0.0').licenses).toEqual(['BSD-like']);
    expect(comp(inv, 'd', '1.0.0').licenses).toEqual(['MIT', 'Apache2']);
    expect(comp(inv, 'e', '1.0.0').licenses).toBeUndefined();
    expect(comp(inv, 'f', '1.0.0').licenses).toBeUndefined();
    expect(comp(inv, 'g', '1.0.0').licenses).toEqual(['SEE LICENSE IN LICENSE.md']);
    expect(comp(inv, 'a', '1.0.0').locations).toHaveLength(2);
    expect(inv.warnings).toEqual([]);
  });

  it.skipIf(!HAS_SHARED)('Kong__insomnia: every component carries the licence its lockfile entries give', async () => {
    const file = shared('realworld', 'Kong__insomnia', 'package-lock.json');
    const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, { license?: unknown }> };
    const inv = await extractFile(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    let withLicence = 0;
    for (const c of inv.graph.components.values()) {
      // the entries this component was read from, by the lines of their keys
      const given = new Set<string>();
      for (const loc of c.locations) {
        const key = /^\s*"(.+)": \{/.exec(lines[loc.line! - 1] ?? '')?.[1];
        expect(key !== undefined && key in lock.packages, `line ${loc.line} is a packages key`).toBe(true);
        const v = lock.packages[key!]!.license;
        for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) given.add(typeof x === 'string' ? x : (x as { type: string }).type);
      }
      expect(c.licenses ?? [], c.purl).toEqual([...given]);
      if (given.size) withLicence++;
    }
    // 1,596 of 1,611 components; the legacy list forms of tv4 and pause-stream included
    expect(withLicence).toBe(1596);
    expect(comp(inv, 'tv4', '1.3.0').licenses).toEqual(['Public Domain', 'MIT']);
    expect(comp(inv, 'pause-stream', '0.0.11').licenses).toEqual(['MIT', 'Apache2']);
  });
});

describe('npm/package-lock: bad input', () => {
  it('truncated JSON: INPUT_PARSE with the line', async () => {
    const text = readFileSync(path.join(FIXTURES, 'nested.v3.json'), 'utf8').split('\n').slice(0, 30).join('\n');
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(30);
    expect(err.oneLine()).toMatch(/^package-lock\.json:30: not valid JSON/);
  });

  it('binary data: decodeText’s error', async () => {
    const err = await errorOf(packageLockExtractor.extract(memoryInput('package-lock.json', Buffer.from([0x7b, 0x00, 0x01, 0x02]))));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.message).toMatch(/binary/);
  });

  it.each(['{"name": "not-a-lock", "version": "1.0.0"}', 'null', '[]', '42'])('not an npm lockfile: %s', async (text) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_UNSUPPORTED');
    expect(err.message).toMatch(/not an npm lockfile/);
  });

  it('lockfileVersion 4: INPUT_UNSUPPORTED naming it', async () => {
    const err = await errorOf(extractText('{"lockfileVersion": 4, "packages": {}}'));
    expect(err.code).toBe('INPUT_UNSUPPORTED');
    expect(err.message).toMatch(/lockfileVersion 4/);
  });

  it.each([
    ['a version is a number', '{"lockfileVersion":3,"packages":{"":{},\n"node_modules/a":{"version":1}}}', '$.packages["node_modules/a"].version', 2],
    ['packages is an array', '{"lockfileVersion":3,"packages":[]}', '$.packages', undefined],
    ['an entry is a string', '{"lockfileVersion":2,"packages":{"node_modules/a":"1.0.0"}}', '$.packages["node_modules/a"]', 1],
    ['a dependency range is a number', '{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","dependencies":{"b":2}}}}', '$.packages["node_modules/a"].dependencies["b"]', 1],
    ['dev is a string', '{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","dev":"yes"}}}', '$.packages["node_modules/a"].dev', 1],
    ['workspaces is a string', '{"lockfileVersion":3,"packages":{"":{"workspaces":"packages/*"}}}', '$.packages[""].workspaces', 1],
    ['lockfileVersion is a string', '{"lockfileVersion":"3","packages":{}}', '$.lockfileVersion', undefined],
    ['v1 nested version is a number', '{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{\n"b":{"version":2}}}}}', '$.dependencies["a"].dependencies["b"].version', 2],
    ['v1 requires is an array', '{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","requires":["b"]}}}', '$.dependencies["a"].requires', 1],
  ])('wrong-typed field (%s): INPUT_PARSE with the JSON path', async (_what, text, jsonPath, line) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.jsonPath).toBe(jsonPath);
    expect(err.position?.line).toBe(line);
    expect(err.oneLine()).toContain(jsonPath);
  });

  it('a link to a folder the lockfile does not list is a warning', async () => {
    const inv = await extractText(
      JSON.stringify({
        lockfileVersion: 3,
        packages: { '': { dependencies: { gone: '*' } }, 'node_modules/gone': { resolved: 'packages/gone', link: true } },
      }),
    );
    expect(inv.graph.components.size).toBe(0);
    expect(inv.warnings).toEqual([expect.stringMatching(/node_modules\/gone → packages\/gone/)]);
  });


});
