/** NuGet extractors: packages.lock.json, *.csproj, Directory.Packages.props. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import { memoryInput } from '../../io/input.js';
import { lockfileCases, shouldExtractVectors } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { csprojExtractor, parseMsbuildPackages, pinnedVersion } from './csproj.js';
import { directoryPackagesPropsExtractor } from './directory-packages-props.js';
import { packagesLockExtractor, parsePackagesLock } from './packages-lock.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const key = (p: { name: string; version: string; ecosystem?: string | undefined }): string => `${p.ecosystem}|${p.name}@${p.version}`;

function conformance(folder: string, parse: (text: string, file: string) => Inventory): void {
  describe.skipIf(!HAS_SHARED)(`conformance: ${folder}`, () => {
    it.each(lockfileCases([folder]).map(({ c, file }) => [c.test ?? c.name ?? c.fixture, c, file] as const))('%s', (_n, c, file) => {
      if (c.fixtureExists === false) {
        expect(existsSync(file)).toBe(false);
        return;
      }
      const text = readFileSync(file, 'utf8');
      if (c.expectError) {
        expect(() => parse(text, file)).toThrow(VouchError);
        return;
      }
      const got = [...parse(text, file).graph.components.values()].map(key).sort();
      expect(got).toEqual((c.expectedPackages ?? []).map(key).sort());
    });
  });
}

conformance('osv-scanner-v1/nuget', parsePackagesLock);
conformance('osv-scalibr/dotnet-packageslockjson', parsePackagesLock);
conformance('osv-scalibr/dotnet-csproj', (t, f) => parseMsbuildPackages(t, f, 'nuget/csproj'));
conformance('osv-scalibr/dotnet-nugetcpm', (t, f) => parseMsbuildPackages(t, f, 'nuget/directory-packages-props'));

describe.skipIf(!HAS_SHARED)('packages.lock.json wants(): osv-scanner should-extract vectors', () => {
  it('agrees with every NuGetLockExtractor vector', () => {
    const all = shouldExtractVectors('NuGetLockExtractor');
    expect(all.length).toBeGreaterThan(0);
    for (const v of all) expect([v.path, packagesLockExtractor.wants(v.path)]).toEqual([v.path, v.want]);
  });
});

describe('packages.lock.json', () => {
  const file = 'src/App/packages.lock.json';
  const inv = parsePackagesLock(fixture('packages.lock.json'), file);
  const root = `root:${file}`;
  const comp = (purl: string) => inv.graph.components.get(purl);

  it('reads every framework section; Project entries are roots, not components', () => {
    expect([...inv.graph.components.keys()].sort()).toEqual([
      'pkg:nuget/Core.Dep@1.24.0',
      'pkg:nuget/Core.Dep@1.25.0',
      'pkg:nuget/Pinned.Dep@3.0.1',
      'pkg:nuget/Some.Dep@1.1.1',
    ]);
    expect([...inv.graph.roots.keys()]).toEqual([root, `${root}#mylib`]);
    expect(comp('pkg:nuget/Core.Dep@1.24.0')).toEqual({
      purl: 'pkg:nuget/Core.Dep@1.24.0',
      ecosystem: 'NuGet',
      name: 'Core.Dep',
      version: '1.24.0',
      scope: 'prod',
      direct: true,
      hashes: [
        {
          alg: 'sha512',
          value: Buffer.from('+/qI1j2oU1S4/nvxb2k/wDsol00iGf1AyJX5g3epV7eOpQEP/2xcgh/cxgKMeFgn3U2fmgSiBnQZdkV+l5y0Uw==', 'base64').toString('hex'),
        },
      ],
      locations: [{ path: file, line: 5 }],
    });
    expect(comp('pkg:nuget/Some.Dep@1.1.1')).toMatchObject({ direct: false, locations: [{ path: file, line: 15 }, { path: file, line: 36 }] });
    expect(comp('pkg:nuget/Pinned.Dep@3.0.1')).toMatchObject({ direct: false, locations: [{ path: file, line: 19 }] });
    expect(comp('pkg:nuget/Core.Dep@1.25.0')).toMatchObject({ direct: true, locations: [{ path: file, line: 40 }] });
  });

  it('edges resolve names case-insensitively within the same framework', () => {
    const out = (from: string): string[] => [...(inv.graph.edges.get(from) ?? [])].sort();
    expect(out(root)).toEqual(['pkg:nuget/Core.Dep@1.24.0', 'pkg:nuget/Core.Dep@1.25.0', `${root}#mylib`]);
    expect(out('pkg:nuget/Core.Dep@1.24.0')).toEqual(['pkg:nuget/Some.Dep@1.1.1']); // Not.Installed: not in the lock
    expect(out(`${root}#mylib`)).toEqual(['pkg:nuget/Pinned.Dep@3.0.1', 'pkg:nuget/Some.Dep@1.1.1']);
    expect(inv.graph.pathsTo('pkg:nuget/Pinned.Dep@3.0.1')).toEqual([[`${root}#mylib`, 'pkg:nuget/Pinned.Dep@3.0.1']]);
  });

  it('an entry without a resolved version is unresolved', () => {
    expect(inv.unresolved).toEqual([{ name: 'No.Version', ecosystem: 'NuGet', line: 24, reason: 'no resolved version recorded' }]);
  });

  it('bad input is a VouchError with the file and the line or JSON path', () => {
    const bad: [string, string, { line?: number; jsonPath?: string }][] = [
      ['{\n  "version": 1,\n  "dependencies": {\n', 'INPUT_PARSE', { line: 4 }],
      ['{"version": 0, "dependencies": {}}', 'INPUT_UNSUPPORTED', { jsonPath: '$.version' }],
      ['{"dependencies": {}}', 'INPUT_UNSUPPORTED', { jsonPath: '$.version' }],
      ['[1]', 'INPUT_PARSE', { jsonPath: '$' }],
      ['{"version": 1, "dependencies": []}', 'INPUT_PARSE', { jsonPath: '$.dependencies' }],
      ['{"version": 1, "dependencies": {"net6.0": {\n"A": 5}}}', 'INPUT_PARSE', { line: 2, jsonPath: '$.dependencies["net6.0"]["A"]' }],
      ['{"version": 1, "dependencies": {"net6.0": {\n"A": {"resolved": 1}}}}', 'INPUT_PARSE', { line: 2, jsonPath: '$.dependencies["net6.0"]["A"].resolved' }],
    ];
    for (const [text, code, position] of bad) {
      let err: unknown;
      try {
        parsePackagesLock(text, 'x/packages.lock.json');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(VouchError);
      expect([text, (err as VouchError).code, (err as VouchError).position]).toEqual([text, code, position]);
    }
  });

  it('extract(), wants(), sniff()', async () => {
    const inv2 = await packagesLockExtractor.extract(memoryInput('p/packages.lock.json', fixture('packages.lock.json')));
    expect(inv2.source).toEqual({ path: 'p/packages.lock.json', extractor: 'nuget/packages-lock' });
    expect(packagesLockExtractor.sniff?.(fixture('packages.lock.json').slice(0, 200))).toBe(true);
    expect(packagesLockExtractor.sniff?.('{"lockfileVersion": 3}')).toBe(false);
  });
});

describe('*.csproj', () => {
  const file = 'src/App/App.csproj';
  const inv = parseMsbuildPackages(fixture('App.csproj'), file, 'nuget/csproj');

  it('pinned references are direct components at their line; comments are not read', () => {
    expect([...inv.graph.components.values()].map((c) => [c.purl, c.scope, c.direct, c.locations[0]?.line])).toEqual([
      ['pkg:nuget/LiteDB@5.0.12', 'prod', true, 7],
      ['pkg:nuget/Serilog@3.0.1', 'prod', true, 8],
      ['pkg:nuget/StyleCop.Analyzers@1.1.118', 'dev', true, 11],
      ['pkg:nuget/Overridden@2.0.0', 'prod', true, 16],
      ['pkg:nuget/Multi.Line@4.5.6', 'prod', true, 17],
    ]);
    expect(inv.graph.edges.get(`root:${file}`)?.size).toBe(5);
  });

  it('floating, ranged, property and missing versions are unresolved', () => {
    expect(inv.unresolved.map((u) => [u.name, u.line, u.reason])).toEqual([
      ['Floating', 12, 'floating version "6.*"'],
      ['Ranged', 13, 'version range "[1.0,2.0)"'],
      ['FromProperty', 14, 'version "$(FromPropertyVersion)" is an MSBuild property, not evaluated'],
      ['Central', 15, 'no version (with central package management, Directory.Packages.props holds it)'],
    ]);
  });

  it('pinnedVersion()', () => {
    expect(pinnedVersion('1.2.3')).toEqual({ version: '1.2.3' });
    expect(pinnedVersion(' [1.2.3] ')).toEqual({ version: '1.2.3' });
    expect(pinnedVersion('1.2.3-beta.1')).toEqual({ version: '1.2.3-beta.1' });
    for (const v of ['', '[1.0,)', '(,2.0]', '[1.0, 2.0]', '1.*', '*', '1.2.3-*', 'latest', '$(V)']) expect(pinnedVersion(v)).toHaveProperty('reason');
  });

  it('bad input is a VouchError naming the file and line', () => {
    expect(() => parseMsbuildPackages('<Project>\n  <ItemGroup>\n</Project>\n', 'x.csproj', 'nuget/csproj')).toThrow(
      expect.objectContaining({ code: 'INPUT_PARSE', path: 'x.csproj', position: { line: 3 } }),
    );
    expect(() => parseMsbuildPackages('not\nxml', 'x.csproj', 'nuget/csproj')).toThrow(expect.objectContaining({ code: 'INPUT_PARSE', position: { line: 1 } }));
    expect(() => parseMsbuildPackages('<packages><package id="a" version="1"/></packages>', 'x.csproj', 'nuget/csproj')).toThrow(
      expect.objectContaining({ code: 'INPUT_UNSUPPORTED' }),
    );
  });

  it('extract() and wants()', async () => {
    const inv2 = await csprojExtractor.extract(memoryInput('a/A.csproj', fixture('App.csproj')));
    expect(inv2.source).toEqual({ path: 'a/A.csproj', extractor: 'nuget/csproj' });
    expect(csprojExtractor.wants('src/A/A.csproj')).toBe(true);
    expect(csprojExtractor.wants('src/A/A.fsproj')).toBe(true);
    expect(csprojExtractor.wants('src/A/A.csproj.user')).toBe(false);
    expect(csprojExtractor.wants('src/A/A.sln')).toBe(false);
  });
});

describe('Directory.Packages.props', () => {
  it('central versions and global references are components at their line', async () => {
    const inv = await directoryPackagesPropsExtractor.extract(memoryInput('Directory.Packages.props', fixture('Directory.Packages.props')));
    expect(inv.source.extractor).toBe('nuget/directory-packages-props');
    expect([...inv.graph.components.values()].map((c) => [c.purl, c.locations[0]?.line])).toEqual([
      ['pkg:nuget/Newtonsoft.Json@13.0.3', 6],
      ['pkg:nuget/Central@1.2.3', 7],
      ['pkg:nuget/Nerdbank.GitVersioning@3.6.133', 8],
    ]);
    expect(directoryPackagesPropsExtractor.wants('repo/Directory.Packages.props')).toBe(true);
    expect(directoryPackagesPropsExtractor.wants('repo/directory.packages.props')).toBe(true);
    expect(directoryPackagesPropsExtractor.wants('repo/Directory.Build.props')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('real world: bitwarden/server', () => {
  it('every packages.lock.json and csproj reads without error; lock Direct entries match the csproj pins', () => {
    const base = shared('realworld', 'bitwarden__server', 'src', 'Api');
    const lock = parsePackagesLock(readFileSync(path.join(base, 'packages.lock.json'), 'utf8'), 'packages.lock.json');
    const proj = parseMsbuildPackages(readFileSync(path.join(base, 'Api.csproj'), 'utf8'), 'Api.csproj', 'nuget/csproj');
    expect(lock.graph.components.size).toBeGreaterThan(50);
    expect(lock.unresolved).toEqual([]);
    for (const c of lock.graph.components.values()) expect(c.locations[0]?.line).toBeGreaterThan(0);
    const directLock = new Set([...lock.graph.components.values()].filter((c) => c.direct).map((c) => c.purl.toLowerCase()));
    for (const c of proj.graph.components.values()) expect(directLock.has(c.purl.toLowerCase())).toBe(true);
  });

  it('every csproj and packages.lock.json of the repository reads, each lock package with a line', () => {
    const files = readdirSync(shared('realworld', 'bitwarden__server'), { recursive: true, encoding: 'utf8' });
    let locks = 0;
    for (const f of files) {
      const full = shared('realworld', 'bitwarden__server', f);
      if (packagesLockExtractor.wants(f)) {
        locks++;
        const inv = parsePackagesLock(readFileSync(full, 'utf8'), f);
        for (const c of inv.graph.components.values()) expect([f, c.purl, c.locations.every((l) => (l.line ?? 0) > 0)]).toEqual([f, c.purl, true]);
      } else if (csprojExtractor.wants(f)) {
        parseMsbuildPackages(readFileSync(full, 'utf8'), f, 'nuget/csproj');
      }
    }
    expect(locks).toBeGreaterThan(20);
  });
});
