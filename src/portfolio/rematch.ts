/**
 * Re-match after the advisory store changed. The portfolio remembers which advisory records it last
 * matched against (`advisory_seen`: id → modified, withdrawn). A store generation is the digest of
 * its (id, modified, withdrawn) rows; for a generation not yet handled:
 *
 *   1. the records that are new, changed, withdrawn or gone since `advisory_seen`;
 *   2. the (ecosystem, name) pairs they touch — what they name now, and the components that carry
 *      open findings of them (a record that stopped naming a package);
 *   3. the components of those pairs are matched again, each ONCE with the engine
 *      (`componentFindings`: the match, merge, severity, KEV, EPSS depend on the component alone);
 *   4. the project versions that hold them, a chunk at a time: each component's findings placed in
 *      the version (`placeFinding`: scope, directness, locations, paths and their count — the paths
 *      copied from a stored finding of the same component in that version when there is one, else
 *      walked from the stored parents above it, `parentsOfPairs`), and the version's open findings ranked
 *      again as one list (`rankFindings`: a new finding moves the others' priority) — so a version
 *      ends with exactly the findings a fresh ingest of its document against the new store stores
 *      (rematch.test.ts checks that). Findings that appear are inserted (`finding.new` event),
 *      findings no longer matched are resolved (`finding.resolved` event), rows whose columns
 *      changed are rewritten, all set-based (bulk inserts, one UPDATE … FROM per batch).
 *
 * Why chunks of versions, each its own transaction (and not one transaction for the whole re-match):
 * on SQLite the server has one connection, so a long transaction stops every request (a re-match of
 * 3,000 versions answered nothing for a minute). Each chunk is idempotent: it locks its projects
 * against ingest (PostgreSQL: `FOR UPDATE` on their rows, as ingest does; SQLite: a write first),
 * re-reads the (version, component) pairs found at the start as they are now — a version uploaded
 * again meanwhile was matched against this store by its ingest and keeps what it stored — and the
 * chunk's stored findings, and writes only the difference, with its events and its counts (`rematch_runs`) in the same
 * transaction — a chunk done twice finds nothing to do the second time. Between chunks the event loop
 * is yielded, so requests run. The generation is claimed first (`rematch_runs` row with `changed` =
 * -1: in progress) and finished last (`advisory_seen` and `changed` in one transaction): a crash in
 * between leaves the claim in progress, and the next run of the same generation resumes it (same
 * `at`), recomputing what changed against the unchanged `advisory_seen` — done chunks find nothing,
 * the rest are done — so the state, the events and the counts are those of an uninterrupted run.
 * One re-match runs at a time: a session advisory lock on PostgreSQL (a second node waits, then finds
 * the generation done; a node that dies releases it with its connection), a queue per handle in the
 * process on SQLite (one process's database).
 *
 * A store back in a state it had before (a subscribed feed dropped) is re-matched again when the
 * portfolio matched another state since (claimed as `<generation> <time>`).
 *
 * A portfolio never re-matched (`advisory_seen` empty) has nothing to compare the store with, so every
 * record counts as changed — but a version whose stored report names the very store status this
 * store has (`meta.store`, `meta.feeds`: the ecosystems' load times and counts) was ingested against
 * it and is not re-matched. With subscribed feeds' records in the store that status does not tell
 * their state, so then every version is.
 *
 * Known limits: for a walked path, the order of equally short paths (and which are listed when
 * more than 20 lead there) follows the order the stored edges are read in, not the document's (the
 * count and the lengths are the same); a run left unfinished
 * by a crash and then superseded by another store generation is closed by the next run, whose
 * comparison with `advisory_seen` covers its changes — but a store that returned to the state before
 * that unfinished run would not undo what it did.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { FindingsTable } from '../db/schema.js';
import { batches, bulkInsert, inList, isPostgres, nowIso } from '../db/index.js';
import type { AdvisoryContext } from '../engine/scan.js';
import { MAX_PATHS, componentFindings, placeFinding, rankFindings } from '../engine/scan.js';
import type { Component, Scope as ComponentScope } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import { byCodePoint } from '../model/order.js';
import type { ReportFinding } from '../model/triage.js';
import { PathCounter } from '../triage/context.js';
import { parentsOfPairs } from './edges.js';
import { FINDING_COLUMNS, findingColumns, findingVulnId, storeAliases } from './ingest.js';

/** What re-match reads from the advisory store (AdvisoryStore implements it). */
export interface StoreRecords {
  advisoryVersions(): { id: string; modified: string; withdrawn: boolean }[];
  affectedPackages(id: string): { ecosystemBase: string; nameNorm: string }[];
}

