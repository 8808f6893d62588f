/**
 * Special files anywhere vouch reads (docs/reliability.md): a FIFO, a device or a socket is refused
 * with one line and never opened for reading — so nothing hangs —, every read is bounded, and a
 * file read beside a lockfile is resolved inside the tree it belongs to, never onto the host.
 * Every run has a timeout: a regression fails here instead of hanging the suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOUCH, type Run, tempDir } from './helpers.js';

/** The CLI with a timeout: a hang is a failure (code null), never a stuck suite. */
function run(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [VOUCH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(r: Run, ...mustContain: string[]): void {
  expect(r.code, `exit code (null = killed by the timeout) — ${r.stderr}`).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  for (const s of mustContain) expect(lines[0]).toContain(s);
}

const SECRET = 'vouch-host-secret-7f3a';
const COMPOSER_LOCK = JSON.stringify({ 'content-hash': 'x', packages: [{ name: 'monolog/monolog', version: '1.0.0' }], 'packages-dev': [] });
const YARN_LOCK = '# yarn lockfile v1\n\n"left-pad@^1.0.0":\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz"\n';
const GO_MOD = 'module example.com/app\n\ngo 1.16\n\nrequire github.com/pkg/errors v0.9.1\n';
const DPKG = (name: string): string => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n`;

describe('special files and links out of the tree', () => {
  let work: string;
  let host: string;
  const file = (rel: string, content: string): string => {
    const f = path.join(work, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content);
    return f;
  };
  const fifo = (rel: string): string => {
    const f = path.join(work, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    execFileSync('mkfifo', [f]);
    return f;
  };
  const link = (rel: string, target: string): string => {
    const f = path.join(work, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    symlinkSync(target, f);
    return f;
  };

  beforeAll(() => {
    work = tempDir('special');
    host = tempDir('special-host');
    // "host" files a hostile tree points at: nothing of them may reach the output
    writeFileSync(path.join(host, 'composer.json'), JSON.stringify({ require: { [`${SECRET}/pkg`]: '1.0' } }));
    writeFileSync(path.join(host, 'secret.txt'), `${SECRET}==1.0.0\n`);
    writeFileSync(path.join(host, 'status'), DPKG(SECRET));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(host, { recursive: true, force: true });
  });

  describe('a file named on the command line', () => {
    it('a FIFO: refused with one line, not opened for reading', () => {
      const f = fifo('named-fifo/package-lock.json');
      oneLine(run(['sbom', f]), f, 'not a regular file');
    });

    it('/dev/zero through a symlink: refused with one line', () => {
      const f = link('named-zero/package-lock.json', '/dev/zero');
      oneLine(run(['sbom', f]), f, 'not a regular file (a character device)');
    });

    it('a policy file that is a FIFO', () => {
      const p = fifo('policy/vouch-policy.yaml');
      const lock = file('policy/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'a' } } }));
      oneLine(run(['scan', '--policy', p, lock], { VOUCH_HOME: path.join(work, 'no-home') }), p, 'not a regular file (a FIFO)');
    });

    it('a VEX file that is /dev/zero by symlink', () => {
      const v = link('vex/zero.openvex.json', '/dev/zero');
      oneLine(run(['vex', 'show', v]), v, 'must be a file');
    });

    it('a key and a bundle that are FIFOs', () => {
      const key = fifo('keys/cosign.pub');
      const bundle = fifo('keys/x.sigstore.json');
      const subject = file('keys/subject.txt', 'x');
      oneLine(run(['verify', '--bundle', bundle, '--key', file('keys/real.pub', 'x'), subject]), bundle, 'not a regular file (a FIFO)');
      oneLine(run(['sign', subject, '--key', key, '-o', path.join(work, 'keys', 'out.json')]), key, 'not a regular file (a FIFO)');
    });
  });

  describe('a walked folder', () => {
    it('a lockfile that is a FIFO is a failed input (exit 2), a symlinked one a note — neither read, neither silent', () => {
      const dir = path.join(work, 'walk-special');
      fifo('walk-special/a/package-lock.json');
      link('walk-special/b/package-lock.json', path.join(host, 'secret.txt'));
      file('walk-special/c/requirements.txt', 'flask==2.0.0\n');
      const r = run(['sbom', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('not a regular file (a FIFO)');
      expect(r.stdout).toContain('flask');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      rmSync(path.join(dir, 'a'), { recursive: true });
      const again = run(['sbom', dir, '-f', 'cyclonedx-json']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).not.toContain(SECRET);
    });
  });

  describe('files read beside a lockfile in a walked folder', () => {
    it('composer.json a FIFO: the lockfile fails with that line, nothing hangs', () => {
      const dir = path.join(work, 'walk-fifo');
      file('walk-fifo/composer.lock', COMPOSER_LOCK);
      fifo('walk-fifo/composer.json');
      const r = run(['sbom', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('composer.json: not a regular file (a FIFO)');
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    });

    it('composer.json a symlink out of the folder: not read, the lockfile fails, the host file never shows', () => {
      const dir = path.join(work, 'walk-out');
      file('walk-out/composer.lock', COMPOSER_LOCK);
      link('walk-out/composer.json', path.join(host, 'composer.json'));
      const r = run(['sbom', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('leads outside');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    });

    it('a requirements `-r ../` include out of the folder; an include linked to /dev/zero', () => {
      const dir = path.join(work, 'walk-req');
      file('walk-req/requirements.txt', `-r ${path.relative(dir, path.join(host, 'secret.txt'))}\nflask==2.0.0\n`);
      let r = run(['sbom', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('leads outside');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      // named (no folder to stay inside): the link is followed, and the device refused
      const named = file('named-req/requirements.txt', '-r zero.txt\nflask==2.0.0\n');
      link('named-req/zero.txt', '/dev/zero');
      oneLine(run(['sbom', named]), 'zero.txt', 'not a regular file (a character device)');
      // walked: the same link leads out of the folder
      r = run(['sbom', path.dirname(named)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('zero.txt: leads outside');
    });

    it('package.json beside a yarn.lock is /dev/zero by symlink', () => {
      const dir = path.join(work, 'walk-yarn');
      file('walk-yarn/yarn.lock', YARN_LOCK);
      link('walk-yarn/package.json', '/dev/zero');
      const r = run(['sbom', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/package\.json: (leads outside|not a regular file)/);
    });

    it('go.sum beside a named go.mod is /dev/zero by symlink; a pom parent is a FIFO', () => {
      const mod = file('named-go/go.mod', GO_MOD);
      link('named-go/go.sum', '/dev/zero');
      oneLine(run(['sbom', mod]), 'go.sum', 'not a regular file (a character device)');
      const pom = file(
        'named-pom/child/pom.xml',
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent><artifactId>c</artifactId></project>',
      );
      fifo('named-pom/pom.xml');
      oneLine(run(['sbom', pom]), 'pom.xml', 'not a regular file (a FIFO)');
    });
  });

  describe('a root filesystem', () => {
    it('composer.json linked to a host path resolves inside the root, not onto the host', () => {
      const root = path.join(work, 'rootfs-link');
      file('rootfs-link/app/composer.lock', COMPOSER_LOCK);
      link('rootfs-link/app/composer.json', path.join(host, 'composer.json'));
      const r = run(['sbom', '--rootfs', root, '--allow-partial']);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(r.stdout).toContain('monolog');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    });

    it('symlink loops (a → b → a, x → ., up → /) and an os-release that is a FIFO: the walk ends, the packages are read', () => {
      const root = path.join(work, 'rootfs-loops');
      file('rootfs-loops/var/lib/dpkg/status', DPKG('looped-pkg'));
      link('rootfs-loops/srv/a', 'b');
      link('rootfs-loops/srv/b', 'a');
      link('rootfs-loops/srv/x', '.');
      link('rootfs-loops/srv/up', '/');
      link('rootfs-loops/srv/deep/package-lock.json', '../../srv/deep/package-lock.json');
      fifo('rootfs-loops/etc/os-release');
      const r = run(['sbom', '--rootfs', root]);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(r.stdout).toContain('looped-pkg');
      // the self-referencing lockfile link is a loop: a failed input, so exit 2
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('loop');
    });

    it('a dpkg status that is a FIFO: a failed input, exit 2, no hang', () => {
      const root = path.join(work, 'rootfs-fifo');
      fifo('rootfs-fifo/var/lib/dpkg/status');
      const r = run(['sbom', '--rootfs', root]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('not a regular file (a FIFO)');
    });

    it('a dpkg status linked to /dev/zero or to a host file: read inside the root (there is none), never the host', () => {
      for (const target of ['/dev/zero', path.join(host, 'status'), `../../../../../../../..${path.join(host, 'status')}`]) {
        const root = tempDir('rootfs-dpkg');
        try {
          mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
          symlinkSync(target, path.join(root, 'var/lib/dpkg/status'));
          const r = run(['sbom', '--rootfs', root]);
          expect(r.code, `${target}: ${r.stderr}`).not.toBeNull();
          expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
          expect(r.stdout + r.stderr).not.toContain(SECRET);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }
    });

    it('a dpkg status linked inside the root is read; a loop of links is a failed input', () => {
      const root = path.join(work, 'rootfs-inside');
      file('rootfs-inside/srv/status', DPKG('inside-pkg'));
      link('rootfs-inside/var/lib/dpkg/status', '/srv/status');
      file('rootfs-inside/etc/os-release', 'ID=debian\nVERSION_ID="12"\n');
      const r = run(['sbom', '--rootfs', root]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('inside-pkg');
      const loop = path.join(work, 'rootfs-loop');
      link('rootfs-loop/var/lib/dpkg/status', '/var/lib/dpkg/status');
      const l = run(['sbom', '--rootfs', loop]);
      expect(l.code, l.stderr).toBe(2);
      expect(l.stderr).toContain('loop');
    });
  });
});
