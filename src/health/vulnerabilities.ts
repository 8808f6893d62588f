/** Vulnerabilities: vouch's own offline scan of the clone's lockfiles against the local OSV store. */
import { existsSync } from 'node:fs';
import { matchGraph } from '../advisories/match.js';
import { AdvisoryStore, storePath } from '../advisories/store.js';
import { collectInventory } from '../inventory/collect.js';
import { baseEcosystem } from '../model/advisory.js';
import type { RepoContext } from './context.js';
import type { CheckResult, Evidence } from './types.js';

export async function vulnerabilities(ctx: RepoContext, opts: { home?: string } = {}): Promise<CheckResult> {
  const base = { name: 'Vulnerabilities', risk: 'High' as const, remediation: 'Update the affected dependencies (vouch scan lists fixed versions) or document why they do not apply (VEX).' };
  const home = opts.home ?? AdvisoryStore.defaultHome();
  if (!existsSync(storePath(home))) return { ...base, score: null, reason: 'not run: no advisory store (run `vouch db update`)', evidence: [] };
  const store = AdvisoryStore.open(home);
  try {
    const status = store.status();
    if (status.length === 0) return { ...base, score: null, reason: 'not run: the advisory store is empty (run `vouch db update`)', evidence: [] };
    const inv = await collectInventory([ctx.root]);
    if (inv.graph.components.size === 0) return { ...base, score: null, reason: 'not run: no lockfile or SBOM in the repository', evidence: [] };
    const loadedEcosystems = new Set(status.map((s) => baseEcosystem(s.ecosystem)));
    const { findings } = matchGraph(inv.graph, store, { loadedEcosystems });
    const ids = new Set(findings.map((f) => f.advisory.id));
    const evidence: Evidence[] = findings.slice(0, 50).map((f) => {
      const loc = f.locations[0];
      const rel = loc ? loc.path.replace(ctx.root.replace(/\/?$/, '/'), '') : '.';
      return { path: rel, line: loc?.line, detail: `${f.component.name}@${f.component.version}: ${f.advisory.id}`, kind: 'fail' as const };
    });
    // Scorecard: 10 minus the number of known vulnerabilities, floored at 0
    return { ...base, score: Math.max(0, 10 - ids.size), reason: `${ids.size} known vulnerabilit${ids.size === 1 ? 'y' : 'ies'} in ${inv.graph.components.size} locked component(s)`, evidence };
  } finally {
    store.close();
  }
}
