/**
 * Events about uploads (issue 14, item 2): `upload.failed` (the document could not be read — the
 * engine's one line) and `policy.violation` (a finished upload breaks the server's policy, see
 * documents.ts). Like incidents, these read what ingest records rather than hooking it: every
 * notifier round looks at the uploads finished since (those without an `upload_checks` row) and
 * records their events in `response_events`. The check row and the events are one transaction, the
 * check row first (`ON CONFLICT DO NOTHING`): two nodes record each upload's events once.
 *
 * The policy is evaluated as `vouch scan --policy` evaluates it — `fail` rules and `ignore` rules
 * (an expired ignore rule is a violation) over the version's stored findings, with the project's
 * not_affected / false_positive analyses suppressing theirs. Licence rules are not evaluated here
 * (the server keeps no licences per component). A policy without `fail` rules fails no finding.
 */
import type { Db } from '../db/index.js';
import { type Scope } from '../portfolio/access.js';
import { projectReport } from '../portfolio/queries.js';
import { evaluatePolicy } from '../triage/policy.js';
import { applyAnalyses } from './analyses.js';
import { serverPolicy } from './documents.js';

const ALL: Scope = { all: true };
/** Uploads looked at per call (the notifier calls it every round). */
const BATCH = 200;

export interface ViolationDetail {
  rule: string;
  message: string;
  source: string;
  id?: string;
  purl?: string;
  /** the finding's severity, KEV and EPSS, for the rules' filters */
  severity?: string;
  kev?: boolean;
  epss?: number;
}

/** Records the events of uploads finished since the last call; returns how many events were recorded. */
export async function recordUploadEvents(db: Db, opts: { now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const rows = await db
    .selectFrom('uploads as u')
    .innerJoin('projects as p', 'p.id', 'u.project_id')
    .leftJoin('upload_checks as k', 'k.upload_id', 'u.id')
    .select(['u.id', 'u.state', 'u.version', 'u.file_name', 'u.error', 'u.finished_at', 'p.name as project'])
    .where('u.state', 'in', ['done', 'failed'])
    .where('k.upload_id', 'is', null)
    .orderBy('u.finished_at')
    .orderBy('u.id')
    .limit(BATCH)
    .execute();
  if (!rows.length) return 0;
  const policy = await serverPolicy(db);
  let recorded = 0;
  for (const r of rows) {
    const at = r.finished_at ?? now.toISOString();
    const events: { key: string; type: string; detail: object }[] = [];
    if (r.state === 'failed') {
      const error = r.error !== null ? (JSON.parse(r.error) as Record<string, unknown>) : {};
      events.push({ key: `upload.failed:${r.id}`, type: 'upload.failed', detail: { upload: r.id, file: r.file_name, error } });
    } else if (policy) {
      const violations = await violationsOf(db, r.project, r.version, policy, now);
      if (violations?.length) events.push({ key: `policy.violation:${r.id}`, type: 'policy.violation', detail: { upload: r.id, file: r.file_name, violations } });
    }
    await db.transaction().execute(async (tx) => {
      const claimed = await tx.insertInto('upload_checks').values({ upload_id: r.id, at: now.toISOString() }).onConflict((oc) => oc.column('upload_id').doNothing()).executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) return; // another node did it
      for (const e of events) {
        await tx.insertInto('response_events').values({ key: e.key, type: e.type, at, project: r.project, version: r.version, detail: JSON.stringify(e.detail) }).onConflict((oc) => oc.column('key').doNothing()).execute();
        recorded++;
      }
    });
  }
  return recorded;
}

async function violationsOf(db: Db, project: string, version: string, policy: NonNullable<Awaited<ReturnType<typeof serverPolicy>>>, now: Date): Promise<ViolationDetail[] | undefined> {
  const stored = await projectReport(db, project, ALL, { version, now });
  if (!stored) return undefined;
  const report = await applyAnalyses(db, project, ALL, stored);
  const { licenses: _licences, ...rules } = policy;
  const result = evaluatePolicy(rules, { findings: report.findings, failOn: 'none' }, [], now);
  const byKey = new Map(report.findings.map((f) => [`${f.id} ${f.purl}`, f]));
  return result.violations
    .filter((v) => v.level === 'fail')
    .map((v) => {
      const f = v.id !== undefined && v.purl !== undefined ? byKey.get(`${v.id} ${v.purl}`) : undefined;
      return {
        rule: v.rule,
        message: v.message,
        source: v.source,
        ...(v.id !== undefined ? { id: v.id } : {}),
        ...(v.purl !== undefined ? { purl: v.purl } : {}),
        ...(f ? { severity: f.severity.rating, kev: f.kev !== undefined, ...(f.epss ? { epss: f.epss.score } : {}) } : {}),
      };
    });
}
