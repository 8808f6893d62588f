/**
 * The npm registry client: tarballs (lockfile verification) and packuments (the fix planner).
 *
 * Built on npm-registry-fetch, which applies npm's configuration per URL: scoped registries,
 * credentials sent only to the host (and path) they are configured for, proxies, CA, strict SSL,
 * retries on 5xx / 408 / 429 / ECONNRESET / ETIMEDOUT. This module adds a concurrency limit, a
 * timeout, one-line NETWORK errors with credentials redacted, and a disk cache of packuments.
 *
 * Packument cache: `<cacheDir>/packuments/<registry key>/<name>.<corgi|full>.json`, where
 * `cacheDir` is `$VOUCH_HOME/cache/npm` by default, `<registry key>` is the registry's host and
 * path made file-safe (`registry.npmjs.org`, `127.0.0.1_4873`) and `<name>` is the package name
 * with `/` as `%2f` (`@types%2fnode`). Each file holds `{ url, fetchedAt, etag, lastModified,
 * body }`. A file younger than `maxAgeSeconds` (default 300, npm's own packument max-age) is used
 * without asking; an older one is revalidated with `If-None-Match` / `If-Modified-Since` (a 304
 * refreshes `fetchedAt`); with `offline: true` any cached copy is used and a missing one is a
 * NETWORK error. Files are written atomically, so a crash never leaves half a packument.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type RegFetch from 'npm-registry-fetch';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { VouchError } from '../../model/errors.js';
import { type NpmRegistryConfig, fetchOptionsOf, redact, registryFor, secretsOf } from './registry-config.js';
import { assertOnline, isOffline } from '../../io/network.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../io/input.js';

/**
 * npm's registry client, loaded from node_modules on first use (as io/libs.ts does for parsers):
 * with its HTTP stack (make-fetch-happen, sigstore, socks, iconv-lite …) it was two fifths of
 * what a scan's bundle holds, read at every start though only a registry lookup calls it.
 */
let regFetchLib: typeof RegFetch | undefined;
const regFetch = (): typeof RegFetch => (regFetchLib ??= createRequire(import.meta.url)('npm-registry-fetch') as typeof RegFetch);

export const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_PACKUMENT_MAX_AGE_SECONDS = 300;

export interface RegistryClientOptions {
  config: NpmRegistryConfig;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Per-request timeout in ms (default: npm's fetch-timeout, else 60 s). */
  timeoutMs?: number;
  /** Retries of a failed request (5xx, 408, 429, ECONNRESET, timeouts); default npm's fetch-retries, else 2. */
  retries?: number;
  /** First retry delay in ms (default 1000; doubles each time, at most 10 s). */
  retryMinTimeoutMs?: number;
  /** Packument cache folder (`$VOUCH_HOME/cache/npm`); without it packuments are not cached. */
  cacheDir?: string;
  /** Packuments younger than this are not revalidated (default 300 s). */
  maxAgeSeconds?: number;
  /** Use cached packuments only; never ask the network for them. */
  offline?: boolean;
  /** Aborts every request in flight and refuses new ones. */
  signal?: AbortSignal;
  /** Called for every request made (URL redacted), e.g. for --verbose. */
  onRequest?: (url: string) => void;
}

export interface TarballFetchOptions {
  /** Receives every chunk as it arrives (hashing while downloading). */
  onData?: (chunk: Buffer) => void;
  /** Keep the bytes and return them in `data` (default true). */
  buffer?: boolean;
  signal?: AbortSignal;
}

export interface TarballResult {
  /** The URL fetched (credentials removed). */
  url: string;
  bytes: number;
  data?: Buffer;
}

/** The abbreviated ("corgi") packument, or the full one: only the fields vouch reads are typed. */
export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions: Record<string, PackumentVersion>;
  modified?: string;
  time?: Record<string, string>;
  [k: string]: unknown;
}

export interface PackumentVersion {
  name: string;
  version: string;
  deprecated?: string;
  dist: { tarball: string; integrity?: string; shasum?: string; [k: string]: unknown };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [k: string]: unknown;
}

