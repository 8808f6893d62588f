/** Output of `vouch health`: a table for people, JSON for programs, SARIF for code-scanning annotations. */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { VERSION } from '../version.js';
import type { HealthReport } from './run.js';
import { RISK_WEIGHT, type CheckResult } from './types.js';
import { safeText } from '../model/text.js';

const fmtScore = (s: number | null): string => (s === null ? '  ?' : String(s).padStart(3));

export function renderHealthTable(r: HealthReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`${r.repo} at ${r.head?.slice(0, 12) ?? '(no commits)'}  (as of ${r.now.slice(0, 10)})`);
  lines.push(`Aggregate score: ${r.score === null ? 'n/a (no check ran)' : `${r.score} / 10`}   Criticality: ${r.criticality.score.toFixed(3)}`);
  for (const n of r.notes) lines.push(`Note: ${n}`);
  lines.push('');
  const w = Math.max(...r.checks.map((c) => c.name.length));
  lines.push(`${'Check'.padEnd(w)}  Score  Risk      Reason`);
  for (const c of r.checks) {
    lines.push(`${c.name.padEnd(w)}  ${fmtScore(c.score)}    ${c.risk.padEnd(8)}  ${c.reason}`);
    const shown = c.evidence.filter((e) => opts.verbose || e.kind === 'fail');
    for (const e of shown.slice(0, opts.verbose ? undefined : 5)) lines.push(`${''.padEnd(w)}         - ${e.path}${e.line !== undefined ? `:${e.line}` : ''}: ${e.detail}`);
    if (!opts.verbose && shown.length > 5) lines.push(`${''.padEnd(w)}         ... and ${shown.length - 5} more (--verbose)`);
    if (c.score !== null && c.score < 10) lines.push(`${''.padEnd(w)}         fix: ${c.remediation}`);
  }
  lines.push('');
  const sig = Object.entries(r.criticality.signals).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  lines.push(`Criticality signals: ${sig.join(', ')}`);
  lines.push(`Not available offline: ${r.criticality.notAvailable.join(', ')}`);
  lines.push('? = not run (see reason). Aggregate weights: Critical 10, High 7.5, Medium 5, Low 2.5.');
  return safeText(lines.join('\n') + '\n');
}

export function renderHealthJson(r: HealthReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

const LEVEL: Record<CheckResult['risk'], Result.level> = { Critical: 'error', High: 'error', Medium: 'warning', Low: 'note' };

/** One rule per check; one result per failing piece of evidence that points into a file. */
export function renderHealthSarif(r: HealthReport): string {
  const rules: ReportingDescriptor[] = r.checks.map((c) => ({
    id: c.name,
    name: c.name.replace(/-/g, ''),
    shortDescription: { text: `${c.name} (Scorecard-style health check)` },
    help: { text: c.remediation },
    defaultConfiguration: { level: LEVEL[c.risk] },
    properties: { tags: ['security', 'supply-chain'], risk: c.risk, weight: RISK_WEIGHT[c.risk] },
  }));
  const results: Result[] = [];
  for (const c of r.checks) {
    for (const e of c.evidence) {
      if (e.kind !== 'fail' || e.path === '.' || e.path.startsWith('refs/')) continue;
      results.push({
        ruleId: c.name,
        level: LEVEL[c.risk],
        message: { text: `${e.detail}. ${c.remediation}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: e.path.split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' },
              ...(e.line !== undefined ? { region: { startLine: e.line } } : {}),
            },
          },
        ],
        properties: { checkScore: c.score },
      });
    }
  }
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'vouch', version: VERSION, informationUri: 'https://github.com/ossf/scorecard/blob/main/docs/checks.md', rules } },
        originalUriBaseIds: { SRCROOT: { uri: `file://${r.repo.split('/').map(encodeURIComponent).join('/')}/` } },
        results,
        properties: { aggregateScore: r.score, criticality: r.criticality.score },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
