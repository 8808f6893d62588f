/**
 * `vouch marketplace match`: assign volunteers to needs to maximise Σ priority × fit, within each
 * volunteer's hours and each need's effort, with one lead per need. Hours are what is allocated
 * (solve.ts, exact); a need's lead is the volunteer who gives it the most hours (then the better
 * fit), the others are listed as helping. Every assignment says why.
 */
import { byPriority } from './needs.js';
import { type PreparedVolunteer, fit, fitScore, prepareNeed, prepareVolunteer } from './skills.js';
import { solveAllocation } from './solve.js';
import type { Need, Volunteer } from './types.js';

export const MATCH_SCHEMA = 'vouch-marketplace-match/1';

export interface Contributor {
  volunteer: string;
  company?: string;
  hours: number;
  fit: number;
  /** which skills fit */
  why: string;
}

export interface Assignment {
  needId: string;
  title: string;
  project: string;
  priority: number;
  /** the need's hours (effort class) */
  effortHours: number;
  lead: Contributor;
  /** others giving hours to the same need */
  helpers: Contributor[];
  /** Σ priority × fit × hours / effort over the contributors */
  value: number;
  /** the need's priority, where it comes from, and why the lead fits */
  why: string;
}

export interface MatchResult {
  schema: typeof MATCH_SCHEMA;
  months: number;
  /** Σ of the assignments' values: the maximum */
  objective: number;
  assignments: Assignment[];
  unmatched: { needId: string; title: string; priority: number; why: string }[];
  volunteers: { name: string; company?: string; capacity: number; used: number; leads: number; why?: string }[];
  solver: { name: string; arcs: number; rounds: number; columns: number };
  /** why nothing was matched, when nothing was */
  empty?: string;
}

