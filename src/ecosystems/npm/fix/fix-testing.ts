/**
 * What the npm fix tests share: the fixtures beside them (real npm advisories in osv/, recorded
 * packuments, small projects), the oracle and metadata over them, scratch copies of the projects,
 * and `vouch fix --apply` of a copy (remediate's apply driving the npm fixer).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ApplyResult } from '../../../model/fix.js';
import { MemoryAdvisories, applyAt, fixContext, scratch } from '../../../testing/fix.js';
import { npm } from '../index.js';
import { DirectoryMetadataSource } from './metadata.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
export const PACKUMENTS = path.join(FIXTURES, 'packuments');
export const store = new MemoryAdvisories(path.join(FIXTURES, 'osv'));
export const { oracle } = fixContext(npm, store);
export const meta = new DirectoryMetadataSource(PACKUMENTS);

/** Scratch folders removed after each test: `tmp()` an empty one, `copy(fixture)` one holding a copy of a fixture project. */
export function scratchProjects(prefix: string): { tmp: () => string; copy: (fixture: string) => string } {
  const s = scratch(prefix);
  afterEach(() => s.cleanup());
  return { tmp: s.dir, copy: (fixture) => s.copy(path.join(FIXTURES, fixture)) };
}

/** `vouch fix --apply` of the project at `dir`, package metadata from the recorded packuments. */
export function apply(dir: string, opts: Parameters<typeof applyAt>[2] = {}): Promise<ApplyResult> {
  return applyAt(dir, store, { metadataDir: PACKUMENTS, ...opts });
}
