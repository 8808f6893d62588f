/**
 * Ingest: a document (SBOM or lockfile) arrives for a project version, is stored as received, and
 * a job turns it into the portfolio's rows with the same engine `vouch scan` runs.
 *
 *   submitDocument — one transaction: the project (created when allowed), the document under its
 *     SHA-256, and the upload (queued). The same bytes for the same project version are the same
 *     upload, so a retried push never queues twice.
 *   processUpload — the job: inventory (inventoryOfDocument) → match and triage (scanInventory) →
 *     one transaction writing components (one row per purl across the portfolio), the version's
 *     links to them (scope, direct, and the edges into each: db/parents.ts), its findings, and
 *     making it the current version.
 *     Idempotent: running it again, or after a crash half-way, ends in the same state. A document
 *     the engine cannot read fails the upload with the engine's file/line/JSON-path message and
 *     stores nothing as a version.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { bulkInsert, inList, isPostgres, nowIso } from '../db/index.js';
import { compactEdges } from '../db/parents.js';
import type { UploadState } from '../db/schema.js';
import type { AdvisoryContext } from '../engine/scan.js';
import { scanInventory } from '../engine/scan.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { inventoryOfDocument } from '../inventory/collect.js';
import { baseEcosystem } from '../model/advisory.js';
import type { Component } from '../model/component.js';
import { isVouchError } from '../model/errors.js';
import type { DependencyGraph } from '../model/graph.js';
import { buildPurl, tryParsePurl } from '../model/purl.js';
import type { ScanReport } from '../model/report.js';
import type { ReportFinding } from '../model/triage.js';
import type { Scope } from './access.js';
import { scopedProjectIds } from './access.js';
import { PortfolioError, UPLOAD_JOB_FAILED_TITLE } from './errors.js';
import { checkProjectName } from './projects.js';

export interface UploadError {
  title: string;
  /** the engine's one line: `file:line (json.path): message` */
  detail: string;
  /** the JSON path of the problem, when the engine knows it */
  pointer?: string;
  line?: number;
}

export interface UploadView {
  id: string;
  project: string;
  version: string;
  fileName: string;
  sha256: string;
  state: UploadState;
  error?: UploadError;
  components?: number;
  findings?: number;
  createdAt: string;
  finishedAt?: string;
}

/** A version label: 1–200 characters without control characters. */
export function checkVersionLabel(version: string): void {
  // eslint-disable-next-line no-control-regex
  if (!version || version.length > 200 || /[\u0000-\u001f\u007f]/.test(version)) {
    throw new PortfolioError('invalid', 'a version is 1–200 characters without control characters');
  }
}

