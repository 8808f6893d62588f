import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { memoryInput } from '../../io/input.js';
import { lockfileCases, shouldExtractVectors, type LoadedCase } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { parsePubspecLock, pubspecLockExtractor } from './pubspec-lock.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '__fixtures__');

interface Pkg {
  name: string;
  version: string;
  ecosystem?: string | undefined;
  depGroups?: string[];
}

const key = (p: Pkg): string => `${p.ecosystem}|${p.name}@${p.version}${p.depGroups?.includes('dev') ? ' dev' : ''}`;

/**
 * Where we differ from the peers, on purpose:
 * - sdk packages (reported by both at the placeholder 0.0.0) are `unresolved`, not components;
 * - an empty file: osv-scanner v1 reads it as no packages, osv-scalibr (the current upstream)
 *   refuses it; we follow osv-scalibr, so the v1 `TestParsePubspecLock_Empty` case expects an error.
 */
const EMPTY_FILE_IS_AN_ERROR = 'empty.lock';

function runCase({ c, file }: LoadedCase): void {
  if (c.fixtureExists === false) {
    expect(existsSync(file)).toBe(false);
    return;
  }
  const text = readFileSync(file, 'utf8');
  if (c.expectError || c.fixture === EMPTY_FILE_IS_AN_ERROR) {
    expect(() => parsePubspecLock(text, file)).toThrow(VouchError);
    return;
  }
  const inv = parsePubspecLock(text, file);
  const sdk = new Set(inv.unresolved.filter((u) => u.reason.includes('SDK')).map((u) => u.name));
  const expected = (c.expectedPackages ?? []).filter((p) => !sdk.has(p.name));
  const got = [...inv.graph.components.values()].map((x) => key({ ...x, ...(x.scope === 'dev' ? { depGroups: ['dev'] } : {}) }));
  expect(got.sort()).toEqual(expected.map(key).sort());
  // the sdk packages we set aside are exactly the peers' 0.0.0 ones
  for (const name of sdk) expect(c.expectedPackages?.find((p) => p.name === name)?.version).toBe('0.0.0');
}

for (const folder of ['osv-scanner-v1/pub', 'osv-scalibr/dart-pubspec']) {
  describe.skipIf(!HAS_SHARED)(`pubspec.lock conformance: ${folder}`, () => {
    it.each(lockfileCases([folder]).map((l) => [l.c.test ?? l.c.name ?? l.c.fixture, l] as const))('%s', (_n, l) => runCase(l));
  });
}

describe.skipIf(!HAS_SHARED)('pubspec.lock wants(): osv-scanner should-extract vectors', () => {
  it('agrees with every PubspecLockExtractor vector', () => {
    const all = shouldExtractVectors('PubspecLockExtractor');
    expect(all.length).toBeGreaterThan(0);
    for (const v of all) expect([v.path, pubspecLockExtractor.wants(v.path)]).toEqual([v.path, v.want]);
  });
});

