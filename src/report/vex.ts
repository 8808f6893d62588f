/** `vouch vex show` as text: one row per statement, then what the statements decide for a finding. */
import type { VexSelection } from '../triage/vex/show.js';
import type { VexStatement } from '../triage/vex/types.js';
import { safeText } from '../model/text.js';

export function renderStatements(statements: readonly VexStatement[]): string {
  const rows = statements.map((s) => {
    const ids = [...s.products, ...s.subcomponents.map((c) => `(sub) ${c}`), ...(s.versionRanges ?? []).map((r) => `${r.purl} ${r.range}`)];
    return [
      s.vulnerability.id,
      s.status,
      s.justification ?? '',
      ids.length <= 2 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')} +${ids.length - 2} more`,
      s.source,
    ];
  });
  const head = ['VULNERABILITY', 'STATUS', 'JUSTIFICATION', 'PRODUCTS', 'SOURCE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return safeText(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n${statements.length} statement${statements.length === 1 ? '' : 's'}\n`);
}

/** The statements, then — when a finding was named — each applicable statement and the verdict. */
export function renderVexSelection(sel: VexSelection): string {
  let out = renderStatements(sel.statements);
  if (sel.decision) {
    const lines = sel.decision.explanation.length ? sel.decision.explanation : ['no statement applies'];
    out += `\n${lines.join('\n')}\n${sel.decision.suppressed ? `=> suppressed (${sel.decision.suppressed.status})` : '=> not suppressed'}\n`;
  }
  return safeText(out);
}