export async function submitDocument(
  db: Db,
  opts: { project: string; version: string; fileName: string; bytes: Buffer; createProject: boolean; scope?: Scope },
): Promise<{ uploadId: string; duplicate: boolean }> {
  checkProjectName(opts.project);
  checkVersionLabel(opts.version);
  const fileName = opts.fileName.trim() || 'document';
  // the name only picks the reader (package-lock.json, *.cdx.json ...) and labels messages
  // eslint-disable-next-line no-control-regex
  if (fileName.length > 255 || /[\u0000-\u001f\u007f]/.test(fileName)) throw new PortfolioError('invalid', 'a file name is at most 255 characters without control characters');
  const sha256 = createHash('sha256').update(opts.bytes).digest('hex');
  return db.transaction().execute(async (tx) => {
    let project = await tx.selectFrom('projects').select('id').where('name', '=', opts.project).executeTakeFirst();
    if (project && opts.scope) {
      const visible = await scopedProjectIds(tx, opts.scope);
      if (visible !== undefined && !visible.includes(project.id)) project = undefined;
      if (!project) throw new PortfolioError('not_found', `no project named "${opts.project}"`);
    }
    if (!project) {
      // a token limited to projects creates only those; one limited to a tag gives the new project
      // its tag, so the token sees what it uploaded
      const scope = opts.scope;
      if (!opts.createProject || (scope && 'projects' in scope && !scope.projects.includes(opts.project))) {
        throw new PortfolioError('not_found', `no project named "${opts.project}"`);
      }
      project = await tx
        .insertInto('projects')
        .values({ name: opts.project, parent_id: null, created_at: nowIso() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ name: opts.project }))
        .returning('id')
        .executeTakeFirstOrThrow();
      if (scope && 'tag' in scope) {
        await tx
          .insertInto('project_tags')
          .values({ project_id: project.id, tag: scope.tag })
          .onConflict((oc) => oc.columns(['project_id', 'tag']).doNothing())
          .execute();
      }
    }
    await tx
      .insertInto('documents')
      .values({ sha256, bytes: opts.bytes, size: opts.bytes.length, file_name: fileName, created_at: nowIso() })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    const id = randomUUID();
    const inserted = await tx
      .insertInto('uploads')
      .values({
        id,
        project_id: project.id,
        version: opts.version,
        document_sha256: sha256,
        file_name: fileName,
        state: 'queued',
        error: null,
        components: null,
        findings: null,
        created_at: nowIso(),
        finished_at: null,
      })
      .onConflict((oc) => oc.columns(['project_id', 'version', 'document_sha256']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { uploadId: id, duplicate: false };
    const existing = await tx
      .selectFrom('uploads')
      .select('id')
      .where('project_id', '=', project.id)
      .where('version', '=', opts.version)
      .where('document_sha256', '=', sha256)
      .executeTakeFirstOrThrow();
    return { uploadId: existing.id, duplicate: true };
  });
}

export async function getUpload(db: Db, id: string, scope: Scope): Promise<UploadView | undefined> {
  const r = await db
    .selectFrom('uploads as u')
    .innerJoin('projects as p', 'p.id', 'u.project_id')
    .select(['u.id', 'u.project_id', 'p.name as project', 'u.version', 'u.file_name', 'u.document_sha256', 'u.state', 'u.error', 'u.components', 'u.findings', 'u.created_at', 'u.finished_at'])
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const visible = await scopedProjectIds(db, scope);
  if (visible !== undefined && !visible.includes(r.project_id)) return undefined;
  return {
    id: r.id,
    project: r.project,
    version: r.version,
    fileName: r.file_name,
    sha256: r.document_sha256,
    state: r.state,
    ...(r.error !== null ? { error: JSON.parse(r.error) as UploadError } : {}),
    ...(r.components !== null ? { components: r.components } : {}),
    ...(r.findings !== null ? { findings: r.findings } : {}),
    createdAt: r.created_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
  };
}

/**
 * Runs an upload (the `ingest` job). Safe to run twice, or again after a crash. `timings`, when
 * given, gets the milliseconds spent in the engine (read, match, triage) and in storing the version
 * (bench/portfolio.mjs reports the two apart), and with `steps` each step's.
 */
export interface IngestTimings {
  engineMs: number;
  storeMs: number;
  /** when given: milliseconds per step (read, scan, and each statement of the store), added up over uploads */
  steps?: Record<string, number>;
}

export async function processUpload(db: Db, ctx: AdvisoryContext, uploadId: string, opts: { now?: Date; timings?: IngestTimings } = {}): Promise<void> {
  const up = await db
    .selectFrom('uploads as u')
    .innerJoin('documents as d', 'd.sha256', 'u.document_sha256')
    .select(['u.id', 'u.project_id', 'u.version', 'u.file_name', 'u.state', 'd.bytes'])
    .where('u.id', '=', uploadId)
    .executeTakeFirst();
  if (!up || up.state === 'done' || up.state === 'failed') return;
  if (up.state === 'queued') await db.updateTable('uploads').set({ state: 'running' }).where('id', '=', uploadId).where('state', '=', 'queued').execute();
  const now = opts.now ?? new Date();

  let report: ScanReport;
  let graph: DependencyGraph;
  const t0 = performance.now();
  try {
    const inventory = await inventoryOfDocument(up.file_name, Buffer.from(up.bytes));
    const failedInput = inventory.inputs.find((i) => i.status === 'failed');
    if (failedInput) {
      await failUpload(db, uploadId, { title: 'the document could not be read', detail: `${failedInput.path}: ${failedInput.reason ?? 'not read'}` });
      return;
    }
    const partial = inventory.inputs.find((i) => i.status === 'partial');
    if (partial) {
      // as `vouch scan` without --allow-partial: a document read only in part is not taken as the version
      const lost = partial.lost ?? [];
      await failUpload(db, uploadId, {
        title: 'the document was read only in part',
        detail: `${partial.path}: ${lost.length} entr${lost.length === 1 ? 'y' : 'ies'} could not be read${lost[0] ? `: ${lost[0]}` : ''}`,
        ...(lost[0]?.startsWith('$') ? { pointer: lost[0].slice(0, lost[0].indexOf(': ') > 0 ? lost[0].indexOf(': ') : undefined) } : {}),
      });
      return;
    }
    graph = inventory.graph;
    const tRead = performance.now();
    report = scanInventory(inventory, ctx, { failOn: 'any', now });
    if (opts.timings?.steps) {
      addStep(opts.timings.steps, 'engine: read', tRead - t0);
      addStep(opts.timings.steps, 'engine: match and triage', performance.now() - tRead);
    }
  } catch (e) {
    if (!isVouchError(e)) {
      // a bug of the engine on this document: the same bytes fail the same way however often the
      // job is retried, so the upload ends failed (the message is the engine's, no stack)
      await failUpload(db, uploadId, { title: 'vouch could not process the document (internal error)', detail: `${up.file_name}: ${(e as Error)?.message ?? String(e)}` });
      return;
    }
    await failUpload(db, uploadId, {
      title: e.code === 'INPUT_UNSUPPORTED' ? 'not a document vouch reads' : 'the document could not be read',
      detail: e.oneLine(),
      ...(e.position?.jsonPath !== undefined ? { pointer: e.position.jsonPath } : {}),
      ...(e.position?.line !== undefined ? { line: e.position.line } : {}),
    });
    return;
  }
  const t1 = performance.now();
  await storeVersion(db, { uploadId, projectId: up.project_id, version: up.version, graph, report, now, ...(opts.timings?.steps ? { steps: opts.timings.steps } : {}) });
  if (opts.timings) {
    opts.timings.engineMs += t1 - t0;
    opts.timings.storeMs += performance.now() - t1;
  }
}

/**
 * Ends an upload whose ingest job failed for good — not because of its document (that ends it in
 * processUpload) but a database error, a node lost past the job's expiry as often as it is retried,
 * a bug: without this it would stay `running`, and `vouch push --wait` wait on it forever. The
 * upload is failed with the job's last error (the response layer's `upload.failed` event follows);
 * an upload already done or failed is left as it is, so calling it again changes nothing.
 */
export async function failUploadAfterJob(db: Db, uploadId: string, error: string): Promise<void> {
  const up = await db.selectFrom('uploads').select('file_name').where('id', '=', uploadId).executeTakeFirst();
  if (!up) return;
  await failUpload(db, uploadId, { title: UPLOAD_JOB_FAILED_TITLE, detail: `${up.file_name}: ${error}` });
}

async function failUpload(db: Db, uploadId: string, error: UploadError): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ state: 'failed', error: JSON.stringify(error), finished_at: nowIso() })
    .where('id', '=', uploadId)
    .where('state', 'in', ['queued', 'running'])
    .execute();
}

