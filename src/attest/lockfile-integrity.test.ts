import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../ecosystems/npm/registry-config.js';
import { NpmRegistryClient } from '../ecosystems/npm/registry.js';
import { otherPackageIn, parseSri, verifyLockfile, type IntegrityReport } from './lockfile-integrity.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { readLockEntries } from './lockfile-entries.js';
import { type TestPackage, type TestRegistry, makeTarball, packageLockV3, sri, startTestRegistry } from './lockfile-testing.js';

const PKGS: TestPackage[] = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'].map((n, i) => ({
  name: n,
  version: `1.${i}.0`,
  tarball: makeTarball(n, `1.${i}.0`),
}));

let reg: TestRegistry;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  reg = await startTestRegistry(PKGS);
  dir = mkdtempSync(path.join(tmpdir(), 'vouch-lockverify-'));
  writeFileSync(path.join(dir, 'user.npmrc'), '');
  writeFileSync(path.join(dir, 'global.npmrc'), '');
  // isolated from the machine's npm config: no ~/.npmrc, no global npmrc, no npm_config_* of the runner
  env = { HOME: dir, npm_config_userconfig: path.join(dir, 'user.npmrc'), npm_config_globalconfig: path.join(dir, 'global.npmrc') };
  writeFileSync(path.join(dir, 'package.json'), '{"name":"fixture","version":"1.0.0"}');
  writeFileSync(path.join(dir, '.npmrc'), `registry=${reg.url}\n`);
});