export interface MatchOptions {
  /** the planning period: capacity = floor(hours_per_month × months); default 3 (a quarter) */
  months?: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export async function matchVolunteers(needsIn: readonly Need[], volunteers: readonly Volunteer[], opts: MatchOptions = {}): Promise<MatchResult> {
  const months = opts.months ?? 3;
  const needs = [...needsIn].sort(byPriority);
  const capacity = volunteers.map((v) => Math.floor(v.hoursPerMonth * months));
  const pvs = volunteers.map(prepareVolunteer);
  // areas as bits, so a need only scores the volunteers who share one of its areas (fit is 0 otherwise)
  const bit = new Map<string, bigint>();
  const maskOf = (areas: Iterable<string>): bigint => {
    let m = 0n;
    for (const a of areas) {
      if (!bit.has(a)) bit.set(a, 1n << BigInt(bit.size));
      m |= bit.get(a)!;
    }
    return m;
  };
  const volMask = pvs.map((pv) => maskOf(pv.skills));
  const arcs: { v: number; n: number; value: number; fit: number }[] = [];
  needs.forEach((need, n) => {
    if (!(need.priority > 0)) return;
    const pn = prepareNeed(need);
    const m = maskOf(pn.areas);
    for (let v = 0; v < pvs.length; v++) {
      if ((volMask[v]! & m) === 0n) continue;
      const f = fitScore(pvs[v]!, pn);
      if (f > 0) arcs.push({ v, n, value: need.priority * f, fit: f });
    }
  });
  const alloc = await solveAllocation({ capacity, effort: needs.map((x) => x.hours), arcs });

  const perNeed = new Map<number, { v: number; hours: number; fit: number }[]>();
  const fitting = new Map<number, number[]>();
  for (const a of arcs) {
    const l = fitting.get(a.n);
    if (l) l.push(a.v);
    else fitting.set(a.n, [a.v]);
  }
  const used = new Array<number>(volunteers.length).fill(0);
  arcs.forEach((a, k) => {
    const hrs = alloc.hours[k]!;
    if (hrs <= 0) return;
    used[a.v]! += hrs;
    const l = perNeed.get(a.n);
    if (l) l.push({ v: a.v, hours: hrs, fit: a.fit });
    else perNeed.set(a.n, [{ v: a.v, hours: hrs, fit: a.fit }]);
  });
  const contributor = (v: number, hours: number, need: Need): Contributor => {
    const f = fit(volunteers[v]!, need);
    return { volunteer: volunteers[v]!.name, ...(volunteers[v]!.company ? { company: volunteers[v]!.company } : {}), hours, fit: f.fit, why: f.why };
  };
  const assignments: Assignment[] = [];
  const leads = new Array<number>(volunteers.length).fill(0);
  const unmatched: MatchResult['unmatched'] = [];
  needs.forEach((need, n) => {
    const cs = perNeed.get(n);
    if (!cs) {
      unmatched.push({ needId: need.id, title: need.title, priority: need.priority, why: whyUnmatched(need, fitting.get(n) ?? [], capacity, pvs) });
      return;
    }
    cs.sort((a, b) => b.hours - a.hours || b.fit - a.fit || volunteers[a.v]!.name.localeCompare(volunteers[b.v]!.name, 'en'));
    const [lead, ...rest] = cs.map((c) => contributor(c.v, c.hours, need));
    leads[cs[0]!.v]!++;
    const value = round3(cs.reduce((s, c) => s + (need.priority * c.fit * c.hours) / need.hours, 0));
    assignments.push({
      needId: need.id,
      title: need.title,
      project: `${need.project.ecosystem}/${need.project.name}`,
      priority: need.priority,
      effortHours: need.hours,
      lead: lead!,
      helpers: rest,
      value,
      why: `priority ${need.priority} = reliance ${need.score.reliance} × criticality ${need.score.criticality}${need.score.criticalitySource === 'assumed' ? ' (assumed)' : ''} × gap ${need.score.gapWeight} [${need.score.gap}]; from: ${need.reason}; ${lead!.volunteer} fits ${lead!.fit}: ${lead!.why}`,
    });
  });
  const withArcs = new Set(arcs.map((a) => a.v));
  const vols: MatchResult['volunteers'] = volunteers.map((v, i) => {
    const why =
      capacity[i] === 0
        ? `no hours in ${months} month(s) (hours_per_month ${v.hoursPerMonth})`
        : !withArcs.has(i)
          ? `fits no need (skills: ${v.skills.join(', ') || 'none'}; languages: ${v.languages.join(', ') || 'none'})`
          : used[i] === 0
            ? 'every need they fit is served better by others (higher priority × fit per hour)'
            : undefined;
    return { name: v.name, ...(v.company ? { company: v.company } : {}), capacity: capacity[i]!, used: used[i]!, leads: leads[i]!, ...(why ? { why } : {}) };
  });
  const result: MatchResult = {
    schema: MATCH_SCHEMA,
    months,
    objective: round3(alloc.objective),
    assignments,
    unmatched,
    volunteers: vols,
    solver: { name: alloc.solver, arcs: arcs.length, rounds: alloc.rounds, columns: alloc.columns },
  };
  if (assignments.length === 0) {
    result.empty =
      needs.length === 0
        ? 'no needs to match (the portfolio has none)'
        : volunteers.length === 0
          ? 'no volunteers to match (the volunteers file lists none)'
          : capacity.every((c) => c === 0)
            ? `no volunteer has hours in the next ${months} month(s)`
            : 'no volunteer fits any need: see why for each need';
  }
  return result;
}

function whyUnmatched(need: Need, fitting: readonly number[], capacity: readonly number[], pvs: readonly PreparedVolunteer[]): string {
  if (fitting.length === 0) {
    const areas = need.skills.areas.map((a) => a.toLowerCase());
    const withArea = pvs.filter((pv) => areas.some((a) => pv.skills.has(a)));
    if (withArea.length === 0) return `nobody offers ${need.skills.areas.join(' or ')}`;
    return `nobody offering ${need.skills.areas.join(' or ')} knows ${need.skills.languages.join(' or ')}`;
  }
  const names = fitting.slice(0, 5).map((v) => pvs[v]!.v.name).join(', ') + (fitting.length > 5 ? ` and ${fitting.length - 5} more` : '');
  if (fitting.every((v) => capacity[v] === 0)) return `the volunteers who fit (${names}) have no hours`;
  return `the volunteers who fit (${names}) give their hours to needs of higher priority × fit per hour`;
}
