/**
 * Test helpers for lockfile verification: real npm-style tarballs built in memory and a tiny
 * registry on 127.0.0.1 (random port) that serves them, records every request (URL and
 * Authorization header) and can tamper with or fail chosen tarballs.
 */
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { buildTar } from '../io/tar.js';

/** A `.tgz` as `npm pack` lays it out: `package/package.json`. */
export function makeTarball(name: string, version: string, extra = ''): Buffer {
  const manifest = JSON.stringify({ name, version, description: `test package ${name}${extra}` }, null, 2);
  return gzipSync(buildTar([{ name: 'package/package.json', data: manifest }]));
}

export function sri(data: Buffer, alg: 'sha512' | 'sha1' | 'sha256' = 'sha512'): string {
  return `${alg}-${createHash(alg).update(data).digest('base64')}`;
}

export interface TestPackage {
  name: string;
  version: string;
  tarball: Buffer;
}

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
  ifNoneMatch: string | undefined;
}

export interface TestRegistry {
  /** `http://127.0.0.1:<port>/` (with a trailing slash, like a configured registry). */
  url: string;
  requests: RecordedRequest[];
  /** Tarball paths served with other bytes. */
  tamper: Set<string>;
  /** Tarball paths answered with this status. */
  failWith: Map<string, number>;
  /** Tarball paths never answered (the connection hangs until close()). */
  hold: Set<string>;
  /** When set, requests without this Authorization header get 401. */
  requireAuth?: string;
  /** Called before every tarball answer (e.g. to abort a run half-way). */
  onTarball?: (path: string) => void;
  tarballPath(name: string, version: string): string;
  close(): Promise<void>;
}

/** Starts a registry serving `packages` at `/<name>/-/<base>-<version>.tgz` and corgi packuments at `/<name>`. */
export async function startTestRegistry(packages: readonly TestPackage[]): Promise<TestRegistry> {
  const byPath = new Map<string, TestPackage>();
  const tarballPath = (name: string, version: string): string => {
    const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    return `/${name}/-/${base}-${version}.tgz`;
  };
  for (const p of packages) byPath.set(tarballPath(p.name, p.version), p);

  // the handler below is only called once the server listens, after everything is defined
  const server: Server = createServer((req, res) => handler(req, res));
  const reg: TestRegistry = {
    url: '',
    requests: [],
    tamper: new Set(),
    failWith: new Map(),
    hold: new Set(),
    tarballPath,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const p = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    reg.requests.push({ path: p, authorization: req.headers.authorization, accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'] as string | undefined });
    if (reg.requireAuth !== undefined && req.headers.authorization !== reg.requireAuth) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const status = reg.failWith.get(p);
    if (status !== undefined) {
      res.writeHead(status).end('failing on purpose');
      return;
    }
    const pkg = byPath.get(p);
    if (pkg) {
      reg.onTarball?.(p);
      if (reg.hold.has(p)) return;
      const body = reg.tamper.has(p) ? makeTarball(pkg.name, pkg.version, ' (tampered)') : pkg.tarball;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
      return;
    }
    const name = p.slice(1);
    const versions = packages.filter((x) => x.name === name);
    if (versions.length) {
      const etag = `"${createHash('sha1').update(versions.map((v) => v.version).join()).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      const doc = {
        name,
        'dist-tags': { latest: versions[versions.length - 1]!.version },
        versions: Object.fromEntries(
          versions.map((v) => [v.version, { name, version: v.version, dist: { tarball: `${reg.url}${tarballPath(name, v.version).slice(1)}`, integrity: sri(v.tarball) } }]),
        ),
      };
      res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json', etag }).end(JSON.stringify(doc));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  reg.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return reg;
}

/** A package-lock.json v3 for the packages, resolved to `registryUrl` unless given per package. */
export function packageLockV3(entries: readonly { name: string; version: string; resolved?: string; integrity?: string }[]): string {
  const packages: Record<string, unknown> = { '': { name: 'fixture', version: '1.0.0' } };
  for (const e of entries) {
    packages[`node_modules/${e.name}`] = {
      version: e.version,
      ...(e.resolved ? { resolved: e.resolved } : {}),
      ...(e.integrity ? { integrity: e.integrity } : {}),
    };
  }
  return `${JSON.stringify({ name: 'fixture', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}
