/**
 * VEX in and out per project (issue 14, item 1): a project's current analyses written as OpenVEX
 * 0.2.0 or CycloneDX 1.6 VEX, and either format read back (with the readers of src/triage/vex)
 * into analyses — statement for statement, so an export re-imported into another project or
 * server gives the same state, justification, response and detail.
 *
 * OpenVEX has no `false_positive` and no `response`: a false positive is written as not_affected
 * with `status_notes: "vouch:false_positive"`, responses as `action_statement: "response: a, b"`
 * (the form the CycloneDX reader gives them), and both are read back. CycloneDX carries all five
 * states and the responses natively.
 *
 * Import applies what is valid and lists every statement it did not apply, and why: a product
 * that is not a purl or not a component of the project, a vulnerability the server has never
 * seen, a statement conflicting with another about the same component and vulnerability.
 */
import type { Db } from '../db/index.js';
import { canonicalPurl, parsePurl } from '../model/purl.js';
import type { Scope } from '../portfolio/access.js';
import { PortfolioError } from '../portfolio/errors.js';
import { purlBase } from '../portfolio/ingest.js';
import { projectIdInScope } from '../portfolio/projects.js';
import { OPENVEX_CONTEXT, documentId, parseVex, type VexStatement } from '../triage/vex/index.js';
import { parseVers, versContains } from '../triage/vex/vers.js';
import { VERSION } from '../version.js';
import { ANALYSIS_RESPONSES, type Analysis, type AnalysisInput, type AnalysisRow, type AnalysisState, analysisRow, insertAnalyses, listAnalyses, normaliseAnalysis } from './analyses.js';

export const FALSE_POSITIVE_MARK = 'vouch:false_positive';
const FP_NO_DETAIL = 'false positive';

