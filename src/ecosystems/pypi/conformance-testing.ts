/**
 * Test support: the peer conformance cases of ../shared/conformance/lockfiles (README §3) and the
 * comparison key the PyPI extractor tests use (PEP 503 name + version).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { fileInput } from '../../io/input.js';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import type { Extractor } from '../types.js';
import {
  conformanceDir,
  lockfileCases,
  shouldExtractVectors,
  type ExpectedPackage as Base,
  type LockfileCase,
} from '../../testing/lockfile-conformance.js';
import { normalizeName } from './common.js';

/** requirements.txt cases list some packages without a version. */
export type ExpectedPackage = Omit<Base, 'version'> & { version?: string };

export interface ConformanceCase extends LockfileCase<ExpectedPackage> {
  /** upstream test name (osv-scanner `test`, osv-scalibr `name`) with its place and fixture */
  title: string;
}

/** osv-scanner's file-name vectors whose upstream test file matches a pattern: `shouldExtract(/poetry/)`. */
export { conformanceDir, shouldExtractVectors as shouldExtract };

export function loadCases(suite: string): ConformanceCase[] {
  return lockfileCases<ExpectedPackage>([suite]).map(({ c, index }) => ({ ...c, title: `${c.test ?? c.name ?? 'case'} #${index} (${c.fixture})` }));
}

export function key(name: string, version: string | undefined): string {
  return `${normalizeName(name)}@${version ?? ''}`;
}

export function expectedKeys(c: ConformanceCase): string[] {
  return (c.expectedPackages ?? []).map((p) => key(p.name, p.version)).sort();
}

export function componentKeys(inv: Inventory): string[] {
  return [...inv.graph.components.values()].map((c) => key(c.name, c.version)).sort();
}

export function componentByKey(inv: Inventory, k: string) {
  return [...inv.graph.components.values()].find((c) => key(c.name, c.version) === k);
}

/**
 * One vitest `it` per case of `suite`: exact-set cases compare PEP 503 name + version; depGroups
 * `dev` / `optional` are checked against the component's scope; error cases must reject with a
 * VouchError (a missing fixture with INPUT_MISSING).
 */
export function runConformance(
  suite: string,
  extractor: Extractor,
  opts: { skip?: (c: ConformanceCase) => boolean } = {},
): void {
  const dir = conformanceDir(suite);
  for (const c of loadCases(suite)) {
    if (opts.skip?.(c)) continue;
    it(c.title, async () => {
      const file = path.join(dir, c.fixture);
      if (!c.fixtureExists) {
        await expect(fileInput(file).then((i) => extractor.extract(i))).rejects.toMatchObject({ code: 'INPUT_MISSING' });
        return;
      }
      const run = extractor.extract(await fileInput(file));
      if (c.expectError) {
        await expect(run).rejects.toBeInstanceOf(VouchError);
        return;
      }
      const inv = await run;
      expect(componentKeys(inv)).toEqual(expectedKeys(c));
      for (const p of c.expectedPackages ?? []) {
        const comp = componentByKey(inv, key(p.name, p.version))!;
        const g = p.depGroups ?? [];
        const want = g.includes('optional') ? 'optional' : g.length && g.every((x) => x === 'dev') ? 'dev' : undefined;
        if (want) expect(comp.scope, `${p.name} scope`).toBe(want);
      }
    });
  }
}
