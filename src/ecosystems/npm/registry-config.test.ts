import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NPM_DEFAULT_REGISTRY, fetchOptionsOf, loadNpmConfig, nerfDart, parseNpmrc, redact, registryFor, secretsOf } from './registry-config.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vouch-npmrc-'));
  writeFileSync(path.join(dir, 'user.npmrc'), '');
  writeFileSync(path.join(dir, 'global.npmrc'), '');
  env = { HOME: dir, PATH: process.env['PATH'], npm_config_userconfig: path.join(dir, 'user.npmrc'), npm_config_globalconfig: path.join(dir, 'global.npmrc') };
  mkdirSync(path.join(dir, 'project', 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'project', 'package.json'), '{}');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseNpmrc', () => {
  it('reads keys, comments, quotes and ${VAR} substitution as npm does', () => {
    const text = [
      '; a comment',
      '# another',
      'registry = https://r.example/npm/',
      '@acme:registry="https://acme.example/"',
      '//acme.example/:_authToken=${TOKEN}',
      'optional=${MISSING?}',
      'kept=${MISSING}',
      'escaped=\\${TOKEN}',
      'ca[]=one',
    ].join('\n');
    expect(parseNpmrc(text, { TOKEN: 'tok' })).toEqual({
      registry: 'https://r.example/npm/',
      '@acme:registry': 'https://acme.example/',
      '//acme.example/:_authToken': 'tok',
      optional: '',
      kept: '${MISSING}',
      escaped: '${TOKEN}',
      ca: 'one',
    });
  });
});

describe('loadNpmConfig (file parsing, npm not asked)', () => {
  it('is npm\'s documented default with no configuration', async () => {
    const c = await loadNpmConfig({ cwd: path.join(dir, 'project'), env, npmCli: false });
    expect(c.registry).toBe(NPM_DEFAULT_REGISTRY);
    expect(c.auth).toEqual({});
    expect(c.strictSSL).toBe(true);
  });

  it('project .npmrc (found from a subfolder) beats user, user beats global, env beats files, --registry beats all', async () => {
    writeFileSync(path.join(dir, 'global.npmrc'), 'registry=https://global.example/\nstrict-ssl=false\n');
    writeFileSync(path.join(dir, 'user.npmrc'), 'registry=https://user.example/\n//user.example/:_authToken=u-token\n');
    writeFileSync(path.join(dir, 'project', '.npmrc'), 'registry=https://project.example/\n@acme:registry=https://acme.example/scoped\n');
    const cwd = path.join(dir, 'project', 'sub');
    let c = await loadNpmConfig({ cwd, env, npmCli: false });
    expect(c.registry).toBe('https://project.example/');
    expect(c.scopes).toEqual({ '@acme': 'https://acme.example/scoped/' });
    expect(c.auth).toEqual({ '//user.example/:_authToken': 'u-token' });
    expect(c.strictSSL).toBe(false);
    c = await loadNpmConfig({ cwd, env: { ...env, npm_config_registry: 'https://env.example/' }, npmCli: false });
    expect(c.registry).toBe('https://env.example/');
    c = await loadNpmConfig({ cwd, env, npmCli: false, registry: 'http://127.0.0.1:9/x' });
    expect(c.registry).toBe('http://127.0.0.1:9/x/');
    expect(registryFor(c, '@acme/widget')).toBe('https://acme.example/scoped/');
    expect(registryFor(c, '@other/widget')).toBe('http://127.0.0.1:9/x/');
    expect(registryFor(c, 'left-pad')).toBe('http://127.0.0.1:9/x/');
  });

  it('proxy, https-proxy, noproxy and a legacy top-level _authToken', async () => {
    writeFileSync(
      path.join(dir, 'project', '.npmrc'),
      'registry=https://r.example/\nproxy=http://p.example:3128\nhttps-proxy=http://sp.example:3128\nnoproxy=localhost,.internal\n_authToken=legacy\n',
    );
    const c = await loadNpmConfig({ cwd: path.join(dir, 'project'), env, npmCli: false });
    expect([c.proxy, c.httpsProxy, c.noProxy]).toEqual(['http://p.example:3128', 'http://sp.example:3128', 'localhost,.internal']);
    expect(c.auth).toEqual({ '//r.example/:_authToken': 'legacy' });
    expect(fetchOptionsOf(c)).toMatchObject({ registry: 'https://r.example/', proxy: 'http://p.example:3128', httpsProxy: 'http://sp.example:3128', noProxy: 'localhost,.internal', '//r.example/:_authToken': 'legacy' });
  });

  it('a bad --registry is a usage error without the credentials in it', async () => {
    await expect(loadNpmConfig({ cwd: dir, env, npmCli: false, registry: 'ftp://user:pw@x.example/' })).rejects.toThrow(/^--registry: not an http\(s\) URL: ftp:\/\/x\.example\/$/);
  });
});

describe('loadNpmConfig through `npm config list`', () => {
  it('takes registry and scopes from npm, credentials from the files npm names', async () => {
    writeFileSync(path.join(dir, 'project', '.npmrc'), 'registry=http://127.0.0.1:4873/\n@acme:registry=http://127.0.0.1:4874/\n//127.0.0.1:4874/:_authToken=${ACME}\n');
    const c = await loadNpmConfig({ cwd: path.join(dir, 'project'), env: { ...env, ACME: 'from-env' } });
    expect(c.source).toBe('npm'); // npm is on PATH on every machine that runs these tests
    expect(c.registry).toBe('http://127.0.0.1:4873/');
    expect(c.scopes).toEqual({ '@acme': 'http://127.0.0.1:4874/' });
    expect(c.auth).toEqual({ '//127.0.0.1:4874/:_authToken': 'from-env' });
  });
});

describe('redaction', () => {
  it('nerf darts', () => {
    expect(nerfDart('https://r.example/npm/')).toBe('//r.example/npm/');
    expect(nerfDart('http://127.0.0.1:4873/a/b.tgz')).toBe('//127.0.0.1:4873/a/');
  });

  it('hides tokens, base64 _auth and its decoded password, URL credentials and Authorization values', () => {
    const auth = Buffer.from('alice:hunter22').toString('base64');
    const secrets = secretsOf({
      registry: 'https://r.example/',
      scopes: {},
      auth: { '//r.example/:_authToken': 'tok-123456', '//b.example/:_auth': auth },
      strictSSL: true,
      source: 'npmrc',
      files: [],
    });
    const text = `tok-123456 ${auth} alice:hunter22 https://bob:pw@x.example/a Bearer abc.def Basic Zm9vOmJhcg==`;
    const out = redact(text, secrets);
    expect(out).toBe('*** *** *** https://x.example/a Bearer *** Basic ***');
  });
});
