/**
 * Fix plans for pyproject.toml (Poetry / uv), Cargo.toml, Gemfile and composer.json: the findings
 * come from the lockfile; a vulnerable direct dependency gets a minimal edit of its declared
 * constraint (or "relock only" when the constraint already admits the fix); a transitive one gets
 * the ecosystem's own command. vouch prints the commands and never runs them. See docs/fix.md.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdvisoryLookup } from '../../advisories/match.js';
import { lowestFix } from '../lowest-fix.js';
import { cargo } from '../../ecosystems/cargo/index.js';
import { cargoLockExtractor } from '../../ecosystems/cargo/cargo-lock.js';
import { packagist } from '../../ecosystems/packagist/index.js';
import { composerLockExtractor } from '../../ecosystems/packagist/composer-lock.js';
import { pypi } from '../../ecosystems/pypi/index.js';
import { poetryLockExtractor } from '../../ecosystems/pypi/poetry-lock.js';
import { uvLockExtractor } from '../../ecosystems/pypi/uv-lock.js';
import { rubygems } from '../../ecosystems/rubygems/index.js';
import { gemfileLockExtractor } from '../../ecosystems/rubygems/gemfile-lock.js';
import type { Ecosystem, Extractor } from '../../ecosystems/types.js';
import type { Advisory } from '../../model/advisory.js';
import { VouchError } from '../../model/errors.js';
import { memoryInput } from '../../io/input.js';
import { parseTomlInput } from '../../ecosystems/pypi/common.js';
import { unifiedDiff } from '../diff.js';
import { semverRisk } from '../npm/plan.js';
import { type FixPlan, type FixStep, type Unfixable, FIX_SCHEMA_VERSION, rankSteps } from '../types.js';
import { type DialectName, admits, rewriteConstraint } from './constraint.js';
import { type Declaration, cargoDeclarations, composerDeclarations, gemfileDeclarations, pyprojectDeclarations } from './manifests.js';

export type EcoKind = 'poetry' | 'uv' | 'cargo' | 'bundler' | 'composer';

interface Adapter {
  manifest: string;
  lock: string;
  eco: Ecosystem;
  extractor: Extractor;
  declarations(text: string, file: string): Declaration[];
  dialect(d: Declaration): DialectName;
  /** The command that moves the lockfile to `version` (direct, or transitive within the parents' ranges). */
  relock(name: string, version: string): string;
  /** Requirements the lockfile records on `name` (parent package → constraint), when the format keeps them. */
  parents?(lockText: string, name: string): { parent: string; constraint: string }[];
  /** Transitive: the command, or undefined when the fix needs a parent upgrade. */
  transitive(name: string, from: string, to: string): { command: string; note: string } | undefined;
}

const ADAPTERS: Record<EcoKind, Adapter> = {
  poetry: {
    manifest: 'pyproject.toml',
    lock: 'poetry.lock',
    eco: pypi,
    extractor: poetryLockExtractor,
    declarations: pyprojectDeclarations,
    dialect: (d) => (d.section.startsWith('tool.poetry') ? 'poetry' : 'pep508'),
    parents: poetryParents,
    relock: (n) => `poetry update ${n}`,
    transitive: (n, _f, to) => ({
      command: `poetry add "${n}>=${to}"`,
      note: `Poetry has no override table: the usual way is a direct dependency entry requiring ${n}>=${to} (poetry add writes it and relocks)`,
    }),
  },
  uv: {
    manifest: 'pyproject.toml',
    lock: 'uv.lock',
    eco: pypi,
    extractor: uvLockExtractor,
    declarations: pyprojectDeclarations,
    dialect: () => 'pep508',
    relock: (n) => `uv lock --upgrade-package ${n}`,
    transitive: (n, _f, to) => ({
      command: `uv lock --upgrade-package ${n}`,
      note: `add "${n}>=${to}" to [tool.uv] constraint-dependencies in pyproject.toml (by hand: vouch does not insert it), then relock`,
    }),
  },
  cargo: {
    manifest: 'Cargo.toml',
    lock: 'Cargo.lock',
    eco: cargo,
    extractor: cargoLockExtractor,
    declarations: cargoDeclarations,
    dialect: () => 'cargo',
    relock: (n, v) => `cargo update -p ${n} --precise ${v}`,
    // Cargo.lock does not record the parents' requirements: most are caret, so a semver-compatible fix is tried with --precise
    transitive: (n, from, to) =>
      admits('cargo', cargo.versioning, `^${from}`, to)
        ? { command: `cargo update -p ${n}@${from} --precise ${to}`, note: `${to} is semver-compatible with ${from}; cargo refuses if a parent's requirement excludes it (Cargo.lock does not record requirements)` }
        : undefined,
  },
  bundler: {
    manifest: 'Gemfile',
    lock: 'Gemfile.lock',
    eco: rubygems,
    extractor: gemfileLockExtractor,
    declarations: gemfileDeclarations,
    dialect: () => 'ruby',
    parents: gemfileLockParents,
    relock: (n) => `bundle update --conservative ${n}`,
    transitive: (n) => ({ command: `bundle update --conservative ${n}`, note: 'moves this gem only, within its parents\' requirements; if they exclude the fix, a parent must be upgraded' }),
  },
  composer: {
    manifest: 'composer.json',
    lock: 'composer.lock',
    eco: packagist,
    extractor: composerLockExtractor,
    declarations: composerDeclarations,
    dialect: () => 'composer',
    parents: composerParents,
    relock: (n) => `composer update ${n}`,
    transitive: (n) => ({ command: `composer update ${n} --with-dependencies`, note: 'moves it within the parents\' constraints; if they exclude the fix, a parent must be upgraded' }),
  },
};

