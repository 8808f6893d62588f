/**
 * One flag style across commands: `-f/--format` (with `--json` kept where it was), `-o/--output`
 * (`key generate --out` kept), and `--offline` enforced: nothing is downloaded, one line says why.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, vouch } from './helpers.js';
import { REPO_ROOT } from '../../src/testing/shared.js';

const home = tempDir('flags-home');
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('one flag style', () => {
  it('key generate takes -o/--output, and --out as before', () => {
    const a = vouch(['key', 'generate', '--output', path.join(home, 'a')]);
    expect(a.code, a.stderr).toBe(0);
    const b = vouch(['key', 'generate', '--out', path.join(home, 'b')]);
    expect(b.code, b.stderr).toBe(0);
    expect(['a.key', 'a.pub', 'b.key', 'b.pub'].every((f) => existsSync(path.join(home, f)))).toBe(true);
    const none = vouch(['key', 'generate']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('vouch: key generate needs -o, --output PREFIX (where PREFIX.key and PREFIX.pub go)');
  });

  it('db status and db show take -f json and --json alike', () => {
    const h = tempDir('flags-empty');
    try {
      for (const args of [['-f', 'json'], ['--json'], ['--format', 'json']]) {
        const r = vouch(['db', '--home', h, 'status', ...args]);
        // no store yet: the same one line whatever the spelling
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/no advisory store yet/);
      }
      const bad = vouch(['db', '--home', h, 'status', '-f', 'xml']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/option '-f, --format <format>' argument 'xml' is invalid/);
    } finally {
      rmSync(h, { recursive: true, force: true });
    }
  });
});

describe('--offline is enforced', () => {
  it('db update refuses a URL source before any connection, and leaves no store behind', () => {
    // a port nothing listens on: were a connection attempted, the error would be a connection error
    const r = vouch(['db', '--home', home, 'update', '--offline', '--source', 'http://127.0.0.1:9/osv/']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vouch: --offline: downloading needs the network \(http:\/\/127\.0\.0\.1:9\/osv\/ecosystems\.txt\); nothing was downloaded/);
    expect(existsSync(path.join(home, 'osv.sqlite'))).toBe(false);
  });

  it('verify-lockfile downloads nothing: each tarball is reported as not fetched, with the reason', () => {
    const dir = tempDir('flags-lock');
    try {
      const lock = {
        name: 'x',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'x' }, 'node_modules/left-pad': { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEaz8vZi1ZAPtbL8K6F6/OS5ZSJTOkVE1x5J/3tcrDXWKKg==' } },
      };
      writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
      const r = vouch(['verify-lockfile', dir, '--offline', '-f', 'json', '--home', home]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/--offline: downloading left-pad@1\.3\.0 needs the network/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the table by default, everywhere', () => {
  // a store from the npm advisories kept as fixtures beside the npm fixer: no ../shared needed
  const osv = path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', 'fix', '__fixtures__', 'osv');
  const project = path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', 'fix', '__fixtures__', 'npm-parent');
  const storeHome = tempDir('flags-store');
  afterAll(() => rmSync(storeHome, { recursive: true, force: true }));

  it('scan | cat prints the table; -o picks the format from the file name; -f wins', () => {
    expect(vouch(['db', '--home', storeHome, 'update', '--source', osv, '-q']).code).toBe(0);
    const env = { VOUCH_HOME: storeHome, FORCE_COLOR: '0' };
    const piped = vouch(['scan', path.join(project, 'package-lock.json'), '-q'], env);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toMatch(/^PACKAGE +VERSION +ADVISORY +SEVERITY/);
    const out = tempDir('flags-out');
    try {
      const expectations: [string, (text: string) => void][] = [
        ['r.json', (t) => expect(JSON.parse(t).schemaVersion).toBe('1.4')],
        ['r.sarif', (t) => expect(JSON.parse(t).version).toBe('2.1.0')],
        ['r.cdx.json', (t) => expect(JSON.parse(t).bomFormat).toBe('CycloneDX')],
        ['r.html', (t) => expect(t).toMatch(/^<!doctype html>/i)],
        ['r.md', (t) => expect(t).toMatch(/vouch scan/)],
        ['r.txt', (t) => expect(t).toMatch(/^PACKAGE /)],
      ];
      for (const [name, check] of expectations) {
        const file = path.join(out, name);
        const r = vouch(['scan', path.join(project, 'package-lock.json'), '-q', '-o', file], env);
        expect(r.code, `${name}: ${r.stderr}`).toBe(1);
        check(readFileSync(file, 'utf8'));
      }
      const forced = path.join(out, 'forced.json');
      expect(vouch(['scan', path.join(project, 'package-lock.json'), '-q', '-f', 'table', '-o', forced], env).code).toBe(1);
      expect(readFileSync(forced, 'utf8')).toMatch(/^PACKAGE /);
      const spdx = vouch(['scan', path.join(project, 'package-lock.json'), '-q', '-o', path.join(out, 'x.spdx.json')], env);
      expect(spdx.code).toBe(2);
      expect(spdx.stderr).toMatch(/a scan writes reports, not SPDX documents/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('sbom diff prints its table when piped', () => {
    const diff = vouch(['sbom', 'diff', path.join(project, 'package-lock.json'), path.join(project, 'package-lock.json'), '-q']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/^0 added, 0 removed, 0 changed/);
  });
});

describe('a manifest without a lockfile is named, with the command that writes one', () => {
  it('scan of a folder holding only package.json: exit 2, and the note says how to lock it', () => {
    const dir = tempDir('flags-unlocked');
    const h = tempDir('flags-unlocked-home');
    try {
      writeFileSync(path.join(dir, 'package.json'), '{"dependencies":{"left-pad":"^1.3.0"}}');
      expect(vouch(['db', '--home', h, 'update', '--source', path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', 'fix', '__fixtures__', 'osv'), '-q']).code).toBe(0);
      const r = vouch(['scan', dir], { VOUCH_HOME: h });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`vouch: no lockfile or SBOM found in ${dir}, but 1 manifest without one: ${path.join(dir, 'package.json')} (write package-lock.json with \`npm install --package-lock-only --ignore-scripts\`)`);
      expect(r.stdout).toContain(`1 manifest without a lockfile beside it (not read: nothing pins their versions):\n  ${path.join(dir, 'package.json')}: write package-lock.json with \`npm install --package-lock-only --ignore-scripts\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(h, { recursive: true, force: true });
    }
  });
});
