import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cargoLockExtractor, cargoPurl, parseCargoLock } from './cargo-lock.js';
import { cargo } from './index.js';
import { purlOf } from '../index.js';
import { memoryInput } from '../../io/input.js';
import { errorOf, lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { extractorTesting } from '../../testing/extractor-testing.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const { extractFile, extractText, comp, nameVersions } = extractorTesting(cargoLockExtractor, cargoPurl, 'Cargo.lock');

describe('cargo/cargo-lock: file selection', () => {
  const vectors = shouldExtractVectors('CargoLockExtractor');

  it.skipIf(!HAS_SHARED)('has the upstream vectors', () => expect(vectors.length).toBe(6));
  for (const v of vectors) {
    it(`wants(${JSON.stringify(v.path)}) = ${v.want} (should-extract.json)`, () => {
      expect(cargoLockExtractor.wants(v.path)).toBe(v.want);
    });
  }

  it('sniffs [[package]] tables, builds purls as purlOf does', () => {
    expect(cargoLockExtractor.id).toBe('cargo/cargo-lock');
    expect(cargoLockExtractor.parseAs).toContain('Cargo.lock');
    expect(cargoLockExtractor.sniff!('version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\n')).toBe(true);
    expect(cargoLockExtractor.sniff!('[package]\nname = "a"\n')).toBe(false);
    for (const [n, v] of [
      ['serde', '1.0.0'],
      ['wasi', '0.10.2+wasi-snapshot-preview1'],
      ['Inflector', '0.11.4'],
      ['a', '1.0.0-rc.1'],
    ] as const) {
      expect(cargoPurl(n, v)).toBe(purlOf(cargo, n, v));
    }
  });
});

// ---------------------------------------------------------------------------------------------

const CONFORMANCE_DIRS = ['osv-scanner-v1/cargo', 'osv-scalibr/rust-cargolock'];

/** Names of `[[package]]` tables without `source`: the workspace's own crates. */
function sourceless(text: string): string[] {
  return text
    .split(/^\[\[package\]\]\s*$/m)
    .slice(1)
    .filter((t) => !/^source\s*=/m.test(t))
    .map((t) => /^name\s*=\s*"([^"]+)"/m.exec(t)![1]!);
}

