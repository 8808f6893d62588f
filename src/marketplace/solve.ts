/**
 * The exact allocation behind `vouch marketplace match`: a transportation problem solved as a
 * linear program by HiGHS (MIT; https://highs.dev), by column generation.
 *
 *   maximise   Σ_(v,n)∈A  c_vn · x_vn            c_vn = value_vn / effort_n  (value per hour)
 *   subject to Σ_n x_vn ≤ capacity_v   for every volunteer v
 *              Σ_v x_vn ≤ effort_n     for every need n
 *              x_vn ≥ 0
 *
 * The constraint matrix is the incidence matrix of a bipartite graph, so it is totally unimodular:
 * with integer capacities and efforts every vertex of the polytope is integral, and the simplex
 * method (which ends on a vertex) returns whole hours. Column generation keeps the LP small: it
 * starts from each volunteer's best arcs, solves, prices every arc left out with the LP duals
 * (reduced cost c_vn − y_v − y_n), adds those that would improve the objective, and stops when none
 * would — the LP optimality certificate over all arcs, so the result is the optimum of the whole
 * problem, not of the subset.
 */
import type { Highs } from 'highs';
import { VouchError } from '../model/errors.js';

export interface AllocationProblem {
  /** hours each volunteer can give (integers ≥ 0) */
  capacity: readonly number[];
  /** hours each need takes (integers ≥ 0) */
  effort: readonly number[];
  /** volunteer–need pairs that may be matched, with the value of doing the whole need (> 0) */
  arcs: readonly { v: number; n: number; value: number }[];
}

export interface Allocation {
  /** hours on each arc, in the order of `arcs` */
  hours: number[];
  /** Σ value × hours / effort */
  objective: number;
  /** column-generation rounds and columns in the last LP */
  rounds: number;
  columns: number;
  solver: string;
}

let highsPromise: Promise<Highs> | undefined;

async function highs(): Promise<Highs> {
  // the package's ESM entry default-exports the loader (its types are written for CommonJS)
  highsPromise ??= import('highs').then((m) => (m as unknown as { default: () => Promise<Highs> }).default());
  return highsPromise;
}

/** Arcs considered at first: each volunteer's best, until they cover this many times its capacity. */
const INITIAL_COVER = 4;
/** Arcs added per volunteer and round, best reduced cost first. */
const ADD_PER_ROUND = 50;
const MAX_ROUNDS = 1000;

export interface SolveOptions {
  /** arcs each volunteer starts with: its best until they cover this many times its capacity (default 4; at least one) */
  initialCover?: number;
  /** arcs added per volunteer and round (default 50) */
  addPerRound?: number;
}