export interface PackumentFetchOptions {
  /** Abbreviated packument (`application/vnd.npm.install-v1+json`); default true. */
  corgi?: boolean;
  maxAgeSeconds?: number;
  offline?: boolean;
}

interface CachedPackument {
  url: string;
  fetchedAt: number;
  etag?: string;
  lastModified?: string;
  body: Packument;
}

/** A FIFO semaphore. */
class Limit {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

export class NpmRegistryClient {
  readonly config: NpmRegistryConfig;
  private readonly opts: RegistryClientOptions;
  private readonly limit: Limit;
  private readonly secrets: string[];
  private readonly base: Record<string, unknown>;

  constructor(opts: RegistryClientOptions) {
    this.opts = opts;
    this.config = opts.config;
    const n = opts.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(n) || n < 1) throw new VouchError('USAGE', `concurrency must be a whole number ≥ 1, not ${n}`);
    this.limit = new Limit(n);
    this.secrets = secretsOf(opts.config);
    const retries = opts.retries ?? opts.config.fetchRetries ?? 2;
    const minTimeout = opts.retryMinTimeoutMs ?? 1000;
    this.base = {
      ...fetchOptionsOf(opts.config),
      timeout: opts.timeoutMs ?? opts.config.fetchTimeoutMs ?? 60_000,
      retry: { retries, factor: 2, minTimeout, maxTimeout: Math.max(minTimeout, 10_000) },
      maxSockets: n,
      userAgent: `vouch (npm-registry-fetch; node ${process.version})`,
    };
  }

  /** Removes every configured credential from a text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** The registry a package name is fetched from (its scope's, else the default). */
  registryFor(name: string): string {
    return registryFor(this.config, name);
  }

  /** The conventional tarball URL on the configured registry: `<registry><name>/-/<basename>-<version>.tgz`. */
  tarballUrl(name: string, version: string): string {
    const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    return `${this.registryFor(name)}${name}/-/${base}-${version}.tgz`;
  }

  /**
   * Downloads a tarball: from `resolvedUrl` when given (the caller decides whether that URL may be
   * used), else from the configured registry's conventional URL. Credentials go only where npm's
   * config sends them. Throws VouchError NETWORK naming the URL (without credentials).
   */
  async fetchTarball(name: string, version: string, resolvedUrl?: string, o: TarballFetchOptions = {}): Promise<TarballResult> {
    const url = resolvedUrl ?? this.tarballUrl(name, version);
    assertOnline(`downloading ${name}@${version}`, this.redact(url));
    return this.limit.run(async () => {
      const signal = this.signalOf(o.signal);
      this.checkAborted(signal, url);
      this.opts.onRequest?.(this.redact(url));
      const chunks: Buffer[] = [];
      let bytes = 0;
      try {
        const res = await regFetch()(url, { ...this.base, spec: name, signal, headers: { accept: '*/*' } } as RegFetch.Options);
        for await (const c of res.body as AsyncIterable<Buffer | string>) {
          const chunk = typeof c === 'string' ? Buffer.from(c) : c;
          bytes += chunk.length;
          o.onData?.(chunk);
          if (o.buffer !== false) chunks.push(chunk);
        }
      } catch (e) {
        throw this.networkError(url, e, signal);
      }
      const result: TarballResult = { url: this.redact(url), bytes };
      if (o.buffer !== false) result.data = Buffer.concat(chunks);
      return result;
    });
  }

