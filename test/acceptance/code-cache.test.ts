/**
 * bin/vouch runs dist/vouch.cjs with V8's code cache (dist/code-cache/, one file per command, see
 * ARCHITECTURE.md "Start-up"): the first run writes it, later runs use it, and a cache V8 does not
 * accept (garbage here) is only a compile — the output never depends on it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/testing/shared.js';
import { tempDir, VOUCH } from './helpers.js';

const CACHE_DIR = path.join(REPO_ROOT, 'dist', 'code-cache');
// a Node option of its own gives this test cache files no other test run writes or reads
const NODE_OPTION = '--no-deprecation';

function sbom(lockfile: string): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [NODE_OPTION, VOUCH, 'sbom', lockfile, '--format', 'cyclonedx-json', '--deterministic'], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

/** The sbom command's cache files made under NODE_OPTION: their key differs from a plain run's. */
function caches(plain: Set<string>): string[] {
  let names: string[];
  try {
    names = readdirSync(CACHE_DIR);
  } catch {
    names = [];
  }
  return names.filter((n) => n.startsWith('sbom-') && n.endsWith('.bin') && !plain.has(n)).map((n) => path.join(CACHE_DIR, n));
}

describe('code cache', () => {
  it('the first run writes it, later runs read it, a garbage cache is replaced; the output is the same bytes each time', () => {
    const dir = tempDir('code-cache');
    try {
      const lock = path.join(dir, 'package-lock.json');
      copyFileSync(path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', '__fixtures__', 'nested.v3.json'), lock);
      // no sbom cache left; then the plain key's file (other tests' runs use it) is told apart by
      // running once without the option
      for (const f of caches(new Set())) rmSync(f, { force: true });
      spawnSync(process.execPath, [VOUCH, 'sbom', lock, '--format', 'cyclonedx-json', '--deterministic']);
      const plain = new Set(readdirSync(CACHE_DIR).filter((n) => n.startsWith('sbom-')));

      const first = sbom(lock);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).components.length).toBeGreaterThan(0);
      const written = caches(plain);
      expect(written).toHaveLength(1);
      const cacheFile = written[0]!;
      expect(statSync(cacheFile).size).toBeGreaterThan(10_000);

      const before = statSync(cacheFile);
      const second = sbom(lock);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      // accepted, so not written again (a rejected cache is replaced by a rename: a new inode)
      expect(statSync(cacheFile).ino).toBe(before.ino);
      expect(statSync(cacheFile).mtimeMs).toBe(before.mtimeMs);

      writeFileSync(cacheFile, Buffer.alloc(4096, 0x5a));
      const third = sbom(lock);
      expect(third.code).toBe(0);
      expect(third.stdout).toBe(first.stdout);
      // rejected by V8, so written anew from this run
      expect(statSync(cacheFile).ino).not.toBe(before.ino);
      expect(readFileSync(cacheFile).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
      expect(statSync(cacheFile).size).toBeGreaterThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
