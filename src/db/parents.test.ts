import { describe, expect, it } from 'vitest';
import { PATH_DEPTH_MAX, compactEdges, decodeParents, encodeParents } from './parents.js';

/**
 * The search queries.ts ran before the parents column, kept here as the reference: breadth-first
 * upwards from the target, one level at a time, each node's parents roots first then by id, the
 * first root met ends it; at most 64 levels.
 */
function referencePath(edges: readonly (readonly [number, number])[], target: number): number[] | undefined {
  const parents = new Map<number, number[]>();
  for (const [p, c] of edges) {
    const l = parents.get(c) ?? [];
    if (!l.includes(p)) l.push(p);
    parents.set(c, l);
  }
  const prev = new Map<number, number>([[target, target]]);
  let frontier = [target];
  let found: number | undefined;
  for (let depth = 0; depth < 64 && found === undefined && frontier.length; depth++) {
    const next: number[] = [];
    for (const node of frontier) {
      const ps = (parents.get(node) ?? []).slice().sort((a, b) => (a < 0 === b < 0 ? a - b : a < 0 ? -1 : 1));
      for (const p of ps) {
        if (prev.has(p)) continue;
        prev.set(p, node);
        if (p < 0) {
          found = p;
          break;
        }
        next.push(p);
      }
      if (found !== undefined) break;
    }
    frontier = next;
  }
  if (found === undefined) return undefined;
  const path = [found];
  let cur = prev.get(found)!;
  for (;;) {
    path.push(cur);
    if (cur === target) break;
    cur = prev.get(cur)!;
  }
  return path;
}

/** The chain of stored shortest-path parents from a root down to `target`, as queries.ts walks it. */
function chainPath(compact: ReturnType<typeof compactEdges>, target: number): number[] | undefined {
  const up = [target];
  let cur = target;
  while (cur >= 0) {
    const next = compact.get(cur)?.pathParent;
    if (next === undefined || next === null) return undefined;
    up.push(next);
    cur = next;
    if (up.length > PATH_DEPTH_MAX + 1) throw new Error('chain longer than the bound');
  }
  return up.reverse();
}

describe('compact edges', () => {
  it('stores parents sorted, without duplicates, and reads them back', () => {
    expect(encodeParents([5, -1, 3, 5, -2])).toBe('-2,-1,3,5');
    expect(decodeParents('-2,-1,3,5')).toEqual([-2, -1, 3, 5]);
    expect(decodeParents('')).toEqual([]);
    expect(encodeParents([])).toBe('');
  });

  it('picks, of equally short paths, the smallest parent one step nearer a root', () => {
    // root -1 → 10 → 30; root -1 → 20 → 30; root -2 → 20; 30 → 40; 20 → 40 (shorter); 50 alone; 60 ↔ 70 a cycle below 30
    const edges: [number, number][] = [
      [-1, 10],
      [-1, 20],
      [-2, 20],
      [10, 30],
      [20, 30],
      [30, 40],
      [20, 40],
      [30, 60],
      [60, 70],
      [70, 60],
      [20, 20],
    ];
    const c = compactEdges(edges);
    // 10: only root -1. 20: roots -2 and -1, -2 first (the former search sorted roots ascending)
    expect(c.get(10)).toEqual({ parents: [-1], pathParent: -1 });
    expect(c.get(20)).toEqual({ parents: [-2, -1, 20], pathParent: -2 });
    // 30: parents 10 and 20, both one from a root: 10, the smaller
    expect(c.get(30)).toEqual({ parents: [10, 20], pathParent: 10 });
    // 40: via 20 (two steps) rather than via 30 (three)
    expect(c.get(40)).toEqual({ parents: [20, 30], pathParent: 20 });
    expect(c.get(60)).toEqual({ parents: [30, 70], pathParent: 30 });
    expect(c.get(70)).toEqual({ parents: [60], pathParent: 60 });
    expect(c.has(50)).toBe(false);
    expect(chainPath(c, 70)).toEqual([-1, 10, 30, 60, 70]);
    // a cycle not reached from any root has no path
    const loose = compactEdges([
      [1, 2],
      [2, 1],
    ]);
    expect(loose.get(1)?.pathParent).toBeNull();
    expect(loose.get(2)?.parents).toEqual([1]);
  });

  it('records no path longer than 64 edges, as the former search did not find one', () => {
    const edges: [number, number][] = [[-1, 1]];
    for (let i = 1; i < 70; i++) edges.push([i, i + 1]);
    const c = compactEdges(edges);
    expect(c.get(64)?.pathParent).toBe(63);
    expect(chainPath(c, 64)).toHaveLength(65);
    expect(c.get(65)?.pathParent).toBeNull();
    expect(referencePath(edges, 64)).toEqual(chainPath(c, 64));
    expect(referencePath(edges, 65)).toBeUndefined();
  });

  it('gives the same path as the former breadth-first search on random graphs', () => {
    // a seeded generator: the same graphs every run
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let compared = 0;
    let found = 0;
    for (let g = 0; g < 300; g++) {
      const nodes = 2 + rand(40);
      const roots = 1 + rand(3);
      const edges: [number, number][] = [];
      const count = rand(nodes * 3);
      for (let i = 0; i < count; i++) {
        const parent = rand(5) === 0 ? -1 - rand(roots) : rand(nodes);
        edges.push([parent, rand(nodes)]);
      }
      const c = compactEdges(edges);
      for (let t = 0; t < nodes; t++) {
        const want = referencePath(edges, t);
        expect(chainPath(c, t), `graph ${g}, target ${t}`).toEqual(want);
        compared++;
        if (want) found++;
      }
    }
    // the graphs exercise both outcomes, with paths of several steps
    expect(compared).toBeGreaterThan(3000);
    expect(found).toBeGreaterThan(compared / 4);
  });
});
