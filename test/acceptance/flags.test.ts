/**
 * One flag style across commands: `-f/--format` (with `--json` kept where it was), `-o/--output`
 * (`key generate --out` kept), and `--offline` enforced: nothing is downloaded, one line says why.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, vouch } from './helpers.js';

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