describe('pubspec.lock extractor', () => {
  const file = 'app/pubspec.lock';
  const inv = parsePubspecLock(readFileSync(path.join(FIXTURES, 'pubspec.lock'), 'utf8'), file);
  const comp = (purl: string) => inv.graph.components.get(purl);

  it('reads packages with lines, scope, direct and hashes', () => {
    expect([...inv.graph.components.keys()].sort()).toEqual([
      'pkg:pub/async@2.11.0',
      'pkg:pub/build_runner@2.2.1',
      'pkg:pub/http@1.0',
      'pkg:pub/local_pkg@0.0.1',
      'pkg:pub/my_fork@0.1.8',
    ]);
    expect(comp('pkg:pub/async@2.11.0')).toEqual({
      purl: 'pkg:pub/async@2.11.0',
      ecosystem: 'Pub',
      name: 'async',
      version: '2.11.0',
      scope: 'unknown',
      direct: false,
      hashes: [{ alg: 'sha256', value: '947bfcf187f74dbc5e146c9eb9c0f10c9f8b30743e341481c1e2ed3ecc18c20c' }],
      locations: [{ path: file, line: 4 }],
    });
    expect(comp('pkg:pub/build_runner@2.2.1')).toMatchObject({ scope: 'dev', direct: true, locations: [{ path: file, line: 12 }] });
    expect(comp('pkg:pub/http@1.0')).toMatchObject({ scope: 'prod', direct: true, version: '1.0', locations: [{ path: file, line: 24 }] });
    expect(comp('pkg:pub/my_fork@0.1.8')).toMatchObject({ scope: 'unknown', direct: true, locations: [{ path: file, line: 31 }] });
    expect(comp('pkg:pub/local_pkg@0.0.1')).toMatchObject({ scope: 'prod', direct: true, locations: [{ path: file, line: 40 }] });
    expect([...(inv.graph.edges.get('root:app/pubspec.lock') ?? [])].sort()).toEqual([
      'pkg:pub/build_runner@2.2.1',
      'pkg:pub/http@1.0',
      'pkg:pub/local_pkg@0.0.1',
      'pkg:pub/my_fork@0.1.8',
    ]);
  });

  it('sdk packages and versionless ones are unresolved; sources other than pub.dev are warned about', () => {
    expect(inv.unresolved).toEqual([
      { name: 'flutter', ecosystem: 'Pub', spec: '0.0.0', line: 19, reason: 'ships with the flutter SDK: pub records "0.0.0" as a placeholder, not the package\'s version' },
      { name: 'nover', ecosystem: 'Pub', line: 47, reason: 'no version recorded' },
    ]);
    expect(inv.warnings).toEqual([
      'line 24: http@1.0 comes from https://pub.example.com, not pub.dev',
      'line 31: my_fork@0.1.8 comes from git (https://github.com/me/my_fork.git at 3aa37c86e47ea748e7b5507cbe59f2c54ebdb23a), not pub.dev; version as its pubspec declares it',
      'line 40: local_pkg@0.0.1 comes from a local folder (../local_pkg), not pub.dev',
    ]);
  });

  it('bad input is a VouchError naming the file and line', () => {
    const bad: [string, string, number | undefined][] = [
      ['packages:\n  a: [\n', 'INPUT_PARSE', 3],
      ['packages:\n  a:\n    version: "1.0.0"\n   bad: x\n', 'INPUT_PARSE', 4],
      ['packages:\n  a: 12\n', 'INPUT_PARSE', 2],
      ['packages:\n  a:\n    version: [1]\n', 'INPUT_PARSE', 3],
      ['packages: [1, 2]\n', 'INPUT_PARSE', 1],
      ['just text\n', 'INPUT_UNSUPPORTED', 1],
      ['', 'INPUT_PARSE', undefined],
    ];
    for (const [text, code, line] of bad) {
      let err: unknown;
      try {
        parsePubspecLock(text, 'x/pubspec.lock');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(VouchError);
      expect([text, (err as VouchError).code, (err as VouchError).position?.line]).toEqual([text, code, line]);
      expect((err as VouchError).oneLine()).toMatch(/^x\/pubspec\.lock/);
    }
  });

  it('extract() reads an InputFile; wants() and sniff() look at the name / head only', async () => {
    const text = readFileSync(path.join(FIXTURES, 'pubspec.lock'), 'utf8');
    const inv2 = await pubspecLockExtractor.extract(memoryInput('p/pubspec.lock', text));
    expect(inv2.source).toEqual({ path: 'p/pubspec.lock', extractor: 'pub/pubspec-lock' });
    expect(pubspecLockExtractor.sniff?.(text.slice(0, 300))).toBe(true);
    expect(pubspecLockExtractor.sniff?.('# x\npackages: {}\n')).toBe(true);
    expect(pubspecLockExtractor.sniff?.('name: app\ndependencies:\n  http: ^1.0.0\n')).toBe(false);
    expect(pubspecLockExtractor.wants('C:\\app\\pubspec.lock')).toBe(true);
    expect(pubspecLockExtractor.wants('app/pubspec.yaml')).toBe(false);
  });
});
