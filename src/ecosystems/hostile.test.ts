/**
 * Every lockfile and manifest reader of the registry under hostile input (issue 12, item 5;
 * docs/reliability.md "Parsers, sizes and output"): for a valid sample of each format, its
 * truncations, empty and binary files, bytes that are not UTF-8, a BOM, UTF-16, and — for JSON,
 * YAML, TOML and XML formats — every node replaced by a value of the wrong type. The contract: a
 * clean result (components with string names and versions) or a VouchError whose one line names the
 * file; never a TypeError, RangeError or any other exception.
 */
import { describe, expect, it } from 'vitest';
import { memoryInput } from '../io/input.js';
import type { VouchError } from '../model/errors.js';
import { breaches, encodingBreaches, HOSTILE_DIR as DIR, underContract, withEntityAttack, XML_ENTITY_ATTACKS, yamlAttacks } from '../testing/hostile.js';
import { allEcosystemExtractors } from './index.js';
import { ecosystemSamples as samples } from '../testing/hostile-samples.js';


describe('every ecosystem extractor under hostile input', () => {
  const all = samples();
  const extractors = allEcosystemExtractors();

  it('has a sample for every extractor of the registry', () => {
    expect(extractors.map((e) => e.id).filter((id) => !all[id])).toEqual([]);
  });

  it('each sample is valid and read with components (so the variants start from a real document)', async () => {
    for (const e of extractors) {
      for (const s of all[e.id] ?? []) {
        if (s.syntax === 'binary') continue;
        const inv = await e.extract(memoryInput(`${DIR}/${s.file}`, s.bytes));
        expect(inv.graph.components.size, `${e.id} ${s.file}`).toBeGreaterThan(0);
      }
    }
  });

  for (const e of extractors) {
    for (const [i, s] of (all[e.id] ?? []).entries()) {
      it(`${e.id} #${i}: truncated, empty, binary, not UTF-8, wrong types → a result or one VouchError line`, async () => {
        expect(await breaches(e, s)).toEqual([]);
      });
      if (s.syntax !== 'binary') {
        it(`${e.id} #${i}: UTF-8 BOM, UTF-16 LE/BE with BOM → read as without, or refused`, async () => {
          expect(await encodingBreaches(e, s)).toEqual([]);
        });
      }
    }
  }
});

describe('XML readers: entities are never expanded nor fetched', () => {
  const all = samples();
  const byId = new Map(allEcosystemExtractors().map((e) => [e.id, e]));
  const cases: { id: string; root: string; target: string }[] = [
    { id: 'maven/pom', root: 'project', target: '<version>2.14.1</version>' },
    { id: 'maven/gradle-verification-metadata', root: 'verification-metadata', target: 'version="2.14.1"' },
    { id: 'nuget/csproj', root: 'Project', target: 'Version="5.0.12"' },
    { id: 'nuget/directory-packages-props', root: 'Project', target: 'Version="13.0.3"' },
  ];
  for (const c of cases) {
    for (const attack of XML_ENTITY_ATTACKS) {
      it(`${c.id}: ${attack.label} → one INPUT_UNSAFE line at the DOCTYPE`, async () => {
        const sample = all[c.id]![0]!;
        const text = withEntityAttack(sample.bytes.toString('utf8'), attack, c.root, c.target);
        const file = `${DIR}/${sample.file}`;
        const r = await underContract(() => byId.get(c.id)!.extract(memoryInput(file, text)), file);
        expect(r.kind).toBe('error');
        const e = (r as { error: VouchError }).error;
        expect(e.code).toBe('INPUT_UNSAFE');
        expect(e.position?.line).toBe(text.startsWith('<?xml') ? 2 : 1);
        expect(e.oneLine()).toMatch(/XML entity declarations are not read/);
        expect(e.oneLine()).not.toMatch(/EXPANDED|lollol|root:/);
      });
    }
  }
});

