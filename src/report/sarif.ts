/**
 * SARIF 2.1.0: one rule per advisory (with help: summary, details excerpt, fixed versions,
 * references; and `security-severity` for code-scanning UIs), one result per finding located at
 * the lockfile or SBOM line that declares the component. KEV, EPSS and the priority ride in the
 * result's properties; a suppressed finding (VEX, ignore rule) carries a SARIF `suppressions`
 * entry of kind `external`, so viewers hide it without losing it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { ReportFinding } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import { idWithCve } from './display.js';
import type { RenderContext } from './render.js';

const LEVEL: Record<string, Result.level> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', NONE: 'note', UNKNOWN: 'warning' };

/** GitHub code scanning reads `security-severity` as a CVSS-like number; a rating without a score maps to its band's floor. */
const RATING_SCORE: Record<string, string> = { CRITICAL: '9.0', HIGH: '7.0', MEDIUM: '4.0', LOW: '0.1', NONE: '0.0' };

export function renderSarif(report: ScanReport, opts: RenderContext & { cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const byRule = new Map<string, ReportFinding[]>();
  for (const f of report.findings) {
    let l = byRule.get(f.id);
    if (!l) byRule.set(f.id, (l = []));
    l.push(f);
  }
  const rules: ReportingDescriptor[] = [...byRule.entries()].map(([id, fs]) => rule(id, fs));
  const results: Result[] = report.findings.map((f) => {
    const fix = f.fixed.length ? ` Fixed in ${f.fixed.join(', ')}.` : ' No fixed version is known.';
    const exploited = f.kev ? ' Known exploited (CISA KEV).' : '';
    const locs = f.locations.length ? f.locations : [{ path: '.' }];
    const result: Result = {
      ruleId: f.id,
      level: LEVEL[f.severity.rating] ?? 'warning',
      message: { text: `${f.name} ${f.version} is affected by ${idWithCve(f.id, f.aliases)}${f.source ? ` (from ${f.source.name}, TLP:${f.source.tlp})` : ''}${f.summary ? `: ${f.summary}` : ''}.${fix}${exploited}` },
      locations: locs.slice(0, 10).map((l) => ({
        physicalLocation: {
          artifactLocation: { uri: toUri(l.path, cwd) },
          ...(l.line !== undefined ? { region: { startLine: l.line } } : {}),
        },
        logicalLocations: [{ name: f.purl, kind: 'package' }],
      })),
      // a subscribed feed's record of the same id is another finding (docs/feeds.md); OSV's keep their fingerprint
      partialFingerprints: { 'vouchFinding/v1': createHash('sha256').update(`${f.purl}\u0000${f.id}${f.source ? `\u0000${f.source.url}` : ''}`).digest('hex') },
      properties: {
        purl: f.purl,
        ...(f.source ? { source: f.source } : {}),
        ids: f.ids ?? [f.id],
        aliases: f.aliases,
        fixed: f.fixed,
        scope: f.scope,
        direct: f.direct,
        severity: f.severity.rating,
        ...(f.severity.score !== undefined ? { cvssScore: f.severity.score } : {}),
        kev: f.kev ? true : false,
        ...(f.kev ? { kevDateAdded: f.kev.dateAdded, ...(f.kev.dueDate ? { kevDueDate: f.kev.dueDate } : {}), kevRansomware: f.kev.knownRansomwareUse } : {}),
        ...(f.epss ? { epss: f.epss.score, epssPercentile: f.epss.percentile } : {}),
        ...(f.priority ? { priority: f.priority.rank, priorityReason: f.priority.reason } : {}),
      },
    };
    if (f.suppressed) {
      const s = f.suppressed;
      result.suppressions = [
        {
          kind: 'external',
          status: 'accepted',
          justification: [`${s.by}: ${s.status}`, s.justification, s.impactStatement, `(${s.source})`].filter(Boolean).join(' — '),
        },
      ];
    }
    return result;
  });
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'vouch',
            version: report.tool.version,
            informationUri: 'https://osv.dev',
            rules,
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function rule(id: string, fs: ReportFinding[]): ReportingDescriptor {
  const f = fs[0]!;
  const title = idWithCve(f.id, f.aliases);
  const score = f.severity.score !== undefined ? f.severity.score.toFixed(1) : RATING_SCORE[f.severity.rating];
  const fixes = new Map<string, Set<string>>();
  for (const x of fs) {
    let s = fixes.get(x.name);
    if (!s) fixes.set(x.name, (s = new Set()));
    for (const v of x.fixedVersions) s.add(v);
  }
  const fixLines = [...fixes].map(([name, vs]) => `${name}: ${vs.size ? [...vs].join(', ') : 'no fixed version known'}`);
  const refs = f.references.slice(0, 10).map((r) => r.url);
  const osvUrl = `https://osv.dev/vulnerability/${encodeURIComponent(f.id)}`;
  const text = [
    `${title}${f.summary ? `: ${f.summary}` : ''}`,
    f.details ? `\n${f.details}` : '',
    `\nFixed versions:\n${fixLines.map((l) => `- ${l}`).join('\n')}`,
    f.kev ? `\nKnown exploited (CISA KEV, added ${f.kev.dateAdded}${f.kev.requiredAction ? `): ${f.kev.requiredAction}` : ')'}` : '',
    `\nReferences:\n${[osvUrl, ...refs].map((u) => `- ${u}`).join('\n')}`,
  ]
    .filter(Boolean)
    .join('\n');
  const markdown = [
    `**${title}**${f.summary ? `: ${f.summary}` : ''}`,
    f.details ? `\n${f.details}` : '',
    `\n**Fixed versions**\n\n${fixLines.map((l) => `- ${l}`).join('\n')}`,
    f.kev ? `\n**Known exploited** (CISA KEV, added ${f.kev.dateAdded})${f.kev.requiredAction ? `: ${f.kev.requiredAction}` : ''}` : '',
    `\n**References**\n\n${[osvUrl, ...refs].map((u) => `- <${u}>`).join('\n')}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: f.summary ?? title },
    fullDescription: { text: `${title}${f.summary ? `: ${f.summary}` : ''}` },
    helpUri: osvUrl,
    help: { text, markdown },
    properties: {
      tags: ['security', 'vulnerability', ...f.aliases.filter((a) => a.startsWith('CVE-'))],
      ...(score !== undefined ? { 'security-severity': score } : {}),
      precision: 'very-high',
      ...(f.kev ? { kev: true } : {}),
    },
  };
}

function toUri(p: string, cwd: string): string {
  const rel = path.isAbsolute(p) ? path.relative(cwd, p) : p;
  return rel.split(path.sep).join('/').split('/').map(encodeURIComponent).join('/').replace(/%21/g, '!');
}
