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
const INITIAL_COVER = 2;
/** Arcs added per volunteer and round, best reduced cost first. */
const ADD_PER_ROUND = 20;
const DROP_FRACTION = 0.02;
const MAX_ROUNDS = 1000;

export interface SolveOptions {
  /** arcs each volunteer starts with: its best until they cover this many times its capacity (default 2; at least one) */
  initialCover?: number;
  /** arcs added per volunteer and round, best reduced cost first (default 20) */
  addPerRound?: number;
  /** columns at zero with a reduced cost below −this × the largest value per hour leave the LP (default 0.02; Infinity keeps all) */
  dropFraction?: number;
}

export async function solveAllocation(p: AllocationProblem, opts: SolveOptions = {}): Promise<Allocation> {
  const initialCover = opts.initialCover ?? INITIAL_COVER;
  const addPerRound = opts.addPerRound ?? ADD_PER_ROUND;
  const dropFraction = opts.dropFraction ?? DROP_FRACTION;
  const V = p.capacity.length;
  const N = p.effort.length;
  for (const c of p.capacity) if (!Number.isInteger(c) || c < 0) throw new VouchError('USAGE', `capacities and efforts must be whole hours ≥ 0 (got ${c})`);
  for (const c of p.effort) if (!Number.isInteger(c) || c < 0) throw new VouchError('USAGE', `capacities and efforts must be whole hours ≥ 0 (got ${c})`);
  const M = p.arcs.length;
  const hoursOut = new Array<number>(M).fill(0);
  // arcs by index: volunteer, need, value per hour; usable = positive value, hours on both sides
  const av = new Int32Array(M);
  const an = new Int32Array(M);
  const ac = new Float64Array(M);
  const perVol = new Int32Array(V + 1);
  let usable = 0;
  let maxC = 0;
  for (let i = 0; i < M; i++) {
    const a = p.arcs[i]!;
    av[i] = a.v;
    an[i] = a.n;
    if (a.value > 0 && p.capacity[a.v]! > 0 && p.effort[a.n]! > 0) {
      ac[i] = a.value / p.effort[a.n]!;
      maxC = Math.max(maxC, ac[i]!);
      perVol[a.v + 1]!++;
      usable++;
    } else ac[i] = -1;
  }
  const h = await highs();
  if (usable === 0) return { hours: hoursOut, objective: 0, rounds: 0, columns: 0, solver: solverName(h) };
  // each volunteer's usable arcs, best value per hour first: byVol[perVol[v] .. perVol[v+1])
  for (let v = 0; v < V; v++) perVol[v + 1]! += perVol[v]!;
  const byVol = new Int32Array(usable);
  const fill = perVol.slice(0, V);
  for (let i = 0; i < M; i++) if (ac[i]! >= 0) byVol[fill[av[i]!]!++] = i;
  for (let v = 0; v < V; v++) byVol.subarray(perVol[v]!, perVol[v + 1]!).sort((x, y) => ac[y]! - ac[x]! || an[x]! - an[y]!);

  const inModel = new Uint8Array(M);
  let cols: number[] = [];
  for (let v = 0; v < V; v++) {
    let covered = 0;
    for (let k = perVol[v]!; k < perVol[v + 1]!; k++) {
      if (covered > 0 && covered >= initialCover * p.capacity[v]!) break;
      const i = byVol[k]!;
      inModel[i] = 1;
      cols.push(i);
      covered += p.effort[an[i]!]!;
    }
  }
  const rows = V + N;
  const matrix = (cs: readonly number[]): { format: 'csc'; numRows: number; numCols: number; starts: Int32Array; indices: Int32Array; values: Float64Array } => {
    const starts = new Int32Array(cs.length + 1);
    const indices = new Int32Array(2 * cs.length);
    for (let j = 0; j < cs.length; j++) {
      starts[j] = 2 * j;
      indices[2 * j] = av[cs[j]!]!;
      indices[2 * j + 1] = V + an[cs[j]!]!;
    }
    starts[cs.length] = 2 * cs.length;
    return { format: 'csc', numRows: rows, numCols: cs.length, starts, indices, values: new Float64Array(2 * cs.length).fill(1) };
  };
  const costs = (cs: readonly number[]): Float64Array => Float64Array.from(cs, (i) => ac[i]!);
  const model = h.createModel();
  try {
    // primal simplex: ends on a vertex (whole hours) and restarts from the last basis after columns are added
    model.options.set({ output_flag: false, solver: 'simplex', simplex_strategy: 4, presolve: 'off' });
    model.passModel({
      numCols: cols.length,
      numRows: rows,
      sense: h.constants.objectiveSense.maximize,
      colCost: costs(cols),
      colLower: new Float64Array(cols.length),
      colUpper: new Float64Array(cols.length).fill(h.infinity),
      rowLower: new Float64Array(rows).fill(-h.infinity),
      rowUpper: Float64Array.from({ length: rows }, (_, r) => (r < V ? p.capacity[r]! : p.effort[r - V]!)),
      matrix: matrix(cols),
    });
    const tol = 1e-9 * Math.max(1, maxC);
    const dropBelow = dropFraction * maxC;
    let rounds = 0;
    let x: Float64Array;
    const rcOf = new Float64Array(M);
    for (;;) {
      rounds++;
      model.run();
      const status = model.getModelStatus();
      if (status !== h.constants.modelStatus.optimal) throw new VouchError('USAGE', `the matching LP did not solve to optimality (HiGHS model status ${status})`);
      const sol = model.getSolution();
      x = sol.colValue;
      const dual = sol.rowDual;
      const rc = (i: number): number => ac[i]! - dual[av[i]!]! - dual[V + an[i]!]!;
      // need duals are ≥ 0 in theory; the smallest one bounds every reduced cost from above
      let minW = 0;
      for (let n = 0; n < N; n++) minW = Math.min(minW, dual[V + n]!);
      const fresh: number[] = [];
      const cands: number[] = [];
      for (let v = 0; v < V; v++) {
        cands.length = 0;
        for (let k = perVol[v]!; k < perVol[v + 1]!; k++) {
          const i = byVol[k]!;
          // arcs are sorted by value per hour: no later arc can have a positive reduced cost
          if (ac[i]! - dual[v]! - minW <= tol) break;
          if (inModel[i]) continue;
          rcOf[i] = rc(i);
          if (rcOf[i]! > tol) cands.push(i);
        }
        if (cands.length > addPerRound) cands.sort((a, b) => rcOf[b]! - rcOf[a]! || a - b);
        for (const i of cands.slice(0, addPerRound)) {
          inModel[i] = 1;
          fresh.push(i);
        }
      }
      if (fresh.length === 0) break;
      if (rounds >= MAX_ROUNDS) throw new VouchError('USAGE', `the matching LP did not converge in ${MAX_ROUNDS} rounds`);
      // keep the LP small: columns at zero whose reduced cost is far below zero leave it (pricing can bring them back)
      const drop = new Uint8Array(cols.length);
      let dropped = 0;
      for (let j = 0; j < cols.length; j++) {
        if (Math.abs(x[j]!) < 1e-9 && rc(cols[j]!) < -dropBelow) {
          drop[j] = 1;
          inModel[cols[j]!] = 0;
          dropped++;
        }
      }
      if (dropped > 0) {
        model.deleteCols({ kind: 'mask', mask: drop });
        cols = cols.filter((_, j) => !drop[j]);
      }
      model.addCols({ cost: costs(fresh), lower: new Float64Array(fresh.length), upper: new Float64Array(fresh.length).fill(h.infinity), matrix: matrix(fresh) });
      for (const i of fresh) cols.push(i);
    }
    let objective = 0;
    for (let j = 0; j < cols.length; j++) {
      const r = Math.round(x[j]!) + 0; // + 0: no -0
      // a vertex of a totally unimodular system with integer bounds is integral; anything else is a solver fault
      if (Math.abs(x[j]! - r) > 1e-6) throw new VouchError('USAGE', `the matching LP returned a fractional allocation (${x[j]}); report this`);
      hoursOut[cols[j]!] = r;
      objective += r * ac[cols[j]!]!;
    }
    return { hours: hoursOut, objective, rounds, columns: cols.length, solver: solverName(h) };
  } finally {
    model.dispose();
  }
}

function solverName(h: Highs): string {
  return `HiGHS ${h.version.string} (LP, primal simplex, column generation)`;
}
