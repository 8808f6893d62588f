import { describe, expect, it } from 'vitest';
import { prng } from '../testing/version-vectors.js';
import { type AllocationProblem, solveAllocation } from './solve.js';

function instance(seed: number): AllocationProblem {
  const r = prng(seed);
  const V = 1 + Math.floor(r() * 6);
  const N = 1 + Math.floor(r() * 8);
  const capacity = Array.from({ length: V }, () => Math.floor(r() * 5)); // 0..4 hours
  const effort = Array.from({ length: N }, () => 1 + Math.floor(r() * 3)); // 1..3 hours
  const arcs: AllocationProblem['arcs'][number][] = [];
  for (let v = 0; v < V; v++) for (let n = 0; n < N; n++) if (r() < 0.6) arcs.push({ v, n, value: Math.round(r() * 1000) / 100 });
  return { capacity, effort, arcs };
}

/**
 * Brute force: every way of giving each need's hours to the volunteers who may take it (whole
 * hours, within every capacity and effort), memoised on (need, remaining capacities). It knows
 * nothing of LPs or duals.
 */
function bruteForce(p: AllocationProblem): number {
  const memo = new Map<string, number>();
  const arcsOf = p.effort.map((_, n) => p.arcs.filter((a) => a.n === n));
  const best = (n: number, cap: number[]): number => {
    if (n === p.effort.length) return 0;
    const key = `${n}|${cap.join(',')}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result = -Infinity;
    const arcs = arcsOf[n]!;
    const split = (i: number, left: number, gained: number): void => {
      if (i === arcs.length) {
        result = Math.max(result, gained + best(n + 1, cap));
        return;
      }
      const a = arcs[i]!;
      for (let x = 0; x <= Math.min(left, cap[a.v]!); x++) {
        cap[a.v]! -= x;
        split(i + 1, left - x, gained + (x * a.value) / p.effort[n]!);
        cap[a.v]! += x;
      }
    };
    split(0, p.effort[n]!, 0);
    memo.set(key, result);
    return result;
  };
  return best(0, [...p.capacity]);
}

describe('solveAllocation (HiGHS, column generation)', () => {
  it('equals the brute-force optimum on 200 random instances of up to 6 volunteers × 8 needs', async () => {
    let nonTrivial = 0;
    let priced = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const p = instance(seed);
      const want = bruteForce(p);
      // once as configured, once starting from one arc per volunteer, adding one per round and
      // dropping every zero column with a negative reduced cost, so the pricing rounds and the
      // column management (not only the first LP) are what reaches the optimum
      const slow = await solveAllocation(p, { initialCover: 0, addPerRound: 1, dropFraction: 0 });
      expect(slow.objective, `seed ${seed}, pricing`).toBeCloseTo(want, 9);
      if (slow.rounds > 1) priced++;
      const got = await solveAllocation(p);
      expect(got.objective, `seed ${seed}`).toBeCloseTo(want, 9);
      // the allocation itself is feasible and whole hours, and its value is the objective
      const byVol = new Array<number>(p.capacity.length).fill(0);
      const byNeed = new Array<number>(p.effort.length).fill(0);
      let value = 0;
      got.hours.forEach((h, k) => {
        expect(Number.isInteger(h) && h >= 0).toBe(true);
        const a = p.arcs[k]!;
        byVol[a.v]! += h;
        byNeed[a.n]! += h;
        value += (h * a.value) / p.effort[a.n]!;
      });
      byVol.forEach((u, v) => expect(u).toBeLessThanOrEqual(p.capacity[v]!));
      byNeed.forEach((u, n) => expect(u).toBeLessThanOrEqual(p.effort[n]!));
      expect(value).toBeCloseTo(want, 9);
      if (want > 0) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(150);
    expect(priced).toBeGreaterThan(100);
  });

  it('a greedy pass would be wrong here; the solver is not', async () => {
    // v0 (2 h) fits n0 (value 10) and n1 (value 9); v1 (2 h) fits only n0 (value 8). Greedy by value
    // gives n0 to v0 and leaves v1 idle: 10. The optimum gives n0 to v1 and n1 to v0: 8 + 9 = 17.
    const p: AllocationProblem = { capacity: [2, 2], effort: [2, 2], arcs: [{ v: 0, n: 0, value: 10 }, { v: 0, n: 1, value: 9 }, { v: 1, n: 0, value: 8 }] };
    const got = await solveAllocation(p);
    expect(got.objective).toBeCloseTo(17, 9);
    expect(got.hours).toEqual([0, 2, 2]);
  });

  it('no arcs, no hours or no needs: an empty allocation, not an error', async () => {
    expect((await solveAllocation({ capacity: [], effort: [], arcs: [] })).objective).toBe(0);
    expect((await solveAllocation({ capacity: [0], effort: [8], arcs: [{ v: 0, n: 0, value: 5 }] })).hours).toEqual([0]);
  });

  it('fractional capacities are refused (hours are whole)', async () => {
    await expect(solveAllocation({ capacity: [1.5], effort: [1], arcs: [] })).rejects.toThrow(/whole hours/);
  });
});
