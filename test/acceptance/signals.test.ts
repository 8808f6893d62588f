/**
 * Signals (docs/reliability.md): SIGINT, SIGTERM and SIGHUP during `vouch fix --apply` restore the
 * project byte for byte and remove the backup; during an image scan they remove the temporary
 * folder. After SIGKILL — which no handler sees — the next run of the same command finds the
 * leftovers and restores or removes them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTar } from '../../src/io/tar.js';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';
import { VOUCH, tempDir, vouch } from './helpers.js';

const FIX = path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', 'fix', '__fixtures__');
const PACKUMENTS = path.join(FIX, 'packuments');

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f), 'latin1')]));
}

/** A fake npm that breaks the lockfile, says it started (marker), then waits to be interrupted. */
function hangingNpm(dir: string, marker: string): string {
  const file = path.join(dir, 'fake-npm.mjs');
  writeFileSync(
    file,
    `#!${process.execPath}
import { writeFileSync } from 'node:fs';
writeFileSync('package-lock.json', '{"half":');
writeFileSync(${JSON.stringify(marker)}, '');
setTimeout(() => {}, 60_000);
`,
  );
  chmodSync(file, 0o755);
  return file;
}

async function until(p: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (p()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function backups(tmp: string): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('vouch-fix-backup-'));
}

describe.skipIf(!HAS_SHARED)('signals during vouch fix --apply', () => {
  let home: string;
  let work: string;
  beforeAll(() => {
    home = tempDir('sig-home');
    work = tempDir('sig-work');
    const r = vouch(['db', 'update', '--source', shared('osv', 'npm', 'all.zip'), '--quiet'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** A project, a private TMPDIR, a fake npm; the apply started and npm running. */
  async function startApply(name: string): Promise<{ dir: string; tmp: string; before: Record<string, string>; child: ChildProcess; stderr: () => string; exited: Promise<number | null>; env: Record<string, string> }> {
    const dir = path.join(work, name);
    cpSync(path.join(FIX, 'npm-parent'), dir, { recursive: true });
    const tmp = path.join(work, `${name}-tmp`);
    mkdirSync(tmp);
    const marker = path.join(work, `${name}-npm-started`);
    const env = { VOUCH_HOME: home, VOUCH_NPM: hangingNpm(path.join(work), marker), TMPDIR: tmp };
    const before = snapshot(dir);
    const child = spawn(process.execPath, [VOUCH, 'fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { env: { ...process.env, ...env } });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until(() => existsSync(marker), 'npm to start');
    expect(backups(tmp), 'a backup exists while the apply runs').toHaveLength(1);
    return { dir, tmp, before, child, stderr: () => err, exited, env };
  }

  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} while npm runs: the project restored byte for byte, the backup removed, exit 2, one line`, async () => {
      const a = await startApply(sig.toLowerCase());
      a.child.kill(sig);
      expect(await a.exited).toBe(2);
      expect(a.stderr()).toMatch(/^vouch: fix not applied, package.json and the lockfile restored: .*interrupted\n$/);
      expect(snapshot(a.dir)).toEqual(a.before);
      expect(backups(a.tmp)).toEqual([]);
    });
  }

  it('SIGKILL while npm runs: the lockfile is left broken, and the next apply restores it first', async () => {
    const a = await startApply('sigkill');
    a.child.kill('SIGKILL');
    await a.exited;
    expect(readFileSync(path.join(a.dir, 'package-lock.json'), 'utf8')).toBe('{"half":');
    expect(backups(a.tmp)).toHaveLength(1);
    // the next run (npm failing at once this time): the project back as it was, the leftover gone
    const failing = path.join(work, 'failing-npm.mjs');
    writeFileSync(failing, `#!${process.execPath}\nprocess.exit(1);\n`);
    chmodSync(failing, 0o755);
    const r = spawnSync(process.execPath, [VOUCH, 'fix', a.dir, '--apply', '--packuments', PACKUMENTS], {
      encoding: 'utf8',
      env: { ...process.env, ...a.env, VOUCH_NPM: failing },
      timeout: 60_000,
    });
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(snapshot(a.dir)).toEqual(a.before);
    expect(backups(a.tmp)).toEqual([]);
  });
});

describe('signals during an image scan', () => {
  let work: string;
  let image: string;
  beforeAll(() => {
    work = tempDir('sig-image');
    // a gzip image whose 192 MiB layer takes a moment to unpack: the signal lands mid-way
    const layer = buildTar([
      { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'var/lib/dpkg/status', data: 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n' },
      { name: 'opt/zeros', data: Buffer.alloc(192 * 1024 * 1024) },
    ]);
    image = path.join(work, 'image.tar.gz');
    writeFileSync(image, gzipSync(buildTar([{ name: 'l0.tar', data: layer }, { name: 'manifest.json', data: JSON.stringify([{ Layers: ['l0.tar'] }]) }]), { level: 1 }));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const temps = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('vouch-image-'));

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig}: the temporary folder is removed`, async () => {
      const tmp = path.join(work, `tmp-${sig}`);
      mkdirSync(tmp);
      const child = spawn(process.execPath, [VOUCH, 'sbom', image, '-q'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      await until(() => temps(tmp).length > 0, 'the temporary folder');
      // held still while the signal is queued, so that it cannot finish first
      child.kill('SIGSTOP');
      child.kill(sig);
      child.kill('SIGCONT');
      const end = await exited;
      expect(end.code, `ended by ${end.signal ?? 'exit'}`).toBe(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
      expect(temps(tmp)).toEqual([]);
    });
  }

  it('after SIGKILL the next image scan removes the dead run’s folder', async () => {
    const tmp = path.join(work, 'tmp-kill');
    mkdirSync(tmp);
    const child = spawn(process.execPath, [VOUCH, 'sbom', image, '-q'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await until(() => temps(tmp).length > 0, 'the temporary folder');
    child.kill('SIGKILL');
    await exited;
    expect(temps(tmp)).toHaveLength(1);
    const small = path.join(work, 'small.tar');
    writeFileSync(small, buildTar([{ name: 'l0.tar', data: buildTar([{ name: 'etc/os-release', data: 'ID=debian\n' }]) }, { name: 'manifest.json', data: JSON.stringify([{ Layers: ['l0.tar'] }]) }]));
    const r = spawnSync(process.execPath, [VOUCH, 'sbom', small, '-q'], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(temps(tmp)).toEqual([]);
  });
});
