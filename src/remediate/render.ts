/** Rendering of fix plans and apply results, as a table or JSON (the CLI prints what these return). */
import type { ApplyResult, FixPlan, FixStep } from '../model/fix.js';
import type { FixOutcome } from './index.js';
import { safeText } from '../model/text.js';

export const FIX_FORMATS = ['table', 'json'] as const;
export type FixFormat = (typeof FIX_FORMATS)[number];

/** The outcome of `runFix` in `format`; `diff` adds a plan's unified diff to the table. */
export function renderFix(outcome: FixOutcome, format: FixFormat, opts: { diff?: boolean } = {}): string {
  if (outcome.result) return format === 'json' ? renderApplyJson(outcome.result) : renderApplyTable(outcome.result);
  return format === 'json' ? `${JSON.stringify(outcome.plan, null, 2)}\n` : renderPlanTable(outcome.plan, opts);
}

function changeText(s: FixStep): string {
  return s.changes
    .map((c) =>
      c.kind === 'relock'
        ? `relock ${c.package} ${c.from} → ${c.to}`
        : c.kind === 'override'
          ? `override ${c.package} ${c.from ? `${c.from} → ` : ''}${c.to}${c.under ? ` under ${c.under}` : ''} (${c.file})`
          : `${c.package} ${c.from ?? '(new)'} → ${c.to} (${c.file}${c.line ? `:${c.line}` : ''})`,
    )
    .join('; ');
}

function removesText(s: FixStep): string {
  return s.fixes
    .map((f) => {
      // a version installed in several folders stays a finding until every copy is changed
      const partial = f.locations && f.copies && f.locations.length < f.copies ? ` (${f.locations.length} of ${f.copies} copies)` : '';
      return `${f.package}@${f.from}${f.to ? ` → ${f.to}` : ' (dropped)'}${partial}: ${f.advisories.join(', ')}`;
    })
    .join('; ');
}

export function renderPlanTable(plan: FixPlan, opts: { diff?: boolean } = {}): string {
  const lines: string[] = [];
  const files = plan.files.join(' + ');
  lines.push(`${plan.ecosystem}: ${files}`);
  lines.push(`${plan.findings} finding(s); ${plan.steps.length} step(s) remove ${plan.steps.reduce((n, s) => n + s.removed, 0)}; ${plan.unfixable.reduce((n, u) => n + u.advisories.length, 0)} left without a fix`);
  if (plan.steps.length) {
    lines.push('');
    const rows = plan.steps.map((s, i) => [String(i + 1), s.strategy, s.risk, String(s.removed), changeText(s)]);
    const head = ['#', 'strategy', 'risk', 'removes', 'change'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
    lines.push(fmt(head));
    plan.steps.forEach((s, i) => {
      lines.push(fmt(rows[i]!));
      const pad = ' '.repeat(w[0]! + 2);
      lines.push(`${pad}fixes ${removesText(s)}`);
      for (const n of s.notes) lines.push(`${pad}note: ${n}`);
    });
  }
  if (plan.unfixable.length) {
    lines.push('', 'Not fixable now:');
    const ids = (a: string[]): string => (a.length > 6 ? `${a.slice(0, 5).join(', ')} and ${a.length - 5} more` : a.join(', '));
    for (const u of plan.unfixable) lines.push(`  ${u.package}@${u.version}: ${ids(u.advisories)} — ${u.reason}`);
  }
  if (plan.containment.length) {
    lines.push('', `Containment (${plan.containment[0]!.source}):`);
    for (const c of plan.containment) {
      lines.push(`  ${c.package} ${c.advisory}${c.key.toUpperCase() !== c.advisory.toUpperCase() ? ` (${c.key})` : ''}:`);
      for (const s of c.steps) lines.push(`    - ${s}`);
    }
  }
  if (plan.warnings.length) {
    lines.push('', 'Warnings:');
    for (const w of plan.warnings) lines.push(`  ${w}`);
  }
  if (opts.diff && plan.diff) lines.push('', plan.diff.trimEnd());
  return safeText(`${lines.join('\n')}\n`);
}

/** An apply result: the plan, then `applied N step(s): before → after`, then each pair fixed or remaining. */
export function renderApplyTable(r: ApplyResult): string {
  const out = [renderPlanTable(r.plan).trimEnd(), ''];
  out.push(r.applied.length ? `applied ${r.applied.length} step(s): ${r.before.length} → ${r.after.length} finding(s)` : 'nothing applied');
  const fixed = r.before.filter((x) => !r.after.includes(x));
  for (const f of fixed) out.push(`  fixed    ${f}`);
  for (const f of r.after) out.push(`  remains  ${f}`);
  return safeText(`${out.join('\n')}\n`);
}

/** An apply result as JSON (docs/fix.md): `{ plan, applied: N, before, after }`. */
export function renderApplyJson(r: ApplyResult): string {
  return `${JSON.stringify({ plan: r.plan, applied: r.applied.length, before: r.before, after: r.after }, null, 2)}\n`;
}
