/**
 * Test helpers for ../shared (real data beside the checkout). Tests that need it use
 * `describe.skipIf(!HAS_SHARED)` and the message below is printed once, so a stranger's clone
 * still passes and says why some suites did not run. CI always has ../shared.
 */
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * The counts table of ../shared/osv/README.md (advisories and withdrawn per ecosystem) and its
 * stated total of distinct advisories: the corpus's own description, written by those who built
 * it, which tests compare the store against (so a widened corpus updates the expectation with it).
 */
export function osvCorpus(): { advisories: Record<string, number>; withdrawn: Record<string, number>; total: number; spanning: number } {
  const text = readFileSync(shared('osv', 'README.md'), 'utf8');
  const table = text.slice(text.indexOf('## Counts'));
  const advisories: Record<string, number> = {};
  const withdrawn: Record<string, number> = {};
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | Ecosystem | Advisories | all.zip | published | SEMVER | ECOSYSTEM | GIT | versions | withdrawn |
    if (cells.length < 11 || !/^\d+$/.test(cells[2]!)) continue;
    advisories[cells[1]!] = Number(cells[2]);
    withdrawn[cells[1]!] = Number(cells[9]);
  }
  // "Total: N advisories" sums the zips; "Only K advisories span two ecosystems" are in two zips each
  const total = /Total: ([\d,]+) advisories/.exec(text);
  const spanning = /Only (\d+) advisories span two ecosystems/.exec(text);
  if (!total || !spanning || Object.keys(advisories).length === 0) throw new Error(`${shared('osv', 'README.md')}: no counts table, total or spanning count`);
  return { advisories, withdrawn, total: Number(total[1]!.replace(/,/g, '')), spanning: Number(spanning[1]) };
}
