import { describe, expect, it } from 'vitest';
import { sampleReport } from '../report/__fixtures__/reports.js';
import { readOpenVex } from '../triage/vex/openvex.js';
import { renderOpenVex } from './openvex.js';

describe('findings as OpenVEX', () => {
  const report = sampleReport();
  const text = renderOpenVex(report, { author: 'vouch server (project goof)' });
  const doc = JSON.parse(text) as { '@context': string; '@id': string; statements: { vulnerability: { name: string }; status: string; products: { '@id': string }[]; action_statement?: string; justification?: string }[] };

  it('is read back by vouch\'s own OpenVEX reader, one statement per finding', () => {
    const read = readOpenVex(doc, 'findings.openvex.json');
    expect(read.statements).toHaveLength(report.findings.length);
    expect(doc['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    expect(doc['@id']).toMatch(/^https:\/\/openvex\.dev\/docs\/public\/vex-[0-9a-f]{64}$/);
  });

  it('says affected, with the upgrade, for an open finding', () => {
    const f = report.findings.find((x) => !x.suppressed && x.fixed.length)!;
    const s = doc.statements.find((x) => x.vulnerability.name === f.id && x.products[0]!['@id'] === f.purl)!;
    expect(s.status).toBe('affected');
    expect(s.action_statement).toBe(`Upgrade ${f.name} to ${f.fixed.join(' or ')}`);
  });

  it('keeps a VEX statement\'s verdict, and leaves a policy ignore rule under investigation', () => {
    const byVex = report.findings.find((x) => x.suppressed?.by === 'vex')!;
    const byIgnore = report.findings.find((x) => x.suppressed?.by === 'ignore')!;
    const vexStmt = doc.statements.find((x) => x.vulnerability.name === byVex.id && x.products[0]!['@id'] === byVex.purl)!;
    expect(vexStmt.status).toBe(byVex.suppressed!.status);
    if (byVex.suppressed!.justification) expect(vexStmt.justification).toBe(byVex.suppressed!.justification);
    const ignoreStmt = doc.statements.find((x) => x.vulnerability.name === byIgnore.id && x.products[0]!['@id'] === byIgnore.purl)!;
    expect(ignoreStmt.status).toBe('under_investigation');
  });

  it('is the same document for the same report', () => {
    expect(renderOpenVex(report, { author: 'vouch server (project goof)' })).toBe(text);
  });
});