/** The purl without version, qualifiers or subpath: what "who uses this package" asks for. */
export function purlBase(purl: string): string {
  const p = tryParsePurl(purl);
  if (!p) {
    const at = purl.lastIndexOf('@');
    return at > 0 ? purl.slice(0, at) : purl;
  }
  return buildPurl({ type: p.type, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name });
}

/** The columns a component is stored with (also used by re-match to rebuild the engine's Component). */
export function componentRow(c: Component): { purl: string; purl_base: string; ecosystem: string; ecosystem_base: string; name: string; name_norm: string; version: string; data: string } {
  const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
  const ecosystem = c.ecosystem ?? '';
  return {
    purl: c.purl,
    purl_base: purlBase(c.purl),
    ecosystem,
    ecosystem_base: eco ? baseEcosystem(eco.osvName) : baseEcosystem(ecosystem),
    name: c.name,
    name_norm: eco ? eco.normalizeName(c.advisoryName ?? c.name) : (c.advisoryName ?? c.name),
    version: c.version,
    data: JSON.stringify({
      ecosystem: c.ecosystem ?? null,
      name: c.name,
      version: c.version,
      ...(c.advisoryName !== undefined ? { advisoryName: c.advisoryName } : {}),
      ...(c.advisoryVersion !== undefined ? { advisoryVersion: c.advisoryVersion } : {}),
      ...(c.licenses?.length ? { licenses: c.licenses } : {}),
      ...(c.hashes?.length ? { hashes: c.hashes } : {}),
    }),
  };
}

