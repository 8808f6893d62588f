/** `vouch sbom diff` as a table: one row per package added, removed or changed, then the counts. */
import type { SbomDiff } from '../model/diff.js';
import { safeText } from '../model/text.js';

export function renderDiffTable(d: SbomDiff): string {
  const show = (versions: string[]): string => versions.map((v) => v || '(no version)').join(', ');
  const rows: string[][] = [
    ...d.added.map((e) => ['added', e.ecosystem, e.name, show(e.to)]),
    ...d.removed.map((e) => ['removed', e.ecosystem, e.name, show(e.from)]),
    ...d.changed.map((e) => ['changed', e.ecosystem, e.name, `${show(e.from) || '-'} → ${show(e.to) || '-'}`]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  lines.push(
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed (${d.a.path}: ${d.a.components} components, ${d.b.path}: ${d.b.components})`,
  );
  return safeText(`${lines.join('\n')}\n`);
}
