/** The human table of a scan: one row per finding, then a summary. */
import type { ScanReport } from './scan-report.js';
import { fixLabel, idWithCve, pathLabel } from './display.js';

export function renderTable(report: ScanReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  if (report.findings.length > 0) {
    const rows = report.findings.map((f) => [
      f.name,
      f.version,
      idWithCve(f.id, f.aliases),
      f.severity.rating + (f.severity.score !== undefined ? ` ${f.severity.score.toFixed(1)}` : ''),
      fixLabel(f),
      f.paths[0] ? pathLabel(f.paths[0]) : '(no path recorded)',
    ]);
    lines.push(...formatColumns(['PACKAGE', 'VERSION', 'ADVISORY', 'SEVERITY', 'FIXED IN', 'PATH'], rows), '');
  }
  const s = report.summary;
  const sev = Object.entries(s.bySeverity)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r.toLowerCase()}`)
    .join(', ');
  lines.push(
    s.findings === 0
      ? `No known vulnerabilities in ${plural(s.componentsChecked, 'component')} checked (${plural(s.inputs, 'input')}).`
      : `${plural(s.findings, 'finding')} in ${plural(s.vulnerablePackages, 'package')} (${sev}); ${plural(s.componentsChecked, 'component')} checked.`,
  );
  for (const i of report.inputs.filter((x) => x.status === 'failed')) lines.push(`skipped ${i.path}: ${i.reason}`);
  if (report.notChecked.length) {
    lines.push(`${report.notChecked.length} component(s) not checked (unknown ecosystem or version)${opts.verbose ? ':' : '; --verbose lists them.'}`);
    if (opts.verbose) for (const n of report.notChecked) lines.push(`  ${n.purl}: ${n.reason}`);
  }
  if (report.unresolved.length) {
    lines.push(`${plural(report.unresolved.length, 'declared package')} could not be checked (no pinned version, or no usable purl)${opts.verbose ? ':' : '; --verbose lists them.'}`);
    if (opts.verbose) for (const u of report.unresolved) lines.push(`  ${u.path}${u.line ? `:${u.line}` : ''}: ${u.name}${u.spec ? ` ${u.spec}` : ''} (${u.reason})`);
  }
  if (opts.verbose) {
    for (const x of report.extractors) {
      lines.push(`${x.id}: ${plural(x.filesRead, 'file')} read, ${plural(x.packages, 'package')}${x.failed.length ? `, ${x.failed.length} failed` : ''}`);
      for (const f of x.failed) lines.push(`  failed ${f.reason}`);
    }
    lines.push(`${report.stats.advisoriesConsidered} candidate advisories evaluated; ${report.stats.gitRangesSkipped} GIT range(s) skipped (they name commits, not package versions).`);
    for (const m of report.stats.malformedRanges) lines.push(`  malformed range in ${m.id}: ${m.reason}`);
  }
  return lines.join('\n') + '\n';
}

function formatColumns(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
