/**
 * The advisory oracle a fixer asks (AdvisoryOracle in model/fix.ts): the store's candidates for a
 * package, matched with the scan's own matcher (advisories/match.ts), so a plan never proposes a
 * version that is itself affected by another advisory.
 */
import { type AdvisoryLookup, matchComponent } from '../advisories/match.js';
import { purlOf } from '../ecosystems/index.js';
import type { Ecosystem } from '../ecosystems/types.js';
import { baseEcosystem } from '../model/advisory.js';
import type { Component } from '../model/component.js';
import type { AdvisoryMatch, AdvisoryOracle, LowestFix } from '../model/fix.js';

/** The oracle of one ecosystem over `lookup`. */
export function advisoryOracle(eco: Ecosystem, lookup: AdvisoryLookup): AdvisoryOracle {
  const base = baseEcosystem(eco.osvName);
  const candidatesOf = (c: Component) => lookup.advisoriesFor(base, eco.normalizeName(c.advisoryName ?? c.name));
  const matches = (c: Component): AdvisoryMatch[] => {
    const candidates = candidatesOf(c);
    return candidates.length ? matchComponent(c, eco, candidates) : [];
  };
  return {
    matches,
    advisoriesAt: (name, version) =>
      matches({ purl: purlOf(eco, name, version), ecosystem: eco.osvName, name, version, scope: 'prod', direct: false, locations: [] })
        .map((m) => m.advisory.id)
        .sort(),
    lowestFix: (c, spell = (v) => v) => lowestFix(c, eco, matches, spell),
  };
}

/** See AdvisoryOracle.lowestFix. */
function lowestFix(c: Component, eco: Ecosystem, matchesOf: (c: Component) => AdvisoryMatch[], spell: (v: string) => string): LowestFix | undefined {
  const matches = matchesOf(c);
  if (!matches.length) return undefined;
  const at = (version: string): string[] => matchesOf({ ...c, version }).map((m) => m.advisory.id);
  const ids = matches.map((m) => m.advisory.id).sort();
  const fixed = [...new Set(matches.flatMap((m) => m.fixedVersions.map(spell)))];
  const later = fixed.filter((f) => eco.versioning.parse(f) && eco.versioning.compare(f, c.version) > 0).sort((a, b) => eco.versioning.compare(a, b));
  const top = later[later.length - 1];
  const noFix = top ? at(top).filter((id) => ids.includes(id)) : ids;
  const target = later.find((f) => at(f).every((id) => noFix.includes(id)));
  return { matches, ids, noFix, fixedIds: ids.filter((id) => !noFix.includes(id)), target };
}
