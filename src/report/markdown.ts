/**
 * The Markdown report: a pull-request comment (GitHub, GitLab, Gitea render GitHub-flavoured
 * Markdown). A one-line verdict, the severity counts, one table row per finding in priority order,
 * suppressed findings folded into a `<details>` block with their justification, and a footer
 * naming what was scanned. Rows are capped ("… and N more") so the comment stays under
 * GitHub's 65,536-character limit whatever the report's size.
 *
 * Every value taken from the report (package names, advisory summaries, paths, justifications) is
 * escaped: HTML-significant characters become entities, Markdown punctuation is backslash-escaped
 * (a `|` cannot end a table cell), line breaks become spaces and `@` cannot mention anybody.
 */
import type { ReportFinding } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import { fixLabel, pathLabel, purlLabel } from './display.js';
import type { Rating } from '../model/triage.js';
import type { RenderContext } from './render.js';
import { escapeControl } from '../model/text.js';

/** GitHub refuses a comment body longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions extends RenderContext {
  /** Most finding rows in the main table (default 50); the rest are counted in "… and N more". */
  maxRows?: number;
  /** Most suppressed rows in the `<details>` table (default 25). */
  maxSuppressedRows?: number;
  /** The whole comment stays at or under this many characters (default 60,000, below GitHub's 65,536). */
  maxChars?: number;
  /** The heading above the verdict (default "vouch scan"). */
  title?: string;
}

const EMOJI: Record<Rating, string> = { CRITICAL: '🔴', HIGH: '🟠', MEDIUM: '🟡', LOW: '🔵', NONE: '⚪', UNKNOWN: '⚪' };
const RATINGS: readonly Rating[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];
/** Longest text kept from one report value in a cell (before escaping). */
const CELL_MAX = 160;

export function renderMarkdown(report: ScanReport, opts: MarkdownOptions = {}): string {
  const maxRows = opts.maxRows ?? 50;
  const maxSuppressed = opts.maxSuppressedRows ?? 25;
  const maxChars = Math.min(opts.maxChars ?? 60_000, GITHUB_COMMENT_LIMIT);
  const active = report.findings.filter((f) => !f.suppressed);
  const suppressed = report.findings.filter((f) => f.suppressed);

  const head: string[] = [`### ${esc(opts.title ?? 'vouch scan')}`, '', verdict(report, active, suppressed), ''];
  if (active.length) head.push(severitySummary(active), '');
  const foot = ['', footer(report)];

  // The budget is spent in order: header and footer, then main rows, then suppressed rows.
  let used = length(head) + length(foot) + 200; // 200: the "and N more" lines and <details> tags
  const body: string[] = [];
  if (active.length) {
    const { lines, shown } = table(
      ['Package', 'Version', 'Advisory', 'Severity', 'KEV', 'EPSS', 'Fixed in', 'Path'],
      active.slice(0, maxRows).map(findingRow),
      maxChars - used,
    );
    body.push(...lines);
    used += length(lines);
    if (shown < active.length) body.push('', `… and ${active.length - shown} more finding${active.length - shown === 1 ? '' : 's'} (the JSON or HTML report lists them all).`);
  }
  if (suppressed.length) {
    const { lines, shown } = table(
      ['Package', 'Version', 'Advisory', 'Severity', 'Status', 'Justification', 'By'],
      suppressed.slice(0, maxSuppressed).map(suppressedRow),
      maxChars - used,
    );
    body.push('', `<details><summary>${suppressed.length} suppressed finding${suppressed.length === 1 ? '' : 's'} (VEX or ignore rules)</summary>`, '');
    body.push(...lines);
    if (shown < suppressed.length) body.push('', `… and ${suppressed.length - shown} more suppressed.`);
    body.push('', '</details>');
  }
  // cells are escaped (escapeMarkdown); the lines around them carry input paths and reasons too
  let out = escapeControl([...head, ...body, ...foot].join('\n'), '\n\t') + '\n';
  // A last guard: the budget above is exact but for the fixed lines; never exceed the limit.
  if (out.length > maxChars) out = out.slice(0, maxChars - 2) + '…\n';
  return out;
}

function verdict(report: ScanReport, active: ReportFinding[], suppressed: ReportFinding[]): string {
  const s = report.summary;
  const sup = suppressed.length ? `; ${suppressed.length} suppressed` : '';
  const partial = s.inputsPartial ?? 0;
  const failedInputs =
    (s.inputsFailed ? ` ${s.inputsFailed} input${s.inputsFailed === 1 ? '' : 's'} could not be read.` : '') +
    (partial ? ` ${partial} input${partial === 1 ? ' was' : 's were'} read only in part.` : '');
  if (active.length === 0) {
    return `**✅ No known vulnerabilities** in ${plural(s.componentsChecked, 'component')} checked${sup}.${failedInputs}`;
  }
  const kev = active.filter((f) => f.kev).length;
  const pkgs = new Set(active.map((f) => f.purl)).size;
  const what = `${plural(active.length, 'vulnerability', 'vulnerabilities')} in ${plural(pkgs, 'package')}${kev ? ` (${kev} known exploited)` : ''}${sup}`;
  const gate = report.failOn === 'none' ? '' : report.failed ? ` — fails \`--fail-on ${report.failOn.toLowerCase()}\`` : ` — none at or above \`--fail-on ${report.failOn.toLowerCase()}\``;
  return `**${report.failed ? '❌' : '⚠️'} ${what}**${gate}.${failedInputs}`;
}

