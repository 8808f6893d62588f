/**
 * Fix plans for a manifest planned from the lockfile beside it (pyproject.toml with poetry.lock or
 * uv.lock, Cargo.toml, Gemfile, composer.json): the findings come from the lockfile; a vulnerable
 * direct dependency gets a minimal edit of its declared constraint (or "relock only" when the
 * constraint already admits the fix); a transitive one gets the ecosystem's own command. vouch
 * prints the commands and never runs them. Each ecosystem gives an adapter: where its manifest
 * declares constraints, their dialect, its commands. See docs/fix.md.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VouchError } from '../../../model/errors.js';
import { type FixStep, type Unfixable, FIX_SCHEMA_VERSION } from '../../../model/fix.js';
import { unifiedDiff } from '../../../io/diff.js';
import { memoryInput } from '../../../io/input.js';
import type { Ecosystem, FixContext } from '../../types.js';
import { type DialectName, admits, rewriteConstraint } from './constraint.js';
import { readText, semverRisk } from './planning.js';
import type { Declaration, LockfileAdapter, ManifestPlan } from './types.js';

/** Plans the fix of `manifest` from the lockfile beside it; the steps come unranked (remediate ranks them). */
export async function planLockfile(manifest: string, a: LockfileAdapter, ctx: Pick<FixContext, 'ecosystem' | 'oracle'>): Promise<ManifestPlan> {
  const lockFile = path.join(path.dirname(manifest), a.lock);
  const original = await readText(manifest);
  const decls = a.declarations(original, manifest);
  if (!existsSync(lockFile)) throw new VouchError('INPUT_MISSING', `no ${a.lock} beside it: vouch fix plans from the lockfile (create it with the ecosystem's lock command first)`, { path: manifest });
  const lockText = await readText(lockFile);
  const inv = await a.extractor.extract(memoryInput(lockFile, lockText));
  const eco = ctx.ecosystem;
  const byName = new Map<string, Declaration>();
  for (const d of decls) if (!byName.has(eco.normalizeName(d.name))) byName.set(eco.normalizeName(d.name), d);
  const lines = original.split('\n');
  const steps: FixStep[] = [];
  const unfixable: Unfixable[] = [];
  const warnings = [...inv.warnings];
  const found: ManifestPlan['found'] = [];
  let findings = 0;
  const edits = new Map<Declaration, { to: string; text: string }>();
  const lockDialect = a.lockDialect ?? (typeof a.dialect === 'string' ? a.dialect : 'pep508');
  for (const c of inv.graph.components.values()) {
    if (c.ecosystem?.split(':')[0] !== eco.osvName) continue;
    const lf = ctx.oracle.lowestFix(c);
    if (!lf) continue;
    const { matches, noFix, target, fixedIds } = lf;
    findings += matches.length;
    for (const m of matches) found.push({ package: c.name, advisory: m.advisory });
    if (noFix.length) unfixable.push({ package: c.name, version: c.version, advisories: noFix, reason: 'no fixed version in the advisories' });
    if (!target) continue;
    const fix = { package: c.name, from: c.version, to: target, lowestSafe: target, advisories: fixedIds };
    const decl = byName.get(eco.normalizeName(c.name));
    const dialect = !decl ? 'pep508' : typeof a.dialect === 'string' ? a.dialect : a.dialect(decl);
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
  for (const [d, e] of edits) {
    const l = lines[d.line]!;
    const text = a.requote ? a.requote(e.text, l.slice(d.start - 1, d.start)) : e.text;
    lines[d.line] = l.slice(0, d.start) + text + l.slice(d.end);
  }
  const edited = lines.join('\n');
  const diff = unifiedDiff(manifest, original, edited);
  return {
    plan: { schemaVersion: FIX_SCHEMA_VERSION, ecosystem: eco.osvName, files: [manifest, lockFile], findings, steps, unfixable, containment: [], warnings, ...(diff ? { diff } : {}) },
    edited,
    original,
    found,
  };
}

function safeAdmits(dialect: DialectName, eco: Ecosystem, constraint: string, version: string): boolean {
  try {
    return admits(dialect, eco.versioning, constraint, version);
  } catch {
    return false;
  }
}