/** The kind of a manifest path (a pyproject.toml is Poetry or uv by the lockfile beside it), or undefined. */
export function ecoKindOf(file: string): EcoKind | undefined {
  const base = path.basename(file);
  const dir = path.dirname(file);
  if (base === 'pyproject.toml' || base === 'poetry.lock' || base === 'uv.lock') {
    if (base === 'poetry.lock' || (base !== 'uv.lock' && existsSync(path.join(dir, 'poetry.lock')))) return 'poetry';
    if (base === 'uv.lock' || existsSync(path.join(dir, 'uv.lock'))) return 'uv';
    return undefined;
  }
  for (const [k, a] of Object.entries(ADAPTERS) as [EcoKind, Adapter][]) if (a.manifest === base || a.lock === base) return k;
  return undefined;
}

/** The manifest file of a kind in `dir`. */
export function ecoManifest(kind: EcoKind, dir: string): string {
  return path.join(dir, ADAPTERS[kind].manifest);
}

export interface EcoPlan {
  plan: FixPlan;
  edited: string;
  original: string;
  /** (package, advisory) pairs found, for the containment playbook. */
  found: { package: string; advisory: Advisory }[];
}

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new VouchError('INPUT_MISSING', `cannot read (${e.code ?? e.message})`, { path: file });
  });
}

/** Plans the fix of `manifest` (pyproject.toml, Cargo.toml, Gemfile, composer.json) from the lockfile beside it. */
export async function planEco(manifest: string, kind: EcoKind, lookup: AdvisoryLookup): Promise<EcoPlan> {
  const a = ADAPTERS[kind];
  const lockFile = path.join(path.dirname(manifest), a.lock);
  const original = await readText(manifest);
  const decls = a.declarations(original, manifest);
  if (!existsSync(lockFile)) throw new VouchError('INPUT_MISSING', `no ${a.lock} beside it: vouch fix plans from the lockfile (create it with the ecosystem's lock command first)`, { path: manifest });
  const lockText = await readText(lockFile);
  const inv = await a.extractor.extract(memoryInput(lockFile, lockText));
  const eco = a.eco;
  const byName = new Map<string, Declaration>();
  for (const d of decls) if (!byName.has(eco.normalizeName(d.name))) byName.set(eco.normalizeName(d.name), d);
  const lines = original.split('\n');
  const steps: FixStep[] = [];
  const unfixable: Unfixable[] = [];
  const warnings = [...inv.warnings];
  const found: EcoPlan['found'] = [];
  let findings = 0;
  const edits = new Map<Declaration, { to: string; text: string }>();
  for (const c of inv.graph.components.values()) {
    if (c.ecosystem?.split(':')[0] !== eco.osvName) continue;
    const candidates = lookup.advisoriesFor(eco.osvName, eco.normalizeName(c.name));
    const lf = lowestFix(c, eco, candidates);
    if (!lf) continue;
    const { matches, noFix, target, fixedIds } = lf;
    findings += matches.length;
    for (const m of matches) found.push({ package: c.name, advisory: m.advisory });
    if (noFix.length) unfixable.push({ package: c.name, version: c.version, advisories: noFix, reason: 'no fixed version in the advisories' });
    if (!target) continue;
    const fix = { package: c.name, from: c.version, to: target, lowestSafe: target, advisories: fixedIds };
    const decl = byName.get(eco.normalizeName(c.name));
    const dialect = decl ? a.dialect(decl) : 'pep508';
    // a declaration that does not admit the locked version belongs to another copy (Cargo locks several)
    const direct = decl !== undefined && (decl.constraint === '' || safeAdmits(dialect, eco, decl.constraint, c.version));
    const base = { fixes: [fix], removed: fixedIds.length, packagesChanged: 1, risk: semverRisk(c.version, target) };
    if (direct) {
      const r = decl.constraint === '' ? ({ kind: 'admits' } as const) : rewriteConstraint(dialect, eco.versioning, decl.constraint, target);
      if (r.kind === 'manual') {
        unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: `fixed in ${target}, but ${r.reason} (${path.basename(manifest)}:${decl.line + 1})` });
        continue;
      }
      const command = a.relock(c.name, target);
      if (r.kind === 'admits') {
        steps.push({ ...base, strategy: 'in-range', command, changes: [{ file: lockFile, kind: 'relock', package: c.name, from: c.version, to: target }], notes: [`relock only (the declared "${decl.constraint}" admits ${target}): run ${command}`] });
        continue;
      }
      const prev = edits.get(decl);
      if (!prev || eco.versioning.compare(target, prev.to) > 0) edits.set(decl, { to: target, text: r.text });
      steps.push({
        ...base,
        strategy: 'parent',
        command,
        changes: [{ file: manifest, kind: 'bump', package: c.name, from: decl.constraint, to: r.text, line: decl.line + 1 }],
        notes: [`then regenerate ${a.lock}: ${command} (until then a scan of ${a.lock} still shows ${c.name}@${c.version})`],
      });
      continue;
    }
    // the parents' requirements the lockfile records (poetry.lock, Gemfile.lock, composer.lock): one that excludes the fix blocks a relock
    const lockDialect: DialectName = kind === 'poetry' ? 'poetry' : a.dialect({ section: 'lock' } as Declaration);
    const excluding = (a.parents?.(lockText, eco.normalizeName(c.name)) ?? []).filter((p) => !safeAdmits(lockDialect, eco, p.constraint, target));
    if (excluding.length) {
      unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: `fixed in ${target}, but ${excluding.map((p) => `${p.parent} requires "${p.constraint}"`).join(', ')}: needs a parent upgrade` });
      continue;
    }
    const t = a.transitive(c.name, c.version, target);
    if (!t) {
      unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: `fixed in ${target}, outside the semver-compatible range of ${c.version}: needs a parent upgrade` });
      continue;
    }
    steps.push({ ...base, strategy: 'override', risk: 'override', command: t.command, changes: [{ file: lockFile, kind: 'relock', package: c.name, from: c.version, to: target }], notes: [`transitive: run ${t.command}; ${t.note}`] });
  }
  for (const [d, e] of edits) lines[d.line] = lines[d.line]!.slice(0, d.start) + requote(kind, e.text, lines[d.line]!.slice(d.start - 1, d.start)) + lines[d.line]!.slice(d.end);
  const edited = lines.join('\n');
  const diff = unifiedDiff(manifest, original, edited);
  return {
    plan: { schemaVersion: FIX_SCHEMA_VERSION, ecosystem: eco.osvName, files: [manifest, lockFile], findings, steps: rankSteps(steps), unfixable, containment: [], warnings, ...(diff ? { diff } : {}) },
    edited,
    original,
    found,
  };
}

