/**
 * Helpers the fix tests share: an in-memory AdvisoryLookup over OSV records on disk (real records
 * copied from ../shared/osv as fixtures), an ecosystem's fix context over it, plans ranked as
 * `vouch fix` shows them, scratch copies of fixtures, and `git apply` of a plan's diff.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import type { AdvisoryLookup } from '../advisories/match.js';
import type { Ecosystem, FixContext } from '../ecosystems/types.js';
import type { Advisory } from '../model/advisory.js';
import type { ApplyResult, FixPlan } from '../model/fix.js';
import { applyTarget } from '../remediate/apply.js';
import { advisoryOracle } from '../remediate/oracle.js';
import { type FixOptions, rankSteps, resolveTarget } from '../remediate/plan.js';

/** The `__fixtures__/fix` folder beside a test file (`import.meta.url`), or a path inside it. */
export function fixFixtures(metaUrl: string, ...parts: string[]): string {
  return path.join(path.dirname(fileURLToPath(metaUrl)), '__fixtures__', 'fix', ...parts);
}

export class MemoryAdvisories implements AdvisoryLookup {
  readonly all: Advisory[];
  constructor(dir: string) {
    this.all = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Advisory);
  }
  advisoriesFor(ecosystemBase: string, name: string): Advisory[] {
    return this.all.filter((a) => (a.affected ?? []).some((x) => x.package?.ecosystem.split(':')[0] === ecosystemBase && x.package?.name === name));
  }
}

/** The context `eco`'s fixer plans in, over `store` (all strategies, bumps of any size). */
export function fixContext(eco: Ecosystem, store: AdvisoryLookup, more: Partial<FixContext> = {}): FixContext {
  return { ecosystem: eco, oracle: advisoryOracle(eco, store), strategies: new Set(['in-range', 'parent', 'override']), maxBump: 'major', home: os.tmpdir(), ...more };
}

/** The plan with its steps ranked, as `vouch fix` shows it (fixers leave the ranking to remediate). */
export async function ranked<T extends FixPlan>(plan: T | Promise<T>): Promise<T> {
  const p = await plan;
  p.steps = rankSteps(p.steps);
  return p;
}

/**
 * The set-up of a fixer's tests: its context over the OSV records in `__fixtures__/fix/osv` beside
 * the test file (`metaUrl`), scratch folders removed after each test, and paths into the fixtures.
 */
export function fixerTesting(eco: Ecosystem, metaUrl: string, prefix: string): { ctx: FixContext; tmp: ReturnType<typeof scratch>; fixture: (...parts: string[]) => string } {
  const tmp = scratch(prefix);
  afterEach(() => tmp.cleanup());
  return { ctx: fixContext(eco, new MemoryAdvisories(fixFixtures(metaUrl, 'osv'))), tmp, fixture: (...parts) => fixFixtures(metaUrl, ...parts) };
}

/** Scratch folders, removed by `cleanup()` (call it in afterEach). */
export function scratch(prefix: string): { dir(): string; copy(from: string): string; cleanup(): void } {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  return {
    dir,
    /** A fresh folder holding a copy of `from` (a folder's content, or a file under its own name). */
    copy(from) {
      const d = dir();
      cpSync(from, statSync(from).isDirectory() ? d : path.join(d, path.basename(from)), { recursive: true });
      return d;
    },
    cleanup: () => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * Applies a plan's diff with `git apply` in `dir` to the file `name` there and returns the patched
 * text. The diff names the file as planned (`planned`, absolute): it is re-rooted on `name`.
 */
export function gitApply(dir: string, name: string, planned: string, diff: string): string {
  writeFileSync(path.join(dir, 'fix.diff'), diff.replaceAll(`a/${planned.slice(1)}`, `a/${name}`).replaceAll(`b/${planned.slice(1)}`, `b/${name}`));
  const r = spawnSync('git', ['apply', '--verbose', 'fix.diff'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(path.join(dir, name), 'utf8');
}

/** Every line but `changed` (0-based) is byte-identical. */
export function onlyLineChanged(before: string, after: string, changed: number[]): void {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  a.forEach((l, i) => (changed.includes(i) ? expect(b[i]).not.toBe(l) : expect(b[i]).toBe(l)));
}

/** `vouch fix --apply` of the project at `dir`: remediate's apply driving the fixer of what is there. */
export function applyAt(dir: string, store: AdvisoryLookup, opts: Partial<FixOptions> = {}): Promise<ApplyResult> {
  return applyTarget(resolveTarget(dir), store, { home: os.tmpdir(), ...opts });
}

/** Every file of a folder with its bytes (as latin1 text): equal snapshots, byte-identical files. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f), 'latin1')]));
}

/** `apply()` fails with `message`, and every file of `dir` is byte for byte as it was. */
export async function expectRestored(dir: string, apply: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = snapshot(dir);
  await expect(apply()).rejects.toThrow(message);
  expect(snapshot(dir)).toEqual(before);
}
