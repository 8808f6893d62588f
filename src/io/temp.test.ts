import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared.js';
import { removeStaleTempDirs } from './temp.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vouch-temp-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('removeStaleTempDirs', () => {
  it('removes the folders of processes that are gone, keeps live ones and other names', () => {
    const dead = spawnSync('true').pid;
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      for (const n of [`vouch-x-${dead}-aaa`, `vouch-x-${sleeper.pid}-bbb`, `vouch-x-${process.pid}-ccc`, 'vouch-x-notapid', `vouch-y-${dead}-ddd`]) mkdirSync(path.join(dir, n));
      expect(removeStaleTempDirs('vouch-x-', dir)).toEqual([path.join(dir, `vouch-x-${dead}-aaa`)]);
      for (const n of [`vouch-x-${sleeper.pid}-bbb`, `vouch-x-${process.pid}-ccc`, 'vouch-x-notapid', `vouch-y-${dead}-ddd`]) expect(existsSync(path.join(dir, n))).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('on SIGINT, SIGTERM and SIGHUP', () => {
  // the module as a child process runs it: bundled on its own
  const bundle = path.join(dir, 'temp.mjs');
  beforeAll(() => {
    buildSync({ entryPoints: [path.join(REPO_ROOT, 'src', 'io', 'temp.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  });

  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    it(`${sig}: temporary folders and registered files are removed, the exit code is 128 + ${n}`, async () => {
      const file = path.join(dir, `${sig}.tmp`);
      writeFileSync(file, 'x');
      const script = `
        import { writeFileSync, rmSync } from 'node:fs';
        const { makeTempDir, cleanupOnSignal } = await import(${JSON.stringify(bundle)});
        const t = await makeTempDir('vouch-sig-', ${JSON.stringify(dir)});
        writeFileSync(t.dir + '/f', 'x');
        cleanupOnSignal(() => rmSync(${JSON.stringify(file)}, { force: true }));
        process.stdout.write(t.dir + '\\n');
        setTimeout(() => {}, 30000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const made = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      expect(existsSync(made)).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.kill(sig);
      expect(await exited).toBe(128 + n);
      expect(existsSync(made)).toBe(false);
      expect(existsSync(file)).toBe(false);
    });
  }
});
