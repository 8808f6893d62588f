/**
 * Fix plans for manifests that pin versions in text: requirements.txt (`name==1.0`), go.mod
 * (`require path v1.2.3`, including `// indirect` requirements) and pom.xml (the dependency's
 * `<version>` or the property it references). The lowest fixed version comes from the advisories'
 * own `fixed` events (no registry): the lowest one above the installed version at which no
 * advisory with a fix still matches. Edits replace the version token on its line and nothing else,
 * so comments and formatting stay as they were.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type AdvisoryLookup, matchComponent } from '../advisories/match.js';
import { lowestFix } from './lowest-fix.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { goModExtractor } from '../ecosystems/go/go-mod.js';
import { pomExtractor } from '../ecosystems/maven/pom.js';
import { requirementsExtractor } from '../ecosystems/pypi/requirements.js';
import type { Extractor } from '../ecosystems/types.js';
import type { Advisory } from '../model/advisory.js';
import type { Component } from '../model/component.js';
import { VouchError } from '../model/errors.js';
import { memoryInput } from '../io/input.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { unifiedDiff } from './diff.js';
import { semverRisk } from './npm/plan.js';
import { type FixPlan, type FixStep, type Unfixable, FIX_SCHEMA_VERSION, rankSteps } from './types.js';

export type TextKind = 'requirements' | 'go.mod' | 'pom';

const EXTRACTORS: Record<TextKind, Extractor> = { requirements: requirementsExtractor, 'go.mod': goModExtractor, pom: pomExtractor };

export function textKindOf(file: string): TextKind | undefined {
  const b = path.basename(file);
  if (b === 'go.mod') return 'go.mod';
  if (b === 'pom.xml' || b.endsWith('.pom')) return 'pom';
  if (requirementsExtractor.wants(file)) return 'requirements';
  return undefined;
}

export interface TextPlan {
  plan: FixPlan;
  /** The file's text after every step. */
  edited: string;
  original: string;
}

/** Writes the planned edits (atomically); returns false when there was nothing to change. */
export async function applyText(tp: TextPlan, file: string): Promise<boolean> {
  if (tp.edited === tp.original) return false;
  await writeFileAtomic(file, tp.edited);
  return true;
}

export async function planText(file: string, lookup: AdvisoryLookup, kind: TextKind = textKindOf(file) ?? 'requirements'): Promise<TextPlan> {
  const original = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new VouchError('INPUT_MISSING', `cannot read (${e.code ?? e.message})`, { path: file });
  });
  const inv = await EXTRACTORS[kind].extract(memoryInput(file, original));
  const lines = original.split('\n');
  const steps: FixStep[] = [];
  const unfixable: Unfixable[] = [];
  const warnings = [...inv.warnings];
  let findings = 0;
  for (const c of inv.graph.components.values()) {
    const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
    if (!eco) continue;
    const candidates = lookup.advisoriesFor(eco.osvName.split(':')[0]!, eco.normalizeName(c.name));
    // Go writes `v1.2.3` where the advisories write `1.2.3`
    const lf = lowestFix(c, eco, candidates, (f) => (c.version.startsWith('v') && !f.startsWith('v') ? `v${f}` : f));
    if (!lf) continue;
    const { matches, noFix, target, fixedIds } = lf;
    findings += matches.length;
    if (noFix.length) unfixable.push({ package: c.name, version: c.version, advisories: noFix, reason: 'no fixed version in the advisories' });
    if (!target) continue;
    if (kind === 'go.mod' && (c.name === 'stdlib' || c.name === 'toolchain')) {
      unfixable.push({ package: c.name, version: c.version, advisories: fixedIds, reason: `fixed in Go ${target}: build with that toolchain (the go line is a minimum, not the toolchain used)` });
      continue;
    }
    const loc = c.locations.find((l) => l.path === file && l.line !== undefined);
    const edit = loc ? editVersion(kind, lines, loc.line! - 1, c, target) : undefined;
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
      ecosystem: [...inv.graph.components.values()][0]?.ecosystem ?? kind,
      files: [file],
      findings,
      steps: rankSteps(steps),
      unfixable,
      containment: [],
      warnings,
      ...(diff ? { diff } : {}),
    },
    edited,
    original,
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces the version on the component's line (or the property it references); mutates `lines`. */
function editVersion(kind: TextKind, lines: string[], index: number, c: Component, to: string): { line: number; note?: string } | undefined {
  const replaceOn = (i: number, re: RegExp, by: string): boolean => {
    const l = lines[i];
    if (l === undefined || !re.test(l)) return false;
    lines[i] = l.replace(re, by);
    return true;
  };
  if (kind === 'requirements') {
    const re = new RegExp(`(={2,3}\\s*)${escapeRe(c.version)}(?![\\w.+!-])`);
    return replaceOn(index, re, `$1${to}`) ? { line: index } : undefined;
  }
  if (kind === 'go.mod') {
    const re = new RegExp(`(\\s)${escapeRe(c.version)}(?=\\s|$|//)`);
    return replaceOn(index, re, `$1${to}`) ? { line: index } : undefined;
  }
  // pom.xml: the <version> inside this <dependency>, or the property it names
  for (let i = index; i < lines.length && i < index + 40; i++) {
    const l = lines[i]!;
    const m = /<version>\s*([^<]*?)\s*<\/version>/.exec(l);
    if (m) {
      const prop = /^\$\{([^}]+)\}$/.exec(m[1]!);
      if (!prop) {
        return m[1] === c.version && replaceOn(i, new RegExp(`(<version>\\s*)${escapeRe(c.version)}(\\s*</version>)`), `$1${to}$2`) ? { line: i } : undefined;
      }
      const name = escapeRe(prop[1]!);
      for (let j = 0; j < lines.length; j++) {
        if (replaceOn(j, new RegExp(`(<${name}>\\s*)${escapeRe(c.version)}(\\s*</${name}>)`), `$1${to}$2`)) {
          return { line: j, note: `raises the property \${${prop[1]}}: every dependency using it moves to ${to}` };
        }
      }
      return undefined;
    }
    if (/<\/dependency>/.test(l)) return undefined;
  }
  return undefined;
}

/** The (package, advisory) pairs of a text manifest, for the containment playbook. */
export async function textAdvisories(file: string, lookup: AdvisoryLookup, kind: TextKind): Promise<{ package: string; advisory: Advisory }[]> {
  const inv = await EXTRACTORS[kind].extract(memoryInput(file, await readFile(file, 'utf8')));
  const out: { package: string; advisory: Advisory }[] = [];
  for (const c of inv.graph.components.values()) {
    const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
    if (!eco) continue;
    for (const m of matchComponent(c, eco, lookup.advisoriesFor(eco.osvName.split(':')[0]!, eco.normalizeName(c.name)))) out.push({ package: c.name, advisory: m.advisory });
  }
  return out;
}
