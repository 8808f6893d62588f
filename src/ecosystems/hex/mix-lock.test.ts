import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { memoryInput } from '../../io/input.js';
import { lockfileCases, shouldExtractVectors, type LoadedCase } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { mixLockExtractor, parseMixLock } from './mix-lock.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '__fixtures__');

const key = (p: { name: string; version: string; ecosystem?: string | undefined }): string => `${p.ecosystem}|${p.name}@${p.version}`;

/**
 * The peer cases. Git entries: the peers report them with an empty version and the commit; we
 * never invent a version, so they are `unresolved` entries carrying the commit instead.
 */
function runCase({ c, file }: LoadedCase): void {
  if (c.fixtureExists === false) {
    expect(existsSync(file)).toBe(false);
    return;
  }
  const text = readFileSync(file, 'utf8');
  if (c.expectError) {
    expect(() => parseMixLock(text, file)).toThrow(VouchError);
    return;
  }
  const inv = parseMixLock(text, file);
  const expected = c.expectedPackages ?? [];
  const versioned = expected.filter((p) => p.version !== '');
  const gitOnes = expected.filter((p) => p.version === '');
  expect([...inv.graph.components.values()].map(key).sort()).toEqual(versioned.map(key).sort());
  expect(inv.unresolved.map((u) => u.name).sort()).toEqual(gitOnes.map((p) => p.name).sort());
  for (const g of gitOnes) expect(inv.unresolved.find((u) => u.name === g.name)?.spec).toContain(`#${g.commit}`);
}

for (const folder of ['osv-scanner-v1/mix', 'osv-scalibr/erlang-mixlock', 'osv-scalibr/elixir-mixlock']) {
  describe.skipIf(!HAS_SHARED)(`mix.lock conformance: ${folder}`, () => {
    it.each(lockfileCases([folder]).map((l) => [l.c.test ?? l.c.name ?? l.c.fixture, l] as const))('%s', (_n, l) => runCase(l));
  });
}

describe.skipIf(!HAS_SHARED)('mix.lock wants(): osv-scanner should-extract vectors', () => {
  it('agrees with every MixLockExtractor vector', () => {
    const all = shouldExtractVectors('MixLockExtractor');
    expect(all.length).toBeGreaterThan(0);
    for (const v of all) expect([v.path, mixLockExtractor.wants(v.path)]).toEqual([v.path, v.want]);
  });
});