/** Gemfile requirements are separate string arguments: `~> 1.4, >= 1.4.3` → `~> 1.4', '>= 1.4.3`. */
function requote(kind: EcoKind, text: string, quote: string): string {
  return kind === 'bundler' ? text.split(/\s*,\s*/).join(`${quote}, ${quote}`) : text;
}

function safeAdmits(dialect: DialectName, eco: Ecosystem, constraint: string, version: string): boolean {
  try {
    return admits(dialect, eco.versioning, constraint, version);
  } catch {
    return false;
  }
}

/** poetry.lock `[package.dependencies]`: `name = "constraint"` or `{ version = "constraint", … }`. */
function poetryParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  const data = parseTomlInput(lockText, 'poetry.lock');
  for (const p of (Array.isArray(data['package']) ? data['package'] : []) as Record<string, unknown>[]) {
    const deps = p['dependencies'];
    if (!deps || typeof deps !== 'object') continue;
    for (const [k, v] of Object.entries(deps as Record<string, unknown>)) {
      if (pypi.normalizeName(k) !== name) continue;
      const c = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Record<string, unknown>)['version'] === 'string' ? ((v as Record<string, unknown>)['version'] as string) : undefined;
      if (c !== undefined && c !== '*') out.push({ parent: String(p['name']), constraint: c });
    }
  }
  return out;
}

/** Gemfile.lock specs: a six-space `name (reqs)` line under a four-space `parent (version)` line. */
function gemfileLockParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  let parent: string | undefined;
  for (const l of lockText.split('\n')) {
    const p = /^ {4}([^ (]+) \(/.exec(l);
    if (p) parent = p[1];
    const d = /^ {6}([^ (]+) \(([^)]*)\)/.exec(l);
    if (d && parent && d[1] === name) out.push({ parent, constraint: d[2]! });
    if (!/^ {4}/.test(l)) parent = undefined;
  }
  return out;
}

/** composer.lock `packages[].require` / `packages-dev[].require`. */
function composerParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(lockText) as Record<string, unknown>;
  } catch {
    return out;
  }
  for (const key of ['packages', 'packages-dev']) {
    for (const p of (Array.isArray(data[key]) ? data[key] : []) as Record<string, unknown>[]) {
      const req = p['require'];
      if (!req || typeof req !== 'object') continue;
      for (const [k, v] of Object.entries(req as Record<string, unknown>)) if (k.toLowerCase() === name && typeof v === 'string') out.push({ parent: String(p['name']), constraint: v });
    }
  }
  return out;
}
