import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gemfileLockExtractor, gemPurl, parseGemfileLock } from './gemfile-lock.js';
import { rubygems } from './index.js';
import { purlOf } from '../index.js';
import { memoryInput } from '../../io/input.js';
import { errorOf, lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { extractorTesting } from '../../testing/extractor-testing.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const { extractFile, extractText, comp, nameVersions } = extractorTesting(gemfileLockExtractor, gemPurl, 'Gemfile.lock');

describe('rubygems/gemfile-lock: file selection', () => {
  const vectors = shouldExtractVectors('GemfileLockExtractor');

  it.skipIf(!HAS_SHARED)('has the upstream vectors', () => expect(vectors.length).toBe(6));
  for (const v of vectors) {
    it(`wants(${JSON.stringify(v.path)}) = ${v.want} (should-extract.json)`, () => {
      expect(gemfileLockExtractor.wants(v.path)).toBe(v.want);
    });
  }

  it.each([
    ['gems.locked', true],
    ['app/Gemfile', false],
  ])('wants(%s) = %s', (p, want) => expect(gemfileLockExtractor.wants(p)).toBe(want));

  it('sniffs source sections, builds purls as purlOf does', () => {
    expect(gemfileLockExtractor.id).toBe('rubygems/gemfile-lock');
    expect(gemfileLockExtractor.parseAs).toContain('Gemfile.lock');
    expect(gemfileLockExtractor.sniff!('GEM\n  remote: https://x/\n  specs:\n    ast (2.4.2)\n')).toBe(true);
    expect(gemfileLockExtractor.sniff!('version = 3\n')).toBe(false);
    for (const [n, v] of [
      ['ast', '2.4.2'],
      ['eco-source', '1.1.0.rc.1'],
      ['ActiveRecord_Thing', '1.0'],
      ['x', '1.0.0.pre'],
    ] as const) {
      expect(gemPurl(n, v)).toBe(purlOf(rubygems, n, v));
    }
  });
});

// ---------------------------------------------------------------------------------------------

const CONFORMANCE_DIRS = ['osv-scanner-v1/bundler', 'osv-scalibr/ruby-gemfilelock'];

describe.skipIf(!HAS_SHARED)('rubygems/gemfile-lock: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(CONFORMANCE_DIRS);

  it('finds the Gemfile.lock cases', () => expect(cases.length).toBe(11 + 12));

  for (const { dir, c } of cases) {
    const file = path.join(dir, c.fixture);
    it(`${path.basename(dir)}: ${c.test ?? c.name} (${c.fixture})`, async () => {
      if (c.fixtureExists === false) {
        expect((await errorOf(extractFile(file))).code).toBe('INPUT_MISSING');
        return;
      }
      expect(c.expectError).toBeNull();
      const inv = await extractFile(file);
      const listed = c.expectedPackages ?? [];
      for (const p of listed) expect(p.ecosystem).toBe('RubyGems');
      const want = [...new Set(listed.map((p) => `${p.name}@${p.version}`))].sort();
      expect(nameVersions(inv)).toEqual(want);
      for (const comp of inv.graph.components.values()) {
        for (const loc of comp.locations) expect(loc.line).toBeGreaterThan(0);
      }
      // git gems (upstream records their commit) are noted with the revision
      for (const p of listed.filter((q) => q.commit)) {
        expect(inv.warnings.some((w) => w.includes(p.commit!))).toBe(true);
      }
    });
  }

  it('osv-scalibr "invalid spec": a spec line without a version is unresolved, not a component', async () => {
    const inv = await extractFile(shared('conformance/lockfiles/osv-scalibr/ruby-gemfilelock/invalid.lock'));
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'invalid-name', line: 4 })]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rubygems/gemfile-lock: __fixtures__/Gemfile.lock', () => {
  const file = path.join(FIXTURES, 'Gemfile.lock');
  const root = `root:${file}`;

  it('finds GEM, GIT and PATH gems at their spec lines (checked by hand); platform builds fold into one', async () => {
    const inv = await extractFile(file);
    expect(nameVersions(inv)).toEqual([
      'forked@2.0.0.alpha1',
      'local-thing@0.1.0',
      'mini_portile2@2.8.0',
      'nokogiri@1.13.6',
      'racc@1.6.0',
      'rack@2.2.3',
      'rspec@3.12.0',
    ]);
    expect(comp(inv, 'forked', '2.0.0.alpha1').locations).toEqual([{ path: file, line: 6 }]);
    expect(comp(inv, 'local-thing', '0.1.0').locations).toEqual([{ path: file, line: 12 }]);
    expect(comp(inv, 'nokogiri', '1.13.6').locations).toEqual([
      { path: file, line: 19 },
      { path: file, line: 22 },
    ]);
    expect(comp(inv, 'rspec', '3.12.0').locations).toEqual([{ path: file, line: 26 }]);
    for (const c of inv.graph.components.values()) expect(c.scope).toBe('unknown');
    expect(inv.warnings.some((w) => w.includes('027dbe2e56397b534e859fc283990cad1b6addd6'))).toBe(true);
    expect(inv.warnings.some((w) => w.includes('vendor/gems/local-thing'))).toBe(true);
  });

  it('edges from 6-space lines and DEPENDENCIES; direct flags', async () => {
    const inv = await extractFile(file);
    const edges = (from: string): string[] => [...(inv.graph.edges.get(from) ?? [])].sort();
    expect(edges(root)).toEqual(
      [gemPurl('forked', '2.0.0.alpha1'), gemPurl('local-thing', '0.1.0'), gemPurl('rack', '2.2.3'), gemPurl('rspec', '3.12.0')].sort(),
    );
    expect(edges(gemPurl('nokogiri', '1.13.6'))).toEqual([gemPurl('mini_portile2', '2.8.0'), gemPurl('racc', '1.6.0')]);
    expect(edges(gemPurl('forked', '2.0.0.alpha1'))).toEqual([gemPurl('rack', '2.2.3')]);
    expect(edges(gemPurl('local-thing', '0.1.0'))).toEqual([gemPurl('nokogiri', '1.13.6')]);
    expect(comp(inv, 'rack', '2.2.3').direct).toBe(true);
    expect(comp(inv, 'forked', '2.0.0.alpha1').direct).toBe(true);
    expect(comp(inv, 'nokogiri', '1.13.6').direct).toBe(false);
  });

  it('CHECKSUMS give sha256 hashes, except for a gem with several platform builds', async () => {
    const inv = await extractFile(file);
    expect(comp(inv, 'rack', '2.2.3').hashes).toEqual([
      { alg: 'sha256', value: '2638e7eb6689a5725c7e16f30ec4eb9b4f9ee6d4eb39fcd4cd7cb5b1f7c1f2a8' },
    ]);
    expect(comp(inv, 'nokogiri', '1.13.6').hashes).toBeUndefined();
    expect(comp(inv, 'racc', '1.6.0').hashes).toBeUndefined();
  });
});

