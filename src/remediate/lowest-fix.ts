/**
 * The lowest fixed version of a component from its advisories alone (no registry): the lowest
 * `fixed` version above the installed one at which no advisory that has a fix still matches.
 * Advisories still matching at the highest fixed version have no fix in the records (`noFix`).
 * Used by the text-manifest plans (requirements.txt, go.mod, pom.xml) and the lockfile
 * ecosystems (Poetry, uv, Cargo, Bundler, Composer); npm plans pick from the packument instead.
 */
import { matchComponent } from '../advisories/match.js';
import type { Ecosystem } from '../ecosystems/types.js';
import type { Advisory } from '../model/advisory.js';
import type { Component } from '../model/component.js';

export interface LowestFix {
  matches: ReturnType<typeof matchComponent>;
  /** every matching advisory id, sorted */
  ids: string[];
  /** the ids no fixed version removes */
  noFix: string[];
  /** the ids `target` removes */
  fixedIds: string[];
  /** the lowest safe fixed version; undefined when none exists */
  target: string | undefined;
}

/**
 * undefined when no advisory matches. `spell` writes a fixed version as the component's version
 * is written (Go: `v1.2.3` where the advisories write `1.2.3`).
 */
export function lowestFix(c: Component, eco: Ecosystem, candidates: readonly Advisory[], spell: (v: string) => string = (v) => v): LowestFix | undefined {
  const matches = matchComponent(c, eco, candidates);
  if (!matches.length) return undefined;
  const at = (version: string): string[] => matchComponent({ ...c, version, purl: `${c.purl}#${version}` }, eco, candidates).map((m) => m.advisory.id);
  const ids = matches.map((m) => m.advisory.id).sort();
  const fixed = [...new Set(matches.flatMap((m) => m.fixedVersions.map(spell)))];
  const later = fixed.filter((f) => eco.versioning.parse(f) && eco.versioning.compare(f, c.version) > 0).sort((a, b) => eco.versioning.compare(a, b));
  const top = later[later.length - 1];
  const noFix = top ? at(top).filter((id) => ids.includes(id)) : ids;
  const target = later.find((f) => at(f).every((id) => noFix.includes(id)));
  return { matches, ids, noFix, fixedIds: ids.filter((id) => !noFix.includes(id)), target };
}