afterEach(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

function lockOf(pkgs: readonly TestPackage[], edit: (e: { name: string; version: string; resolved?: string; integrity?: string }) => void = () => undefined): string {
  const file = path.join(dir, 'package-lock.json');
  const entries = pkgs.map((p) => {
    const e: { name: string; version: string; resolved?: string; integrity?: string } = {
      name: p.name,
      version: p.version,
      resolved: `${reg.url}${reg.tarballPath(p.name, p.version).slice(1)}`,
      integrity: sri(p.tarball),
    };
    edit(e);
    return e;
  });
  writeFileSync(file, packageLockV3(entries));
  return file;
}

async function run(file: string, extra: { signal?: AbortSignal; concurrency?: number; keepTarballs?: boolean; refresh?: boolean } = {}): Promise<IntegrityReport> {
  const config = await loadNpmConfig({ cwd: dir, env, npmCli: false });
  const cacheDir = path.join(dir, 'home', 'cache', 'npm');
  const client = new NpmRegistryClient({ config, retries: 0, concurrency: extra.concurrency ?? 4, cacheDir, ...(extra.signal ? { signal: extra.signal } : {}) });
  const { concurrency: _c, ...rest } = extra;
  return verifyLockfile(file, { client, cacheDir, ...rest });
}

const tarballRequests = () => reg.requests.filter((r) => r.path.endsWith('.tgz')).map((r) => r.path);

describe('parseSri', () => {
  it.each([
    ['sha512-AAAA', [{ alg: 'sha512', digest: 'AAAA' }]],
    ['sha1-AAAA sha512-BBBB==', [{ alg: 'sha1', digest: 'AAAA' }, { alg: 'sha512', digest: 'BBBB==' }]],
    ['sha512-AAAA?foo', [{ alg: 'sha512', digest: 'AAAA' }]],
    ['md5-AAAA', []],
    ['garbage', []],
  ])('%s', (input, expected) => {
    expect(parseSri(input)).toEqual(expected);
  });
});

describe('otherPackageIn', () => {
  it.each([
    ['https://r.example/a/-/a-1.0.0.tgz', 'a', '1.0.0', undefined],
    ['https://r.example/@s/a/-/a-1.0.0.tgz', '@s/a', '1.0.0', undefined],
    ['https://r.example/api/npm/npm/@s/a/-/a-1.0.0-beta.1.tgz#abc', '@s/a', '1.0.0-beta.1', undefined],
    ['https://r.example/evil/-/evil-6.6.6.tgz', 'a', '1.0.0', 'evil@6.6.6'],
    ['https://r.example/a/-/a-9.9.9.tgz', 'a', '1.0.0', 'a@9.9.9'],
    ['https://r.example/@s/a/-/a-1.0.0.tgz', 'a', '1.0.0', '@s/a@1.0.0'],
    ['https://r.example/a/-/other-1.0.0.tgz', 'a', '1.0.0', 'a (other-1.0.0.tgz)'],
    ['https://npm.pkg.github.com/download/@o/a/1.0.0/abc', '@o/a', '1.0.0', undefined],
  ])('%s for %s@%s → %s', (url, name, version, expected) => {
    expect(otherPackageIn(url, name, version)).toBe(expected);
  });
});

describe('verifyLockfile against a local registry', () => {
  it('reports every package intact when the served bytes are the pinned bytes', async () => {
    const r = await run(lockOf(PKGS));
    expect(r.format).toBe('package-lock');
    expect(r.results.map((x) => x.status)).toEqual(PKGS.map(() => 'intact'));
    expect(r.fetched).toBe(PKGS.length);
    expect(r.bytes).toBe(PKGS.reduce((n, p) => n + p.tarball.length, 0));
    expect(r.results[0]!.line).toBe(11); // line 7 is `"": {`, 8-10 the root entry, 11 `"node_modules/alpha": {`
    expect(tarballRequests().sort()).toEqual(PKGS.map((p) => reg.tarballPath(p.name, p.version)).sort());
  });

  it('reports MISMATCH when the registry serves other bytes, with expected, actual and URL', async () => {
    reg.tamper.add(reg.tarballPath('beta', '1.1.0'));
    const r = await run(lockOf(PKGS));
    const beta = r.results.find((x) => x.name === 'beta')!;
    expect(beta.status).toBe('mismatch');
    expect(beta.expected).toBe(sri(PKGS[1]!.tarball));
    expect(beta.actual).toBe(sri(makeTarball('beta', '1.1.0', ' (tampered)')));
    expect(beta.url).toBe(`${reg.url}beta/-/beta-1.1.0.tgz`);
    expect(r.counts).toMatchObject({ intact: 5, mismatch: 1 });
  });

  it('reports MISMATCH when the lockfile integrity was edited, and checks every listed algorithm', async () => {
    const other = makeTarball('x', '0.0.0');
    const r = await run(
      lockOf(PKGS, (e) => {
        if (e.name === 'gamma') e.integrity = sri(other);
        // sha1 right, sha512 wrong: still a mismatch
        if (e.name === 'delta') e.integrity = `${sri(PKGS[3]!.tarball, 'sha1')} ${sri(other)}`;
        // both right
        if (e.name === 'epsilon') e.integrity = `${sri(PKGS[4]!.tarball, 'sha1')} ${sri(PKGS[4]!.tarball)}`;
      }),
    );
    const by = Object.fromEntries(r.results.map((x) => [x.name, x]));
    expect(by['gamma']!.status).toBe('mismatch');
    expect(by['gamma']!.actual).toBe(sri(PKGS[2]!.tarball));
    expect(by['delta']!.status).toBe('mismatch');
    expect(by['delta']!.actual).toBe(`${sri(PKGS[3]!.tarball, 'sha1')} ${sri(PKGS[3]!.tarball)}`);
    expect(by['epsilon']!.status).toBe('intact');
    // a mismatch is never recorded as verified: the next run downloads it again
    reg.requests.length = 0;
    await run(path.join(dir, 'package-lock.json'));
    expect(tarballRequests().sort()).toEqual(['/delta/-/delta-1.3.0.tgz', '/gamma/-/gamma-1.2.0.tgz']);
  });

  it('lists packages without integrity and non-registry sources without fetching them', async () => {
    const file = path.join(dir, 'package-lock.json');
    writeFileSync(
      file,
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'fixture' },
          'node_modules/alpha': { version: '1.0.0', resolved: `${reg.url}alpha/-/alpha-1.0.0.tgz` },
          'node_modules/gitdep': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567' },
          'node_modules/filedep': { version: '1.0.0', resolved: 'file:../filedep-1.0.0.tgz' },
          'node_modules/remote': { version: '1.0.0', resolved: 'https://example.invalid/downloads/remote.tgz', integrity: 'sha512-AAAA' },
          'node_modules/linked': { resolved: 'packages/linked', link: true },
          'node_modules/beta': { version: '1.1.0', resolved: `${reg.url}beta/-/beta-1.1.0.tgz`, integrity: sri(PKGS[1]!.tarball) },
          'node_modules/beta/node_modules/inner': { version: '1.0.0', inBundle: true },
        },
      }),
    );
    const r = await run(file);
    const by = Object.fromEntries(r.results.map((x) => [x.name, x]));
    expect(by['alpha']!.status).toBe('no-integrity');
    expect(by['gitdep']!.status).toBe('not-registry');
    expect(by['gitdep']!.reason).toBe('from git');
    expect(by['filedep']!.status).toBe('not-registry');
    expect(by['remote']!.status).toBe('not-registry');
    expect(by['inner']!.status).toBe('not-registry');
    expect(by['linked']).toBeUndefined();
    expect(by['beta']!.status).toBe('intact');
    expect(tarballRequests()).toEqual(['/beta/-/beta-1.1.0.tgz']);
  });

  it('fetches a scoped package from its @scope:registry in .npmrc, and sends a token only to its host', async () => {
    const scoped: TestPackage = { name: '@acme/widget', version: '2.0.0', tarball: makeTarball('@acme/widget', '2.0.0') };
    const second = await startTestRegistry([scoped]);
    try {
      const host = new URL(second.url).host;
      writeFileSync(path.join(dir, '.npmrc'), `registry=${reg.url}\n@acme:registry=${second.url}\n//${host}/:_authToken=\${ACME_TOKEN}\n`);
      env['ACME_TOKEN'] = 's3cr3t-token-value';
      second.requireAuth = 'Bearer s3cr3t-token-value';
      const file = path.join(dir, 'package-lock.json');
      // no resolved URL: the scope's registry is used; alpha's resolved URL is on the default registry
      writeFileSync(
        file,
        packageLockV3([
          { name: '@acme/widget', version: '2.0.0', integrity: sri(scoped.tarball) },
          { name: 'alpha', version: '1.0.0', resolved: `${reg.url}alpha/-/alpha-1.0.0.tgz`, integrity: sri(PKGS[0]!.tarball) },
        ]),
      );
      const r = await run(file);
      expect(r.results.map((x) => [x.name, x.status])).toEqual([
        ['@acme/widget', 'intact'],
        ['alpha', 'intact'],
      ]);
      expect(second.requests.map((q) => [q.path, q.authorization])).toEqual([['/@acme/widget/-/widget-2.0.0.tgz', 'Bearer s3cr3t-token-value']]);
      expect(reg.requests.map((q) => [q.path, q.authorization])).toEqual([['/alpha/-/alpha-1.0.0.tgz', undefined]]);
      expect(JSON.stringify(r)).not.toContain('s3cr3t');
    } finally {
      await second.close();
    }
  });

  it('a resolved URL pointing at another package\'s tarball is not trusted: the name\'s own tarball is compared', async () => {
    // lockfile injection: alpha "resolved" to beta's tarball, with beta's digest
    const r = await run(
      lockOf(PKGS.slice(0, 1), (e) => {
        e.resolved = `${reg.url}beta/-/beta-1.1.0.tgz`;
        e.integrity = sri(PKGS[1]!.tarball);
      }),
    );
    expect(r.results[0]).toMatchObject({ name: 'alpha', status: 'mismatch', expected: sri(PKGS[1]!.tarball), actual: sri(PKGS[0]!.tarball), url: `${reg.url}alpha/-/alpha-1.0.0.tgz` });
    expect(r.results[0]!.reason).toBe(`resolved URL is the tarball of beta@1.1.0, not of alpha@1.0.0: ${reg.url}beta/-/beta-1.1.0.tgz; fetched alpha's own from ${reg.url}`);
    expect(tarballRequests()).toEqual(['/alpha/-/alpha-1.0.0.tgz']);
  });

  it('yarn v1 (integrity, or the #sha1 fragment), pnpm (integrity, no URL) and yarn berry (not comparable)', async () => {
    const [a, b] = [PKGS[0]!, PKGS[1]!];
    const sha1hex = (buf: Buffer) => Buffer.from(sri(buf, 'sha1').slice(5), 'base64').toString('hex');
    const yarn = path.join(dir, 'yarn.lock');
    writeFileSync(
      yarn,
      `# yarn lockfile v1\n\nalpha@^1.0.0:\n  version "1.0.0"\n  resolved "${reg.url}alpha/-/alpha-1.0.0.tgz#${sha1hex(a.tarball)}"\n  integrity ${sri(a.tarball)}\n\n` +
        // no integrity line: the fragment is what is checked, and here it is wrong
        `beta@^1.1.0:\n  version "1.1.0"\n  resolved "${reg.url}beta/-/beta-1.1.0.tgz#${sha1hex(a.tarball)}"\n`,
    );
    const y = await run(yarn);
    expect(y.format).toBe('yarn-v1');
    expect(y.results.map((x) => [x.name, x.status, x.line])).toEqual([
      ['alpha', 'intact', 3],
      ['beta', 'mismatch', 8],
    ]);
    expect(y.results[1]!.actual).toBe(sri(b.tarball, 'sha1'));

    const pnpm = path.join(dir, 'pnpm-lock.yaml');
    writeFileSync(pnpm, `lockfileVersion: '9.0'\n\npackages:\n\n  alpha@1.0.0:\n    resolution: {integrity: ${sri(a.tarball)}}\n\n  beta@1.1.0:\n    resolution: {integrity: ${sri(b.tarball)}}\n`);
    reg.requests.length = 0;
    const p = await run(pnpm, { refresh: true });
    expect(p.results.map((x) => [x.name, x.status, x.url])).toEqual([
      ['alpha', 'intact', `${reg.url}alpha/-/alpha-1.0.0.tgz`],
      ['beta', 'intact', `${reg.url}beta/-/beta-1.1.0.tgz`],
    ]);

    const berry = path.join(dir, 'berry', 'yarn.lock');
    mkdirSync(path.dirname(berry));
    writeFileSync(berry, '__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"alpha@npm:^1.0.0":\n  version: 1.0.0\n  resolution: "alpha@npm:1.0.0"\n  checksum: 10c0/abcdef\n  languageName: node\n  linkType: hard\n');
    reg.requests.length = 0;
    const br = await run(berry);
    expect(br.results.map((x) => [x.name, x.status, x.expected])).toEqual([['alpha', 'not-comparable', '10c0/abcdef']]);
    expect(reg.requests).toEqual([]);
  });

  it('reports a failed download as fetch-failed with one line naming the URL', async () => {
    reg.failWith.set(reg.tarballPath('zeta', '1.5.0'), 403);
    const r = await run(lockOf(PKGS));
    const zeta = r.results.find((x) => x.name === 'zeta')!;
    expect(zeta.status).toBe('fetch-failed');
    expect(zeta.reason).toBe(`${reg.url}zeta/-/zeta-1.5.0.tgz: HTTP 403`);
  });

  it('answers a second run from the verified cache without downloading anything', async () => {
    const file = lockOf(PKGS);
    const first = await run(file);
    expect(first.cacheHits).toBe(0);
    reg.requests.length = 0;
    const second = await run(file);
    expect(reg.requests).toEqual([]);
    expect(second.cacheHits).toBe(PKGS.length);
    expect(second.fetched).toBe(0);
    expect(second.results.every((x) => x.status === 'intact' && x.cached === true)).toBe(true);
    // the cache holds digests, not tarballs
    expect(readdirSync(path.join(dir, 'home', 'cache', 'npm')).filter((f) => f.endsWith('.tgz') || f === 'tarballs')).toEqual([]);
    expect(existsSync(path.join(dir, 'home', 'cache', 'npm', 'verified.sqlite'))).toBe(true);
  });

  it('--keep-tarballs keeps the served bytes (mismatches apart); --refresh downloads again', async () => {
    reg.tamper.add(reg.tarballPath('beta', '1.1.0'));
    const file = lockOf(PKGS.slice(0, 2));
    await run(file, { keepTarballs: true });
    const kept = path.join(dir, 'home', 'cache', 'npm', 'tarballs');
    expect(readFileSync(path.join(kept, 'alpha', '1.0.0.tgz'))).toEqual(PKGS[0]!.tarball);
    expect(readFileSync(path.join(kept, 'beta', '1.1.0.mismatch.tgz'))).toEqual(makeTarball('beta', '1.1.0', ' (tampered)'));
    reg.requests.length = 0;
    const again = await run(file, { refresh: true });
    expect(again.cacheHits).toBe(0);
    expect(tarballRequests().sort()).toEqual(['/alpha/-/alpha-1.0.0.tgz', '/beta/-/beta-1.1.0.tgz']);
  });

  it('keeps what it verified when interrupted, and the rerun fetches only the rest', async () => {
    const file = lockOf(PKGS);
    const controller = new AbortController();
    let served = 0;
    // one download at a time; abort once the third tarball has been asked for
    reg.onTarball = () => {
      if (++served === 3) controller.abort(new Error('interrupted'));
    };
    const first = await run(file, { signal: controller.signal, concurrency: 1 });
    expect(first.interrupted).toBe(true);
    const done = first.results.filter((x) => x.status === 'intact').map((x) => x.name);
    const notChecked = first.results.filter((x) => x.status === 'not-checked').map((x) => x.name);
    expect(done).toEqual(['alpha', 'beta']);
    expect(notChecked).toEqual(['gamma', 'delta', 'epsilon', 'zeta']);

    reg.onTarball = undefined;
    reg.requests.length = 0;
    const second = await run(file);
    expect(second.interrupted).toBe(false);
    expect(second.cacheHits).toBe(2);
    expect(tarballRequests().sort()).toEqual(['/delta/-/delta-1.3.0.tgz', '/epsilon/-/epsilon-1.4.0.tgz', '/gamma/-/gamma-1.2.0.tgz', '/zeta/-/zeta-1.5.0.tgz']);
    expect(second.results.every((x) => x.status === 'intact')).toBe(true);
  });

  it('fetches from the configured registry when the lockfile resolved to another host', async () => {
    const r = await run(lockOf(PKGS.slice(0, 2), (e) => (e.resolved = e.resolved!.replace(reg.url, 'https://registry.example.invalid/'))));
    expect(r.results.map((x) => x.status)).toEqual(['intact', 'intact']);
    expect(r.results[0]!.url).toBe(`${reg.url}alpha/-/alpha-1.0.0.tgz`);
    expect(r.results[0]!.reason).toBe(`resolved to https://registry.example.invalid, not a configured registry: fetched from ${reg.url}`);
  });
});

describe.skipIf(!HAS_SHARED)('real lockfiles (../shared)', () => {
  it.each([
    'realworld/webpack__webpack/yarn.lock',
    'realworld/openstreetmap__openstreetmap-website/yarn.lock',
    // (the package-locks and pnpm lockfiles in ../shared record no registry URLs)
  ])('no resolved URL of %s is taken for another package\'s tarball', (file) => {
    const { entries } = readLockEntries(file, readFileSync(shared(file)));
    const withUrl = entries.filter((e) => e.source === 'registry' && e.resolved);
    expect(withUrl.length).toBeGreaterThan(200);
    expect(withUrl.map((e) => otherPackageIn(e.resolved!, e.name, e.version)).filter(Boolean)).toEqual([]);
  });
});
