/**
 * The human table of a scan: one row per finding in priority order (docs/triage.md), then the
 * suppressed findings in their own short section, then a summary. Colour (by severity, and the KEV
 * mark) only when the caller asks for it: the CLI does so on a terminal, never when piped, and
 * honours NO_COLOR / FORCE_COLOR (see `colorEnabled`).
 */
import type { ReportFinding } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import { fixLabel, idWithCve, pathLabel } from './display.js';
import { formatEpss } from '../triage/priority.js';
import type { RenderContext } from './render.js';
import { safeLine, shown } from '../model/text.js';

/** verbose: the priority reason under each row and the lists a plain table only counts; color: ANSI colours (severity, KEV). */
export type TableOptions = RenderContext;

const SGR: Record<string, string> = {
  CRITICAL: '\u001b[1;31m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[36m',
  NONE: '\u001b[2m',
  UNKNOWN: '\u001b[35m',
  KEV: '\u001b[1;31m',
};
const RESET = '\u001b[0m';

/** `HIGH 7.5`, or `HIGH*` for a published rating without a CVSS score (see the footnote). */
export function severityLabel(f: Pick<ReportFinding, 'severity'>): string {
  const s = f.severity;
  if (s.score !== undefined) return `${s.rating} ${s.score.toFixed(1)}`;
  return s.source === 'database_specific' ? `${s.rating}*` : s.rating;
}