  /**
   * The packument of `name` from its registry: abbreviated by default, from the disk cache when
   * fresh, revalidated when stale (see the module comment).
   */
  async fetchPackument(name: string, o: PackumentFetchOptions = {}): Promise<Packument> {
    const corgi = o.corgi ?? true;
    const registry = this.registryFor(name);
    const url = `${registry}${name.replace('/', '%2f')}`;
    const file = this.packumentFile(registry, name, corgi);
    const cached = file ? await readCached(file) : undefined;
    const maxAge = (o.maxAgeSeconds ?? this.opts.maxAgeSeconds ?? DEFAULT_PACKUMENT_MAX_AGE_SECONDS) * 1000;
    const offline = o.offline ?? this.opts.offline ?? isOffline();
    if (cached && cached.url === url && (offline || Date.now() - cached.fetchedAt < maxAge)) return cached.body;
    if (offline) throw new VouchError('NETWORK', `${this.redact(url)}: not in the packument cache and --offline was given`);

    return this.limit.run(async () => {
      const signal = this.signalOf();
      this.checkAborted(signal, url);
      this.opts.onRequest?.(this.redact(url));
      const headers: Record<string, string> = { accept: corgi ? CORGI_ACCEPT : 'application/json' };
      if (cached?.url === url) {
        if (cached.etag) headers['if-none-match'] = cached.etag;
        if (cached.lastModified) headers['if-modified-since'] = cached.lastModified;
      }
      let entry: CachedPackument;
      try {
        const res = await regFetch()(url, { ...this.base, spec: name, signal, headers } as RegFetch.Options);
        if (res.status === 304 && cached) {
          entry = { ...cached, fetchedAt: Date.now() };
        } else {
          const text = await res.text();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            throw new VouchError('NETWORK', `${this.redact(url)}: the registry answered with something that is not JSON`);
          }
          if (!body || typeof body !== 'object' || typeof (body as Packument).versions !== 'object') {
            throw new VouchError('NETWORK', `${this.redact(url)}: the registry answered with JSON that is not a packument (no "versions")`);
          }
          entry = { url, fetchedAt: Date.now(), body: body as Packument };
          const etag = res.headers.get('etag');
          const lm = res.headers.get('last-modified');
          if (etag) entry.etag = etag;
          if (lm) entry.lastModified = lm;
        }
      } catch (e) {
        throw this.networkError(url, e, signal);
      }
      if (file) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, JSON.stringify(entry));
      }
      return entry.body;
    });
  }

  private packumentFile(registry: string, name: string, corgi: boolean): string | undefined {
    if (!this.opts.cacheDir) return undefined;
    const u = new URL(registry);
    const key = `${u.host}${u.pathname}`.replace(/\/+$/, '').replace(/[^A-Za-z0-9.-]/g, '_');
    return path.join(this.opts.cacheDir, 'packuments', key, `${name.replace('/', '%2f')}.${corgi ? 'corgi' : 'full'}.json`);
  }

  private signalOf(extra?: AbortSignal): AbortSignal | undefined {
    const list = [this.opts.signal, extra].filter((s): s is AbortSignal => s !== undefined);
    return list.length === 0 ? undefined : list.length === 1 ? list[0] : AbortSignal.any(list);
  }

  private checkAborted(signal: AbortSignal | undefined, url: string): void {
    if (signal?.aborted) throw new VouchError('NETWORK', `${this.redact(url)}: aborted`, { cause: signal.reason });
  }

  private networkError(url: string, e: unknown, signal: AbortSignal | undefined): VouchError {
    if (e instanceof VouchError) return e;
    const err = e as { statusCode?: number; code?: string; message?: string; name?: string };
    let why: string;
    if (signal?.aborted || err.name === 'AbortError') why = 'aborted';
    else if (typeof err.statusCode === 'number') why = `HTTP ${err.statusCode}`;
    else if (err.code === 'FETCH_ERROR' || err.code === 'ERR_SOCKET_TIMEOUT' || err.name === 'FetchError') why = err.message ?? String(e);
    else why = err.code ? `${err.code}${err.message ? ` (${err.message})` : ''}` : (err.message ?? String(e));
    // the message may repeat the URL; keep one line, without credentials
    why = why.replace(/\s*\n\s*/g, ' ').split(url).join('<url>');
    return new VouchError('NETWORK', this.redact(`${url}: ${why}`), { cause: e });
  }
}

async function readCached(file: string): Promise<CachedPackument | undefined> {
  try {
    const v = JSON.parse((await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES })).toString('utf8')) as CachedPackument;
    if (v && typeof v.url === 'string' && typeof v.fetchedAt === 'number' && v.body && typeof v.body === 'object') return v;
  } catch {
    // missing or unreadable: fetched again
  }
  return undefined;
}

