/**
 * `vouch verify-lockfile` end to end: the built CLI against a registry on 127.0.0.1, with its own
 * project .npmrc, VOUCH_HOME and an isolated npm user/global config. One test
 * (run when the configured registry answers `npm ping`) checks a slice of a real lockfile against it.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestPackage, type TestRegistry, makeTarball, packageLockV3, sri, startTestRegistry } from '../../src/attest/lockfile-testing.js';
import { REGISTRY_TESTS, registryReady } from '../../src/testing/registry.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { VOUCH, tempDir, vouchAsync } from './helpers.js';


const PKGS: TestPackage[] = ['one', 'two', 'three'].map((n) => ({ name: n, version: '1.0.0', tarball: makeTarball(n, '1.0.0') }));
const SCOPED: TestPackage = { name: '@private/thing', version: '3.1.4', tarball: makeTarball('@private/thing', '3.1.4') };
const TOKEN = 'npm_TOPSECRETtokenvalue123';

let reg: TestRegistry;
let priv: TestRegistry;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  reg = await startTestRegistry(PKGS);
  priv = await startTestRegistry([SCOPED]);
  priv.requireAuth = `Bearer ${TOKEN}`;
  dir = tempDir('verify-lockfile');
  writeFileSync(path.join(dir, 'user.npmrc'), '');
  writeFileSync(path.join(dir, 'global.npmrc'), '');
  writeFileSync(path.join(dir, 'package.json'), '{"name":"fixture","version":"1.0.0"}');
  writeFileSync(path.join(dir, '.npmrc'), `registry=${reg.url}\n@private:registry=${priv.url}\n//${new URL(priv.url).host}/:_authToken=${TOKEN}\n`);
  env = {
    VOUCH_HOME: path.join(dir, 'home'),
    npm_config_userconfig: path.join(dir, 'user.npmrc'),
    npm_config_globalconfig: path.join(dir, 'global.npmrc'),
  };
  writeLock();
});

afterEach(async () => {
  await reg.close();
  await priv.close();
  await rm(dir, { recursive: true, force: true });
});

function writeLock(edit: (e: { name: string; version: string; resolved?: string; integrity?: string }) => void = () => undefined): string {
  const entries = [...PKGS, SCOPED].map((p) => {
    const e: { name: string; version: string; resolved?: string; integrity?: string } = {
      name: p.name,
      version: p.version,
      resolved: `${p === SCOPED ? priv.url : reg.url}${reg.tarballPath(p.name, p.version).slice(1)}`,
      integrity: sri(p.tarball),
    };
    edit(e);
    return e;
  });
  const file = path.join(dir, 'package-lock.json');
  writeFileSync(file, packageLockV3(entries));
  return file;
}

describe('vouch verify-lockfile', () => {
  it('exit 0 when every tarball is intact; the token goes to its host only and is never printed; the rerun downloads nothing', async () => {
    const r = await vouchAsync(['verify-lockfile', dir, '--verbose', '-f', 'table'], env);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`vouch: credential //${new URL(priv.url).host}/ (_authToken, value hidden)`);
    expect(r.stdout).toMatch(/^4 package\(s\): 4 intact; 4 downloaded \([\d.]+ kB\), 0 from the verified cache \(0%\); [\d.]+ s$/m);
    expect(priv.requests.map((q) => q.authorization)).toEqual([`Bearer ${TOKEN}`]);
    expect(reg.requests.every((q) => q.authorization === undefined)).toBe(true);

    reg.requests.length = 0;
    priv.requests.length = 0;
    const again = await vouchAsync(['verify-lockfile', path.join(dir, 'package-lock.json'), '--json'], env);
    expect(again.code).toBe(0);
    expect(reg.requests.length + priv.requests.length).toBe(0);
    const json = JSON.parse(again.stdout) as { schema: string; summary: Record<string, unknown>; results: { status: string; cached?: boolean }[] };
    expect(json.schema).toBe('vouch.verify-lockfile/1');
    expect(json.summary).toMatchObject({ packages: 4, intact: 4, cacheHits: 4, fetched: 0, interrupted: false });
    expect(again.stderr).toMatch(/4 from the verified cache \(100%\)/);
  });

  it('Ctrl-C keeps what was verified (exit 130) and the rerun downloads only the rest', async () => {
    reg.hold.add('/three/-/three-1.0.0.tgz');
    const child = spawn(process.execPath, [VOUCH, 'verify-lockfile', dir, '--json', '--concurrency', '1'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // one download at a time, in lockfile order: when three is asked for, one and two are verified
    reg.onTarball = (p) => {
      if (p === '/three/-/three-1.0.0.tgz') child.kill('SIGINT');
    };
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted: 2 package\(s\) not checked; what was verified is kept, run again to resume/);
    const partial = JSON.parse(stdout) as { results: { name: string; status: string }[] };
    expect(partial.results.map((x) => [x.name, x.status])).toEqual([
      ['one', 'intact'],
      ['two', 'intact'],
      ['three', 'not-checked'],
      ['@private/thing', 'not-checked'],
    ]);

    reg.hold.clear();
    reg.onTarball = undefined;
    reg.requests.length = 0;
    priv.requests.length = 0;
    const rerun = await vouchAsync(['verify-lockfile', dir, '--json'], env);
    expect(rerun.code).toBe(0);
    expect([...reg.requests, ...priv.requests].map((q) => q.path)).toEqual(['/three/-/three-1.0.0.tgz', '/@private/thing/-/thing-3.1.4.tgz']);
  });

  it('exit 1 on a MISMATCH, with expected, actual and URL in the table', async () => {
    reg.tamper.add('/two/-/two-1.0.0.tgz');
    const r = await vouchAsync(['verify-lockfile', path.join(dir, 'package-lock.json'), '-f', 'table'], env);
    expect(r.code).toBe(1);
    const line = r.stdout.split('\n').find((l) => l.startsWith('MISMATCH'))!;
    expect(line).toContain('two@1.0.0');
    expect(line).toContain(`package-lock.json:${lineOf('node_modules/two')}`);
    expect(line).toContain(`expected ${sri(PKGS[1]!.tarball)} got ${sri(makeTarball('two', '1.0.0', ' (tampered)'))} from ${reg.url}two/-/two-1.0.0.tgz`);
  });

  it('missing integrity: exit 0, exit 1 with --strict', async () => {
    writeLock((e) => {
      if (e.name === 'three') delete e.integrity;
    });
    const loose = await vouchAsync(['verify-lockfile', dir, '--json'], env);
    expect(loose.code).toBe(0);
    expect((JSON.parse(loose.stdout) as { summary: Record<string, number> }).summary['no-integrity']).toBe(1);
    const strict = await vouchAsync(['verify-lockfile', dir, '--json', '--strict'], env);
    expect(strict.code).toBe(1);
  });

  it('a failed download is exit 1 and one line naming the URL', async () => {
    reg.failWith.set('/one/-/one-1.0.0.tgz', 404);
    const r = await vouchAsync(['verify-lockfile', dir, '-f', 'table'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^fetch-failed +one@1\\.0\\.0 +package-lock\\.json:\\d+ +${reg.url.replace(/\./g, '\\.')}one/-/one-1\\.0\\.0\\.tgz: HTTP 404$`, 'm'));
  });

  it.each([
    [['verify-lockfile', 'nope/package-lock.json'], /^vouch: nope\/package-lock\.json: no such file or folder\n$/],
    [['verify-lockfile', '--concurrency', '0', '.'], /^vouch: --concurrency must be a whole number ≥ 1, not "0"\n$/],
  ])('usage and input errors exit 2 with one line: %s', async (args, re) => {
    const r = await vouchAsync(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
  });

  it('a broken lockfile exits 2 naming the file and line', async () => {
    const file = path.join(dir, 'package-lock.json');
    writeFileSync(file, '{\n  "lockfileVersion": 3,\n  "packages": {\n');
    const r = await vouchAsync(['verify-lockfile', file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^vouch: ${file.replace(/[.]/g, '\\.')}:4: not valid JSON`));
  });
});

function lineOf(key: string): number {
  const lines = readFileSync(path.join(dir, 'package-lock.json'), 'utf8').split('\n');
  return lines.findIndex((l) => l.includes(`"${key}"`)) + 1;
}

// ---------------------------------------------------------------------------------------------
// the real registry: runs with VOUCH_TEST_REGISTRY=1 (src/testing/registry.ts), as CI does

describe.skipIf(!REGISTRY_TESTS || !HAS_SHARED)('vouch verify-lockfile against the real configured registry (~20 small tarballs)', () => {
  beforeAll(registryReady);
  it('verifies the first 20 registry packages of a real lockfile, then answers them all from the cache', async () => {
    const real = JSON.parse(readFileSync(shared('realworld', 'BookStackApp__BookStack', 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    const picked = Object.entries(real.packages)
      // this lockfile records no resolved URLs: the configured registry is where they come from
      .filter(([k, v]) => k.startsWith('node_modules/') && v.version && v.integrity)
      .slice(0, 20);
    const project = tempDir('verify-lockfile-real');
    try {
      writeFileSync(path.join(project, 'package.json'), '{"name":"fixture","version":"1.0.0"}');
      writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'fixture' }, ...Object.fromEntries(picked) } }, null, 2));
      const renv = { VOUCH_HOME: path.join(project, 'home') }; // the user's real npm config on purpose
      const first = await vouchAsync(['verify-lockfile', project, '--json'], renv);
      expect(first.code, first.stderr).toBe(0);
      expect((JSON.parse(first.stdout) as { summary: Record<string, number> }).summary).toMatchObject({ intact: 20, fetched: 20 });
      const second = await vouchAsync(['verify-lockfile', project, '--json'], renv);
      expect((JSON.parse(second.stdout) as { summary: Record<string, number> }).summary).toMatchObject({ intact: 20, cacheHits: 20, fetched: 0 });
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  }, 120_000);
});
