/**
 * Matching: which advisories affect a component. Candidates come from the store by (ecosystem,
 * normalised name); each `affected[]` entry is checked for the exact ecosystem and name, then its
 * SEMVER/ECOSYSTEM ranges and `versions` list are evaluated with the right version rules.
 */
import { type Advisory, type OsvAffected, baseEcosystem } from '../model/advisory.js';
import type { Component } from '../model/component.js';
import type { Finding, MatchReason } from '../model/finding.js';
import type { DependencyGraph } from '../model/graph.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { semverVersioning } from '../ecosystems/shared/semver.js';
import type { Ecosystem, Versioning } from '../ecosystems/types.js';
import { type EvaluatedRange, MalformedRangeError, evaluateRange, intervalContaining } from './ranges.js';
import { byCodePoint } from '../model/order.js';
import type { MatchStats } from '../model/finding.js';

/** What the matcher needs from a store. */
export interface AdvisoryLookup {
  advisoriesFor(ecosystemBase: string, normalizedName: string): Advisory[];
}

export function newStats(): MatchStats {
  return { componentsChecked: 0, componentsNotChecked: [], advisoriesConsidered: 0, gitRangesSkipped: 0, malformedRanges: [] };
}

export interface ComponentMatch {
  advisory: Advisory;
  reasons: MatchReason[];
  fixedVersions: string[];
}

/**
 * Does `ecosystemOfEntry` (as the advisory writes it) cover a component of `componentEcosystem`?
 * Equal strings match; `Debian:12` vs `Debian:11` do not; a side without a `:suffix` covers every
 * suffix of the same base (e.g. Drupal's `Packagist:https://packages.drupal.org/8` entries apply
 * to `drupal/*` packages read from composer.lock).
 */
export function ecosystemCovers(ecosystemOfEntry: string, componentEcosystem: string): boolean {
  if (ecosystemOfEntry === componentEcosystem) return true;
  if (baseEcosystem(ecosystemOfEntry) !== baseEcosystem(componentEcosystem)) return false;
  return !ecosystemOfEntry.includes(':') || !componentEcosystem.includes(':');
}

const evaluated = new WeakMap<object, EvaluatedRange | MalformedRangeError>();

function rangeIntervals(range: object & Parameters<typeof evaluateRange>[0], versioning: Versioning): EvaluatedRange | MalformedRangeError {
  let r = evaluated.get(range);
  if (r === undefined) {
    try {
      r = evaluateRange(range, versioning);
    } catch (e) {
      if (!(e instanceof MalformedRangeError)) throw e;
      r = e;
    }
    evaluated.set(range, r);
  }
  return r;
}

/** Match one component against candidate advisories. */
export function matchComponent(
  component: Component,
  eco: Ecosystem,
  candidates: readonly Advisory[],
  stats: MatchStats = newStats(),
): ComponentMatch[] {
  const out: ComponentMatch[] = [];
  const name = eco.normalizeName(component.advisoryName ?? component.name);
  const version = component.advisoryVersion ?? component.version;
  const ecoVersionOk = eco.versioning.parse(version) !== undefined;
  const semverOk = semverVersioning.parse(version) !== undefined;
  for (const adv of candidates) {
    if (adv.withdrawn) continue;
    stats.advisoriesConsidered++;
    const reasons: MatchReason[] = [];
    const fixed = new Set<string>();
    (adv.affected ?? []).forEach((aff: OsvAffected, affectedIndex) => {
      const pkg = aff.package;
      if (!pkg || typeof pkg.name !== 'string' || typeof pkg.ecosystem !== 'string') return;
      if (!ecosystemCovers(pkg.ecosystem, component.ecosystem ?? '') || eco.normalizeName(pkg.name) !== name) return;
      for (const range of aff.ranges ?? []) {
        if (range.type === 'GIT') {
          stats.gitRangesSkipped++;
          continue;
        }
        const versioning = range.type === 'SEMVER' ? semverVersioning : range.type === 'ECOSYSTEM' ? eco.versioning : undefined;
        if (!versioning) {
          stats.malformedRanges.push({ id: adv.id, reason: `unknown range type ${JSON.stringify(range.type)}` });
          continue;
        }
        const ev = rangeIntervals(range, versioning);
        if (ev instanceof MalformedRangeError) {
          stats.malformedRanges.push({ id: adv.id, reason: ev.message });
          continue;
        }
        for (const iv of ev.intervals) if (iv.fixed) fixed.add(iv.fixed);
        const versionOk = range.type === 'SEMVER' ? semverOk : ecoVersionOk;
        if (!versionOk) continue;
        const iv = intervalContaining(ev, version, versioning);
        if (iv) {
          reasons.push({
            affectedIndex,
            kind: 'range',
            rangeType: range.type,
            introduced: iv.introduced,
            ...(iv.fixed !== undefined ? { fixed: iv.fixed } : {}),
            ...(iv.lastAffected !== undefined ? { lastAffected: iv.lastAffected } : {}),
          });
        }
      }
      if (Array.isArray(aff.versions) && listed(aff.versions, version, ecoVersionOk ? eco.versioning : undefined)) {
        reasons.push({ affectedIndex, kind: 'versions' });
      }
    });
    if (reasons.length > 0) {
      out.push({ advisory: adv, reasons, fixedVersions: sortVersions([...fixed], eco.versioning) });
    }
  }
  return out;
}