const COMPONENT_COLUMNS = [
  ['purl', 'text'],
  ['purl_base', 'text'],
  ['ecosystem', 'text'],
  ['ecosystem_base', 'text'],
  ['name', 'text'],
  ['name_norm', 'text'],
  ['version', 'text'],
  ['data', 'text'],
] as const;

/**
 * Component ids already committed, by purl, per opened database (keyed by its Kysely adapter, which
 * its transactions share). A component row is never deleted or renumbered, so an id once committed
 * stays right; the thousands of uploads a node ingests mostly name components the portfolio holds
 * already, and this spares each of them looking up its ~2,000 purls. Only ids read or written by a
 * transaction that committed are added (rememberComponentIds), so a rolled-back insert never leaks in.
 */
const committedIds = new WeakMap<object, Map<string, number>>();
/** the cache's size at most: past it, it starts again (distinct purls grow with package versions, not projects) */
const COMMITTED_IDS_MAX = 1_000_000;

function committedIdsOf(db: Db): Map<string, number> {
  const key = db.getExecutor().adapter;
  let m = committedIds.get(key);
  if (!m) committedIds.set(key, (m = new Map()));
  return m;
}

/** Call after the transaction that got `ids` from componentIds committed. */
export function rememberComponentIds(db: Db, ids: ReadonlyMap<string, number>): void {
  let m = committedIdsOf(db);
  if (m.size + ids.size > COMMITTED_IDS_MAX) {
    m = new Map();
    committedIds.set(db.getExecutor().adapter, m);
  }
  for (const [purl, id] of ids) m.set(purl, id);
}

/** Component ids by purl, inserting the ones the portfolio does not hold yet (one row per purl, race-free). */
export async function componentIds(db: Db, components: Iterable<Component>): Promise<Map<string, number>> {
  const all = [...components];
  const known = committedIdsOf(db);
  const ids = new Map<string, number>();
  const unknown: string[] = [];
  for (const c of all) {
    const id = known.get(c.purl);
    if (id !== undefined) ids.set(c.purl, id);
    else unknown.push(c.purl);
  }
  if (unknown.length) for (const [purl, id] of await idsOf(db, unknown)) ids.set(purl, id);
  // most components of an upload are in the portfolio already: only the others are built and written,
  // in purl order (concurrent ingests on PostgreSQL then take the rows' locks in one order, no deadlock)
  const rows = all
    .filter((c) => !ids.has(c.purl))
    .map(componentRow)
    .sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
  if (rows.length) {
    await bulkInsert(
      db,
      'components',
      COMPONENT_COLUMNS,
      rows.map((r) => COMPONENT_COLUMNS.map(([c]) => r[c])),
      { ignoreConflicts: true },
    );
    for (const [purl, id] of await idsOf(
      db,
      rows.map((r) => r.purl),
    ))
      ids.set(purl, id);
  }
  return ids;
}

async function idsOf(db: Db, purls: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < purls.length; i += 20_000) {
    for (const r of await db
      .selectFrom('components')
      .select(['id', 'purl'])
      .where(inList(db, 'purl', purls.slice(i, i + 20_000)))
      .execute())
      ids.set(r.purl, r.id);
  }
  return ids;
}

const VERSION_COMPONENT_COLUMNS = [
  ['version_id', 'int'],
  ['component_id', 'int'],
  ['scope', 'text'],
  ['direct', 'int'],
  ['locations', 'text'],
  ['parents', 'text'],
  ['path_parent', 'int'],
] as const;

export const FINDING_COLUMNS = [
  ['version_id', 'int'],
  ['component_id', 'int'],
  ['vuln_id', 'text'],
  ['aliases', 'text'],
  ['severity', 'text'],
  ['score', 'real'],
  ['priority', 'int'],
  ['kev', 'int'],
  ['epss', 'real'],
  ['first_seen', 'text'],
  ['resolved_at', 'text'],
  ['data', 'text'],
] as const;

/**
 * The finding's `vuln_id`: its OSV id, or for a record of a subscribed feed (docs/feeds.md) the id
 * and the feed, `<id> <feed>` — the same id from two sources is two findings, side by side, as
 * the CLI's report keeps them (the advisory store keys those records the same way).
 */