/** OpenVEX justification → the CycloneDX one that reads back to it (docs/vex.md's mapping). */
const CDX_JUSTIFICATION_OF: Readonly<Record<string, string>> = {
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  component_not_present: 'requires_dependency',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const CDX_STATE_OF: Readonly<Record<AnalysisState, string>> = {
  in_triage: 'in_triage',
  exploitable: 'exploitable',
  not_affected: 'not_affected',
  false_positive: 'false_positive',
  resolved: 'resolved',
};

const OPENVEX_STATUS_OF: Readonly<Record<AnalysisState, string>> = {
  in_triage: 'under_investigation',
  exploitable: 'affected',
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
};

export type VexOutFormat = 'openvex' | 'cyclonedx';

/** The project's current analyses as a VEX document (JSON text); undefined when the project is absent or out of scope. */
export async function exportVex(db: Db, project: string, scope: Scope, format: VexOutFormat, opts: { author: string; now?: Date }): Promise<string | undefined> {
  const analyses = await listAnalyses(db, project, scope);
  if (!analyses) return undefined;
  analyses.sort((a, b) => a.purl.localeCompare(b.purl) || a.vuln.localeCompare(b.vuln));
  const timestamp = (opts.now ?? new Date()).toISOString();
  return format === 'openvex' ? openVexOf(analyses, opts.author, timestamp) : cycloneDxOf(analyses, project, timestamp);
}

function openVexOf(analyses: readonly Analysis[], author: string, timestamp: string): string {
  const statements = analyses.map((a) => {
    const s: Record<string, unknown> = { vulnerability: { name: a.vuln }, timestamp: a.at, products: [{ '@id': a.purl }], status: OPENVEX_STATUS_OF[a.state] };
    if (a.justification !== undefined) s['justification'] = a.justification;
    if (a.state === 'not_affected') {
      if (a.detail !== undefined) s['impact_statement'] = a.detail;
    } else if (a.state === 'false_positive') {
      s['impact_statement'] = a.detail ?? FP_NO_DETAIL;
      s['status_notes'] = FALSE_POSITIVE_MARK;
    } else if (a.detail !== undefined) s['status_notes'] = a.detail;
    if (a.response.length) s['action_statement'] = `response: ${a.response.join(', ')}`;
    else if (a.state === 'exploitable') s['action_statement'] = 'no response decided yet';
    return s;
  });
  const body = { '@context': OPENVEX_CONTEXT, author, timestamp, version: 1, tooling: `vouch ${VERSION}`, statements };
  const { '@context': context, ...rest } = body;
  return `${JSON.stringify({ '@context': context, '@id': documentId(body), ...rest }, null, 2)}\n`;
}

function cycloneDxOf(analyses: readonly Analysis[], project: string, timestamp: string): string {
  const purls = [...new Set(analyses.map((a) => a.purl))].sort();
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { timestamp, tools: { components: [{ type: 'application', name: 'vouch', version: VERSION }] }, component: { type: 'application', name: project, 'bom-ref': `project:${project}` } },
    components: purls.map((p) => {
      const parts = parsePurl(p);
      return { type: 'library', 'bom-ref': p, name: parts.name, ...(parts.version !== undefined ? { version: parts.version } : {}), purl: p };
    }),
    vulnerabilities: analyses.map((a) => ({
      id: a.vuln,
      analysis: {
        state: CDX_STATE_OF[a.state],
        ...(a.justification !== undefined ? { justification: CDX_JUSTIFICATION_OF[a.justification] ?? a.justification } : {}),
        ...(a.response.length ? { response: a.response } : {}),
        ...(a.detail !== undefined ? { detail: a.detail } : {}),
        lastUpdated: a.at,
      },
      affects: [{ ref: a.purl }],
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export interface VexImportResult {
  format: string;
  statements: number;
  /** analyses recorded */
  applied: number;
  /** every statement (or product of one) not applied, and why */
  notApplied: { statement: string; product?: string; reason: string }[];
  /** the reader's warnings (ignored version lists, missing action statements …) */
  warnings: string[];
}

/** An analysis from a statement (before its product is known). */
function fieldsOf(s: VexStatement): Omit<AnalysisInput, 'purl'> {
  const stripKept = (t: string | undefined): string | undefined => {
    if (t === undefined) return undefined;
    const r = t.replace(/^CycloneDX justification: [a-z_]+(\. )?/, '');
    return r === '' ? undefined : r;
  };
  const response: string[] = [];
  const m = /^response: ([a-z_]+(?:, [a-z_]+)*)/.exec(s.actionStatement ?? '');
  if (m) for (const r of m[1]!.split(', ')) if ((ANALYSIS_RESPONSES as readonly string[]).includes(r)) response.push(r);
  let state: AnalysisState;
  let detail: string | undefined;
  if (s.status === 'not_affected' && s.notes === FALSE_POSITIVE_MARK) {
    state = 'false_positive';
    detail = s.impactStatement === FP_NO_DETAIL ? undefined : s.impactStatement;
  } else if (s.status === 'not_affected' || s.status === 'false_positive') {
    state = s.status;
    detail = stripKept(s.impactStatement);
  } else {
    state = s.status === 'affected' ? 'exploitable' : s.status === 'fixed' ? 'resolved' : 'in_triage';
    detail = stripKept(s.notes);
  }
  return { vuln: s.vulnerability.id, state, ...(s.justification !== undefined ? { justification: s.justification } : {}), response, ...(detail !== undefined ? { detail } : {}) };
}

/**
 * Reads a VEX document (OpenVEX or CycloneDX, JSON or XML) into analyses of the project, in one
 * transaction. A document that is not VEX at all is a VouchError (the caller's 422); statements
 * are applied as far as they are valid.
 */
export async function importVex(db: Db, project: string, scope: Scope, text: string, fileName: string, opts: { author: string; now?: Date }): Promise<VexImportResult> {
  const projectId = await projectIdInScope(db, project, scope);
  if (projectId === undefined) throw new PortfolioError('not_found', `project ${project} not found`);
  const doc = parseVex(text, fileName);
  // the project's components (every stored version) by purl, and by purl without version
  const comps = await db
    .selectFrom('version_components as vc')
    .innerJoin('project_versions as v', 'v.id', 'vc.version_id')
    .innerJoin('components as c', 'c.id', 'vc.component_id')
    .select(['c.purl', 'c.purl_base', 'c.version'])
    .distinct()
    .where('v.project_id', '=', projectId)
    .execute();
  const purls = new Set(comps.map((c) => c.purl));
  const byBase = new Map<string, { purl: string; version: string }[]>();
  for (const c of comps) {
    let l = byBase.get(c.purl_base);
    if (!l) byBase.set(c.purl_base, (l = []));
    l.push({ purl: c.purl, version: c.version });
  }
  const known = await knownVulns(db, doc.statements);

  const notApplied: VexImportResult['notApplied'] = [];
  const at = (opts.now ?? new Date()).toISOString();
  // (purl, vuln key) → the statement and row, to find conflicts
  const chosen = new Map<string, { source: string; row: AnalysisRow; sig: string }>();
  const conflicted = new Set<string>();
  for (const s of doc.statements) {
    const ids = [s.vulnerability.id, ...s.vulnerability.aliases];
    if (!ids.some((i) => known.has(i.toUpperCase()))) {
      notApplied.push({ statement: s.source, reason: `unknown vulnerability ${s.vulnerability.id}: no advisory of this server has that id or alias` });
      continue;
    }
    let fields: Omit<AnalysisInput, 'purl'>;
    try {
      fields = fieldsOf(s);
    } catch (e) {
      notApplied.push({ statement: s.source, reason: (e as Error).message });
      continue;
    }
    const targets: string[] = [];
    const identifiers = s.subcomponents.length ? s.subcomponents : s.products;
    for (const p of identifiers) {
      if (!p.startsWith('pkg:')) {
        notApplied.push({ statement: s.source, product: p, reason: 'not a purl: analyses are about components' });
        continue;
      }
      let canon: string;
      let version: string | undefined;
      try {
        canon = canonicalPurl(p);
        version = parsePurl(canon).version;
      } catch (e) {
        notApplied.push({ statement: s.source, product: p, reason: (e as Error).message });
        continue;
      }
      if (version !== undefined) {
        if (purls.has(canon)) targets.push(canon);
        else notApplied.push({ statement: s.source, product: p, reason: `unknown product: project ${project} has no component ${canon}` });
      } else {
        const all = byBase.get(purlBase(canon)) ?? [];
        if (all.length) targets.push(...all.map((c) => c.purl));
        else notApplied.push({ statement: s.source, product: p, reason: `unknown product: project ${project} has no version of ${canon}` });
      }
    }
    for (const r of s.versionRanges ?? []) {
      const range = parseVers(r.range);
      const inRange = (byBase.get(purlBase(r.purl)) ?? []).filter((c) => versContains(range, c.version) === true);
      if (inRange.length) targets.push(...inRange.map((c) => c.purl));
      else notApplied.push({ statement: s.source, product: `${r.purl} ${r.range}`, reason: `unknown product: project ${project} has no version of ${r.purl} in ${r.range}` });
    }
    for (const purl of new Set(targets)) {
      let a: AnalysisInput;
      try {
        a = normaliseAnalysis({ ...fields, purl }, s.source);
      } catch (e) {
        notApplied.push({ statement: s.source, product: purl, reason: (e as Error).message });
        continue;
      }
      const key = `${a.purl}\u0000${a.vuln.toUpperCase()}`;
      const sig = JSON.stringify([a.state, a.justification, a.response, a.detail]);
      const before = chosen.get(key);
      if (before && before.sig !== sig) {
        conflicted.add(key);
        notApplied.push({ statement: s.source, product: purl, reason: `conflicts with ${before.source} about ${a.vuln} on ${purl}: neither is applied` });
        continue;
      }
      if (!before) chosen.set(key, { source: s.source, row: analysisRow(projectId, a, opts.author, `vex:${fileName}`, at), sig });
    }
  }
  const rows: AnalysisRow[] = [];
  for (const [key, c] of chosen) {
    if (conflicted.has(key)) notApplied.push({ statement: c.source, product: c.row.purl, reason: `conflicts with another statement about ${c.row.vuln} on ${c.row.purl}: neither is applied` });
    else rows.push(c.row);
  }
  await db.transaction().execute((tx) => insertAnalyses(tx, rows));
  return { format: doc.format, statements: doc.statements.length, applied: rows.length, notApplied, warnings: doc.warnings };
}

/** The ids and aliases (upper-cased) among the statements' that the server's findings know. */
async function knownVulns(db: Db, statements: readonly VexStatement[]): Promise<Set<string>> {
  const ids = [...new Set(statements.flatMap((s) => [s.vulnerability.id, ...s.vulnerability.aliases].map((i) => i.toUpperCase())))];
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    for (const r of await db.selectFrom('vuln_aliases').select('alias').where('alias', 'in', ids.slice(i, i + 5000)).execute()) out.add(r.alias);
  }
  return out;
}
