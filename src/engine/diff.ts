/**
 * `sbom diff` below the CLI: two inventories (SBOMs, lockfiles or folders) compared by package,
 * as the ecosystem compares names. Rendering is report/diff.ts.
 */
import { compareVersions, ecosystemByOsvName, ecosystemByPurlType } from '../ecosystems/index.js';
import { byCodePoint } from '../model/order.js';
import { collectInventory } from '../inventory/collect.js';
import type { Component } from '../model/component.js';
import type { CollectedInventory } from '../model/inventory.js';
import type { ProgressSink } from '../model/progress.js';
import { versionlessComponents } from '../sbom/common-write.js';
import type { DiffEntry, SbomDiff } from '../model/diff.js';

/** The ecosystem a component is compared under: its OSV name, else its purl type. */
function ecosystemOf(c: Component): string {
  return c.ecosystem ?? /^pkg:([^/]+)\//.exec(c.purl)?.[1]?.toLowerCase() ?? 'unknown';
}

function keyOf(c: Component): string {
  const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
  return `${ecosystemOf(c)}\0${eco ? eco.normalizeName(c.name) : c.name}`;
}

/** Versions in the ecosystem's order (code-point order where they do not parse, and to break ties). */
function sortVersions(ecosystem: string, versions: Iterable<string>): string[] {
  return [...versions].sort((x, y) => compareVersions(ecosystem, x, y) || byCodePoint(x, y));
}

/**
 * Compares two graphs by (ecosystem, name as the ecosystem compares names): a name only in B is
 * added, only in A removed; a name in both whose version sets differ is changed (versions in both
 * are left out of `from` / `to`). A name whose versions only grew or shrank (lodash 3 and 4 →
 * lodash 4) is changed too, with an empty side. Packages named without a version (`unresolved`
 * entries an SBOM lists as versionless components) count with the version "" (no version), so a
 * git dependency appearing is added, and one that gets pinned is changed from "" to its version.
 */
export function diffInventories(
  a: CollectedInventory['graph'],
  b: CollectedInventory['graph'],
  unresolvedA: CollectedInventory['unresolved'] = [],
  unresolvedB: CollectedInventory['unresolved'] = [],
): Pick<SbomDiff, 'added' | 'removed' | 'changed'> {
  const index = (g: CollectedInventory['graph'], unresolved: CollectedInventory['unresolved']) => {
    const m = new Map<string, { ecosystem: string; name: string; versions: Set<string> }>();
    // the projects themselves count when their version is known: an SBOM lists them (its subject),
    // so a lockfile and the SBOM written from it compare equal, and a release bump shows
    const roots = [...g.rootIdentities.values()].map((r): Component => {
      const eco = ecosystemByPurlType(/^pkg:([^/]+)\//.exec(r.purl)?.[1] ?? '');
      return { purl: r.purl, name: r.name, version: r.version, ecosystem: eco?.osvName, scope: 'prod', direct: true, locations: [] };
    });
    // the versionless components an SBOM of these inputs lists (same ecosystem + name rules)
    const versionless = versionlessComponents(unresolved, g).map(
      (v): Component => ({ purl: v.purl, name: v.name, version: '', ecosystem: v.ecosystem, scope: 'unknown', direct: false, locations: [] }),
    );
    for (const c of [...g.components.values(), ...roots, ...versionless]) {
      const k = keyOf(c);
      let e = m.get(k);
      if (!e) m.set(k, (e = { ecosystem: ecosystemOf(c), name: c.name, versions: new Set() }));
      e.versions.add(c.version);
    }
    return m;
  };
  const ia = index(a, unresolvedA);
  const ib = index(b, unresolvedB);
  const added: DiffEntry[] = [];
  const removed: DiffEntry[] = [];
  const changed: DiffEntry[] = [];
  for (const [k, eb] of ib) {
    const ea = ia.get(k);
    if (!ea) {
      added.push({ ecosystem: eb.ecosystem, name: eb.name, from: [], to: sortVersions(eb.ecosystem, eb.versions) });
      continue;
    }
    const from = [...ea.versions].filter((v) => !eb.versions.has(v));
    const to = [...eb.versions].filter((v) => !ea.versions.has(v));
    if (from.length || to.length) changed.push({ ecosystem: eb.ecosystem, name: eb.name, from: sortVersions(eb.ecosystem, from), to: sortVersions(eb.ecosystem, to) });
  }
  for (const [k, ea] of ia) {
    if (!ib.has(k)) removed.push({ ecosystem: ea.ecosystem, name: ea.name, from: sortVersions(ea.ecosystem, ea.versions), to: [] });
  }
  const order = (x: DiffEntry, y: DiffEntry): number => byCodePoint(x.ecosystem, y.ecosystem) || byCodePoint(x.name, y.name);
  return { added: added.sort(order), removed: removed.sort(order), changed: changed.sort(order) };
}

/** Reads both sides and compares them; the inventories come back too (for their input statuses). */
export async function runDiff(a: string, b: string, progress?: ProgressSink): Promise<{ diff: SbomDiff; inventories: [CollectedInventory, CollectedInventory] }> {
  progress?.phase('reading inputs');
  const ia = await collectInventory([a], { onFile: () => progress?.tick() });
  const ib = await collectInventory([b], { onFile: () => progress?.tick() });
  const diff: SbomDiff = {
    a: { path: a, components: ia.graph.components.size + versionlessComponents(ia.unresolved, ia.graph).length },
    b: { path: b, components: ib.graph.components.size + versionlessComponents(ib.unresolved, ib.graph).length },
    ...diffInventories(ia.graph, ib.graph, ia.unresolved, ib.unresolved),
  };
  return { diff, inventories: [ia, ib] };
}
