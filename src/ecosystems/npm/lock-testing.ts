/** Test helpers shared by the yarn, pnpm and bun lockfile tests (conformance cases, graph checks). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Component } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { npmPurl } from './package-lock.js';

export interface ExpectedPackage {
  name: string;
  version: string;
  ecosystem?: string;
  depGroups?: string[];
  commit?: string;
}

export interface ConformanceCase {
  test?: string;
  name?: string;
  goTestFile?: string;
  fixture: string;
  fixtureExists: boolean;
  expectError: null | { is?: string; contains?: string; any?: unknown };
  match?: string;
  expectedPackages?: ExpectedPackage[];
}

export function conformanceCases(dirs: readonly string[]): { dir: string; label: string; file: string; c: ConformanceCase }[] {
  if (!HAS_SHARED) return [];
  return dirs.flatMap((d) => {
    const dir = shared('conformance', 'lockfiles', d);
    const doc = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { cases: ConformanceCase[] };
    return doc.cases.map((c) => ({
      dir,
      c,
      file: path.join(dir, c.fixture),
      label: `${d}: ${c.test ?? `${c.goTestFile} ${c.name}`} (${c.fixture})`,
    }));
  });
}

export async function errorOf(p: Promise<unknown>): Promise<VouchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    return e as VouchError;
  }
  throw new Error('expected a VouchError, got a result');
}

export const P = (name: string, version: string): string => npmPurl(name, version);

export function comp(inv: Inventory, name: string, version: string): Component {
  const c = inv.graph.components.get(P(name, version));
  if (!c) throw new Error(`no component ${name}@${version}; have ${[...inv.graph.components.keys()].join(', ')}`);
  return c;
}

export function nameVersions(inv: Inventory): string[] {
  return [...new Set([...inv.graph.components.values()].map((c) => `${c.name}@${c.version}`))].sort();
}

export function expectedSet(pkgs: readonly ExpectedPackage[]): string[] {
  for (const p of pkgs) expect(p.ecosystem ?? 'npm').toBe('npm');
  return [...new Set(pkgs.map((p) => `${p.name}@${p.version}`))].sort();
}

export function edgesFrom(inv: Inventory, from: string): string[] {
  return [...(inv.graph.edges.get(from) ?? [])].sort();
}

export function reachableFromRoots(inv: Inventory): Set<string> {
  const queue = [...inv.graph.roots.keys()];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    for (const to of inv.graph.edges.get(queue[i]!) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** Every component located in `file` on a positive line. */
export function expectLocated(inv: Inventory, file: string): void {
  for (const c of inv.graph.components.values()) {
    expect(c.locations.length).toBeGreaterThan(0);
    for (const loc of c.locations) {
      expect(loc.path).toBe(file);
      expect(loc.line, c.purl).toBeGreaterThan(0);
    }
  }
}
