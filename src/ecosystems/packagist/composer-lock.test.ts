import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composerLockExtractor, composerPurl } from './composer-lock.js';
import { packagist } from './index.js';
import { purlOf } from '../index.js';
import type { Scope } from '../../model/component.js';
import { memoryInput } from '../../io/input.js';
import { errorOf, lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { extractorTesting } from '../../testing/extractor-testing.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const { extractFile, extractText, comp, nameVersions } = extractorTesting(composerLockExtractor, composerPurl, 'composer.lock');

describe('packagist/composer-lock: file selection', () => {
  const vectors = shouldExtractVectors('ComposerLockExtractor');

  it.skipIf(!HAS_SHARED)('has the upstream vectors', () => expect(vectors.length).toBe(6));
  for (const v of vectors) {
    it(`wants(${JSON.stringify(v.path)}) = ${v.want} (should-extract.json)`, () => {
      expect(composerLockExtractor.wants(v.path)).toBe(v.want);
    });
  }

  it.each([
    ['app/vendor/acme/lib/composer.lock', false],
    ['composer.json', false],
  ])('wants(%s) = %s', (p, want) => expect(composerLockExtractor.wants(p)).toBe(want));

  it('sniffs composer.lock JSON, builds purls as purlOf does', () => {
    expect(composerLockExtractor.id).toBe('packagist/composer-lock');
    expect(composerLockExtractor.parseAs).toContain('composer.lock');
    expect(composerLockExtractor.sniff!('{\n  "_readme": [],\n  "content-hash": "x",\n  "packages": [')).toBe(true);
    expect(composerLockExtractor.sniff!('{"lockfileVersion": 3, "packages": {}}')).toBe(false);
    for (const [n, v] of [
      ['sentry/sdk', '2.0.4'],
      ['aws/aws-crt-php', 'v1.2.6'],
      ['drupal/field_time', '1.0.0-beta5'],
      ['Vendor/Mixed', '1.0.0'],
      ['a/b', '1.0.0+build'],
    ] as const) {
      expect(composerPurl(n, v)).toBe(purlOf(packagist, n, v));
    }
  });
});

// ---------------------------------------------------------------------------------------------

const CONFORMANCE_DIRS = ['osv-scanner-v1/composer', 'osv-scalibr/php-composerlock'];

describe.skipIf(!HAS_SHARED)('packagist/composer-lock: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(CONFORMANCE_DIRS);

  it('finds the composer.lock cases', () => expect(cases.length).toBe(7 + 9));

  for (const { dir, c } of cases) {
    const file = path.join(dir, c.fixture);
    it(`${path.basename(dir)}: ${c.test ?? c.name} (${c.fixture})`, async () => {
      if (c.fixtureExists === false) {
        expect((await errorOf(extractFile(file))).code).toBe('INPUT_MISSING');
        return;
      }
      if (c.expectError) {
        // not JSON → INPUT_PARSE with the line; `null` → not a composer.lock
        const err = await errorOf(extractFile(file));
        expect(['INPUT_PARSE', 'INPUT_UNSUPPORTED']).toContain(err.code);
        expect(err.oneLine()).toContain(file);
        return;
      }
      const inv = await extractFile(file);
      const listed = c.expectedPackages ?? [];
      for (const p of listed) expect(p.ecosystem).toBe('Packagist');
      expect(nameVersions(inv)).toEqual([...new Set(listed.map((p) => `${p.name}@${p.version}`))].sort());
      for (const p of listed) {
        const want: Scope = p.depGroups?.includes('dev') ? 'dev' : 'prod';
        expect(comp(inv, p.name, p.version).scope, `${p.name}@${p.version}`).toBe(want);
      }
      for (const comp of inv.graph.components.values()) {
        for (const loc of comp.locations) expect(loc.line).toBeGreaterThan(0);
      }
    });
  }

  it('drupal-packages.json: each entry at the line of its `{` (checked by hand)', async () => {
    const file = shared('conformance/lockfiles/osv-scalibr/php-composerlock/drupal-packages.json');
    const inv = await extractFile(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const c of inv.graph.components.values()) {
      const line = c.locations[0]!.line!;
      expect(lines[line - 1]!.trim()).toBe('{');
      expect(lines[line]!.trim()).toBe(`"name": "${c.name}",`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('packagist/composer-lock: __fixtures__/app', () => {
  const file = path.join(FIXTURES, 'app', 'composer.lock');
  const root = `root:${file}`;

  it('components with scopes, lines (checked by hand) and sha1 hashes', async () => {
    const inv = await extractFile(file);
    expect(nameVersions(inv)).toEqual([
      'acme/uses-illuminate@1.0.0',
      'laravel/framework@v10.48.4',
      'phpunit/phpunit@10.5.0',
      'psr/log@3.0.0',
    ]);
    expect(comp(inv, 'laravel/framework', 'v10.48.4').locations).toEqual([{ path: file, line: 7 }]);
    expect(comp(inv, 'psr/log', '3.0.0').locations).toEqual([{ path: file, line: 25 }]);
    expect(comp(inv, 'acme/uses-illuminate', '1.0.0').locations).toEqual([{ path: file, line: 34 }]);
    expect(comp(inv, 'phpunit/phpunit', '10.5.0').locations).toEqual([{ path: file, line: 51 }]);
    expect(comp(inv, 'laravel/framework', 'v10.48.4').hashes).toEqual([
      { alg: 'sha1', value: '0f3e2a0f41d3b0f4dcb6a0c4f6a3b9c9d1e2f3a4' },
    ]);
    expect(comp(inv, 'psr/log', '3.0.0').hashes).toBeUndefined();
    expect(comp(inv, 'phpunit/phpunit', '10.5.0').scope).toBe('dev');
    expect(comp(inv, 'psr/log', '3.0.0').scope).toBe('prod');
  });

  it('a branch checkout is unresolved with its reference', async () => {
    const inv = await extractFile(file);
    expect(inv.unresolved).toEqual([
      expect.objectContaining({ name: 'acme/branch', spec: 'dev-main#4c115873c86ad5bd0ac6d962db70ca53bf8fb874', line: 41 }),
    ]);
  });

  it('edges from require (replaced names resolve to their replacer), direct from composer.json', async () => {
    const inv = await extractFile(file);
    const edges = (from: string): string[] => [...(inv.graph.edges.get(from) ?? [])].sort();
    expect(inv.graph.roots.get(root)).toBe('acme/app');
    expect(edges(root)).toEqual([composerPurl('laravel/framework', 'v10.48.4'), composerPurl('phpunit/phpunit', '10.5.0')]);
    expect(edges(composerPurl('laravel/framework', 'v10.48.4'))).toEqual([composerPurl('psr/log', '3.0.0')]);
    expect(edges(composerPurl('acme/uses-illuminate', '1.0.0'))).toEqual([composerPurl('laravel/framework', 'v10.48.4')]);
    expect(edges(composerPurl('phpunit/phpunit', '10.5.0'))).toEqual([composerPurl('psr/log', '3.0.0')]);
    expect(comp(inv, 'laravel/framework', 'v10.48.4').direct).toBe(true);
    expect(comp(inv, 'phpunit/phpunit', '10.5.0').direct).toBe(true);
    expect(comp(inv, 'acme/uses-illuminate', '1.0.0').direct).toBe(false);
    expect(comp(inv, 'psr/log', '3.0.0').direct).toBe(false);
    expect(inv.warnings.some((w) => w.includes('no composer.json'))).toBe(false);
  });

  it('without composer.json, packages nothing requires are taken as direct (with a warning)', async () => {
    const inv = await extractText(readFileSync(file, 'utf8'));
    expect(comp(inv, 'acme/uses-illuminate', '1.0.0').direct).toBe(true);
    expect(comp(inv, 'phpunit/phpunit', '10.5.0').direct).toBe(true);
    expect(comp(inv, 'laravel/framework', 'v10.48.4').direct).toBe(false);
    expect(inv.warnings.some((w) => w.includes('no composer.json'))).toBe(true);
  });
});

describe('packagist/composer-lock: bad input', () => {
  it('garbage and truncated JSON → INPUT_PARSE with the line', async () => {
    const err = await errorOf(extractText('this is not json'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.oneLine()).toMatch(/^mem\/composer\.lock(?::1)?: not valid JSON/);
    const err2 = await errorOf(extractText('{\n  "packages": [\n    {\n      "name": "a/b",\n'));
    expect(err2.code).toBe('INPUT_PARSE');
    expect(err2.position?.line).toBeGreaterThanOrEqual(4);
  });

  it('null, other JSON → INPUT_UNSUPPORTED; wrong types → INPUT_PARSE with the JSON path and line', async () => {
    expect((await errorOf(extractText('null'))).code).toBe('INPUT_UNSUPPORTED');
    expect((await errorOf(extractText('{"lockfileVersion": 3}'))).code).toBe('INPUT_UNSUPPORTED');
    const err = await errorOf(extractText('{\n  "packages": [\n    {"name": "a/b", "version": 1}\n  ]\n}'));
    expect(err.oneLine()).toBe('mem/composer.lock:3 ($["packages"][0].version): expected a string, found a number');
    const err2 = await errorOf(extractText('{"packages": {"a": 1}}'));
    expect(err2.oneLine()).toContain('$["packages"]');
    const err3 = await errorOf(extractText('{"packages": [{"name": "a/b", "version": "1.0.0", "require": "x"}]}'));
    expect(err3.oneLine()).toContain('$["packages"][0].require');
  });

  it('binary data is refused', async () => {
    expect((await errorOf(composerLockExtractor.extract(memoryInput('composer.lock', Buffer.from([0, 1, 2]))))).code).toBe(
      'INPUT_PARSE',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAS_SHARED)('packagist/composer-lock: real composer.lock (BookStack)', () => {
  const file = shared('realworld', 'BookStackApp__BookStack', 'composer.lock');

  it('110 packages + 37 dev (README), direct from the composer.json beside it, all reachable', async () => {
    const inv = await extractFile(file);
    const comps = [...inv.graph.components.values()];
    expect(comps.filter((c) => c.scope === 'prod').length).toBe(110);
    expect(comps.filter((c) => c.scope === 'dev').length).toBe(37);
    expect(inv.unresolved).toEqual([]);
    expect(inv.graph.roots.get(`root:${file}`)).toBe('bookstackapp/bookstack');
    const manifest = JSON.parse(readFileSync(shared('realworld', 'BookStackApp__BookStack', 'composer.json'), 'utf8')) as {
      require: Record<string, string>;
      'require-dev': Record<string, string>;
    };
    const declared = [...Object.keys(manifest.require), ...Object.keys(manifest['require-dev'])].filter((n) => n.includes('/'));
    expect(comps.filter((c) => c.direct).map((c) => c.name).sort()).toEqual(declared.sort());

    const lines = readFileSync(file, 'utf8').split('\n');
    const reached = new Set<string>(inv.graph.roots.keys());
    const queue = [...reached];
    for (let i = 0; i < queue.length; i++) {
      for (const to of inv.graph.edges.get(queue[i]!) ?? []) {
        if (!reached.has(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    for (const c of comps) {
      expect(lines[c.locations[0]!.line!]!.trim()).toBe(`"name": "${c.name}",`);
      expect(c.purl).toBe(purlOf(packagist, c.name, c.version));
      expect(reached.has(c.purl), c.purl).toBe(true);
    }
  });

  it("licences: each entry's `license`, several as one OR expression (checked against the file entry by entry)", async () => {
    const inv = await extractFile(file);
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Record<'packages' | 'packages-dev', { name: string; license?: string[] }[]>;
    const given = new Map([...lock.packages, ...lock['packages-dev']].map((e) => [e.name, e.license ?? []]));
    const comps = [...inv.graph.components.values()];
    for (const c of comps) {
      const ids = given.get(c.name)!;
      expect(c.licenses ?? [], c.name).toEqual(ids.length === 0 ? [] : [ids.join(' OR ')]);
    }
    // BookStack's: 102 MIT, 34 BSD-3-Clause, …; nette/schema and nette/utils offer a choice of three
    expect(comps.filter((c) => c.licenses?.[0] === 'MIT').length).toBe(102);
    expect(comps.filter((c) => c.licenses?.[0] === 'BSD-3-Clause OR GPL-2.0-only OR GPL-3.0-only').length).toBe(2);
  });
});

describe('packagist/composer-lock: licences of odd shapes', () => {
  const lock = (license: unknown): string =>
    JSON.stringify({ packages: [{ name: 'acme/lib', version: '1.0.0', ...(license === undefined ? {} : { license }) }], 'packages-dev': [] });
  it.each([
    [undefined, undefined],
    [[], undefined],
    [['MIT'], ['MIT']],
    ['MIT', ['MIT']],
    [['MIT', ' MIT ', 'Apache-2.0'], ['MIT OR Apache-2.0']],
    [['GPL-2.0-only WITH Classpath-exception-2.0', 'MIT'], ['(GPL-2.0-only WITH Classpath-exception-2.0) OR MIT']],
    [[42, null, ''], undefined],
    [{ type: 'MIT' }, undefined],
  ])('license %j → %j', async (license, want) => {
    const inv = await extractText(lock(license));
    expect([...inv.graph.components.values()][0]!.licenses).toEqual(want);
  });
});