describe.skipIf(!HAS_SHARED)('cargo/cargo-lock: conformance (osv-scanner v1.9.2, osv-scalibr)', () => {
  const cases = lockfileCases(CONFORMANCE_DIRS);

  it('finds the Cargo.lock cases', () => expect(cases.length).toBe(7 + 9));

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
      for (const p of listed) expect(p.ecosystem).toBe('cargo');
      // Upstream lists the workspace's own crates (no `source`) as packages; they are roots for us
      // (`two packages with local`: local-rust-pkg).
      const own = new Set(sourceless(readFileSync(file, 'utf8')));
      const want = [...new Set(listed.filter((p) => !own.has(p.name)).map((p) => `${p.name}@${p.version}`))].sort();
      expect(nameVersions(inv)).toEqual(want);
      for (const name of own) expect([...inv.graph.roots.values()]).toContain(name);
      for (const comp of inv.graph.components.values()) {
        expect(comp.ecosystem).toBe('crates.io');
        for (const loc of comp.locations) expect(loc.line).toBeGreaterThan(0);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('cargo/cargo-lock: __fixtures__/workspace.lock', () => {
  const file = path.join(FIXTURES, 'workspace.lock');
  const root = `root:${file}`;

  it('workspace crates are roots; registry and git crates are components at their [[package]] line', async () => {
    const inv = await extractFile(file);
    expect(nameVersions(inv)).toEqual(['serde@1.0.200', 'syn@1.0.109', 'syn@2.0.15']);
    expect([...inv.graph.roots.keys()].sort()).toEqual([root, `${root}#app@0.1.0`, `${root}#util@0.2.0`]);
    // lines checked by hand: headers at 14, 20, 25
    expect(comp(inv, 'serde', '1.0.200').locations).toEqual([{ path: file, line: 14 }]);
    expect(comp(inv, 'syn', '1.0.109').locations).toEqual([{ path: file, line: 20 }]);
    expect(comp(inv, 'syn', '2.0.15').locations).toEqual([{ path: file, line: 25 }]);
    expect(comp(inv, 'serde', '1.0.200').hashes).toEqual([
      { alg: 'sha256', value: 'ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f' },
    ]);
    expect(comp(inv, 'syn', '1.0.109').hashes).toBeUndefined();
    for (const c of inv.graph.components.values()) expect(c.scope).toBe('unknown');
    expect(inv.warnings.some((w) => w.includes('git') && w.includes('syn@2.0.15'))).toBe(true);
  });

  it('resolves the three dependency forms into edges; a root makes its targets direct', async () => {
    const inv = await extractFile(file);
    const edges = (from: string): string[] => [...(inv.graph.edges.get(from) ?? [])].sort();
    expect(edges(`${root}#app@0.1.0`)).toEqual(
      [cargoPurl('serde', '1.0.200'), cargoPurl('syn', '2.0.15'), `${root}#util@0.2.0`].sort(),
    );
    expect(edges(cargoPurl('syn', '2.0.15'))).toEqual([cargoPurl('syn', '1.0.109')]);
    expect(comp(inv, 'serde', '1.0.200').direct).toBe(true);
    expect(comp(inv, 'syn', '2.0.15').direct).toBe(true);
    expect(comp(inv, 'syn', '1.0.109').direct).toBe(false);
    expect(inv.warnings.some((w) => w.includes('missing-crate'))).toBe(true);
  });

  it('reads v1 files: [root] is the root, [metadata] checksums are sha256 hashes', async () => {
    const v1 = path.join(FIXTURES, 'v1.lock');
    const inv = await extractFile(v1);
    expect(nameVersions(inv)).toEqual(['libc@0.2.40']);
    expect(inv.graph.roots.get(`root:${v1}`)).toBe('old-app');
    const libc = comp(inv, 'libc', '0.2.40');
    expect(libc.direct).toBe(true);
    expect(libc.locations).toEqual([{ path: v1, line: 8 }]);
    expect(libc.hashes).toEqual([{ alg: 'sha256', value: '6fd41f331ac7c5b8ac259b8bf82c75c0fb2e469bbf37d2becbba9a6a2221965b' }]);
  });
});

describe('cargo/cargo-lock: bad input', () => {
  it('garbage → INPUT_PARSE with the line', async () => {
    const err = await errorOf(extractText('version = 3\nthis is not valid toml! (I think)\n'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.oneLine()).toMatch(/^mem\/Cargo\.lock:2: not valid TOML/);
  });

  it('truncated → INPUT_PARSE', async () => {
    const err = await errorOf(extractText('version = 3\n\n[[package]]\nname = "serde"\nversion = "1.0'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(5);
  });

  it('wrong types → INPUT_PARSE with the path and line', async () => {
    const err = await errorOf(extractText('version = 3\n\n[[package]]\nname = "a"\nversion = 1\nsource = "x"\n'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.oneLine()).toBe('mem/Cargo.lock:3 ($.package[0].version): expected a string, found number');
    const err2 = await errorOf(extractText('package = "x"\n'));
    expect(err2.oneLine()).toContain('$.package');
  });

  it('an unknown lockfile version → INPUT_UNSUPPORTED; binary → INPUT_PARSE', async () => {
    expect((await errorOf(extractText('version = 9\n'))).code).toBe('INPUT_UNSUPPORTED');
    expect((await errorOf(cargoLockExtractor.extract(memoryInput('Cargo.lock', Buffer.from([0, 1, 2]))))).code).toBe(
      'INPUT_PARSE',
    );
  });

  it('a versionless package goes to unresolved', async () => {
    const inv = await extractText('version = 3\n\n[[package]]\nname = "a"\nsource = "registry+x"\n');
    expect(inv.graph.components.size).toBe(0);
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'a', line: 3 })]);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAS_SHARED)('cargo/cargo-lock: real Cargo.lock (astral-sh/uv, v4)', () => {
  const file = shared('realworld', 'astral-sh__uv', 'Cargo.lock');

  it('753 [[package]] tables (README): 683 registry crates are components, the 70 workspace crates roots', async () => {
    const inv = await extractFile(file);
    expect(inv.graph.components.size).toBe(683);
    expect(inv.graph.roots.size).toBe(1 + 70);
    expect(inv.unresolved).toEqual([]);
    const lines = readFileSync(file, 'utf8').split('\n');
    const reached = new Set<string>([...inv.graph.roots.keys()]);
    const queue = [...reached];
    for (let i = 0; i < queue.length; i++) {
      for (const to of inv.graph.edges.get(queue[i]!) ?? []) {
        if (!reached.has(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    for (const c of inv.graph.components.values()) {
      expect(lines[c.locations[0]!.line! - 1]).toBe('[[package]]');
      expect(lines[c.locations[0]!.line!]).toBe(`name = "${c.name}"`);
      expect(c.hashes?.length).toBe(1);
      expect(reached.has(c.purl), c.purl).toBe(true);
      expect(c.purl).toBe(purlOf(cargo, c.name, c.version));
    }
    expect(inv.warnings).toEqual([]);
    expect(comp(inv, 'aes', '0.8.4').direct).toBe(false);
  });

  it('extracts in a few ms per thousand packages after parsing', () => {
    const text = readFileSync(file, 'utf8');
    for (let i = 0; i < 3; i++) parseCargoLock(text, file);
    const t = performance.now();
    for (let i = 0; i < 10; i++) parseCargoLock(text, file);
    const ms = (performance.now() - t) / 10;
    console.log(`[bench] uv Cargo.lock (753 packages): ${ms.toFixed(1)} ms per extraction, TOML parsing included`);
    expect(ms).toBeLessThan(500);
  });
});
