/**
 * npm's own registry configuration, read the way npm reads it, for the registry client.
 *
 * 1. `npm config list --json`, run in the project folder: npm merges its defaults, the global
 *    `npmrc`, the user `~/.npmrc` (or `$npm_config_userconfig`), the project `.npmrc` and the
 *    `npm_config_*` environment. That gives `registry`, `@scope:registry`, `proxy`, `https-proxy`,
 *    `noproxy`, `cafile`, `ca`, `strict-ssl`, `fetch-*`.
 * 2. npm never prints credentials (`//host/:_authToken`, `:_auth`, `:username`, `:_password`,
 *    `:certfile`, `:keyfile` are "protected"), so those are read from the same files ourselves:
 *    global, user, project, then `npm_config_//host/:_authToken` style environment entries, later
 *    ones winning, with npm's `${VAR}` substitution.
 * 3. When npm is not on PATH (or fails), everything comes from step 2's file parsing.
 *
 * The one host written here is npm's documented default registry, used only when nothing is
 * configured. `--registry URL` (the `registry` override) beats every file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VouchError } from '../../model/errors.js';
import { readRegularFileSync } from '../../io/input.js';

/** npm's documented default (https://docs.npmjs.com/cli/using-npm/config#registry). */
export const NPM_DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export interface NpmRegistryConfig {
  /** The default registry, always ending in `/`. */
  registry: string;
  /** `@scope` → registry URL (ending in `/`). */
  scopes: Record<string, string>;
  /** Credential settings keyed as npm keys them: `//host/path/:_authToken` etc. Never print these. */
  auth: Record<string, string>;
  proxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  /** PEM certificates from `ca` / `cafile`, when set. */
  ca?: string[];
  strictSSL: boolean;
  /** npm's fetch-retries / fetch-timeout, used as defaults by the client. */
  fetchRetries?: number;
  fetchTimeoutMs?: number;
  /** Where the values came from: `npm` (npm config list) or `npmrc` (our own parse of the files). */
  source: 'npm' | 'npmrc';
  /** The files read for credentials, in precedence order (lowest first); for --verbose. */
  files: string[];
}

export interface LoadConfigOptions {
  /** The project folder (where the lockfile is). */
  cwd: string;
  /** Environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** `--registry URL`: replaces the default registry. */
  registry?: string;
  /** Skip `npm config list` and parse the files only (tests; also used when npm is missing). */
  npmCli?: boolean;
}

const AUTH_SUFFIXES = [':_authToken', ':_auth', ':username', ':_password', ':certfile', ':keyfile'];

/** Loads the effective npm configuration for `cwd`. Throws VouchError USAGE on a bad --registry. */
export async function loadNpmConfig(opts: LoadConfigOptions): Promise<NpmRegistryConfig> {
  const env = opts.env ?? process.env;
  let flat: Record<string, unknown> | undefined;
  let source: NpmRegistryConfig['source'] = 'npmrc';
  if (opts.npmCli !== false) {
    flat = await npmConfigList(opts.cwd, env);
    if (flat) source = 'npm';
  }
  const files = configFiles(opts.cwd, env, flat);
  const fromFiles: Record<string, string> = {};
  for (const f of files) Object.assign(fromFiles, parseNpmrc(readIfExists(f), env));
  Object.assign(fromFiles, envConfig(env));
  const merged: Record<string, unknown> = flat ? { ...fromFiles, ...flat } : fromFiles;

  const registryRaw = opts.registry ?? str(merged['registry']) ?? NPM_DEFAULT_REGISTRY;
  const registry = normalizeRegistry(registryRaw, opts.registry ? '--registry' : 'registry');
  const scopes: Record<string, string> = {};
  const auth: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged)) {
    if (/^@[^:]+:registry$/.test(k) && typeof v === 'string' && v) scopes[k.slice(0, k.indexOf(':'))] = normalizeRegistry(v, k);
  }
  for (const [k, v] of Object.entries(fromFiles)) {
    if (k.startsWith('//') && AUTH_SUFFIXES.some((s) => k.endsWith(s)) && v) auth[k] = v;
  }
  // a top-level `_auth` / `_authToken` (legacy) applies to the default registry, as npm does
  for (const legacy of ['_authToken', '_auth']) {
    const v = fromFiles[legacy];
    if (v) auth[`${nerfDart(registry)}:${legacy}`] ??= v;
  }

  const config: NpmRegistryConfig = {
    registry,
    scopes,
    auth,
    strictSSL: bool(merged['strict-ssl']) ?? true,
    source,
    files,
  };
  const proxy = str(merged['proxy']);
  const httpsProxy = str(merged['https-proxy']);
  const noProxy = list(merged['noproxy']) ?? str(env['NO_PROXY'] ?? env['no_proxy']);
  if (proxy) config.proxy = proxy;
  if (httpsProxy) config.httpsProxy = httpsProxy;
  if (noProxy) config.noProxy = noProxy;
  const ca = caOf(merged);
  if (ca) config.ca = ca;
  const retries = num(merged['fetch-retries']);
  const timeout = num(merged['fetch-timeout']);
  if (retries !== undefined) config.fetchRetries = retries;
  if (timeout !== undefined) config.fetchTimeoutMs = timeout;
  return config;
}

/** The registry for a package name: its scope's registry, else the default. */
export function registryFor(config: NpmRegistryConfig, name: string): string {
  if (name.startsWith('@')) {
    const scope = name.slice(0, name.indexOf('/'));
    const reg = config.scopes[scope];
    if (reg) return reg;
  }
  return config.registry;
}