function severitySummary(active: ReportFinding[]): string {
  const counts = new Map<Rating, number>();
  for (const f of active) counts.set(f.severity.rating, (counts.get(f.severity.rating) ?? 0) + 1);
  const parts = RATINGS.filter((r) => counts.get(r)).map((r) => `${EMOJI[r]} ${counts.get(r)} ${r.toLowerCase()}`);
  return parts.join(' · ');
}

function findingRow(f: ReportFinding): string[] {
  return [
    esc(purlLabel(f.purl).replace(/@[^@]*$/, '') || f.name),
    esc(f.version),
    advisoryCell(f),
    severityCell(f),
    f.kev ? `**yes**${f.kev.knownRansomwareUse ? ' (ransomware)' : ''}` : '',
    f.epss ? epssPercent(f.epss.score) : '',
    esc(fixLabel(f)),
    f.paths[0] ? esc(pathLabel(f.paths[0])) + (f.paths.length > 1 ? ` (+${f.paths.length - 1})` : '') : '',
  ];
}

function suppressedRow(f: ReportFinding): string[] {
  const s = f.suppressed!;
  const why = [s.justification, s.impactStatement].filter(Boolean).join(': ');
  return [
    esc(purlLabel(f.purl).replace(/@[^@]*$/, '') || f.name),
    esc(f.version),
    advisoryCell(f),
    severityCell(f),
    esc(s.status) + (s.expires ? ` until ${esc(s.expires)}` : ''),
    esc(why),
    `${esc(s.by)}: ${esc(s.source)}`,
  ];
}

function advisoryCell(f: ReportFinding): string {
  const cves = f.aliases.filter((a) => a.startsWith('CVE-') && a !== f.id);
  // a subscribed feed's record is not OSV's: no osv.dev link, and whose it is (docs/feeds.md)
  const link = f.source ? `${esc(f.id)} (from ${esc(f.source.name)}, TLP:${esc(f.source.tlp)})` : `[${esc(f.id)}](https://osv.dev/vulnerability/${encodeURIComponent(f.id)})`;
  const parts = [link + (cves.length ? ` (${cves.map(esc).join(', ')})` : '')];
  if (f.summary) parts.push(esc(f.summary));
  return parts.join('<br>');
}

function severityCell(f: ReportFinding): string {
  const s = f.severity;
  return `${EMOJI[s.rating] ?? ''} ${s.rating.toLowerCase()}${s.score !== undefined ? ` ${s.score.toFixed(1)}` : ''}`;
}

/** Header, separator and as many rows as fit in `budget` characters. */
function table(header: string[], rows: string[][], budget: number): { lines: string[]; shown: number } {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  let size = length(lines);
  let shown = 0;
  for (const r of rows) {
    const line = `| ${r.join(' | ')} |`;
    if (size + line.length + 1 > budget) break;
    lines.push(line);
    size += line.length + 1;
    shown++;
  }
  return { lines, shown };
}

function footer(report: ScanReport): string {
  const s = report.summary;
  const stores = report.store.map((x) => `${x.ecosystem} ${x.newestModified ? x.newestModified.slice(0, 10) : 'empty'}`).join(', ');
  const parts = [
    `vouch ${esc(report.tool.version)}`,
    `${plural(s.componentsChecked, 'component')} in ${plural(s.inputs, 'input')}`,
    stores ? `advisories up to: ${esc(stores)}` : 'no advisory store',
    `scanned ${esc(report.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))}`,
  ];
  return `<sub>${parts.join(' · ')}</sub>`;
}

/**
 * Report text made inert for a GFM table cell: entities for `& < >` (no HTML, no `</details>`
 * breaking out), backslashes before Markdown punctuation (`|` would end the cell, backticks, `*`,
 * `_`, `[`, `]` would format or link), one line, `@` followed by a zero-width space so `@org/pkg`
 * does not notify anyone, control and bidi characters escaped, and at most CELL_MAX characters.
 */
export function escapeMarkdown(s: string): string {
  let t = s.replace(/[\r\n\t]+/g, ' ').trim();
  if (t.length > CELL_MAX) t = t.slice(0, CELL_MAX - 1) + '…';
  t = escapeControl(t); // ANSI, C0/C1, DEL and bidi controls shown as \xHH / \uHHHH (model/text.ts)
  return t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]{}()#+!|~]/g, '\\$&')
    .replace(/@/g, '@&#8203;');
}
const esc = escapeMarkdown;

/** An EPSS probability as a percentage, rounded down to 0.1 so 0.99999 never reads as 100%. */
export function epssPercent(score: number): string {
  if (score > 0 && score < 0.001) return '<0.1%';
  return `${(Math.floor(score * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

function length(lines: string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
