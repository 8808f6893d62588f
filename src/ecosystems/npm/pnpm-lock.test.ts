import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pnpmLockExtractor } from './pnpm-lock.js';
import { npm } from './index.js';
import { purlOf } from '../index.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { P, comp, edgesFrom, errorOf, expectLocated, expectedSet, nameVersions, reachableFromRoots } from './lock-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'pnpm');

async function extractFile(p: string): Promise<Inventory> {
  return pnpmLockExtractor.extract(await fileInput(p));
}

function extractText(text: string, p = 'pnpm-lock.yaml'): Promise<Inventory> {
  return pnpmLockExtractor.extract(memoryInput(p, text));
}

function scopes(inv: Inventory): Record<string, [string, boolean]> {
  return Object.fromEntries([...inv.graph.components.values()].map((c) => [c.name, [c.scope, c.direct]]));
}

describe('npm/pnpm-lock: file selection', () => {
  it('agrees with should-extract.json, sniffs', () => {
    if (HAS_SHARED) {
      const list = shouldExtractVectors('PnpmLockExtractor');
      expect(list.length).toBeGreaterThan(3);
      for (const v of list) expect(pnpmLockExtractor.wants(v.path), v.path).toBe(v.want);
    }
    expect(pnpmLockExtractor.wants('app/node_modules/x/pnpm-lock.yaml')).toBe(false);
    expect(pnpmLockExtractor.wants('C:\\app\\pnpm-lock.yaml')).toBe(true);
    expect(pnpmLockExtractor.sniff!("lockfileVersion: '9.0'\n\nsettings:\n")).toBe(true);
    expect(pnpmLockExtractor.sniff!('lockfileVersion: 5.4\n')).toBe(true);
    expect(pnpmLockExtractor.sniff!('{"lockfileVersion": 3}')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('npm/pnpm-lock: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(['osv-scanner-v1/pnpm', 'osv-scalibr/javascript-pnpmlock']);

  it('finds the pnpm cases', () => {
    expect(cases.length).toBe(27 + 32);
  });

  for (const { label, file, c } of cases) {
    it(label, async () => {
      if (!c.fixtureExists) {
        expect((await errorOf(extractFile(file))).code).toBe('INPUT_MISSING');
        return;
      }
      if (c.expectError) {
        const err = await errorOf(extractFile(file));
        expect(['INPUT_PARSE', 'INPUT_UNSUPPORTED']).toContain(err.code);
        expect(err.oneLine()).toContain(file);
        // scalibr's wording for bad keys is ours too; osv-scanner's ("invalid package path", "could
        // not extract from") is its own
        if (c.expectError.contains?.startsWith('invalid dependency path')) expect(err.message).toContain(c.expectError.contains);
        return;
      }
      const inv = await extractFile(file);
      expect(nameVersions(inv)).toEqual(expectedSet(c.expectedPackages ?? []));
      for (const p of c.expectedPackages ?? []) {
        if (p.depGroups?.includes('dev')) expect(comp(inv, p.name, p.version).scope).toBe('dev');
      }
      expectLocated(inv, file);
    });
  }

  it('exotic.yaml: keys without a version are unresolved, not invented', async () => {
    const inv = await extractFile(shared('conformance/lockfiles/osv-scanner-v1/pnpm/exotic.yaml'));
    expect(inv.unresolved.map((u) => [u.spec, u.line])).toEqual([
      ['github.com/kevva/is-positive', 14],
      ['/foo/bar', 18],
    ]);
    // the key's first segment is no package name ("kevva", "foo"): none is claimed
    expect(inv.unresolved.map((u) => u.name)).toEqual(['github.com/kevva/is-positive', '/foo/bar']);
  });

  it('files.yaml: a file: package without a name is unresolved', async () => {
    const inv = await extractFile(shared('conformance/lockfiles/osv-scanner-v1/pnpm/files.yaml'));
    expect(inv.unresolved.map((u) => u.spec)).toEqual(['file:../nameless-package']);
  });
});

const REALWORLD = [
  { dir: 'vuejs__core', packages: 620, importers: 18 },
  { dir: 'vuejs__core@ea494af9', packages: 730, importers: 17 },
];

describe.skipIf(!HAS_SHARED)('npm/pnpm-lock: real lockfiles', () => {
  for (const r of REALWORLD) {
    it(`${r.dir}: ${r.packages} packages, ${r.importers} importers as roots (README)`, async () => {
      const file = shared('realworld', r.dir, 'pnpm-lock.yaml');
      const inv = await extractFile(file);
      const comps = [...inv.graph.components.values()];
      let located = 0;
      for (const c of comps) located += c.locations.length;
      expect(located + inv.unresolved.length).toBe(r.packages);
      expect(inv.unresolved).toEqual([]);
      expect(comps.length).toBe(r.packages); // no name@version is listed twice
      expect(inv.graph.roots.size).toBe(r.importers);
      expectLocated(inv, file);
      for (const c of comps) expect(c.purl).toBe(purlOf(npm, c.name, c.version));
      const reached = reachableFromRoots(inv);
      for (const c of comps) {
        expect(reached.has(c.purl), c.purl).toBe(true);
        expect(c.scope, c.purl).not.toBe('unknown');
      }
      expect(inv.warnings.filter((w) => w.includes('match no package'))).toEqual([]);
      // a workspace package's link to another workspace is a root-to-root edge, not a component
      expect(comps.some((c) => c.name === '@vue/shared')).toBe(false);
    });
  }

});

describe('npm/pnpm-lock: v9 fixture (__fixtures__/pnpm/v9.yaml)', () => {
  const file = path.join(FIXTURES, 'v9.yaml');
  const root = `root:${file}`;

  it('packages with their lines; importers as roots; peers stripped', async () => {
    const inv = await extractFile(file);
    expect(nameVersions(inv)).toEqual(['a@1.0.0', 'gitdep@0.4.0', 'left-pad@1.3.0', 'native@2.0.1', 'react@18.2.0', 'shared@1.0.0', 'tester@3.0.2']);
    expect(comp(inv, 'a', '1.0.0').locations).toEqual([{ path: file, line: 40 }]);
    expect(comp(inv, 'gitdep', '0.4.0').locations).toEqual([{ path: file, line: 60 }]);
    expect(comp(inv, 'a', '1.0.0').hashes).toEqual([{ alg: 'sha1', value: 'b5243d8f3ec1aa35f1364605bc0d1036e30ab69f' }]);
    expect([...inv.graph.roots.keys()]).toEqual([root, `${root}#packages/app`, `${root}#packages/lib`]);
    expect(inv.warnings.some((w) => w.includes('line 60') && w.includes('gitdep@0.4.0'))).toBe(true);
  });

  it('edges from snapshots and importers; direct and scope', async () => {
    const inv = await extractFile(file);
    expect(edgesFrom(inv, root)).toEqual([P('a', '1.0.0'), P('tester', '3.0.2')].sort());
    expect(edgesFrom(inv, `${root}#packages/app`)).toEqual([`${root}#packages/lib`, P('left-pad', '1.3.0'), P('native', '2.0.1')].sort());
    expect(edgesFrom(inv, P('a', '1.0.0'))).toEqual([P('react', '18.2.0'), P('shared', '1.0.0')].sort());
    expect(edgesFrom(inv, P('tester', '3.0.2'))).toEqual([P('gitdep', '0.4.0')]);
    expect(scopes(inv)).toEqual({
      a: ['prod', true],
      gitdep: ['dev', false],
      'left-pad': ['prod', true],
      native: ['optional', true],
      react: ['prod', true],
      shared: ['prod', false],
      tester: ['dev', true],
    });
  });
});

describe('npm/pnpm-lock: v5 fixture (__fixtures__/pnpm/v5.yaml)', () => {
  const file = path.join(FIXTURES, 'v5.yaml');
  const root = `root:${file}`;

  it('reads /name/version keys, top-level importer, dev flags', async () => {
    const inv = await extractFile(file);
    expect(nameVersions(inv)).toEqual(['@scope/b@2.1.0', 'a@1.0.0', 'orphan@1.0.0', 'react@18.2.0', 'tester@3.0.2']);
    expect(comp(inv, 'a', '1.0.0').locations).toEqual([{ path: file, line: 15 }]);
    expect(comp(inv, '@scope/b', '2.1.0').locations).toEqual([{ path: file, line: 24 }]);
    expect(edgesFrom(inv, root)).toEqual([P('a', '1.0.0'), P('tester', '3.0.2')].sort());
    expect(edgesFrom(inv, P('a', '1.0.0'))).toEqual([P('@scope/b', '2.1.0'), P('react', '18.2.0')].sort());
    expect(scopes(inv)).toEqual({
      a: ['prod', true],
      '@scope/b': ['prod', false],
      react: ['prod', false],
      tester: ['dev', true],
      orphan: ['dev', false], // no importer reaches it: the lockfile's dev flag
    });
    expect(inv.unresolved).toEqual([
      {
        // a git dependency's key: "user" is the GitHub account, not the package's name
        name: 'github.com/user/repo/0123456789abcdef0123456789abcdef01234567',
        ecosystem: 'npm',
        spec: 'github.com/user/repo/0123456789abcdef0123456789abcdef01234567',
        line: 42,
        reason: 'a dependency path that is not /name/version, and no name field',
      },
    ]);
  });
});

describe('npm/pnpm-lock: bad input', () => {
  it.each([
    ['truncated', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-", 4],
    ['garbage', 'lockfileVersion: 9\n  : : [\n', 2],
    ['bad key in v5', 'lockfileVersion: 5.4\npackages:\n  /a/1.0.0: {}\n  nonsense: {}\n', 4],
    ['entry not a map', "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: 3\n", 3],
  ])('%s → INPUT_PARSE with a line', async (_l, text, line) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(line);
    expect(err.oneLine()).toMatch(/^pnpm-lock\.yaml:\d+: /);
  });

  it('a scalar document or an unknown lockfileVersion → INPUT_UNSUPPORTED', async () => {
    expect((await errorOf(extractText('just text\n'))).code).toBe('INPUT_UNSUPPORTED');
    expect((await errorOf(extractText("lockfileVersion: '3.0'\n"))).code).toBe('INPUT_UNSUPPORTED');
  });
});