describe('mix.lock extractor', () => {
  const file = 'proj/mix.lock';
  const inv = parseMixLock(readFileSync(path.join(FIXTURES, 'mix.lock'), 'utf8'), file);
  const comp = (purl: string) => inv.graph.components.get(purl);

  it('reads hex entries with their lines, hashes and repositories', () => {
    expect([...inv.graph.components.keys()].sort()).toEqual([
      'pkg:hex/acme/secret_lib@1.0.0',
      'pkg:hex/cyc_a@1.0.0',
      'pkg:hex/cyc_b@1.0.0',
      'pkg:hex/decimal@2.0.0',
      'pkg:hex/ecto@3.5.5',
      'pkg:hex/old@0.1.0',
    ]);
    expect(comp('pkg:hex/ecto@3.5.5')).toMatchObject({
      ecosystem: 'Hex',
      name: 'ecto',
      version: '3.5.5',
      scope: 'unknown',
      locations: [{ path: file, line: 3 }],
      hashes: [{ alg: 'sha256', value: '98dd0e5e1de7f45beca6130d13116eae675db59adfa055fb79612406acf6f6f1' }],
    });
    expect(comp('pkg:hex/decimal@2.0.0')?.locations).toEqual([{ path: file, line: 4 }]);
    expect(comp('pkg:hex/old@0.1.0')).toMatchObject({ locations: [{ path: file, line: 5 }] });
    expect(comp('pkg:hex/old@0.1.0')?.hashes).toBeUndefined(); // old format: inner checksum only
    expect(comp('pkg:hex/acme/secret_lib@1.0.0')).toMatchObject({
      name: 'secret_lib',
      locations: [{ path: file, line: 6 }],
      hashes: [{ alg: 'sha256', value: 'c'.repeat(64) }],
    });
  });

  it('records edges; entries nothing requires are direct, and a cycle gets one root edge', () => {
    expect([...(inv.graph.edges.get('pkg:hex/ecto@3.5.5') ?? [])]).toEqual(['pkg:hex/decimal@2.0.0']); // jason: optional, not locked
    expect(comp('pkg:hex/ecto@3.5.5')?.direct).toBe(true);
    expect(comp('pkg:hex/decimal@2.0.0')?.direct).toBe(false);
    const rootEdges = [...(inv.graph.edges.get('root:proj/mix.lock') ?? [])];
    expect(rootEdges.filter((p) => p.includes('cyc_'))).toEqual(['pkg:hex/cyc_a@1.0.0']);
    expect(inv.graph.pathsTo('pkg:hex/cyc_b@1.0.0')).toEqual([['root:proj/mix.lock', 'pkg:hex/cyc_a@1.0.0', 'pkg:hex/cyc_b@1.0.0']]);
    expect(inv.graph.pathsTo('pkg:hex/decimal@2.0.0')).toEqual([['root:proj/mix.lock', 'pkg:hex/ecto@3.5.5', 'pkg:hex/decimal@2.0.0']]);
  });

  it('git entries are unresolved (commit kept, credentials dropped); a broken entry is a warning', () => {
    expect(inv.unresolved).toEqual([
      {
        name: 'foo',
        ecosystem: 'Hex',
        spec: 'https://github.com/my-org/foo.git#fc94cce7830fa4dc455024bc2a83720afe244531',
        line: 7,
        reason: 'git dependency at commit fc94cce7830fa4dc455024bc2a83720afe244531: the lockfile records no version',
      },
    ]);
    expect(inv.warnings.some((w) => w.startsWith('line 10: broken:'))).toBe(true);
    expect(inv.warnings.some((w) => w.startsWith('line 6:') && w.includes('hexpm:acme'))).toBe(false);
  });

  it('bad input is a VouchError naming the file and line', () => {
    const bad: [string, number][] = [
      ['%{\n  "a": {:hex, :a, "1.0.0"\n', 3],
      ['%{\n  "a": {:hex, :a, "1.0.0"} oops\n}', 2],
      ['%{\n  "a": {:hex, :a, "1.0.0\n}', 2],
      ['%{\n  "a": {:hex, :a, "#{x}"}\n}', 2],
      ['this is not a lockfile', 1],
    ];
    for (const [text, line] of bad) {
      let err: unknown;
      try {
        parseMixLock(text, 'x/mix.lock');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VouchError);
      expect((err as VouchError).code).toBe('INPUT_PARSE');
      expect((err as VouchError).position?.line).toBe(line);
      expect((err as VouchError).oneLine()).toMatch(/^x\/mix\.lock:\d+: /);
    }
    expect(() => parseMixLock('[1, 2]', 'x/mix.lock')).toThrow(expect.objectContaining({ code: 'INPUT_UNSUPPORTED' }));
    expect(parseMixLock('', 'x/mix.lock').graph.components.size).toBe(0);
  });

  it('reads the older `"name" => {...}` map syntax too', () => {
    const inv2 = parseMixLock('%{"plug" => {:hex, :plug, "1.3.0", "abc", [:mix], []}}', 'm/mix.lock');
    expect([...inv2.graph.components.keys()]).toEqual(['pkg:hex/plug@1.3.0']);
  });

  it('extract() reads an InputFile; wants() and sniff() look at the name / head only', async () => {
    const inv3 = await mixLockExtractor.extract(memoryInput('a/mix.lock', '%{\n  "plug": {:hex, :plug, "1.11.1", "f", [:mix], [], "hexpm", "g"},\n}\n'));
    expect(inv3.source).toEqual({ path: 'a/mix.lock', extractor: 'hex/mix-lock' });
    expect(mixLockExtractor.wants('a\\b\\mix.lock')).toBe(true);
    expect(mixLockExtractor.wants('mix.exs')).toBe(false);
    expect(mixLockExtractor.sniff?.('%{\n  "plug": {:hex, :plug, "1.11.1"')).toBe(true);
    expect(mixLockExtractor.sniff?.('{"a": 1}')).toBe(false);
  });
});
