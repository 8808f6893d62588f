/** The outputs of `vouch verify-lockfile`: the JSON document (schema `vouch.verify-lockfile/1`), the table and the summary line. */
import path from 'node:path';
import { type IntegrityReport, type IntegrityResult, INTEGRITY_STATUSES } from './lockfile-integrity.js';
import { safeText } from '../model/text.js';

/** The JSON output: schema `vouch.verify-lockfile/1`. */
export function toJson(r: IntegrityReport): Record<string, unknown> {
  return {
    schema: 'vouch.verify-lockfile/1',
    file: r.file,
    format: r.format,
    summary: { packages: r.results.length, ...r.counts, cacheHits: r.cacheHits, fetched: r.fetched, bytes: r.bytes, elapsedMs: r.elapsedMs, interrupted: r.interrupted },
    results: r.results,
  };
}

const LABEL: Record<IntegrityResult['status'], string> = {
  intact: 'intact',
  mismatch: 'MISMATCH',
  'no-integrity': 'no-integrity',
  'not-comparable': 'not-comparable',
  'not-registry': 'not-registry',
  'fetch-failed': 'fetch-failed',
  'not-checked': 'not-checked',
};

/** The table: every package that is not intact (all with verbose), worst first, then the summary line. */
export function renderIntegrityTable(r: IntegrityReport, o: { verbose: boolean }): string {
  const rank = (s: IntegrityResult['status']) => INTEGRITY_STATUSES.indexOf(s);
  const shown = r.results.filter((x) => o.verbose || x.status !== 'intact').sort((a, b) => rank(a.status) - rank(b.status) || (a.line ?? 0) - (b.line ?? 0));
  const lines: string[] = [];
  if (shown.length) {
    const rows = shown.map((x) => [LABEL[x.status], `${x.name}@${x.version}`, x.line !== undefined ? `${path.basename(r.file)}:${x.line}` : '', detail(x)]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    lines.push(['STATUS'.padEnd(widths[0]!), 'PACKAGE'.padEnd(widths[1]!), 'WHERE'.padEnd(widths[2]!), 'DETAIL'].join('  '));
    for (const row of rows) lines.push(row.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
  }
  lines.push(summaryLine(r));
  return safeText(`${lines.join('\n')}\n`);
}

function detail(x: IntegrityResult): string {
  switch (x.status) {
    case 'mismatch':
      return `expected ${x.expected} got ${x.actual} from ${x.url}${x.reason ? ` (${x.reason})` : ''}`;
    case 'intact':
      return x.cached ? 'verified before (cache)' : `${x.url ?? ''}${x.reason ? ` (${x.reason})` : ''}`;
    case 'not-registry':
      return `${x.reason ?? ''}${x.resolved ? `: ${x.resolved}` : ''}`;
    default:
      return x.reason ?? '';
  }
}

export function summaryLine(r: IntegrityReport): string {
  const parts = INTEGRITY_STATUSES.filter((s) => r.counts[s] > 0).map((s) => `${r.counts[s]} ${LABEL[s]}`);
  const checked = r.cacheHits + r.fetched;
  const hitRate = checked ? ` (${Math.round((r.cacheHits / checked) * 100)}%)` : '';
  return `${r.results.length} package(s): ${parts.join(', ') || 'none'}; ${r.fetched} downloaded (${mb(r.bytes)}), ${r.cacheHits} from the verified cache${hitRate}; ${(r.elapsedMs / 1000).toFixed(1)} s`;
}

export function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}
