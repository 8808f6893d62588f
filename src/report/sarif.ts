/**
 * SARIF 2.1.0: one rule per advisory, one result per (component, advisory) located at the
 * lockfile or SBOM line that declares the component, so code-scanning UIs annotate it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { ScanReport } from './scan-report.js';
import { idWithCve } from './display.js';

const LEVEL: Record<string, Result.level> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', NONE: 'note', UNKNOWN: 'warning' };

export function renderSarif(report: ScanReport, opts: { cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = [];
  for (const f of report.findings) {
    if (!rules.has(f.id)) {
      const score = f.severity.score;
      rules.set(f.id, {
        id: f.id,
        name: f.id.replace(/[^A-Za-z0-9]/g, ''),
        shortDescription: { text: f.summary ?? idWithCve(f.id, f.aliases) },
        fullDescription: { text: `${idWithCve(f.id, f.aliases)}${f.summary ? `: ${f.summary}` : ''}` },
        helpUri: `https://osv.dev/vulnerability/${encodeURIComponent(f.id)}`,
        help: { text: `See https://osv.dev/vulnerability/${f.id}. References: ${f.references.map((r) => r.url).slice(0, 5).join(' ')}`.trim() },
        properties: {
          tags: ['security', 'vulnerability', ...f.aliases.filter((a) => a.startsWith('CVE-'))],
          ...(score !== undefined ? { 'security-severity': score.toFixed(1) } : {}),
          precision: 'very-high',
        },
      });
    }
    const fix = f.fixed.length ? ` Fixed in ${f.fixed.join(', ')}.` : ' No fixed version is known.';
    const locs = f.locations.length ? f.locations : [{ path: '.' }];
    results.push({
      ruleId: f.id,
      level: LEVEL[f.severity.rating] ?? 'warning',
      message: { text: `${f.name} ${f.version} is affected by ${idWithCve(f.id, f.aliases)}${f.summary ? `: ${f.summary}` : ''}.${fix}` },
      locations: locs.slice(0, 10).map((l) => ({
        physicalLocation: {
          artifactLocation: { uri: toUri(l.path, cwd) },
          ...(l.line !== undefined ? { region: { startLine: l.line } } : {}),
        },
        logicalLocations: [{ name: f.purl, kind: 'package' }],
      })),
      partialFingerprints: { 'vouchFinding/v1': createHash('sha256').update(`${f.purl}\u0000${f.id}`).digest('hex') },
      properties: { purl: f.purl, aliases: f.aliases, fixed: f.fixed, scope: f.scope, direct: f.direct },
    });
  }
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'vouch',
            version: report.tool.version,
            rules: [...rules.values()],
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function toUri(p: string, cwd: string): string {
  const rel = path.isAbsolute(p) ? path.relative(cwd, p) : p;
  return rel.split(path.sep).join('/').split('/').map(encodeURIComponent).join('/').replace(/%21/g, '!');
}
