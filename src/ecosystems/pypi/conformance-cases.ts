/**
 * Test support: the peer conformance cases of ../shared/conformance/lockfiles (README §3) and the
 * comparison key the PyPI extractor tests use (PEP 503 name + version).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { fileInput } from '../../inventory/input.js';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import type { Extractor } from '../types.js';
import { shared } from '../../testing/shared.js';
import { normalizeName } from './common.js';

export interface ExpectedPackage {
  name: string;
  version?: string;
  ecosystem: string;
  depGroups?: string[];
  commit?: string;
}

export interface ConformanceCase {
  /** upstream test name (osv-scanner `test`, osv-scalibr `name`) */
  title: string;
  fixture: string;
  fixtureExists: boolean;
  expectError: unknown;
  match: string;
  expectedPackages?: ExpectedPackage[];
}

export function conformanceDir(suite: string): string {
  return shared('conformance', 'lockfiles', suite);
}

export function loadCases(suite: string): ConformanceCase[] {
  const data = JSON.parse(readFileSync(`${conformanceDir(suite)}/expected.json`, 'utf8')) as {
    cases: (ConformanceCase & { test?: string; name?: string })[];
  };
  return data.cases.map((c, i) => ({ ...c, title: `${c.test ?? c.name ?? 'case'} #${i} (${c.fixture})` }));
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

/** osv-scanner's file-name vectors whose upstream test file matches `source` ([] without ../shared). */
export function shouldExtract(source: RegExp): { path: string; want: boolean }[] {
  const file = shared('conformance', 'lockfiles', 'osv-scanner-v1', 'should-extract.json');
  if (!existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as { cases: { path: string; want: boolean; source: string }[] };
  return data.cases.filter((c) => source.test(c.source));
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