export async function solveAllocation(p: AllocationProblem, opts: SolveOptions = {}): Promise<Allocation> {
  const initialCover = opts.initialCover ?? INITIAL_COVER;
  const addPerRound = opts.addPerRound ?? ADD_PER_ROUND;
  const V = p.capacity.length;
  const N = p.effort.length;
  for (const c of [...p.capacity, ...p.effort]) {
    if (!Number.isInteger(c) || c < 0) throw new VouchError('USAGE', `capacities and efforts must be whole hours ≥ 0 (got ${c})`);
  }
  const usable = p.arcs.map((a, i) => ({ ...a, i, c: a.value / (p.effort[a.n] || 1) })).filter((a) => a.value > 0 && p.capacity[a.v]! > 0 && p.effort[a.n]! > 0);
  const hoursOut = new Array<number>(p.arcs.length).fill(0);
  const h = await highs();
  if (usable.length === 0) return { hours: hoursOut, objective: 0, rounds: 0, columns: 0, solver: solverName(h) };

  const byVol: (typeof usable)[] = Array.from({ length: V }, () => []);
  for (const a of usable) byVol[a.v]!.push(a);
  for (const l of byVol) l.sort((x, y) => y.c - x.c || x.n - y.n);
  const inModel = new Uint8Array(usable.length);
  const pos = new Map<(typeof usable)[number], number>(usable.map((a, k) => [a, k]));
  let cols: (typeof usable)[number][] = [];
  for (let v = 0; v < V; v++) {
    let covered = 0;
    for (const a of byVol[v]!) {
      if (covered > 0 && covered >= initialCover * p.capacity[v]!) break;
      cols.push(a);
      inModel[pos.get(a)!] = 1;
      covered += p.effort[a.n]!;
    }
  }
  const rows = V + N;
  const matrix = (cs: readonly (typeof usable)[number][]): { format: 'csc'; numRows: number; numCols: number; starts: Int32Array; indices: Int32Array; values: Float64Array } => {
    const starts = new Int32Array(cs.length + 1);
    const indices = new Int32Array(2 * cs.length);
    for (let j = 0; j < cs.length; j++) {
      starts[j] = 2 * j;
      indices[2 * j] = cs[j]!.v;
      indices[2 * j + 1] = V + cs[j]!.n;
    }
    starts[cs.length] = 2 * cs.length;
    return { format: 'csc', numRows: rows, numCols: cs.length, starts, indices, values: new Float64Array(2 * cs.length).fill(1) };
  };
  const model = h.createModel();
  const all: (typeof usable)[number][] = [...cols];
  try {
    // primal simplex: ends on a vertex (whole hours) and restarts from the last basis after columns are added
    model.options.set({ output_flag: false, solver: 'simplex', simplex_strategy: 4 });
    model.passModel({
      numCols: cols.length,
      numRows: rows,
      sense: h.constants.objectiveSense.maximize,
      colCost: Float64Array.from(cols, (a) => a.c),
      colLower: new Float64Array(cols.length),
      colUpper: new Float64Array(cols.length).fill(h.infinity),
      rowLower: new Float64Array(rows).fill(-h.infinity),
      rowUpper: Float64Array.from({ length: rows }, (_, i) => (i < V ? p.capacity[i]! : p.effort[i - V]!)),
      matrix: matrix(cols),
    });
    const maxC = Math.max(...usable.map((a) => a.c));
    const tol = 1e-9 * Math.max(1, maxC);
    let rounds = 0;
    let dual: Float64Array;
    for (;;) {
      rounds++;
      model.run();
      const status = model.getModelStatus();
      if (status !== h.constants.modelStatus.optimal) throw new VouchError('USAGE', `the matching LP did not solve to optimality (HiGHS model status ${status})`);
      dual = model.getSolution().rowDual;
      const fresh: (typeof usable)[number][] = [];
      for (let v = 0; v < V; v++) {
        let k = 0;
        for (const a of byVol[v]!) {
          if (inModel[pos.get(a)!]) continue;
          if (a.c - dual[v]! - dual[V + a.n]! > tol) {
            fresh.push(a);
            inModel[pos.get(a)!] = 1;
            if (++k >= addPerRound) break;
          }
        }
      }
      if (fresh.length === 0) break;
      if (rounds >= MAX_ROUNDS) throw new VouchError('USAGE', `the matching LP did not converge in ${MAX_ROUNDS} rounds`);
      model.addCols({ cost: Float64Array.from(fresh, (a) => a.c), lower: new Float64Array(fresh.length), upper: new Float64Array(fresh.length).fill(h.infinity), matrix: matrix(fresh) });
      all.push(...fresh);
    }
    cols = all;
    const x = model.getSolution().colValue;
    let objective = 0;
    for (let j = 0; j < cols.length; j++) {
      const r = Math.round(x[j]!);
      // a vertex of a totally unimodular system with integer bounds is integral; anything else is a solver fault
      if (Math.abs(x[j]! - r) > 1e-6) throw new VouchError('USAGE', `the matching LP returned a fractional allocation (${x[j]}); report this`);
      hoursOut[cols[j]!.i] = r;
      objective += r * cols[j]!.c;
    }
    return { hours: hoursOut, objective, rounds, columns: cols.length, solver: solverName(h) };
  } finally {
    model.dispose();
  }
}

function solverName(h: Highs): string {
  return `HiGHS ${h.version.string} (LP, primal simplex, column generation)`;
}
