/**
 * Test helpers for ../shared (real data beside the checkout). Tests that need it use
 * `describe.skipIf(!HAS_SHARED)` and the message below is printed once, so a stranger's clone
 * still passes and says why some suites did not run. CI always has ../shared.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env['VOUCH_SHARED_DIR'] ?? path.resolve(REPO_ROOT, '..', 'shared');
export const HAS_SHARED = existsSync(path.join(SHARED_DIR, 'DESIGN.md'));

if (!HAS_SHARED) {
  console.warn(`[vouch tests] ${SHARED_DIR} is absent: suites on real shared data are skipped (CI always has it).`);
}

export function shared(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}
