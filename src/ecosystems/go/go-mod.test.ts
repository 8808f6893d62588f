import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goModExtractor, goPurl, parseGoMod } from './go-mod.js';
import { golang } from './index.js';
import { purlOf } from '../index.js';
import { memoryInput } from '../../io/input.js';
import { errorOf, lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { extractorTesting } from '../../testing/extractor-testing.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const { extractFile, extractText, comp, nameVersions } = extractorTesting(goModExtractor, goPurl, 'go.mod', (v) => v.replace(/^v/, ''));

describe('go/go-mod: file selection', () => {
  const vectors = shouldExtractVectors('GoLockExtractor');

  it.skipIf(!HAS_SHARED)('has the upstream vectors', () => expect(vectors.length).toBe(6));
  for (const v of vectors) {
    it(`wants(${JSON.stringify(v.path)}) = ${v.want} (should-extract.json)`, () => {
      expect(goModExtractor.wants(v.path)).toBe(v.want);
    });
  }

  it.each([
    ['go.mod', true],
    ['C:\\src\\app\\go.mod', true],
    ['go.sum', false],
    ['vendor/modules.txt', false],
  ])('wants(%s) = %s', (p, want) => expect(goModExtractor.wants(p)).toBe(want));

  it('sniffs `module`, builds purls as purlOf does', () => {
    expect(goModExtractor.id).toBe('go/go-mod');
    expect(goModExtractor.parseAs).toContain('go.mod');
    expect(goModExtractor.sniff!('// comment\nmodule example.com/x\n\ngo 1.21\n')).toBe(true);
    expect(goModExtractor.sniff!('{"lockfileVersion": 3}')).toBe(false);
    for (const [n, v] of [
      ['github.com/BurntSushi/toml', 'v1.0.0'],
      ['gopkg.in/yaml.v2', 'v2.4.0'],
      ['stdlib', '1.17'],
      ['github.com/a/b', 'v2.0.0+incompatible'],
    ] as const) {
      expect(goPurl(n, v)).toBe(purlOf(golang, n, v));
    }
  });
});

// ---------------------------------------------------------------------------------------------

const CONFORMANCE_DIRS = ['osv-scanner-v1/go', 'osv-scalibr/golang-gomod'];

describe.skipIf(!HAS_SHARED)('go/go-mod: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(CONFORMANCE_DIRS);

  it('finds the go.mod cases', () => expect(cases.length).toBe(12 + 15));

  for (const { dir, c } of cases) {
    const file = path.join(dir, c.fixture);
    it(`${path.basename(dir)}: ${c.test ?? c.name} (${c.fixture})`, async () => {
      if (c.fixtureExists === false) {
        expect((await errorOf(extractFile(file))).code).toBe('INPUT_MISSING');
        return;
      }
      if (c.expectError) {
        const err = await errorOf(extractFile(file));
        expect(err.code).toBe('INPUT_PARSE');
        expect(err.oneLine()).toContain(`${file}:1:`);
        return;
      }
      const inv = await extractFile(file);
      const listed = c.expectedPackages ?? [];
      for (const p of listed) expect(p.ecosystem).toBe('Go');
      // upstream lists a local-path replacement by its path with an empty version: ours goes to
      // `unresolved` under the module's own path, with the path in its spec
      const versionless = listed.filter((p) => p.version === '');
      for (const p of versionless) expect(inv.unresolved.map((u) => u.spec?.split(' => ')[1])).toContain(p.name);
      const want = [...new Set(listed.filter((p) => p.version !== '').map((p) => `${p.name}@${p.version}`))].sort();
      expect(nameVersions(inv)).toEqual(want);
      for (const comp of inv.graph.components.values()) {
        expect(comp.ecosystem).toBe('Go');
        if (comp.name !== 'stdlib') expect(comp.version).toMatch(/^v/);
        for (const loc of comp.locations) expect(loc.line).toBeGreaterThan(0);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('go/go-mod: __fixtures__/go.mod', () => {
  const file = path.join(FIXTURES, 'go.mod');
  const root = `root:${file}`;

  it('reads every directive, with the line of each package (checked by hand)', async () => {
    const inv = await extractFile(file);
    expect(inv.graph.roots.get(root)).toBe('example.com/demo');
    expect(nameVersions(inv)).toEqual([
      'example.com/fork/net@0.6.0',
      'github.com/direct/a@1.2.3',
      'github.com/indirect/b@0.0.0-20210630005230-0f9fa26af87c',
      'github.com/quoted/c@2.0.0+incompatible',
      'github.com/single/line@1.0.0',
      'stdlib@1.22.3',
    ]);
    expect(comp(inv, 'github.com/single/line', 'v1.0.0').locations).toEqual([{ path: file, line: 10 }]);
    expect(comp(inv, 'github.com/direct/a', 'v1.2.3').locations).toEqual([{ path: file, line: 13 }]);
    expect(comp(inv, 'github.com/quoted/c', 'v2.0.0+incompatible').locations).toEqual([{ path: file, line: 15 }]);
    // replaced: the require line and the replace line
    expect(comp(inv, 'example.com/fork/net', 'v0.6.0').locations).toEqual([
      { path: file, line: 16 },
      { path: file, line: 23 },
    ]);
    // toolchain go1.22.3 wins over go 1.21
    expect(comp(inv, 'stdlib', '1.22.3').locations).toEqual([{ path: file, line: 6 }]);
  });

  it('marks `// indirect` requirements transitive and links the root to every requirement', async () => {
    const inv = await extractFile(file);
    expect(comp(inv, 'github.com/indirect/b', 'v0.0.0-20210630005230-0f9fa26af87c').direct).toBe(false);
    expect(comp(inv, 'github.com/direct/a', 'v1.2.3').direct).toBe(true);
    expect(comp(inv, 'example.com/fork/net', 'v0.6.0').direct).toBe(true);
    for (const c of inv.graph.components.values()) expect(c.scope).toBe('prod');
    expect([...(inv.graph.edges.get(root) ?? [])].sort()).toEqual([...inv.graph.components.keys()].sort());
  });

  it('sends excluded versions and local replacements to unresolved, never inventing a version', async () => {
    const inv = await extractFile(file);
    expect(inv.unresolved).toEqual([
      expect.objectContaining({ name: 'github.com/excluded/d', spec: 'v1.0.0', line: 17 }),
      // the module keeps its own path (the SBOM lists it without a version); the folder is in the spec
      expect.objectContaining({ name: 'github.com/local/e', spec: 'github.com/local/e@v1.1.0 => ../e', line: 18 }),
    ]);
    expect(inv.unresolved[1]!.reason).toMatch(/local directory/);
  });

  it('reads go.sum beside a go 1.16 go.mod (content-hash lines only), as indirect components', async () => {
    const oldFile = path.join(FIXTURES, 'old', 'go.mod');
    const inv = await extractFile(oldFile);
    expect(nameVersions(inv)).toEqual([
      'github.com/sirupsen/logrus@1.9.3',
      'golang.org/x/sys@0.0.0-20220715151400-c0bba94af5f8',
      'stdlib@1.16',
    ]);
    const sys = comp(inv, 'golang.org/x/sys', 'v0.0.0-20220715151400-c0bba94af5f8');
    expect(sys.direct).toBe(false);
    expect(sys.locations).toEqual([{ path: path.join(FIXTURES, 'old', 'go.sum'), line: 4 }]);
    expect(comp(inv, 'github.com/sirupsen/logrus', 'v1.9.3').direct).toBe(true);
  });
});

describe('go/go-mod: bad input', () => {
  it.each([
    ['garbage', 'this is not a go.mod file!\n', 1, /unknown directive: this/],
    ['truncated block', 'module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n', 3, /never closed/],
    ['require without version', 'module x\nrequire github.com/a/b\n', 2, /usage: require/],
    ['replace without arrow', 'module x\nreplace a v1 b v2\n', 2, /usage: replace/],
    ['remote replacement without version', 'module x\nreplace a => b\n', 2, /needs a version/],
    ['unterminated quote', 'module x\nrequire "github.com/a/b v1.0.0\n', 2, /unterminated/],
  ])('%s → INPUT_PARSE at the line', async (_label, text, line, msg) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(line);
    expect(err.message).toMatch(msg);
    expect(err.oneLine()).toMatch(new RegExp(`^mem/go\\.mod:${line}: `));
  });

  it('binary data is refused', async () => {
    const err = await errorOf(goModExtractor.extract(memoryInput('go.mod', Buffer.from([0, 1, 2, 3]))));
    expect(err.code).toBe('INPUT_PARSE');
  });

  it('an empty file and a comment-only file have no packages', async () => {
    expect((await extractText('')).graph.components.size).toBe(0);
    expect((await extractText('// nothing\n\n')).graph.components.size).toBe(0);
  });

  it('a non-canonical version goes to unresolved', async () => {
    const inv = await extractText('module x\ngo 1.22\nrequire github.com/a/b master\n');
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'github.com/a/b', spec: 'master', line: 3 })]);
    expect(nameVersions(inv)).toEqual(['stdlib@1.22']);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAS_SHARED)('go/go-mod: real go.mod (hashicorp/terraform)', () => {
  const file = shared('realworld', 'hashicorp__terraform', 'go.mod');

  it('307 require lines (README ~307): the 10 local replacements are unresolved, the rest components', async () => {
    const inv = await extractFile(file);
    const text = readFileSync(file, 'utf8');
    const requireLines = text.split('\n').filter((l) => /^\t\S+ v\S+/.test(l)).length;
    expect(requireLines).toBe(307);
    const local = inv.unresolved.filter((u) => u.reason.includes('local directory'));
    expect(local.length).toBe(10);
    const comps = [...inv.graph.components.values()].filter((c) => c.name !== 'stdlib');
    expect(comps.length + local.length).toBe(307);
    expect(comp(inv, 'stdlib', '1.26.4').direct).toBe(true);
    for (const c of comps) {
      expect(c.locations[0]!.line).toBeGreaterThan(0);
      expect(text.split('\n')[c.locations[0]!.line! - 1]).toContain(c.name);
    }
    // go 1.26: go.sum is not read
    expect(inv.graph.components.size).toBe(comps.length + 1);
  });

  it('parses fast', () => {
    const text = readFileSync(file, 'utf8');
    for (let i = 0; i < 3; i++) parseGoMod(text, file);
    const t = performance.now();
    for (let i = 0; i < 20; i++) parseGoMod(text, file);
    expect((performance.now() - t) / 20).toBeLessThan(50);
  });
});
