/** Tables for the terminal: needs, matches, engagements, the quarterly report and the feeds' summary. */
import type { Engagement } from './engagements.js';
import type { FeedProjectSummary } from './feed.js';
import type { MatchResult } from './match.js';
import type { QuarterReport } from './report.js';
import type { NeedsReport } from './types.js';
import { safeText } from '../model/text.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function renderNeedsTable(r: NeedsReport, top = Infinity): string {
  const out: string[] = [];
  if (r.empty) out.push(r.empty);
  else {
    out.push(`${r.needs.length} need(s) in ${r.projects.filter((p) => p.needs.length).length} project(s). Priority = reliance × criticality × gap weight.`);
    out.push('');
    out.push(`${lpad('Priority', 8)}  Effort  ${pad('Project', 28)}  Need`);
    for (const n of r.needs.slice(0, top)) {
      out.push(`${lpad(n.priority.toFixed(3), 8)}  ${pad(`${n.effort} ${n.hours}h`, 6)}  ${pad(`${n.project.ecosystem}/${n.project.name}`, 28)}  ${n.title}`);
      out.push(`${' '.repeat(20)}why:    ${n.reason}`);
      out.push(`${' '.repeat(20)}score:  ${n.score.reliance} × ${n.score.criticality}${n.score.criticalitySource === 'assumed' ? ' (assumed)' : ''} × ${n.score.gapWeight} [${n.score.gap}]`);
      out.push(`${' '.repeat(20)}task:   ${n.task}`);
      out.push(`${' '.repeat(20)}skills: ${[...n.skills.areas, ...n.skills.languages, ...n.skills.ecosystems, ...n.skills.domains].join(', ')}`);
      for (const e of n.evidence.slice(0, 3)) out.push(`${' '.repeat(20)}- ${e}`);
    }
    if (r.needs.length > top) out.push(`... ${r.needs.length - top} more (--top, or -f json for all)`);
  }
  const funded = r.projects.filter((p) => p.funding);
  if (funded.length) {
    out.push('');
    out.push('Funding the projects publish (https links only; vouch does not follow them):');
    for (const p of funded) {
      for (const c of p.funding!.channels) out.push(`  ${p.ecosystem}/${p.name}: ${c.platform} ${c.url ?? c.account}`);
      for (const pl of p.funding!.plans) out.push(`  ${p.ecosystem}/${p.name}: plan "${pl.name}" ${pl.amount === 0 ? 'any amount' : `${pl.amount} ${pl.currency}`} ${pl.frequency} (${pl.status})`);
    }
  }
  return safeText(`${out.join('\n')}\n`);
}

export function renderMatchTable(r: MatchResult): string {
  const out: string[] = [];
  if (r.empty) out.push(r.empty);
  out.push(`${r.assignments.length} need(s) matched over ${r.months} month(s); total value Σ priority × fit × share of effort = ${r.objective} (the optimum; ${r.solver.name}, ${r.solver.arcs} arcs).`);
  for (const a of r.assignments) {
    out.push('');
    out.push(`${a.title} — ${a.project} (priority ${a.priority}, ${a.effortHours} h)`);
    out.push(`  lead: ${a.lead.volunteer}${a.lead.company ? ` (${a.lead.company})` : ''}, ${a.lead.hours} h, fit ${a.lead.fit}`);
    for (const h of a.helpers) out.push(`  with: ${h.volunteer}${h.company ? ` (${h.company})` : ''}, ${h.hours} h, fit ${h.fit}: ${h.why}`);
    out.push(`  why:  ${a.why}`);
  }
  if (r.unmatched.length) {
    out.push('');
    out.push('Not matched:');
    for (const u of r.unmatched) out.push(`  ${u.title} (${u.needId}, priority ${u.priority}): ${u.why}`);
  }
  const idle = r.volunteers.filter((v) => v.why);
  if (idle.length) {
    out.push('');
    out.push('Volunteers without a match:');
    for (const v of idle) out.push(`  ${v.name}: ${v.why}`);
  }
  return safeText(`${out.join('\n')}\n`);
}

export function renderEngagements(list: readonly Engagement[]): string {
  if (list.length === 0) return 'no engagements\n';
  const out = [`${pad('Id', 16)}  ${pad('State', 11)}  ${lpad('Hours', 5)}  ${pad('Volunteer', 16)}  Need`];
  for (const e of list) {
    const hours = e.hours.reduce((s, h) => s + h.hours, 0);
    out.push(`${pad(e.id, 16)}  ${pad(e.state, 11)}  ${lpad(String(hours), 5)}  ${pad(e.volunteer, 16)}  ${e.need.title} (${e.need.id})`);
    for (const l of e.links) out.push(`${' '.repeat(55)}${l.url}`);
  }
  return safeText(`${out.join('\n')}\n`);
}

export function renderReport(r: QuarterReport): string {
  const out = [`${r.quarter} (${r.from} to ${r.to}, end excluded): ${r.hours} h given, ${r.needsClosed.length} need(s) closed.`];
  if (r.empty) out.push(r.empty);
  if (r.byCompany.length) {
    out.push('', 'Hours by company (pledged → given):');
    for (const c of r.byCompany) out.push(`  ${pad(c.company, 24)} ${c.pledged === null ? 'no pledge' : `${c.pledged} h pledged`} → ${c.given} h given`);
  }
  if (r.needsClosed.length) {
    out.push('', 'Needs closed (confirmed by re-checking):');
    for (const n of r.needsClosed) out.push(`  ${n.at.slice(0, 10)}  ${n.title} (${n.need}) by ${n.volunteer}: ${n.detail}`);
  }
  if (r.projects.length) {
    out.push('', 'Projects helped: health before → after, risk = criticality × (10 − health)/10 before → after:');
    const f = (x: number | null): string => (x === null ? '?' : String(x));
    for (const p of r.projects) out.push(`  ${pad(p.project, 28)} ${lpad(String(p.hours), 5)} h  health ${f(p.healthBefore)} → ${f(p.healthAfter)}  risk ${f(p.riskBefore)} → ${f(p.riskAfter)}  (criticality ${p.criticality})`);
  }
  return safeText(`${out.join('\n')}\n`);
}

export function renderFeedSummary(s: readonly FeedProjectSummary[]): string {
  if (s.length === 0) return 'the feeds list no needs and no engagements\n';
  const out: string[] = [];
  for (const p of s) {
    out.push(`${p.project}: ${p.open} open engagement(s)`);
    for (const h of p.help) out.push(`  help: ${h.publisher}${h.company && h.company !== h.publisher ? ` (${h.company})` : ''} ${h.state} since ${h.since.slice(0, 10)}: ${h.need}`);
    for (const n of p.needs) out.push(`  needs (per ${n.publisher}): ${n.count}, first: ${n.top}`);
  }
  return safeText(`${out.join('\n')}\n`);
}