describe('YAML lockfiles: aliases, custom tags and duplicate keys', () => {
  const byId = new Map(allEcosystemExtractors().map((e) => [e.id, e]));
  const cases: { id: string; file: string; top: string }[] = [
    { id: 'npm/pnpm-lock', file: 'pnpm-lock.yaml', top: "lockfileVersion: '9.0'\n" },
    { id: 'npm/yarn-lock', file: 'yarn.lock', top: '__metadata:\n  version: 6\n' },
    { id: 'pub/pubspec-lock', file: 'pubspec.lock', top: 'sdks:\n  dart: ">=3.0.0 <4.0.0"\n' },
  ];
  for (const c of cases) {
    for (const a of yamlAttacks(c.top)) {
      it(`${c.id}: ${a.label} → one INPUT_PARSE line naming the line`, async () => {
        const file = `${DIR}/${c.file}`;
        const r = await underContract(() => byId.get(c.id)!.extract(memoryInput(file, a.text)), file);
        expect(r.kind).toBe('error');
        const e = (r as { error: VouchError }).error;
        expect(e.code).toBe('INPUT_PARSE');
        expect(e.position?.line).toBeGreaterThan(1);
        expect(e.oneLine()).toMatch(/YAML (alias|tag)|tag/);
      });
    }
  }

  it('pnpm-lock.yaml: a package key written twice is an error naming the second line', async () => {
    const text = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n  a@1.0.0:\n    resolution: {integrity: sha512-y}\n";
    await expect(byId.get('npm/pnpm-lock')!.extract(memoryInput('pnpm-lock.yaml', text))).rejects.toMatchObject({ code: 'INPUT_PARSE', position: { line: 5 } });
  });

  it('pubspec.lock: a package written twice is an error', async () => {
    const text = 'packages:\n  a:\n    dependency: "direct main"\n    source: hosted\n    version: "1.0.0"\n  a:\n    dependency: "direct main"\n    source: hosted\n    version: "2.0.0"\n';
    await expect(byId.get('pub/pubspec-lock')!.extract(memoryInput('pubspec.lock', text))).rejects.toMatchObject({ code: 'INPUT_PARSE', position: { line: 6 } });
  });

  it('yarn.lock (berry): an entry key written twice reads both versions and makes the input partial', async () => {
    const text = '__metadata:\n  version: 6\n\n"a@npm:^1.0.0":\n  version: 1.0.0\n  resolution: "a@npm:1.0.0"\n\n"a@npm:^1.0.0":\n  version: 1.0.1\n  resolution: "a@npm:1.0.1"\n';
    const inv = await byId.get('npm/yarn-lock')!.extract(memoryInput('yarn.lock', text));
    expect([...inv.graph.components.keys()].sort()).toEqual(['pkg:npm/a@1.0.0', 'pkg:npm/a@1.0.1']);
    expect(inv.lost).toEqual(['line 8: entry "a@npm:^1.0.0" appears again; which of the two yarn installs cannot be known']);
  });
});

describe('nesting 100,000 deep: one line or a clean result, never a stack overflow', () => {
  const N = 100_000;
  const deep = '['.repeat(N) + ']'.repeat(N);
  const tags = '<a>'.repeat(N) + '</a>'.repeat(N);
  let v1 = '';
  for (let i = 0; i < N; i++) v1 += `"n${i}":{"version":"1.0.0","dependencies":{`;
  v1 += '}}'.repeat(N);
  const cases: { id: string; file: string; text: string }[] = [
    { id: 'npm/package-lock', file: 'package-lock.json', text: `{"lockfileVersion":3,"packages":{"":{"x":${deep}}}}` },
    { id: 'npm/package-lock', file: 'package-lock.json', text: `{"lockfileVersion":1,"dependencies":{${v1}}}` },
    { id: 'npm/bun-lock', file: 'bun.lock', text: `{"lockfileVersion":1,"packages":{"a":${deep}}}` },
    { id: 'packagist/composer-lock', file: 'composer.lock', text: `{"packages":[{"name":"a/b","version":"1.0.0","x":${deep}}]}` },
    { id: 'pypi/pipfile-lock', file: 'Pipfile.lock', text: `{"default":{"a":{"version":"==1.0","x":${deep}}}}` },
    { id: 'nuget/packages-lock', file: 'packages.lock.json', text: `{"version":1,"dependencies":{"net8.0":{"a":{"type":"Direct","resolved":"1.0.0","x":${deep}}}}}` },
    { id: 'npm/pnpm-lock', file: 'pnpm-lock.yaml', text: `lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {x: ${deep}}\n` },
    { id: 'npm/yarn-lock', file: 'yarn.lock', text: `__metadata:\n  version: 6\n"a@npm:1":\n  version: 1.0.0\n  x: ${deep}\n` },
    { id: 'pub/pubspec-lock', file: 'pubspec.lock', text: `packages:\n  a: {x: ${deep}}\n` },
    { id: 'cargo/cargo-lock', file: 'Cargo.lock', text: `version = 3\nx = ${deep}\n` },
    { id: 'pypi/poetry-lock', file: 'poetry.lock', text: `x = ${deep}\n` },
    { id: 'pypi/uv-lock', file: 'uv.lock', text: `version = 1\nx = ${deep}\n` },
    { id: 'maven/pom', file: 'pom.xml', text: `<project>${tags}</project>` },
    { id: 'nuget/csproj', file: 'App.csproj', text: `<Project>${tags}</Project>` },
    { id: 'maven/gradle-verification-metadata', file: 'verification-metadata.xml', text: `<verification-metadata>${tags}</verification-metadata>` },
    { id: 'hex/mix-lock', file: 'mix.lock', text: `%{"a": {:hex, :a, "1.0.0", ${'{'.repeat(N)}${'}'.repeat(N)}}}` },
  ];
  const byId = new Map(allEcosystemExtractors().map((e) => [e.id, e]));
  for (const c of cases) {
    it(`${c.id} (${c.text.slice(0, 40)}…)`, async () => {
      const file = `${DIR}/${c.file}`;
      const r = await underContract(() => byId.get(c.id)!.extract(memoryInput(file, c.text)), file);
      expect(r.kind === 'bug' ? r.why : r.kind).not.toMatch(/RangeError|TypeError|Error:/);
      expect(r.kind).not.toBe('bug');
    });
  }

  it('a v1 package-lock nested 100,000 deep is refused in one line (its keys would take quadratic memory)', async () => {
    await expect(byId.get('npm/package-lock')!.extract(memoryInput('package-lock.json', `{"lockfileVersion":1,"dependencies":{${v1}}}`))).rejects.toThrow(
      /\$\.dependencies is nested more than 256 levels deep/,
    );
  });
});
