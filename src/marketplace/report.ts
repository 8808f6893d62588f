/**
 * The quarterly report: hours given (by company and volunteer, against pledges), needs closed, and
 * for each project helped its health score and criticality-weighted risk before → after, where
 *
 *   risk = criticality × (10 − health score) / 10
 *
 * "before" is the health recorded when the project's first engagement was proposed, "after" the
 * health the last done-check measured (none yet: unchanged).
 */
import { VouchError } from '../model/errors.js';
import type { Engagement } from './engagements.js';
import type { Pledge } from './types.js';
import { QUARTER } from './volunteers.js';

export const REPORT_SCHEMA = 'vouch-marketplace-report/1';

export interface QuarterReport {
  schema: typeof REPORT_SCHEMA;
  quarter: string;
  /** [start, end) as YYYY-MM-DD */
  from: string;
  to: string;
  hours: number;
  byCompany: { company: string; pledged: number | null; given: number }[];
  byVolunteer: { volunteer: string; company?: string; hours: number }[];
  needsClosed: { engagement: string; need: string; title: string; volunteer: string; at: string; detail: string }[];
  projects: {
    project: string;
    engagements: number;
    hours: number;
    closed: number;
    criticality: number;
    healthBefore: number | null;
    healthAfter: number | null;
    riskBefore: number | null;
    riskAfter: number | null;
  }[];
  /** why the report is empty, when it is */
  empty?: string;
}

export function quarterBounds(quarter: string): { from: string; to: string } {
  const m = QUARTER.exec(quarter);
  if (!m) throw new VouchError('USAGE', `--quarter must look like 2026Q4 (got "${quarter}")`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const from = `${year}-${pad(3 * q - 2)}-01`;
  const to = q === 4 ? `${year + 1}-01-01` : `${year}-${pad(3 * q + 1)}-01`;
  return { from, to };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function riskOf(criticality: number, health: number | null): number | null {
  return health === null ? null : round2((criticality * (10 - health)) / 10);
}

export function quarterReport(engagements: readonly Engagement[], pledges: readonly Pledge[], quarter: string): QuarterReport {
  const { from, to } = quarterBounds(quarter);
  const inQ = (isoOrDate: string): boolean => {
    const d = isoOrDate.slice(0, 10);
    return d >= from && d < to;
  };
  const byVol = new Map<string, { volunteer: string; company?: string; hours: number }>();
  const byCompany = new Map<string, number>();
  const projects = new Map<string, QuarterReport['projects'][number] & { first: string; last?: string }>();
  const needsClosed: QuarterReport['needsClosed'] = [];
  let total = 0;
  for (const e of engagements) {
    const hours = e.hours.filter((h) => inQ(h.date)).reduce((s, h) => s + h.hours, 0);
    const doneAt = e.state === 'done' ? e.history.find((h) => h.to === 'done')?.at : undefined;
    const closed = doneAt !== undefined && inQ(doneAt);
    if (hours === 0 && !closed) continue;
    total += hours;
    const vk = e.volunteer.toLowerCase();
    const v = byVol.get(vk) ?? { volunteer: e.volunteer, ...(e.company ? { company: e.company } : {}), hours: 0 };
    v.hours += hours;
    byVol.set(vk, v);
    const company = e.company ?? '(no company)';
    byCompany.set(company, (byCompany.get(company) ?? 0) + hours);
    if (closed) needsClosed.push({ engagement: e.id, need: e.need.id, title: e.need.title, volunteer: e.volunteer, at: doneAt, detail: e.outcome?.detail ?? '' });
    const pk = `${e.need.project.ecosystem}/${e.need.project.name}`;
    const proposedAt = e.history[0]?.at ?? '';
    let p = projects.get(pk);
    if (!p) {
      p = { project: pk, engagements: 0, hours: 0, closed: 0, criticality: e.baseline.criticality, healthBefore: e.baseline.health, healthAfter: e.baseline.health, riskBefore: null, riskAfter: null, first: proposedAt };
      projects.set(pk, p);
    }
    p.engagements++;
    p.hours += hours;
    if (closed) p.closed++;
    if (proposedAt < p.first) {
      p.first = proposedAt;
      p.healthBefore = e.baseline.health;
    }
    if (e.outcome && e.outcome.health !== null && (p.last === undefined || e.outcome.at > p.last)) {
      p.last = e.outcome.at;
      p.healthAfter = e.outcome.health;
    }
  }
  for (const pl of pledges) if (pl.quarter === quarter && !byCompany.has(pl.company)) byCompany.set(pl.company, 0);
  const report: QuarterReport = {
    schema: REPORT_SCHEMA,
    quarter,
    from,
    to,
    hours: round2(total),
    byCompany: [...byCompany]
      .map(([company, given]) => {
        const pledged = pledges.filter((p) => p.quarter === quarter && p.company === company).reduce((s, p) => s + p.hours, 0);
        return { company, pledged: pledges.some((p) => p.quarter === quarter && p.company === company) ? pledged : null, given: round2(given) };
      })
      .sort((a, b) => b.given - a.given || a.company.localeCompare(b.company, 'en')),
    byVolunteer: [...byVol.values()].map((v) => ({ ...v, hours: round2(v.hours) })).sort((a, b) => b.hours - a.hours || a.volunteer.localeCompare(b.volunteer, 'en')),
    needsClosed: needsClosed.sort((a, b) => (a.at < b.at ? -1 : 1)),
    projects: [...projects.values()]
      .map(({ first: _f, last: _l, ...p }) => ({ ...p, hours: round2(p.hours), riskBefore: riskOf(p.criticality, p.healthBefore), riskAfter: riskOf(p.criticality, p.healthAfter) }))
      .sort((a, b) => b.hours - a.hours || a.project.localeCompare(b.project, 'en')),
  };
  if (report.projects.length === 0) report.empty = `no hours logged and no need closed in ${quarter} (${from} to ${to}, end excluded)`;
  return report;
}