describe('rubygems/gemfile-lock: bad input', () => {
  it.each([
    ['garbage', 'this is not a lockfile\n', 1, /section header/],
    ['merge conflict', 'GEM\n  remote: x\n  specs:\n<<<<<<< HEAD\n    a (1.0)\n', 4, /section header/],
    ['truncated spec', 'GEM\n  remote: x\n  specs:\n    rack (2.2', 4, /malformed spec/],
    ['bad version', 'GEM\n  remote: x\n  specs:\n    rack (>= 2.2)\n', 4, /malformed version/],
    ['odd indentation', 'GEM\n  remote: x\n  specs:\n     rack (2.2.3)\n', 4, /indentation/],
    ['json', '{"packages": []}\n', 1, /section header/],
  ])('%s → INPUT_PARSE at the line', async (_label, text, line, msg) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(line);
    expect(err.message).toMatch(msg);
    expect(err.oneLine()).toMatch(new RegExp(`^mem/Gemfile\\.lock:${line}: `));
  });

  it('binary data is refused; an empty file has no gems; CRLF line ends are read', async () => {
    expect((await errorOf(gemfileLockExtractor.extract(memoryInput('Gemfile.lock', Buffer.from([0, 1, 2]))))).code).toBe(
      'INPUT_PARSE',
    );
    expect((await extractText('')).graph.components.size).toBe(0);
    const inv = await extractText('GEM\r\n  remote: x\r\n  specs:\r\n    ast (2.4.2)\r\n\r\nDEPENDENCIES\r\n  ast\r\n');
    expect(nameVersions(inv)).toEqual(['ast@2.4.2']);
    expect(comp(inv, 'ast', '2.4.2').direct).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAS_SHARED)('rubygems/gemfile-lock: real Gemfile.lock files', () => {
  it.each([
    // README: 197 gems = 4-space spec lines; ffi, nokogiri and sqlite3 have 9 platform builds
    // each and pg 7, which fold into one component per gem version: 197 - 30 = 167 components
    ['OWASP__railsgoat', 197, 0],
    // README: 329 gems (GEM 327, GIT 2)
    ['openstreetmap__openstreetmap-website', 329, 2],
  ])('%s: %i spec lines, all located, reachable from the root', async (dir, specLines, git) => {
    const file = shared('realworld', dir, 'Gemfile.lock');
    const inv = await extractFile(file);
    const comps = [...inv.graph.components.values()];
    const lines = readFileSync(file, 'utf8').split('\n');
    let located = 0;
    for (const c of comps) {
      for (const loc of c.locations) {
        located++;
        expect(lines[loc.line! - 1]).toMatch(new RegExp(`^    ${c.name.replace(/[.]/g, '\\.')} \\(${c.version.replace(/[.]/g, '\\.')}[-)]`));
      }
      expect(c.purl).toBe(purlOf(rubygems, c.name, c.version));
    }
    expect(located).toBe(specLines);
    const unique = new Set(lines.filter((l) => /^ {4}\S/.test(l)).map((l) => l.trim().replace(/\(([^-)]*)-[^)]*\)$/, '($1)')));
    expect(comps.length).toBe(unique.size);
    expect(comps.length).toBe(dir === 'OWASP__railsgoat' ? 167 : 329);
    expect(inv.unresolved).toEqual([]);
    expect(inv.warnings.filter((w) => w.includes('come from git')).length).toBe(git);

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
    for (const c of comps) expect(reached.has(c.purl), c.purl).toBe(true);
  });

  it('railsgoat: CHECKSUMS are read; multi-platform gems have none', async () => {
    const inv = await extractFile(shared('realworld', 'OWASP__railsgoat', 'Gemfile.lock'));
    expect(comp(inv, 'actioncable', '8.0.4').hashes).toEqual([
      { alg: 'sha256', value: 'aadb2bf2977b666cfeaa7dee66fd50e147559f78a8d55f6169e913502475e09f' },
    ]);
    expect(comp(inv, 'ffi', '1.17.3').locations.length).toBe(9);
    expect(comp(inv, 'ffi', '1.17.3').hashes).toBeUndefined();
  });

  it('extracts fast', () => {
    const file = shared('realworld', 'openstreetmap__openstreetmap-website', 'Gemfile.lock');
    const text = readFileSync(file, 'utf8');
    for (let i = 0; i < 3; i++) parseGemfileLock(text, file);
    const t = performance.now();
    for (let i = 0; i < 20; i++) parseGemfileLock(text, file);
    expect((performance.now() - t) / 20).toBeLessThan(50);
  });
});
