/**
 * One finding per (component, vulnerability). OSV publishes the same vulnerability several times:
 * GHSA-xxxx (the GitHub record), PYSEC-yyyy, GO-..., RUSTSEC-..., and sometimes the CVE record itself,
 * each listing the others (or a shared CVE) in `aliases`. Records matched against the same component
 * that alias each other — directly, through a shared alias, or transitively through aliases — are one
 * vulnerability. `related` is never followed: it links different vulnerabilities.
 *
 * The primary record (the finding's `id`), in this order (docs/triage.md):
 *   1. a GHSA record (the reviewed, ecosystem-wide record that carries CVSS most often),
 *   2. another ecosystem-native record (PYSEC, GO, RUSTSEC, RUBYSEC, MAL, ...: not CVE),
 *   3. a CVE record,
 * ties broken by the smallest id (code-point order), so the choice never depends on input order.
 */
import { byCodePoint } from '../model/order.js';

export interface Aliased {
  id: string;
  aliases: readonly string[];
}

/** Groups items whose id/aliases are connected through aliases (union-find), each group in input order; groups ordered by their first item. */
export function groupByAliases<T extends Aliased>(items: readonly T[]): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  items.forEach((it, i) => {
    for (const key of [it.id, ...it.aliases]) {
      const k = key.trim().toUpperCase();
      if (!k) continue;
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const groups = new Map<number, T[]>();
  items.forEach((it, i) => {
    const r = find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(it);
  });
  return [...groups.values()];
}

function kind(id: string): number {
  const u = id.toUpperCase();
  if (u.startsWith('GHSA-')) return 0;
  if (u.startsWith('CVE-')) return 2;
  return 1;
}

/** The primary id among merged records (rule in the header). */
export function primaryId(ids: readonly string[]): string {
  const sorted = [...ids].sort((a, b) => kind(a) - kind(b) || byCodePoint(a, b));
  if (!sorted.length) throw new Error('primaryId of no ids');
  return sorted[0]!;
}

/** Every id merged, the primary first, the rest in the primary rule's order. */
export function orderedIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => kind(a) - kind(b) || byCodePoint(a, b));
}
