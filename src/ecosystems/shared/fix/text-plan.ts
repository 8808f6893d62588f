/**
 * Fix plans for manifests that pin versions in text (requirements.txt `name==1.0`, go.mod
 * `require path v1.2.3`, pom.xml `<version>`): the ecosystem's extractor reads the pins with their
 * lines, the lowest fixed version comes from the advisories' own `fixed` events (no registry,
 * AdvisoryOracle.lowestFix), and the ecosystem's `editVersion` replaces the version token on its
 * line and nothing else, so comments and formatting stay as they were.
 */
import path from 'node:path';
import { type FixStep, type Unfixable, FIX_SCHEMA_VERSION } from '../../../model/fix.js';
import { unifiedDiff } from '../../../io/diff.js';
import { memoryInput } from '../../../io/input.js';
import type { FixContext } from '../../types.js';
import { readText, semverRisk } from './planning.js';
import type { ManifestPlan, TextManifest } from './types.js';

/** Plans `file`; the steps come unranked (remediate ranks them). */
export async function planText(file: string, m: TextManifest, ctx: Pick<FixContext, 'ecosystem' | 'oracle'>): Promise<ManifestPlan> {
  const original = await readText(file);
  const inv = await m.extractor.extract(memoryInput(file, original));
  const lines = original.split('\n');
  const steps: FixStep[] = [];
  const unfixable: Unfixable[] = [];
  const found: ManifestPlan['found'] = [];
  const warnings = [...inv.warnings];
  const osvName = ctx.ecosystem.osvName;
  let findings = 0;
  for (const c of inv.graph.components.values()) {
    if (c.ecosystem?.split(':')[0] !== osvName) continue;
    // Go writes `v1.2.3` where the advisories write `1.2.3`
    const lf = ctx.oracle.lowestFix(c, (f) => (c.version.startsWith('v') && !f.startsWith('v') ? `v${f}` : f));
    if (!lf) continue;
    const { matches, noFix, target, fixedIds } = lf;
    findings += matches.length;
    for (const x of matches) found.push({ package: c.name, advisory: x.advisory });
    if (noFix.length) unfixable.push({ package: c.name, version: c.version, advisories: noFix, reason: 'no fixed version in the advisories' });
    if (!target) continue;
    const elsewhere = m.notInManifest?.(c, target);
    if (elsewhere) {
      unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: elsewhere });
      continue;
    }
    const loc = c.locations.find((l) => l.path === file && l.line !== undefined);
    const edit = loc ? m.editVersion(lines, loc.line! - 1, c, target) : undefined;
    if (!edit) {
      unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: `fixed in ${target}, but its version could not be edited in ${path.basename(file)} (declared elsewhere)` });
      continue;
    }
    steps.push({
      strategy: 'parent',
      changes: [{ file, kind: 'bump', package: c.name, from: c.version, to: target, line: edit.line + 1 }],
      fixes: [{ package: c.name, from: c.version, to: target, lowestSafe: target, advisories: fixedIds }],
      removed: fixedIds.length,
      packagesChanged: 1,
      risk: semverRisk(c.version, target),
      notes: edit.note ? [edit.note] : [],
    });
  }
  const edited = lines.join('\n');
  const diff = unifiedDiff(file, original, edited);
  return {
    plan: {
      schemaVersion: FIX_SCHEMA_VERSION,
      ecosystem: [...inv.graph.components.values()][0]?.ecosystem ?? m.kind,
      files: [file],
      findings,
      steps,
      unfixable,
      containment: [],
      warnings,
      ...(diff ? { diff } : {}),
    },
    edited,
    original,
    found,
  };
}