export interface RematchResult {
  generation: string;
  /** false when this generation was handled before (by this node or another) */
  ran: boolean;
  /** records new, changed, withdrawn or gone since the last re-match */
  changed: number;
  /** (ecosystem, name) pairs re-matched */
  pairs: number;
  /** project versions re-matched (holding a component of those pairs) */
  versions: number;
  /** of the whole generation (a resumed run counts what the interrupted one stored too) */
  newFindings: number;
  goneFindings: number;
}

/** The store generation: a digest of every record's (id, modified, withdrawn). */
export function storeGeneration(records: readonly { id: string; modified: string; withdrawn: boolean }[]): string {
  const h = createHash('sha256');
  for (const r of [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(`${r.id}\t${r.modified}\t${r.withdrawn ? 1 : 0}\n`);
  return h.digest('hex');
}

/** A claim's generation (a re-match of a state seen before is claimed as `<generation> <time>`). */
const baseOf = (claim: string) => claim.split(' ')[0]!;

/**
 * Re-matches the portfolio against the store `ctx` reads (its records listed by `store`), once
 * per store generation. `ctx` and `store` are normally the same AdvisoryStore (storeContext(store)).
 */
export async function refreshAndRematch(db: Db, ctx: AdvisoryContext, store: StoreRecords, opts: RematchOptions = {}): Promise<RematchResult> {
  const records = store.advisoryVersions();
  const generation = storeGeneration(records);
  return oneAtATime(db, (conn) => rematch(conn, ctx, store, records, generation, opts));
}

export interface RematchOptions {
  now?: Date;
  /** versions per transaction (default VERSION_CHUNK) */
  versionChunk?: number;
  /** after each chunk's commit: chunks done, of how many (progress; the tests stop a run there) */
  onChunk?: (done: number, of: number) => void | Promise<void>;
}

/**
 * Versions re-matched per transaction: small enough that a request waits little between two (on
 * SQLite they share the one connection), large enough that the reads per chunk (findings, the edge
 * walk a level at a time) stay few.
 */
const VERSION_CHUNK = 20;

const sqliteQueues = new WeakMap<Db, Promise<unknown>>();

/** Runs `f` with no other re-match of this database running (see the header). */
async function oneAtATime<T>(db: Db, f: (conn: Db) => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    return db.connection().execute(async (conn) => {
      // per schema: the tests (and deployments sharing a server) keep a portfolio per schema
      await sql`SELECT pg_advisory_lock(hashtext(current_schema() || ':vouch-rematch'))`.execute(conn);
      try {
        return await f(conn);
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtext(current_schema() || ':vouch-rematch'))`.execute(conn);
      }
    });
  }
  const before = sqliteQueues.get(db) ?? Promise.resolve();
  const run = before.then(
    () => f(db),
    () => f(db),
  );
  sqliteQueues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

interface ComponentRow {
  id: number;
  purl: string;
  data: string;
  ecosystem: string;
}

async function rematch(
  db: Db,
  ctx: AdvisoryContext,
  store: StoreRecords,
  records: readonly { id: string; modified: string; withdrawn: boolean }[],
  generation: string,
  opts: RematchOptions,
): Promise<RematchResult> {
  const versionChunk = opts.versionChunk ?? VERSION_CHUNK;
  const none = { generation, ran: false, changed: 0, pairs: 0, versions: 0, newFindings: 0, goneFindings: 0 };

  // 0. the claim: resume this generation's unfinished run, else claim it (unless it is done and the
  // portfolio's last match was of this very state)
  const running = await db.selectFrom('rematch_runs').select(['generation', 'at']).where('changed', '<', 0).execute();
  const resumed = running.find((r) => baseOf(r.generation) === generation);
  let claim: string;
  let at: string;
  if (resumed) {
    ({ generation: claim, at } = resumed);
  } else {
    at = nowIso(opts.now ?? new Date());
    claim = generation;
    if (await db.selectFrom('rematch_runs').select('generation').where('generation', '=', generation).executeTakeFirst()) {
      const latest = await db.selectFrom('rematch_runs').select('generation').orderBy('at', 'desc').orderBy('generation', 'desc').executeTakeFirst();
      if (!latest || baseOf(latest.generation) === generation) return none;
      claim = `${generation} ${at}`;
    }
    await db.insertInto('rematch_runs').values({ generation: claim, at, changed: -1, new_findings: 0, gone_findings: 0 }).execute();
  }

  // 1. what changed since the portfolio last matched
  const seen = new Map((await db.selectFrom('advisory_seen').select(['id', 'modified', 'withdrawn']).execute()).map((r) => [r.id, r]));
  const inStore = new Set<string>();
  const changedNow: { id: string; modified: string; withdrawn: boolean }[] = [];
  for (const r of records) {
    inStore.add(r.id);
    const s = seen.get(r.id);
    if (!s || s.modified !== r.modified || Number(s.withdrawn) === 1 !== r.withdrawn) changedNow.push(r);
  }
  const gone = [...seen.keys()].filter((id) => !inStore.has(id));
  const changedIds = [...changedNow.map((r) => r.id), ...gone];

  // 2. the (ecosystem base, normalised name) pairs they touch
  const pairs = new Map<string, { base: string; norm: string }>();
  const addPair = (base: string, norm: string) => pairs.set(`${base}\u0000${norm}`, { base, norm });
  for (const r of changedNow) for (const p of store.affectedPackages(r.id)) addPair(p.ecosystemBase, p.nameNorm);
  // a subscribed feed's record is keyed `<id> <feed>` (AdvisoryStore.advisoryVersions): its findings carry the id
  const upperIds = [...new Set(changedIds.map((id) => baseOf(id).toUpperCase()))];
  for (const batch of batches(upperIds, 1)) {
    const rows = await db
      .selectFrom('vuln_aliases as a')
      .innerJoin('findings as f', 'f.vuln_id', 'a.vuln_id')
      .innerJoin('components as c', 'c.id', 'f.component_id')
      .select(['c.ecosystem_base', 'c.name_norm'])
      .distinct()
      .where('a.alias', 'in', batch)
      .where('f.resolved_at', 'is', null)
      .execute();
    for (const r of rows) addPair(r.ecosystem_base, r.name_norm);
  }

  // 3. the components of those pairs, each matched once
  const byBase = new Map<string, string[]>();
  for (const p of pairs.values()) {
    let l = byBase.get(p.base);
    if (!l) byBase.set(p.base, (l = []));
    l.push(p.norm);
  }
  const components = new Map<number, ComponentRow>();
  for (const [base, norms] of byBase) {
    for (const batch of batches(norms, 1)) {
      for (const c of await db.selectFrom('components').select(['id', 'purl', 'data', 'ecosystem']).where('ecosystem_base', '=', base).where('name_norm', 'in', batch).execute()) {
        components.set(c.id, c);
      }
    }
  }
  const touched = [...components.keys()].sort((a, b) => a - b);
  // the versions holding them, and which of them each holds (a chunk reads exactly those pairs)
  const held = new Map<number, number[]>();
  for (const batch of batches(touched, 1)) {
    for (const r of await db.selectFrom('version_components').select(['version_id', 'component_id']).where(inList(db, 'component_id', batch)).execute()) {
      let l = held.get(r.version_id);
      if (!l) held.set(r.version_id, (l = []));
      l.push(r.component_id);
    }
  }
  let versionIds = [...held.keys()].sort((a, b) => a - b);
  if (seen.size === 0 && !ctx.feedEcosystems?.length) versionIds = await notIngestedAgainst(db, versionIds, ctx);
  const byComponent = componentFindings(
    [...components.values()].map((c) => componentOf(c)),
    memoContext(ctx),
  );

  // 4. the versions, a chunk (one transaction) at a time
  for (let i = 0; i < versionIds.length; i += versionChunk) {
    const chunk = versionIds.slice(i, i + versionChunk);
    await db.transaction().execute((tx) => rematchVersions(tx, { chunk, held, components, byComponent, claim, generation, at }));
    await opts.onChunk?.(i / versionChunk + 1, Math.ceil(versionIds.length / versionChunk));
    await nextTurn();
  }

  // 5. done: what the portfolio has now matched against, and the claim finished, in one transaction
  return db.transaction().execute(async (tx) => {
    for (const batch of batches(changedNow, 3)) {
      await tx
        .insertInto('advisory_seen')
        .values(batch.map((r) => ({ id: r.id, modified: r.modified, withdrawn: r.withdrawn ? 1 : 0 })))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ modified: eb.ref('excluded.modified'), withdrawn: eb.ref('excluded.withdrawn') })))
        .execute();
    }
    for (const batch of batches(gone, 1)) await tx.deleteFrom('advisory_seen').where('id', 'in', batch).execute();
    await tx.updateTable('rematch_runs').set({ changed: changedIds.length }).where('generation', '=', claim).execute();
    // a run of another generation that never finished (a crash, then the store changed again): this
    // run compared the store with the same `advisory_seen`, so it did that run's work too
    await tx.updateTable('rematch_runs').set({ changed: 0 }).where('changed', '<', 0).execute();
    const counts = await tx.selectFrom('rematch_runs').select(['new_findings', 'gone_findings']).where('generation', '=', claim).executeTakeFirstOrThrow();
    return {
      generation,
      ran: true,
      changed: changedIds.length,
      pairs: pairs.size,
      versions: versionIds.length,
      newFindings: Number(counts.new_findings),
      goneFindings: Number(counts.gone_findings),
    };
  });
}

/** A stored component as the matcher takes it (where it is used — scope, directness, locations — is placed per version). */
function componentOf(c: ComponentRow): Component {
  const data = JSON.parse(c.data) as Omit<Component, 'purl' | 'scope' | 'direct' | 'locations' | 'ecosystem'> & { ecosystem: string | null };
  return { ...data, ecosystem: data.ecosystem ?? undefined, purl: c.purl, scope: 'unknown', direct: false, locations: [] };
}

/**
 * The versions whose stored report was not made against this store status (`meta.store`, `meta.feeds`
 * as ingest stored them): the first re-match of a portfolio need not match the others again.
 */
async function notIngestedAgainst(db: Db, versionIds: readonly number[], ctx: AdvisoryContext): Promise<number[]> {
  const want = JSON.stringify([ctx.store, ctx.feeds ?? []]);
  const storeOf = isPostgres(db) ? sql<string | null>`(meta::json -> 'store')::text` : sql<string | null>`json_extract(meta, '$.store')`;
  const feedsOf = isPostgres(db) ? sql<string | null>`(meta::json -> 'feeds')::text` : sql<string | null>`json_extract(meta, '$.feeds')`;
  const out: number[] = [];
  for (let i = 0; i < versionIds.length; i += 5_000) {
    const rows = await db
      .selectFrom('project_versions')
      .select(['id', storeOf.as('store'), feedsOf.as('feeds')])
      .where(inList(db, 'id', versionIds.slice(i, i + 5_000)))
      .execute();
    for (const r of rows) {
      const same = r.store !== null && r.feeds !== null && JSON.stringify([JSON.parse(r.store), JSON.parse(r.feeds)]) === want;
      if (!same) out.push(r.id);
    }
  }
  return out.sort((a, b) => a - b);
}

interface ChunkArgs {
  chunk: readonly number[];
  /** version → the touched components it held when the run started */
  held: ReadonlyMap<number, readonly number[]>;
  components: ReadonlyMap<number, ComponentRow>;
  /** each touched component's findings, by purl, not yet placed (componentFindings) */
  byComponent: ReadonlyMap<string, ReportFinding[]>;
  claim: string;
  generation: string;
  at: string;
}

/** A stored finding as re-match reads it: every column but first_seen, which it never rewrites. */
type FindingRow = Omit<Selectable<FindingsTable>, 'first_seen'>;

/** One chunk of versions re-matched and its difference stored, in the transaction `tx` (see the header). */
async function rematchVersions(tx: Db, a: ChunkArgs): Promise<void> {
  const { chunk, components, byComponent, at } = a;
  // the lock: an ingest into one of these projects waits, or is waited for. PostgreSQL: the projects'
  // rows, as ingest locks its project's row before it writes any version (the same order, so the two
  // never deadlock); SQLite: a write first, the database's one write lock
  if (isPostgres(tx)) {
    await tx
      .selectFrom('projects')
      .select('id')
      .where('id', 'in', tx.selectFrom('project_versions').select('project_id').where(inList(tx, 'id', chunk)))
      .orderBy('id')
      .forUpdate()
      .execute();
  } else await tx.updateTable('rematch_runs').set({ changed: sql<number>`changed` }).where('generation', '=', a.claim).execute();

  const versions = new Map(
    (
      await tx
        .selectFrom('project_versions as v')
        .innerJoin('projects as p', 'p.id', 'v.project_id')
        .select(['v.id', 'v.project_id', 'p.name as project', 'v.version', 'v.roots'])
        .where(inList(tx, 'v.id', chunk))
        .execute()
    ).map((v) => [v.id, v]),
  );
  // the (version, component) pairs as they are now: a version uploaded again since the run started
  // was matched against this store by its ingest, and only what it still holds of them is read
  const pairs = chunk.flatMap((version) => (a.held.get(version) ?? []).map((component) => ({ version, component })));
  const links = new Map<number, { component_id: number; scope: string; direct: number; locations: string }[]>();
  for (const l of await byPairs<{ version_id: number; component_id: number; scope: string; direct: number; locations: string }>(
    tx,
    'version_components',
    'version_id, component_id, scope, direct, locations',
    pairs,
  )) {
    let list = links.get(l.version_id);
    if (!list) links.set(l.version_id, (list = []));
    list.push({ ...l, component_id: Number(l.component_id), direct: Number(l.direct) });
  }
  const existing = new Map<number, FindingRow[]>();
  for (const r of await byPairs<FindingRow>(tx, 'findings', 'id, version_id, component_id, vuln_id, resolved_at, aliases, severity, score, priority, kev, epss, data', pairs)) {
    const row = { ...r, id: Number(r.id), version_id: Number(r.version_id), component_id: Number(r.component_id) };
    let list = existing.get(row.version_id);
    if (!list) existing.set(row.version_id, (list = []));
    list.push(row);
  }

  // which versions change, and where each wanted finding's paths come from
  type Work = { versionId: number; wanted: { componentId: number; findings: ReportFinding[] }[]; rows: FindingRow[] };
  const work: Work[] = [];
  const walk = new Map<number, number[]>(); // version → components whose paths are walked from the edges
  for (const versionId of chunk) {
    if (!versions.has(versionId)) continue; // deleted meanwhile
    const rows = existing.get(versionId) ?? [];
    const wanted: Work['wanted'] = [];
    for (const l of links.get(versionId) ?? []) {
      const found = byComponent.get(components.get(l.component_id)!.purl) ?? [];
      if (found.length) wanted.push({ componentId: l.component_id, findings: found });
    }
    if (!wanted.length && !rows.some((r) => r.resolved_at === null)) continue;
    work.push({ versionId, wanted, rows });
    const withRow = new Set(rows.map((r) => r.component_id));
    const needs = wanted.filter((w) => !withRow.has(w.componentId)).map((w) => w.componentId);
    if (needs.length) walk.set(versionId, needs);
  }
  if (!work.length) return;
  const walked = await pathsFromEdges(tx, walk, versions);

  // the versions' other open findings, ranked together with the re-matched ones
  const others = new Map<number, FindingRow[]>();
  const linked = new Set([...links].flatMap(([v, list]) => list.map((l) => `${v}\u0000${l.component_id}`)));
  for (const r of await tx
    .selectFrom('findings')
    .select(['id', 'version_id', 'component_id', 'vuln_id', 'resolved_at', 'aliases', 'severity', 'score', 'priority', 'kev', 'epss', 'data'])
    .where(inList(
      tx,
      'version_id',
      work.map((w) => w.versionId),
    ))
    .where('resolved_at', 'is', null)
    .orderBy('version_id')
    .orderBy('priority')
    .orderBy('id')
    .execute()) {
    if (linked.has(`${r.version_id}\u0000${r.component_id}`)) continue;
    let list = others.get(r.version_id);
    if (!list) others.set(r.version_id, (list = []));
    list.push(r);
  }

  const inserts: { versionId: number; projectId: number; componentId: number; f: ReportFinding }[] = [];
  const updates: ({ id: number } & ReturnType<typeof findingColumns>)[] = [];
  const resolved: number[] = [];
  const events: unknown[][] = [];
  const reopened: ReportFinding[] = [];
  let newCount = 0;
  for (const w of work) {
    const version = versions.get(w.versionId)!;
    const event = (type: string, vuln: string, componentId: number) => [type, at, version.project, version.version, vuln, components.get(componentId)!.purl, a.generation];
    const linkOf = new Map((links.get(w.versionId) ?? []).map((l) => [l.component_id, l]));
    // placed in this version: paths from a stored finding of the component here, else from the edges
    const storedPlace = new Map<number, { paths: string[][]; pathsTotal: number }>();
    for (const r of w.rows) {
      if (storedPlace.has(r.component_id)) continue;
      const d = JSON.parse(r.data) as ReportFinding;
      storedPlace.set(r.component_id, { paths: d.paths, pathsTotal: d.pathsTotal ?? d.paths.length });
    }
    const mine: { f: ReportFinding; componentId: number; row: FindingRow | undefined; other: boolean }[] = [];
    const rowByKey = new Map(w.rows.map((r) => [`${r.component_id}\u0000${r.vuln_id}`, r]));
    for (const { componentId, findings } of w.wanted) {
      const l = linkOf.get(componentId)!;
      const place = storedPlace.get(componentId) ?? walked.get(w.versionId)!.get(componentId)!;
      const where = { scope: l.scope as ComponentScope, direct: l.direct === 1, locations: JSON.parse(l.locations) as ReportFinding['locations'], ...place };
      for (const f of findings) mine.push({ f: placeFinding(f, where), componentId, row: rowByKey.get(`${componentId}\u0000${findingVulnId(f)}`), other: false });
    }
    const rest = (others.get(w.versionId) ?? []).map((row) => ({ f: JSON.parse(row.data) as ReportFinding, componentId: row.component_id, row, other: true }));
    // the order ingest ranks them in: by purl (stable: the same component's findings as matched)
    const all = [...rest, ...mine].sort((x, y) => byCodePoint(x.f.purl, y.f.purl));
    const entry = new Map(all.map((x) => [`${x.f.purl}\u0000${findingVulnId(x.f)}`, x]));
    const wantedKeys = new Set(mine.map((x) => `${x.componentId}\u0000${findingVulnId(x.f)}`));
    for (const f of rankFindings(all.map((x) => x.f))) {
      const { componentId, row, other } = entry.get(`${f.purl}\u0000${findingVulnId(f)}`)!;
      // a finding of another component: only its rank can have changed (its reason is its own)
      if (other && Number(row!.priority) === f.priority?.rank) continue;
      const cols = findingColumns(f);
      if (!row) {
        inserts.push({ versionId: w.versionId, projectId: version.project_id, componentId, f });
        events.push(event('finding.new', cols.vuln_id, componentId));
        newCount++;
      } else if (row.resolved_at !== null) {
        updates.push({ id: row.id, ...cols });
        events.push(event('finding.new', cols.vuln_id, componentId));
        reopened.push(f);
        newCount++;
      } else if (!sameFinding(row, cols)) {
        // only what changed is written: most of a version's findings keep their rank
        updates.push({ id: row.id, ...cols });
      }
    }
    for (const r of w.rows) {
      if (r.resolved_at !== null || wantedKeys.has(`${r.component_id}\u0000${r.vuln_id}`)) continue;
      resolved.push(r.id);
      events.push(event('finding.resolved', r.vuln_id, r.component_id));
    }
  }

  // first seen of a new finding: the earliest the project had it on the component, as ingest takes it
  const firstSeen = new Map<string, string>();
  if (inserts.length) {
    const rows = await tx
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .select(['v.project_id', 'f.component_id', 'f.vuln_id', (eb) => eb.fn.min('f.first_seen').as('first_seen')])
      .where(inList(tx, 'v.project_id', [...new Set(inserts.map((x) => x.projectId))]))
      .where(inList(tx, 'f.component_id', [...new Set(inserts.map((x) => x.componentId))]))
      .groupBy(['v.project_id', 'f.component_id', 'f.vuln_id'])
      .execute();
    for (const r of rows) firstSeen.set(`${r.project_id}\u0000${r.component_id}\u0000${r.vuln_id}`, r.first_seen);
  }
  await bulkInsert(
    tx,
    'findings',
    FINDING_COLUMNS,
    inserts.map(({ versionId, projectId, componentId, f }) => {
      const cols = findingColumns(f);
      const row = { version_id: versionId, component_id: componentId, ...cols, first_seen: firstSeen.get(`${projectId}\u0000${componentId}\u0000${cols.vuln_id}`) ?? at, resolved_at: null };
      return FINDING_COLUMNS.map(([c]) => row[c]);
    }),
  );
  await updateFindings(tx, updates);
  for (const batch of batches(resolved, 1)) await tx.updateTable('findings').set({ resolved_at: at }).where(inList(tx, 'id', batch)).execute();
  await bulkInsert(tx, 'events', EVENT_COLUMNS, events);
  await storeAliases(tx, [...inserts.map((x) => x.f), ...reopened]);
  if (newCount || resolved.length) {
    await tx
      .updateTable('rematch_runs')
      .set((eb) => ({ new_findings: eb('new_findings', '+', newCount), gone_findings: eb('gone_findings', '+', resolved.length) }))
      .where('generation', '=', a.claim)
      .execute();
  }
}

/**
 * The rows of `table` (version_components or findings: keyed by (version_id, component_id) first)
 * for exact (version, component) pairs, one statement per batch driven by the pairs.
 */
async function byPairs<R>(db: Db, table: 'version_components' | 'findings', columns: string, pairs: readonly { version: number; component: number }[]): Promise<R[]> {
  const out: R[] = [];
  const cols = sql.raw(columns.split(', ').map((c) => `t.${c}`).join(', '));
  for (let i = 0; i < pairs.length; i += 10_000) {
    const part = pairs.slice(i, i + 10_000);
    const rows = isPostgres(db)
      ? await sql<R>`SELECT ${cols} FROM unnest(${part.map((p) => p.version)}::int4[], ${part.map((p) => p.component)}::int4[]) AS p(v, c)
          JOIN ${sql.table(table)} AS t ON t.version_id = p.v AND t.component_id = p.c`.execute(db)
      : await sql<R>`SELECT ${cols} FROM json_each(${JSON.stringify(part.map((p) => [p.version, p.component]))}) AS p
          CROSS JOIN ${sql.table(table)} AS t ON t.version_id = json_extract(p.value, '$[0]') AND t.component_id = json_extract(p.value, '$[1]')`.execute(db);
    out.push(...rows.rows);
  }
  return out;
}

/** Rewrites findings' columns (and reopens them), a batch per statement: UPDATE … FROM the rows as arrays (PostgreSQL) or JSON (SQLite). */
async function updateFindings(tx: Db, rows: readonly ({ id: number } & ReturnType<typeof findingColumns>)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) {
    const part = rows.slice(i, i + 5_000);
    if (isPostgres(tx)) {
      const col = <K extends keyof (typeof part)[number]>(k: K) => part.map((r) => r[k]);
      await sql`UPDATE findings AS f SET aliases = u.aliases, severity = u.severity, score = u.score, priority = u.priority, kev = u.kev, epss = u.epss, data = u.data, resolved_at = NULL
        FROM unnest(${col('id')}::int4[], ${col('aliases')}::text[], ${col('severity')}::text[], ${col('score')}::float8[], ${col('priority')}::int4[], ${col('kev')}::int4[], ${col('epss')}::float8[], ${col('data')}::text[])
          AS u(id, aliases, severity, score, priority, kev, epss, data)
        WHERE f.id = u.id`.execute(tx);
    } else {
      const json = JSON.stringify(part.map((r) => [r.id, r.aliases, r.severity, r.score, r.priority, r.kev, r.epss, r.data]));
      await sql`UPDATE findings SET aliases = u.aliases, severity = u.severity, score = u.score, priority = u.priority, kev = u.kev, epss = u.epss, data = u.data, resolved_at = NULL
        FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS aliases, json_extract(value, '$[2]') AS severity, json_extract(value, '$[3]') AS score,
                     json_extract(value, '$[4]') AS priority, json_extract(value, '$[5]') AS kev, json_extract(value, '$[6]') AS epss, json_extract(value, '$[7]') AS data
              FROM json_each(${json})) AS u
        WHERE findings.id = u.id`.execute(tx);
    }
  }
}

/**
 * Paths to components that have no stored finding in their version yet, walked from the stored edges
 * (parentsOfPairs, edges.ts: the parents stored on version_components) a level at a time for all the versions at once: the edges above the components reach
 * every root path to them, so paths and their count are those of the whole graph.
 */
async function pathsFromEdges(
  db: Db,
  targets: ReadonlyMap<number, readonly number[]>,
  versions: ReadonlyMap<number, { roots: string }>,
): Promise<Map<number, Map<number, { paths: string[][]; pathsTotal: number }>>> {
  const out = new Map<number, Map<number, { paths: string[][]; pathsTotal: number }>>();
  if (!targets.size) return out;
  const edges = new Map<number, { parent: number; child: number }[]>();
  const seen = new Map<number, Set<number>>();
  let frontier = new Map<number, Set<number>>();
  for (const [v, ids] of targets) {
    edges.set(v, []);
    seen.set(v, new Set(ids));
    frontier.set(v, new Set(ids));
  }
  const ids = new Set<number>([...targets.values()].flat());
  for (let depth = 0; depth < 256 && frontier.size; depth++) {
    const next = new Map<number, Set<number>>();
    for (const r of await parentsOfPairs(db, [...frontier].flatMap(([version, children]) => [...children].map((child) => ({ version, child }))))) {
      edges.get(r.version)!.push({ parent: r.parent, child: r.child });
      if (r.parent < 0) continue;
      ids.add(r.parent);
      const s = seen.get(r.version)!;
      if (s.has(r.parent)) continue;
      s.add(r.parent);
      let l = next.get(r.version);
      if (!l) next.set(r.version, (l = new Set()));
      l.add(r.parent);
    }
    frontier = next;
  }
  const purls = new Map<number, string>();
  const idList = [...ids];
  for (let i = 0; i < idList.length; i += 20_000) {
    for (const r of await db
      .selectFrom('components')
      .select(['id', 'purl'])
      .where(inList(db, 'id', idList.slice(i, i + 20_000)))
      .execute())
      purls.set(r.id, r.purl);
  }
  for (const [v, targetIds] of targets) {
    const graph = new DependencyGraph();
    const roots = JSON.parse(versions.get(v)!.roots) as { ref: string; label: string }[];
    roots.forEach((r) => graph.addRoot(r.ref, r.label));
    const ref = (id: number) => (id < 0 ? roots[-1 - id]?.ref : purls.get(id));
    // every node above the targets as a component: pathsTo bounds a path's length by the graph's size
    for (const id of seen.get(v)!) {
      const purl = purls.get(id);
      if (purl !== undefined) graph.add({ purl, ecosystem: undefined, name: purl, version: '', scope: 'unknown', direct: false, locations: [] });
    }
    for (const e of edges.get(v)!) {
      const from = ref(e.parent);
      const to = ref(e.child);
      if (from !== undefined && to !== undefined) graph.addEdge(from, to);
    }
    const counter = new PathCounter(graph);
    const placed = new Map<number, { paths: string[][]; pathsTotal: number }>();
    for (const id of targetIds) {
      const purl = purls.get(id)!;
      // as the engine writes them (reportFindingsOf): a path's root by its label
      const paths = graph.pathsTo(purl, MAX_PATHS).map((p) => p.map((n, i) => (i === 0 ? (graph.roots.get(n) ?? n) : n)));
      placed.set(id, { paths, pathsTotal: counter.count(purl) });
    }
    out.set(v, placed);
  }
  return out;
}

/** The context with its per-vulnerability lookups (CVSS scores, KEV, EPSS) remembered for one re-match. */
function memoContext(ctx: AdvisoryContext): AdvisoryContext {
  const once = <V>(f: (key: string) => V): ((key: string) => V) => {
    const seen = new Map<string, V>();
    return (key) => {
      if (seen.has(key)) return seen.get(key)!;
      const v = f(key);
      seen.set(key, v);
      return v;
    };
  };
  const { scores, exploits } = ctx;
  return {
    ...ctx,
    ...(scores ? { scores: once((v) => scores(v)) } : {}),
    ...(exploits ? { exploits: { kev: once((c) => exploits.kev(c)), epss: once((c) => exploits.epss(c)) } } : {}),
  };
}

/** A stored finding's columns equal to those the re-match computed (numbers as the driver returns them). */
function sameFinding(
  row: { aliases: string; severity: string; score: number | null; priority: number | null; kev: number; epss: number | null; data: string },
  cols: ReturnType<typeof findingColumns>,
): boolean {
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  return (
    row.data === cols.data &&
    row.aliases === cols.aliases &&
    row.severity === cols.severity &&
    num(row.score) === cols.score &&
    num(row.priority) === cols.priority &&
    Number(row.kev) === cols.kev &&
    num(row.epss) === cols.epss
  );
}

const EVENT_COLUMNS = [
  ['type', 'text'],
  ['at', 'text'],
  ['project', 'text'],
  ['version', 'text'],
  ['vuln', 'text'],
  ['purl', 'text'],
  ['generation', 'text'],
] as const;

export interface RematchRunView {
  /** the advisory store generation the portfolio was matched against */
  generation: string;
  at: string;
  /** advisories that changed since the run before */
  changed: number;
  newFindings: number;
  goneFindings: number;
}

/** The last re-match runs, newest first (issue 15: the dashboard's advisory refresh status). */
export async function lastRematchRuns(db: Db, limit = 5): Promise<RematchRunView[]> {
  // finished runs only: one in progress (changed = -1) has not set what the findings reflect yet
  const rows = await db.selectFrom('rematch_runs').selectAll().where('changed', '>=', 0).orderBy('at', 'desc').orderBy('generation', 'desc').limit(limit).execute();
  // a generation re-matched again is claimed as "<generation> <at>" (refreshAndRematch)
  return rows.map((r) => ({ generation: r.generation.split(' ')[0]!, at: r.at, changed: Number(r.changed), newFindings: Number(r.new_findings), goneFindings: Number(r.gone_findings) }));
}