/** All configured registries (default first). */
export function configuredRegistries(config: NpmRegistryConfig): string[] {
  return [...new Set([config.registry, ...Object.values(config.scopes)])];
}

/** npm's "nerf dart" of a URL: `//host[:port]/path/` (the key prefix of credentials). */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const p = u.pathname.endsWith('/') ? u.pathname : u.pathname.replace(/[^/]*$/, '');
  return `//${u.host}${p}`;
}

/** The options npm-registry-fetch takes, from a config (it applies auth per URL itself). */
export function fetchOptionsOf(config: NpmRegistryConfig): Record<string, unknown> {
  const o: Record<string, unknown> = {
    registry: config.registry,
    strictSSL: config.strictSSL,
    ...config.auth,
  };
  for (const [scope, reg] of Object.entries(config.scopes)) o[`${scope}:registry`] = reg;
  if (config.proxy) o['proxy'] = config.proxy;
  if (config.httpsProxy) o['httpsProxy'] = config.httpsProxy;
  if (config.noProxy) o['noProxy'] = config.noProxy;
  if (config.ca) o['ca'] = config.ca;
  return o;
}

/** Every secret value of a config, for redaction. */
export function secretsOf(config: NpmRegistryConfig): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config.auth)) {
    if (k.endsWith(':certfile') || k.endsWith(':keyfile') || k.endsWith(':username')) continue;
    out.push(v);
    // `_auth` and `_password` are base64; the decoded form would leak just as well
    if (k.endsWith(':_auth') || k.endsWith(':_password')) {
      const decoded = Buffer.from(v, 'base64').toString('utf8');
      if (decoded) out.push(decoded, ...decoded.split(':').slice(1));
    }
  }
  return out.filter((s) => s.length >= 4);
}

/** Removes credentials from text: known secrets → `***`, `user:pass@` in URLs → dropped, Bearer/Basic values → `***`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out.replace(/\/\/[^/@\s]+@/g, '//').replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***');
}

// ---------------------------------------------------------------------------------------------

function normalizeRegistry(raw: string, where: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new VouchError('USAGE', `${where}: not a URL: ${redact(raw)}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new VouchError('USAGE', `${where}: not an http(s) URL: ${redact(raw)}`);
  const s = u.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

function npmConfigList(cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['config', 'list', '--json'],
      { cwd, env: env as NodeJS.ProcessEnv, timeout: 30_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (err, stdout) => {
        if (err) return resolve(undefined);
        try {
          const v = JSON.parse(stdout) as unknown;
          resolve(v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
        } catch {
          resolve(undefined);
        }
      },
    );
  });
}

/** Global, user and project npmrc paths, lowest precedence first. */
function configFiles(cwd: string, env: NodeJS.ProcessEnv, flat: Record<string, unknown> | undefined): string[] {
  const e = (k: string): string | undefined => env[`npm_config_${k}`] ?? env[`NPM_CONFIG_${k.toUpperCase()}`];
  const prefix = e('prefix') ?? (process.platform === 'win32' ? path.dirname(process.execPath) : path.resolve(process.execPath, '..', '..'));
  const globalconfig = str(flat?.['globalconfig']) ?? e('globalconfig') ?? path.join(prefix, 'etc', 'npmrc');
  const userconfig = str(flat?.['userconfig']) ?? e('userconfig') ?? path.join(env['HOME'] ?? os.homedir(), '.npmrc');
  const project = path.join(localPrefix(cwd), '.npmrc');
  return [...new Set([globalconfig, userconfig, project])];
}

/** npm's local prefix: the nearest folder with a package.json or node_modules, else cwd. */
function localPrefix(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, 'node_modules'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(cwd);
    dir = up;
  }
}

function readIfExists(file: string): string {
  try {
    return readRegularFileSync(file).toString('utf8');
  } catch {
    return '';
  }
}

/** An `.npmrc` (ini: `key = value`, `;`/`#` comments, quoted values, `${VAR}` substitution). */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = substitute(line.slice(0, eq).trim(), env);
    let value = line.slice(eq + 1).trim();
    if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
    out[key.replace(/\[\]$/, '')] = substitute(value, env);
  }
  return out;
}

function substitute(s: string, env: NodeJS.ProcessEnv): string {
  return s.replace(/(\\*)\$\{([^}?]+)(\?)?\}/g, (whole, esc: string, name: string, opt: string | undefined) => {
    if (esc.length % 2 === 1) return whole.slice(1);
    const v = env[name];
    return v !== undefined ? `${esc}${v}` : opt ? esc : whole;
  });
}

/** `npm_config_*` environment entries, keyed as npm keys them (`npm_config_https_proxy` → `https-proxy`). */
function envConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !/^npm_config_/i.test(k)) continue;
    let key = k.slice('npm_config_'.length);
    if (!key.startsWith('//')) key = key.toLowerCase().replace(/(?!^)_/g, '-');
    out[key] = v;
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function list(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    const s = v.filter((x) => typeof x === 'string' && x).join(',');
    return s || undefined;
  }
  return str(v);
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function caOf(merged: Record<string, unknown>): string[] | undefined {
  const ca = merged['ca'];
  if (Array.isArray(ca)) {
    const l = ca.filter((x): x is string => typeof x === 'string' && x.length > 0);
    if (l.length) return l;
  } else if (typeof ca === 'string' && ca) {
    return [ca.replace(/\\n/g, '\n')];
  }
  const cafile = str(merged['cafile']);
  if (!cafile) return undefined;
  const text = readIfExists(cafile);
  if (!text) throw new VouchError('USAGE', `cafile: cannot read ${cafile}`, { path: cafile });
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return certs ?? undefined;
}
