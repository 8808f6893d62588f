/**
 * Before any test: tests that spawn bin/vouch run dist/, so dist/ must be built from the src/ being
 * tested. When dist/vouch.mjs is missing or older than any file under src/ (or package.json, or the
 * build script), it is rebuilt here (esbuild, about a second); `npm test` builds first anyway, so
 * this matters for `npx vitest` runs after an edit — a stale dist would test yesterday's CLI.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

export default function setup(): void {
  const built = mtime(path.join(ROOT, 'dist', 'vouch.mjs'));
  const sources = Math.max(newest(path.join(ROOT, 'src')), mtime(path.join(ROOT, 'package.json')), mtime(path.join(ROOT, 'scripts', 'build.mjs')));
  if (built >= sources) return;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`dist/ is ${built < 0 ? 'missing' : 'older than src/'} and \`npm run build\` failed: ${(r.stderr || r.stdout).trim()}`);
  }
  process.stderr.write(`[vouch tests] dist/ was ${built < 0 ? 'missing' : 'older than src/'}: rebuilt it before the tests\n`);
}