export function renderTable(report: ScanReport, opts: TableOptions = {}): string {
  const lines: string[] = [];
  /** The finding rows: their cells are escaped already, and their colour codes are ours. */
  const painted = new Set<number>();
  const active = report.findings.filter((f) => !f.suppressed);
  const suppressed = report.findings.filter((f) => f.suppressed);
  const paint = (code: string | undefined, text: string): string => (opts.color && code ? `${code}${text}${RESET}` : text);
  if (active.length > 0) {
    const header = ['PACKAGE', 'VERSION', 'ADVISORY', 'SEVERITY', 'KEV', 'EPSS', 'FIXED IN', 'VIA'];
    // cells echo the inputs and the advisories: controls escaped, names and versions cut (model/text.ts)
    const rows = active.map((f) => [
      shown(f.name),
      shown(f.version),
      // a subscribed feed's record says whose it is (docs/feeds.md)
      shown(f.source ? `${idWithCve(f.id, f.aliases)} (from ${f.source.name}, TLP:${f.source.tlp})` : idWithCve(f.id, f.aliases)),
      severityLabel(f),
      f.kev ? 'KEV' : '-',
      f.epss ? formatEpss(f.epss.score) : '-',
      safeLine(fixLabel(f)),
      safeLine(viaLabel(f)),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[], colour?: (i: number, cell: string) => string): string =>
      r
        .map((c, i) => {
          const padded = i === r.length - 1 ? c : c.padEnd(widths[i]!);
          return colour ? colour(i, padded) : padded;
        })
        .join('  ')
        .trimEnd();
    lines.push(fmt(header));
    active.forEach((f, n) => {
      painted.add(lines.length);
      lines.push(fmt(rows[n]!, (i, cell) => (i === 3 ? paint(SGR[f.severity.rating], cell) : i === 4 && f.kev ? paint(SGR['KEV'], cell) : cell)));
      if (opts.verbose && f.priority) lines.push(`    #${f.priority.rank}: ${f.priority.reason}`);
    });
    lines.push('');
  }
  if (suppressed.length > 0) {
    lines.push(`Suppressed (${suppressed.length}):`);
    for (const f of suppressed) {
      const s = f.suppressed!;
      const why = [s.status, s.justification].filter(Boolean).join(' — ');
      lines.push(`  ${f.name} ${f.version}  ${idWithCve(f.id, f.aliases)}  suppressed: ${why} (${s.source})${s.expires ? `, until ${s.expires}` : ''}`);
    }
    lines.push('');
  }
  const s = report.summary;
  const sev = Object.entries(s.bySeverity)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r.toLowerCase()}`);
  if (s.kev) sev.push(`${s.kev} known exploited`);
  lines.push(
    active.length === 0
      ? `No known vulnerabilities${suppressed.length ? ' left unsuppressed' : ''} in ${plural(s.componentsChecked, 'component')} checked (${plural(s.inputs, 'input')}).`
      : `${plural(active.length, 'finding')} in ${plural(s.vulnerablePackages, 'package')} (${sev.join(', ')}); ${plural(s.componentsChecked, 'component')} checked.`,
  );
  if (suppressed.length && active.length) lines.push(`${suppressed.length} more suppressed (listed above).`);
  if (active.some((f) => f.severity.score === undefined && f.severity.source === 'database_specific')) {
    lines.push('* published rating of the advisory (database_specific.severity): it carries no CVSS vector to score.');
  }
  if (active.length && !opts.verbose) lines.push('Ordered by priority: KEV, then EPSS, then severity, scope and directness (--verbose says why per row; see docs/triage.md).');
  for (const i of report.inputs.filter((x) => x.status === 'failed')) lines.push(`skipped ${i.path}: ${i.reason}`);
  for (const i of report.inputs.filter((x) => x.status === 'partial')) {
    const lost = i.lost ?? [];
    lines.push(`read only in part ${i.path}: ${plural(lost.length, 'item')} could not be read${opts.verbose ? ':' : `, first: ${lost[0] ?? '?'}${lost.length > 1 ? ' (--verbose lists them)' : ''}`}`);
    if (opts.verbose) for (const l of lost) lines.push(`  ${l}`);
  }
  if (report.notChecked.length) {
    lines.push(`${report.notChecked.length} component(s) not checked (unknown ecosystem or version)${opts.verbose ? ':' : '; --verbose lists them.'}`);
    if (opts.verbose) for (const n of report.notChecked) lines.push(`  ${n.purl}: ${n.reason}`);
  }
  if (report.unresolved.length) {
    lines.push(`${plural(report.unresolved.length, 'declared package')} could not be checked (no pinned version, or no usable purl)${opts.verbose ? ':' : '; --verbose lists them.'}`);
    if (opts.verbose) for (const u of report.unresolved) lines.push(`  ${u.path}${u.line ? `:${u.line}` : ''}: ${u.name}${u.spec ? ` ${u.spec}` : ''} (${u.reason})`);
  }
  const unlocked = report.unlocked ?? [];
  if (unlocked.length) {
    lines.push(`${plural(unlocked.length, 'manifest')} without a lockfile beside ${unlocked.length === 1 ? 'it' : 'them'} (not read: nothing pins their versions):`);
    const shown = opts.verbose ? unlocked : unlocked.slice(0, 5);
    for (const u of shown) lines.push(`  ${u.path}: write ${u.lockfiles[0]} with \`${u.command}\``);
    if (shown.length < unlocked.length) lines.push(`  ... and ${unlocked.length - shown.length} more (--verbose lists them)`);
  }
  if (opts.verbose) {
    for (const x of report.extractors) {
      lines.push(`${x.id}: ${plural(x.filesRead, 'file')} read, ${plural(x.packages, 'package')}${x.failed.length ? `, ${x.failed.length} failed` : ''}`);
      for (const f of x.failed) lines.push(`  failed ${f.reason}`);
    }
    lines.push(`${report.stats.advisoriesConsidered} candidate advisories evaluated; ${report.stats.gitRangesSkipped} GIT range(s) skipped (they name commits, not package versions).`);
    for (const m of report.stats.malformedRanges) lines.push(`  malformed range in ${m.id}: ${m.reason}`);
  }
  // every other line is escaped whole: reasons, paths and names of the inputs are in them
  return lines.map((l, i) => (painted.has(i) ? l : safeLine(l))).join('\n') + '\n';
}

/**
 * The shortest dependency path without the component itself (its row names it): `app` for a
 * direct dependency, `app > a@1 > b@2` for a transitive one, `(+N paths)` when more lead to it.
 */
export function viaLabel(f: Pick<ReportFinding, 'paths' | 'pathsTotal'>): string {
  const p = f.paths[0];
  if (!p) return '(no path recorded)';
  const more = (f.pathsTotal ?? f.paths.length) - 1;
  return pathLabel(p.length > 1 ? p.slice(0, -1) : p) + (more > 0 ? ` (+${more} more ${more === 1 ? 'path' : 'paths'})` : '');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
