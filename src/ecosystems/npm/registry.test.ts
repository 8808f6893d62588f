import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestPackage, type TestRegistry, makeTarball, sri, startTestRegistry } from '../../attest/lockfile-testing.js';
import { VouchError } from '../../model/errors.js';
import { type NpmRegistryConfig, loadNpmConfig } from './registry-config.js';
import { CORGI_ACCEPT, NpmRegistryClient } from './registry.js';

const PKGS: TestPackage[] = [
  { name: 'alpha', version: '1.0.0', tarball: makeTarball('alpha', '1.0.0') },
  { name: 'alpha', version: '1.1.0', tarball: makeTarball('alpha', '1.1.0') },
  { name: '@acme/widget', version: '2.0.0', tarball: makeTarball('@acme/widget', '2.0.0') },
];

let reg: TestRegistry;
let dir: string;

const configOf = (registry: string, extra: Partial<NpmRegistryConfig> = {}): NpmRegistryConfig => ({
  registry,
  scopes: {},
  auth: {},
  strictSSL: true,
  source: 'npmrc',
  files: [],
  ...extra,
});

beforeEach(async () => {
  reg = await startTestRegistry(PKGS);
  dir = mkdtempSync(path.join(tmpdir(), 'vouch-registry-'));
});

afterEach(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fetchTarball', () => {
  it('fetches the conventional URL on the configured registry, scoped names included', async () => {
    const client = new NpmRegistryClient({ config: configOf(reg.url), retries: 0 });
    const a = await client.fetchTarball('alpha', '1.1.0');
    expect(a.url).toBe(`${reg.url}alpha/-/alpha-1.1.0.tgz`);
    expect(sri(a.data!)).toBe(sri(PKGS[1]!.tarball));
    const w = await client.fetchTarball('@acme/widget', '2.0.0', undefined, { buffer: false });
    expect(w.data).toBeUndefined();
    expect(w.bytes).toBe(PKGS[2]!.tarball.length);
    expect(reg.requests.map((r) => r.path)).toEqual(['/alpha/-/alpha-1.1.0.tgz', '/@acme/widget/-/widget-2.0.0.tgz']);
  });

  it.each([
    ['_auth', { ':_auth': Buffer.from('alice:pw1').toString('base64') }, `Basic ${Buffer.from('alice:pw1').toString('base64')}`],
    ['username + _password', { ':username': 'bob', ':_password': Buffer.from('pw2').toString('base64') }, `Basic ${Buffer.from('bob:pw2').toString('base64')}`],
    ['_authToken', { ':_authToken': 'tok' }, 'Bearer tok'],
  ])('sends %s credentials to their registry as npm does', async (_label, keys, header) => {
    const host = new URL(reg.url).host;
    const auth = Object.fromEntries(Object.entries(keys).map(([k, v]) => [`//${host}/${k}`, v]));
    const client = new NpmRegistryClient({ config: configOf(reg.url, { auth }), retries: 0 });
    await client.fetchTarball('alpha', '1.0.0');
    expect(reg.requests.map((q) => q.authorization)).toEqual([header]);
  });

  it('retries a 5xx and gives up with one NETWORK line naming the URL without credentials', async () => {
    reg.failWith.set('/alpha/-/alpha-1.0.0.tgz', 503);
    const client = new NpmRegistryClient({
      config: configOf(reg.url, { auth: { [`//${new URL(reg.url).host}/:_authToken`]: 'very-secret' } }),
      retries: 2,
      retryMinTimeoutMs: 1,
    });
    const url = `${reg.url.replace('http://', 'http://user:pw@')}alpha/-/alpha-1.0.0.tgz`;
    const err = await client.fetchTarball('alpha', '1.0.0', url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).code).toBe('NETWORK');
    expect((err as VouchError).oneLine()).toBe(`${reg.url}alpha/-/alpha-1.0.0.tgz: HTTP 503`);
    expect(reg.requests.length).toBe(3); // first try + 2 retries
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    reg.hold.add('/alpha/-/alpha-1.0.0.tgz');
    const client = new NpmRegistryClient({ config: configOf(reg.url), retries: 0, timeoutMs: 300 });
    const err = (await client.fetchTarball('alpha', '1.0.0').catch((e: unknown) => e)) as VouchError;
    expect(err.code).toBe('NETWORK');
    expect(err.message).toMatch(new RegExp(`^${reg.url.replace(/[.]/g, '\\.')}alpha/-/alpha-1\\.0\\.0\\.tgz: .*time`, 'i'));
  });

  it('goes through the configured proxy, and around it for noproxy hosts', async () => {
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      // a forward proxy for plain http: the request line carries the absolute URL
      seen.push(req.url ?? '');
      const up = httpRequest(req.url!, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const via = new NpmRegistryClient({ config: configOf(reg.url, { proxy: proxyUrl }), retries: 0 });
      const a = await via.fetchTarball('alpha', '1.0.0');
      expect(sri(a.data!)).toBe(sri(PKGS[0]!.tarball));
      expect(seen).toEqual([`${reg.url}alpha/-/alpha-1.0.0.tgz`]);
      const around = new NpmRegistryClient({ config: configOf(reg.url, { proxy: proxyUrl, noProxy: '127.0.0.1' }), retries: 0 });
      await around.fetchTarball('alpha', '1.1.0');
      expect(seen).toHaveLength(1);
      expect(reg.requests.map((q) => q.path)).toEqual(['/alpha/-/alpha-1.0.0.tgz', '/alpha/-/alpha-1.1.0.tgz']);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('names the URL of a server that is not there', async () => {
    const gone = await startTestRegistry([]);
    const url = gone.url;
    await gone.close();
    const client = new NpmRegistryClient({ config: configOf(url), retries: 0 });
    const err = (await client.fetchTarball('alpha', '1.0.0').catch((e: unknown) => e)) as VouchError;
    expect(err.code).toBe('NETWORK');
    expect(err.message).toMatch(new RegExp(`^${url.replace(/[.]/g, '\\.')}alpha/-/alpha-1\\.0\\.0\\.tgz: .*ECONNREFUSED`));
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const held: ServerResponse[] = [];
    const release = (): void => {
      // answer everything queued so far, in order
      for (const r of held.splice(0)) {
        inFlight--;
        r.end('x');
      }
    };
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      held.push(res);
      // hold three answers a moment: without the limit the other six requests would arrive meanwhile
      // (a slow machine can only hide a broken limit, never fail a working one)
      if (held.length === 3) setTimeout(release, 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const client = new NpmRegistryClient({ config: configOf(url), retries: 0, concurrency: 3 });
      const all = Promise.all(Array.from({ length: 9 }, (_, i) => client.fetchTarball(`p${i}`, '1.0.0')));
      const results = await all;
      expect(results.every((r) => r.bytes === 1)).toBe(true);
      expect(peak).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('TLS: cafile and strict-ssl', () => {
  const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'registry-tls');

  it('trusts the configured CA, refuses an unknown one, and accepts anything with strict-ssl=false', async () => {
    const tarball = PKGS[0]!.tarball;
    const server = createHttpsServer({ cert: readFileSync(path.join(TLS, 'cert.pem')), key: readFileSync(path.join(TLS, 'key.pem')) }, (_req, res) => {
      res.writeHead(200).end(tarball);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      writeFileSync(path.join(dir, 'user.npmrc'), '');
      writeFileSync(path.join(dir, '.npmrc'), `registry=${url}\ncafile=${path.join(TLS, 'cert.pem')}\n`);
      const env = { HOME: dir, npm_config_userconfig: path.join(dir, 'user.npmrc'), npm_config_globalconfig: path.join(dir, 'user.npmrc') };
      const config = await loadNpmConfig({ cwd: dir, env, npmCli: false });
      expect(config.ca).toHaveLength(1);
      const trusted = new NpmRegistryClient({ config, retries: 0 });
      expect(sri((await trusted.fetchTarball('alpha', '1.0.0')).data!)).toBe(sri(tarball));

      const unknown = new NpmRegistryClient({ config: configOf(url), retries: 0 });
      const err = (await unknown.fetchTarball('alpha', '1.0.0').catch((e: unknown) => e)) as VouchError;
      expect(err.code).toBe('NETWORK');
      expect(err.message).toMatch(/self[- ]signed/i);

      const lax = new NpmRegistryClient({ config: configOf(url, { strictSSL: false }), retries: 0 });
      expect((await lax.fetchTarball('alpha', '1.0.0')).bytes).toBe(tarball.length);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('fetchPackument', () => {
  it('asks for the abbreviated document and caches it on disk under the registry and name', async () => {
    const cacheDir = path.join(dir, 'cache', 'npm');
    const client = new NpmRegistryClient({ config: configOf(reg.url), retries: 0, cacheDir });
    const p = await client.fetchPackument('@acme/widget');
    expect(Object.keys(p.versions)).toEqual(['2.0.0']);
    expect(p.versions['2.0.0']!.dist.integrity).toBe(sri(PKGS[2]!.tarball));
    expect(reg.requests.map((r) => [r.path, r.accept])).toEqual([['/@acme/widget', CORGI_ACCEPT]]);
    const file = path.join(cacheDir, 'packuments', `127.0.0.1_${new URL(reg.url).port}`, '@acme%2fwidget.corgi.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: `${reg.url}@acme%2fwidget`, etag: expect.stringMatching(/^"/) });

    // fresh: no request
    await client.fetchPackument('@acme/widget');
    expect(reg.requests.length).toBe(1);
    // a full packument is another file
    await client.fetchPackument('@acme/widget', { corgi: false });
    expect(reg.requests.map((r) => r.accept)).toEqual([CORGI_ACCEPT, 'application/json']);
  });

  it('revalidates a stale copy with If-None-Match (304 keeps it) and serves any copy offline', async () => {
    const cacheDir = path.join(dir, 'cache', 'npm');
    const client = new NpmRegistryClient({ config: configOf(reg.url), retries: 0, cacheDir });
    const first = await client.fetchPackument('alpha');
    const again = await client.fetchPackument('alpha', { maxAgeSeconds: 0 });
    expect(again).toEqual(first);
    expect(reg.requests.length).toBe(2);
    expect(reg.requests[1]!.ifNoneMatch).toMatch(/^"[0-9a-f]{40}"$/);

    await reg.close();
    const offline = new NpmRegistryClient({ config: configOf(reg.url), cacheDir, offline: true });
    expect(Object.keys((await offline.fetchPackument('alpha', { maxAgeSeconds: 0 })).versions)).toEqual(['1.0.0', '1.1.0']);
    await expect(offline.fetchPackument('never-fetched')).rejects.toThrow(/never-fetched: not in the packument cache and --offline was given$/);
  });

  it('refuses an answer that is not a packument', async () => {
    const client = new NpmRegistryClient({ config: configOf(reg.url), retries: 0 });
    reg.failWith.set('/broken', 200); // "failing on purpose" as a 200 body: not JSON
    await expect(client.fetchPackument('broken')).rejects.toThrow(`${reg.url}broken: the registry answered with something that is not JSON`);
  });
});