/**
 * Explicit `versions` lists: exact string, or equal in the ecosystem's order (PyPI `1.0` = `1.0.0`).
 * Lists run to hundreds of entries (PyPI), so each is indexed once: a Set for exact hits, and the
 * entries grouped by their leading number, the only ones that can compare equal.
 */
const listIndex = new WeakMap<readonly unknown[], { exact: Set<unknown>; byMajor: Map<string, string[]> }>();

function listed(versions: readonly unknown[], version: string, versioning: Versioning | undefined): boolean {
  let index = listIndex.get(versions);
  if (!index) {
    const byMajor = new Map<string, string[]>();
    for (const v of versions) {
      if (typeof v !== 'string') continue;
      const k = leadingNumber(v);
      const list = byMajor.get(k);
      if (list) list.push(v);
      else byMajor.set(k, [v]);
    }
    listIndex.set(versions, (index = { exact: new Set(versions), byMajor }));
  }
  if (index.exact.has(version)) return true;
  if (!versioning) return false;
  const same = index.byMajor.get(leadingNumber(version)) ?? [];
  return same.some((v) => v !== version && versioning.parse(v) !== undefined && versioning.compare(v, version) === 0);
}

/** `v1.2.3` → `1`, `01.0` → `1`, `2!1.0` → `2!1`: versions with different keys never compare equal. */
function leadingNumber(v: string): string {
  const m = /^\s*[vV]?(?:(\d+)!)?0*(\d+)/.exec(v);
  return m ? `${m[1] ?? ''}!${m[2]}` : v;
}

function sortVersions(vs: string[], versioning: Versioning): string[] {
  const ok = vs.filter((v) => versioning.parse(v) !== undefined).sort((a, b) => versioning.compare(a, b));
  return [...ok, ...vs.filter((v) => versioning.parse(v) === undefined)];
}

export interface MatchOptions {
  /** Paths per finding kept in the result (all are computed up to this bound). */
  maxPaths?: number;
  /**
   * Base ecosystems the store holds advisories for. A component of any other ecosystem is listed
   * as not checked (never reported clean) with the command that loads it.
   */
  loadedEcosystems?: ReadonlySet<string>;
  /** Called once per component (progress). */
  onComponent?: () => void;
}

/** Match every component of a graph. Findings are sorted by component purl, then advisory id. */
export function matchGraph(graph: DependencyGraph, store: AdvisoryLookup, opts: MatchOptions = {}): { findings: Finding[]; stats: MatchStats } {
  const stats = newStats();
  const findings: Finding[] = [];
  for (const c of graph.components.values()) {
    opts.onComponent?.();
    const matches = matchCheckedComponent(c, store, stats, opts.loadedEcosystems);
    if (matches.length === 0) continue;
    const paths = graph.pathsTo(c.purl, opts.maxPaths ?? MAX_PATHS);
    for (const m of matches) {
      findings.push({
        component: c,
        advisory: m.advisory,
        reasons: m.reasons,
        fixedVersions: m.fixedVersions,
        paths,
        locations: c.locations,
      });
    }
  }
  findings.sort((a, b) => byCodePoint(a.component.purl, b.component.purl) || byCodePoint(a.advisory.id, b.advisory.id));
  return { findings, stats };
}

/** Paths per finding a match keeps by default. */
export const MAX_PATHS = 20;

/**
 * One component matched as matchGraph matches each of a graph's components — the ecosystem checked
 * (`loadedEcosystems`), candidates asked of the store, ranges evaluated — with `stats` counted alike.
 * The matches depend on the component alone (not on a graph): the server's re-match asks once per
 * component however many project versions hold it.
 */
export function matchCheckedComponent(c: Component, store: AdvisoryLookup, stats: MatchStats, loadedEcosystems?: ReadonlySet<string>): ComponentMatch[] {
  const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
  if (eco && loadedEcosystems && !loadedEcosystems.has(eco.osvName)) {
    stats.componentsNotChecked.push({ purl: c.purl, reason: `no ${eco.osvName} advisories in the store; run \`vouch db update --ecosystem ${eco.osvName}\`` });
    return [];
  }
  if (!eco) {
    stats.componentsNotChecked.push({ purl: c.purl, reason: c.ecosystem ? `no advisories/version rules for ecosystem ${c.ecosystem}` : 'unknown ecosystem' });
    return [];
  }
  stats.componentsChecked++;
  const candidates = store.advisoriesFor(baseEcosystem(eco.osvName), eco.normalizeName(c.advisoryName ?? c.name));
  const v = c.advisoryVersion ?? c.version;
  if (eco.versioning.parse(v) === undefined && semverVersioning.parse(v) === undefined) {
    stats.componentsNotChecked.push({ purl: c.purl, reason: `version "${v}" is not a valid ${eco.osvName} version: only explicit version lists were checked` });
  }
  if (candidates.length === 0) return [];
  return matchComponent(c, eco, candidates, stats);
}

