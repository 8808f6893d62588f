/**
 * `?format=openvex` of GET /projects/{name}/findings: the project's findings as an OpenVEX 0.2.0
 * document, one statement per finding — `affected` (with the upgrade as its action statement) for
 * open findings, and for findings a VEX statement suppressed, that statement's status and
 * justification. Findings an ignore rule suppressed are `under_investigation`: an ignore rule is a
 * decision about the gate, not a claim about exploitability. Built with the `vouch vex create`
 * writer (triage/vex/create.ts) so both write the same shape.
 */
import type { ScanReport } from '../model/report.js';
import type { ReportFinding } from '../model/triage.js';
import { type OpenVexStatementJson, documentId } from '../triage/vex/create.js';
import { OPENVEX_CONTEXT } from '../triage/vex/openvex.js';
import { VERSION } from '../version.js';

const VEX_STATUSES = new Set(['not_affected', 'affected', 'fixed', 'under_investigation']);

function statementOf(f: ReportFinding, timestamp: string): OpenVexStatementJson {
  const base = {
    vulnerability: { name: f.id, ...(f.aliases.length ? { aliases: f.aliases } : {}) },
    timestamp,
    products: [{ '@id': f.purl }],
  };
  const s = f.suppressed;
  if (s && s.by === 'vex' && VEX_STATUSES.has(s.status)) {
    if (s.status === 'not_affected') {
      return {
        ...base,
        status: 'not_affected',
        ...(s.justification ? { justification: s.justification } : {}),
        ...(s.impactStatement || !s.justification ? { impact_statement: s.impactStatement ?? `suppressed by ${s.source}` } : {}),
      };
    }
    if (s.status === 'affected') return { ...base, status: 'affected', action_statement: upgrade(f) };
    return { ...base, status: s.status as 'fixed' | 'under_investigation' };
  }
  if (s) return { ...base, status: 'under_investigation' };
  return { ...base, status: 'affected', action_statement: upgrade(f) };
}

function upgrade(f: ReportFinding): string {
  return f.fixed.length ? `Upgrade ${f.name} to ${f.fixed.join(' or ')}` : `No fixed version of ${f.name} is known`;
}

export function renderOpenVex(report: ScanReport, opts: { author: string }): string {
  const timestamp = report.createdAt;
  const body = {
    '@context': OPENVEX_CONTEXT,
    author: opts.author,
    timestamp,
    version: 1,
    tooling: `vouch ${VERSION}`,
    statements: report.findings.map((f) => statementOf(f, timestamp) as unknown as Record<string, unknown>),
  };
  const { '@context': context, ...rest } = body;
  return `${JSON.stringify({ '@context': context, '@id': documentId(body), ...rest }, null, 2)}\n`;
}
