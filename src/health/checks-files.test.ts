import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { binaryArtifacts, dependencyUpdateTool, detectLicense, fuzzing, license, scoreSecurityPolicy, securityPolicy, sniffExecutable } from './checks-files.js';
import { loadContext } from './context.js';

afterAll(cleanupRepos);

const NOW = Math.floor(Date.parse('2025-06-01T00:00:00Z') / 1000);
async function ctxOf(files: Record<string, string | Buffer>): Promise<Awaited<ReturnType<typeof loadContext>>> {
  const r = new TestRepo();
  for (const [f, c] of Object.entries(files)) r.write(f, c);
  r.commit('initial', '2025-01-01T00:00:00Z');
  return loadContext(r.dir, NOW);
}

const MIT = `MIT License

Copyright (c) 2025 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction`;

describe('Security-Policy', () => {
  it('scores links 6 + free text 3 + disclosure text 1 (Scorecard)', async () => {
    const text = '# Security\n\nPlease report vulnerabilities privately to security@acme.example.\nWe follow coordinated disclosure and answer within 90 days.\n';
    const r = await securityPolicy(await ctxOf({ '.github/SECURITY.md': text }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]!.path).toBe('.github/SECURITY.md');
  });
  it('a policy with only a URL and no words gets the link points only', () => {
    expect(scoreSecurityPolicy('https://acme.example/security').score).toBe(6);
    expect(scoreSecurityPolicy('We care about security but list no contact.').score).toBe(3);
  });
  it('fails without a policy file (a SECURITY.md deep in src/ does not count)', async () => {
    const r = await securityPolicy(await ctxOf({ 'src/SECURITY.md': 'mail security@acme.example', 'README.md': 'hi' }));
    expect(r.score).toBe(0);
  });
});

describe('License', () => {
  it('MIT text at the top level scores 10 and names the SPDX id, even when lines wrap', async () => {
    const r = await license(await ctxOf({ LICENSE: MIT }));
    expect(r.score).toBe(10);
    expect(r.reason).toContain('MIT');
    expect(detectLicense('The MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining\na copy of this software')).toBe('MIT');
    expect(detectLicense('// SPDX-License-Identifier: Apache-2.0 OR MIT\n')).toBe('Apache-2.0 OR MIT');
  });
  it('an unrecognised licence file scores 7; none scores 0', async () => {
    expect((await license(await ctxOf({ 'LICENSE.txt': 'All rights reserved, ask us.' }))).score).toBe(7);
    expect((await license(await ctxOf({ 'README.md': 'no licence here' }))).score).toBe(0);
  });
});

describe('Dependency-Update-Tool', () => {
  it.each([['.github/dependabot.yml'], ['renovate.json'], ['.github/renovate.json5'], ['.renovaterc.json']])('finds %s', async (f) => {
    const r = dependencyUpdateTool(await ctxOf({ [f]: '{}' }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]!.path).toBe(f);
  });
  it('fails without one', async () => {
    expect(dependencyUpdateTool(await ctxOf({ 'dependabot.txt': 'no' })).score).toBe(0);
  });
});

describe('Binary-Artifacts', () => {
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]);
  it('finds a committed ELF by its magic bytes whatever its name, and a .class by extension', async () => {
    const r = await binaryArtifacts(await ctxOf({ 'tools/helper': elf, 'lib/A.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe]), 'src/a.js': 'x' }));
    expect(r.score).toBe(8);
    expect(r.evidence.filter((e) => e.kind === 'fail').map((e) => e.path).sort()).toEqual(['lib/A.class', 'tools/helper']);
    expect(sniffExecutable(Buffer.from('MZ\x90\x00', 'latin1'))).toBe('PE (MZ)');
    expect(sniffExecutable(Buffer.from('#!/bin/sh'))).toBeUndefined();
  });
  it('allows the Gradle wrapper jar and plain sources', async () => {
    const r = await binaryArtifacts(await ctxOf({ 'gradle/wrapper/gradle-wrapper.jar': Buffer.from('PK\x03\x04'), 'build.sh': '#!/bin/sh\necho hi\n' }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]!.detail).toContain('allowed');
  });
});

describe('Fuzzing', () => {
  it('finds a Go native fuzz target with its line', async () => {
    const r = await fuzzing(await ctxOf({ 'parse/parse_test.go': 'package parse\n\nimport "testing"\n\nfunc FuzzParse(f *testing.F) {\n}\n' }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]).toMatchObject({ path: 'parse/parse_test.go', line: 5 });
  });
  it('finds cargo-fuzz and atheris', async () => {
    expect((await fuzzing(await ctxOf({ 'fuzz/Cargo.toml': '[package]\nname="x-fuzz"\n' }))).score).toBe(10);
    expect((await fuzzing(await ctxOf({ 'tests/fuzz_json.py': 'import atheris\n' }))).score).toBe(10);
  });
  it('fails when a Go test has no Fuzz function', async () => {
    expect((await fuzzing(await ctxOf({ 'a_test.go': 'package a\nfunc TestA(t *testing.T) {}\n' }))).score).toBe(0);
  });
});

describe('hostile trees', () => {
  it('tracked symlinks are not followed (one to /dev/zero would never end)', async () => {
    const r = new TestRepo();
    symlinkSync('/dev/zero', path.join(r.dir, 'Dockerfile'));
    symlinkSync('/dev/zero', path.join(r.dir, 'SECURITY.md'));
    symlinkSync('/dev/zero', path.join(r.dir, 'blob.bin.sh'));
    r.commit('links', '2025-01-01T00:00:00Z');
    const ctx = await loadContext(r.dir, NOW);
    expect(ctx.files.sort()).toEqual(['Dockerfile', 'SECURITY.md', 'blob.bin.sh']);
    expect(await ctx.read('Dockerfile')).toBeUndefined();
    expect(await ctx.head('blob.bin.sh', 4)).toBeUndefined();
    expect((await binaryArtifacts(ctx)).score).toBe(10);
    expect((await securityPolicy(ctx)).score).toBe(0);
  });
});