export function findingVulnId(f: ReportFinding): string {
  return f.source ? `${f.id} ${f.source.url}` : f.id;
}

/** The finding's columns (besides version, component and first_seen). */
export function findingColumns(f: ReportFinding): { vuln_id: string; aliases: string; severity: string; score: number | null; priority: number | null; kev: number; epss: number | null; data: string } {
  return {
    vuln_id: findingVulnId(f),
    aliases: JSON.stringify(f.aliases),
    severity: f.severity.rating,
    score: f.severity.score ?? null,
    priority: f.priority?.rank ?? null,
    kev: f.kev ? 1 : 0,
    epss: f.epss?.score ?? null,
    data: JSON.stringify(f),
  };
}

/** Every id a finding answers to (its OSV ids and aliases, upper-cased) → its vuln_id. */
export function aliasRows(f: ReportFinding): { alias: string; vuln_id: string }[] {
  const names = new Set([f.id, ...(f.ids ?? []), ...f.aliases].map((a) => a.toUpperCase()));
  return [...names].map((alias) => ({ alias, vuln_id: findingVulnId(f) }));
}

export async function storeAliases(db: Db, findings: readonly ReportFinding[]): Promise<void> {
  const seen = new Set<string>();
  const rows = findings
    .flatMap(aliasRows)
    .filter((r) => {
      const k = `${r.alias}\u0000${r.vuln_id}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    // one order for every writer: concurrent transactions on PostgreSQL then wait instead of deadlocking
    .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : a.vuln_id < b.vuln_id ? -1 : a.vuln_id > b.vuln_id ? 1 : 0));
  await bulkInsert(
    db,
    'vuln_aliases',
    [
      ['alias', 'text'],
      ['vuln_id', 'text'],
    ],
    rows.map((r) => [r.alias, r.vuln_id]),
    { ignoreConflicts: true },
  );
}

function addStep(steps: Record<string, number>, name: string, ms: number): void {
  steps[name] = (steps[name] ?? 0) + ms;
}

async function storeVersion(
  db: Db,
  args: { uploadId: string; projectId: number; version: string; graph: DependencyGraph; report: ScanReport; now: Date; steps?: Record<string, number> },
): Promise<void> {
  const { graph, report, projectId } = args;
  let lap = performance.now();
  const mark = (name: string): void => {
    if (!args.steps) return;
    const t = performance.now();
    addStep(args.steps, `store: ${name}`, t - lap);
    lap = t;
  };
  const at = nowIso(args.now);
  let committed: Map<string, number> | undefined;
  await db.transaction().execute(async (tx) => {
    // the upload row is the lock: a second run of this job (another node) waits here, then finds it done.
    // SQLite: a write first, so the transaction holds the write lock from its start (waiting out the
    // busy timeout) instead of failing when it upgrades from reading
    // PostgreSQL: the project's row is locked by the same statement (one ingest per project at a
    // time: two versions stored at once must not both end up current); rows are locked in the
    // statement's table order, the upload first, as before
    const pg = isPostgres(tx);
    let state: UploadState | undefined;
    if (pg) {
      state = (
        await tx.selectFrom('uploads as u').innerJoin('projects as p', 'p.id', 'u.project_id').select('u.state').where('u.id', '=', args.uploadId).where('p.id', '=', projectId).forUpdate().executeTakeFirst()
      )?.state;
    } else {
      await tx.updateTable('uploads').set({ state: sql<UploadState>`state` }).where('id', '=', args.uploadId).execute();
      state = (await tx.selectFrom('uploads').select('state').where('id', '=', args.uploadId).executeTakeFirst())?.state;
    }
    if (state !== 'queued' && state !== 'running') return;
    mark('lock');

    const rootIds = [...graph.roots.keys()];
    const roots = rootIds.map((ref) => ({ ref, label: graph.roots.get(ref)! }));
    const meta = JSON.stringify({ ...report, findings: [] });
    const versionId = (
      await tx
        .insertInto('project_versions')
        .values({ project_id: projectId, version: args.version, current: 0, upload_id: args.uploadId, roots: JSON.stringify(roots), meta, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['project_id', 'version']).doUpdateSet({ upload_id: args.uploadId, roots: JSON.stringify(roots), meta, updated_at: at }))
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    mark('version row');

    // first seen: the earliest this project had the same vulnerability on the same component, in any
    // version — read for this report's vulnerable components only (found by the findings' key), not
    // every finding the project ever had
    const firstSeen = new Map<string, string>();
    const ids = await componentIds(tx, graph.components.values());
    committed = ids;
    mark('component ids');
    const vulnerable = [...new Set(report.findings.map((f) => ids.get(f.purl)!))];
    if (vulnerable.length) {
      const earlier = await tx
        .selectFrom('findings as f')
        .innerJoin('project_versions as v', 'v.id', 'f.version_id')
        .select(['f.component_id', 'f.vuln_id', (eb) => eb.fn.min('f.first_seen').as('first_seen')])
        .where('v.project_id', '=', projectId)
        .where(inList(tx, 'f.component_id', vulnerable))
        .groupBy(['f.component_id', 'f.vuln_id'])
        .execute();
      for (const r of earlier) firstSeen.set(`${r.component_id}\u0000${r.vuln_id}`, r.first_seen);
    }
    mark('first seen');

    // the version's contents are replaced as a whole (a re-upload of the version, or this job run again)
    // (PostgreSQL: one statement, one round trip)
    if (pg) await sql`WITH vc AS (DELETE FROM version_components WHERE version_id = ${versionId}) DELETE FROM findings WHERE version_id = ${versionId}`.execute(tx);
    else {
      await tx.deleteFrom('version_components').where('version_id', '=', versionId).execute();
      await tx.deleteFrom('findings').where('version_id', '=', versionId).execute();
    }
    mark('delete old rows');

    // the edges go on the children's rows (db/parents.ts): parents, and the shortest path's parent
    const rootIndex = new Map(rootIds.map((r, i) => [r, -1 - i]));
    const edges: [number, number][] = [];
    for (const [from, tos] of graph.edges) {
      const parent = rootIndex.get(from) ?? ids.get(from);
      if (parent === undefined) continue;
      for (const to of tos) {
        const child = ids.get(to);
        if (child !== undefined) edges.push([parent, child]);
      }
    }
    const compact = compactEdges(edges);
    mark('edges (compute)');
    // in component id order: the rows then go into both of the table's B-trees ((version, component)
    // and (component, version)) in key order, each leaf page visited once
    const vcRows = [...graph.components.values()].map((c) => {
      const id = ids.get(c.purl)!;
      const e = compact.get(id);
      return [versionId, id, c.scope, c.direct ? 1 : 0, JSON.stringify(c.locations), e ? e.parents.join(',') : '', e ? e.pathParent : null] as const;
    });
    vcRows.sort((a, b) => a[1] - b[1]);
    await bulkInsert(tx, 'version_components', VERSION_COMPONENT_COLUMNS, vcRows);
    mark('version_components');

    await bulkInsert(
      tx,
      'findings',
      FINDING_COLUMNS,
      report.findings.map((f) => {
        const componentId = ids.get(f.purl)!;
        const row = { version_id: versionId, component_id: componentId, ...findingColumns(f), first_seen: firstSeen.get(`${componentId}\u0000${findingVulnId(f)}`) ?? at, resolved_at: null };
        return FINDING_COLUMNS.map(([c]) => row[c]);
      }),
    );
    mark('findings');
    await storeAliases(tx, report.findings);
    mark('aliases');

    // this version current, the one that was not; the upload done (PostgreSQL: one statement)
    const current = tx
      .updateTable('project_versions')
      .set({ current: sql<number>`CASE WHEN id = ${versionId} THEN 1 ELSE 0 END` })
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('current', '=', 1), eb('id', '=', versionId)]));
    const done = { state: 'done' as const, error: null, components: graph.components.size, findings: report.findings.filter((f) => !f.suppressed).length, finished_at: nowIso() };
    if (pg) await tx.with('c', () => current).updateTable('uploads').set(done).where('id', '=', args.uploadId).execute();
    else {
      await current.execute();
      await tx.updateTable('uploads').set(done).where('id', '=', args.uploadId).execute();
    }
    mark('current version, upload done');
  });
  mark('commit');
  if (committed) rememberComponentIds(db, committed);
}
