/**
 * Re-match after the advisory store changed. The portfolio remembers which advisory records it last
 * matched against (`advisory_seen`: id → modified, withdrawn). A store generation is the digest of
 * its (id, modified, withdrawn) rows; for a generation not yet handled:
 *
 *   1. the records that are new, changed, withdrawn or gone since `advisory_seen`;
 *   2. the (ecosystem, name) pairs they touch — what they name now, and the components that carry
 *      open findings of them (a record that stopped naming a package);
 *   3. only the components of those pairs, in every project version that has them, are matched
 *      again with the engine (paths from the stored edges);
 *   4. findings that appear are stored (`finding.new` event), findings that are no longer matched
 *      are resolved (`finding.resolved` event), the rest are refreshed in place.
 *
 * All of it is one transaction whose first write claims the generation in `rematch_runs` (its
 * primary key): a second node doing the same waits on that key and then finds it taken, so every
 * generation is re-matched — and its events recorded — exactly once; a crash rolls the claim back
 * with the rest and the next run does the whole of it. A store back in a state it had before (a
 * subscribed feed dropped) is re-matched again when the portfolio matched another state since
 * (claimed as `<generation> <time>`; two nodes doing that same return at once may both record it).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import { batches, bulkInsert, inList, nowIso } from '../db/index.js';
import type { AdvisoryContext } from '../engine/scan.js';
import { scanInventory } from '../engine/scan.js';
import type { Component, Scope as ComponentScope } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import type { ReportFinding } from '../model/triage.js';
import { FINDING_COLUMNS, findingColumns, findingVulnId, storeAliases } from './ingest.js';
import { parentsOf } from './edges.js';

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
  /** project versions re-matched */
  versions: number;
  newFindings: number;
  goneFindings: number;
}

/** The store generation: a digest of every record's (id, modified, withdrawn). */
export function storeGeneration(records: readonly { id: string; modified: string; withdrawn: boolean }[]): string {
  const h = createHash('sha256');
  for (const r of [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(`${r.id}\t${r.modified}\t${r.withdrawn ? 1 : 0}\n`);
  return h.digest('hex');
}

/**
 * Re-matches the portfolio against the store `ctx` reads (its records listed by `store`), once
 * per store generation. `ctx` and `store` are normally the same AdvisoryStore (storeContext(store)).
 */
export async function refreshAndRematch(db: Db, ctx: AdvisoryContext, store: StoreRecords, opts: { now?: Date } = {}): Promise<RematchResult> {
  const records = store.advisoryVersions();
  const generation = storeGeneration(records);
  const none = { generation, ran: false, changed: 0, pairs: 0, versions: 0, newFindings: 0, goneFindings: 0 };
  const now = opts.now ?? new Date();
  const at = nowIso(now);
  let claim = generation;
  if (await db.selectFrom('rematch_runs').select('generation').where('generation', '=', generation).executeTakeFirst()) {
    // handled before — but a store can come back to a state it had (a subscribed feed dropped,
    // docs/feeds.md): re-match unless the portfolio's last re-match was of this very state
    const latest = await db.selectFrom('rematch_runs').select('generation').orderBy('at', 'desc').orderBy('generation', 'desc').executeTakeFirst();
    if (!latest || latest.generation.split(' ')[0] === generation) return none;
    claim = `${generation} ${at}`;
  }

  return db.transaction().execute(async (tx) => {
    const claimed = await tx
      .insertInto('rematch_runs')
      .values({ generation: claim, at, changed: 0, new_findings: 0, gone_findings: 0 })
      .onConflict((oc) => oc.column('generation').doNothing())
      .returning('generation')
      .executeTakeFirst();
    if (!claimed) return none;

    // 1. what changed since the portfolio last matched
    const seen = new Map((await tx.selectFrom('advisory_seen').select(['id', 'modified', 'withdrawn']).execute()).map((r) => [r.id, r]));
    const inStore = new Set<string>();
    const changedNow: { id: string; modified: string; withdrawn: boolean }[] = [];
    for (const r of records) {
      inStore.add(r.id);
      const s = seen.get(r.id);
      if (!s || s.modified !== r.modified || (s.withdrawn === 1) !== r.withdrawn) changedNow.push(r);
    }
    const gone = [...seen.keys()].filter((id) => !inStore.has(id));
    const changedIds = [...changedNow.map((r) => r.id), ...gone];

    // 2. the (ecosystem base, normalised name) pairs they touch
    const pairs = new Map<string, { base: string; norm: string }>();
    const addPair = (base: string, norm: string) => pairs.set(`${base}\u0000${norm}`, { base, norm });
    for (const r of changedNow) for (const p of store.affectedPackages(r.id)) addPair(p.ecosystemBase, p.nameNorm);
    // a subscribed feed's record is keyed `<id> <feed>` (AdvisoryStore.advisoryVersions): its findings carry the id
    const upperIds = [...new Set(changedIds.map((id) => id.split(' ')[0]!.toUpperCase()))];
    for (const batch of batches(upperIds, 1)) {
      const rows = await tx
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

    // 3. the components of those pairs and the versions that hold them
    const byBase = new Map<string, string[]>();
    for (const p of pairs.values()) {
      let l = byBase.get(p.base);
      if (!l) byBase.set(p.base, (l = []));
      l.push(p.norm);
    }
    const components = new Map<number, { purl: string; data: string; ecosystem: string }>();
    for (const [base, norms] of byBase) {
      for (const batch of batches(norms, 1)) {
        for (const c of await tx.selectFrom('components').select(['id', 'purl', 'data', 'ecosystem']).where('ecosystem_base', '=', base).where('name_norm', 'in', batch).execute()) {
          components.set(c.id, c);
        }
      }
    }
    const links = new Map<number, { component_id: number; scope: string; direct: number; locations: string }[]>();
    for (const batch of batches([...components.keys()], 1)) {
      for (const l of await tx.selectFrom('version_components').select(['version_id', 'component_id', 'scope', 'direct', 'locations']).where('component_id', 'in', batch).execute()) {
        let list = links.get(l.version_id);
        if (!list) links.set(l.version_id, (list = []));
        list.push(l);
      }
    }

    // 4. match them again, versions a chunk at a time, and record the difference; the store's
    // CVSS, KEV and EPSS answers are the same for every version, so each is asked once
    const memo = memoContext(ctx);
    let newFindings = 0;
    let goneFindings = 0;
    const allNew: ReportFinding[] = [];
    const versionIds = [...links.keys()].sort((a, b) => a - b);
    const touched = [...components.keys()];
    for (let i = 0; i < versionIds.length; i += VERSION_CHUNK) {
      const chunk = versionIds.slice(i, i + VERSION_CHUNK);
      const versions = new Map(
        (
          await tx
            .selectFrom('project_versions as v')
            .innerJoin('projects as p', 'p.id', 'v.project_id')
            .select(['v.id', 'p.name as project', 'v.version', 'v.roots'])
            .where(inList(tx, 'v.id', chunk))
            .execute()
        ).map((v) => [v.id, v]),
      );
      const ancestry = await ancestorEdges(
        tx,
        chunk.map((id) => ({ versionId: id, componentIds: links.get(id)!.map((l) => l.component_id) })),
      );
      const existingRows = await tx
        .selectFrom('findings')
        .select(['id', 'version_id', 'component_id', 'vuln_id', 'resolved_at', 'aliases', 'severity', 'score', 'priority', 'kev', 'epss', 'data'])
        .where(inList(tx, 'version_id', chunk))
        .where(inList(tx, 'component_id', touched))
        .execute();
      const inserts: unknown[][] = [];
      const updates: ({ id: number } & ReturnType<typeof findingColumns>)[] = [];
      const events: unknown[][] = [];
      for (const versionId of chunk) {
        const version = versions.get(versionId);
        if (!version) continue;
        const list = links.get(versionId)!;
        const graph = versionGraph(version.roots, list, components, ancestry.get(versionId) ?? { edges: [], purls: new Map() });
        const report = scanInventory({ graph, inputs: [], unresolved: [] }, memo, { failOn: 'any', now });
        const idByPurl = new Map(list.map((l) => [components.get(l.component_id)!.purl, l.component_id]));
        const wanted = new Map(report.findings.map((f) => [`${idByPurl.get(f.purl)}\u0000${findingVulnId(f)}`, f]));
        const mine = new Set(list.map((l) => l.component_id));
        const byKey = new Map(existingRows.filter((e) => e.version_id === versionId && mine.has(e.component_id)).map((e) => [`${e.component_id}\u0000${e.vuln_id}`, e]));
        const event = (type: string, vuln: string, componentId: number) => [type, at, version.project, version.version, vuln, components.get(componentId)!.purl, generation];
        for (const [key, f] of wanted) {
          const componentId = idByPurl.get(f.purl)!;
          const row = byKey.get(key);
          const cols = findingColumns(f);
          if (!row) {
            inserts.push([versionId, componentId, cols.vuln_id, cols.aliases, cols.severity, cols.score, cols.priority, cols.kev, cols.epss, at, null, cols.data]);
          } else if (row.resolved_at !== null || !sameFinding(row, cols)) {
            // only what changed is written: most open findings of a re-matched component are the same
            updates.push({ id: row.id, ...cols });
          }
          if (!row || row.resolved_at !== null) {
            events.push(event('finding.new', cols.vuln_id, componentId));
            newFindings++;
            allNew.push(f);
          }
        }
        const resolved: number[] = [];
        for (const [key, row] of byKey) {
          if (wanted.has(key) || row.resolved_at !== null) continue;
          resolved.push(row.id);
          events.push(event('finding.resolved', row.vuln_id, row.component_id));
          goneFindings++;
        }
        if (resolved.length) await tx.updateTable('findings').set({ resolved_at: at }).where(inList(tx, 'id', resolved)).execute();
      }
      for (const u of updates) {
        const { id, ...cols } = u;
        await tx.updateTable('findings').set({ ...cols, resolved_at: null }).where('id', '=', id).execute();
      }
      await bulkInsert(tx, 'findings', FINDING_COLUMNS, inserts);
      await bulkInsert(tx, 'events', EVENT_COLUMNS, events);
    }
    await storeAliases(tx, allNew);

    // what the portfolio has now matched against
    for (const batch of batches(changedNow, 3)) {
      await tx
        .insertInto('advisory_seen')
        .values(batch.map((r) => ({ id: r.id, modified: r.modified, withdrawn: r.withdrawn ? 1 : 0 })))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ modified: eb.ref('excluded.modified'), withdrawn: eb.ref('excluded.withdrawn') })))
        .execute();
    }
    for (const batch of batches(gone, 1)) await tx.deleteFrom('advisory_seen').where('id', 'in', batch).execute();
    await tx.updateTable('rematch_runs').set({ changed: changedIds.length, new_findings: newFindings, gone_findings: goneFindings }).where('generation', '=', claim).execute();
    return { generation, ran: true, changed: changedIds.length, pairs: pairs.size, versions: links.size, newFindings, goneFindings };
  });
}

/**
 * Versions re-matched together. Small: the edges above the touched components are read a level at a
 * time for the whole chunk (ancestorEdges), and each level asks for every (version, node) pair of
 * the chunk's versions × the union of their frontiers — 500 versions made that read most of a re-match
 * (bench/rematch.mjs: 8.7 of 16.7 s at 300 versions; 2.5 s in chunks of 20).
 */
const VERSION_CHUNK = 25;

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

type Ancestry = { edges: { parent: number; child: number }[]; purls: Map<number, string> };

/**
 * The edges above the given components in each version (their ancestors up to the roots): all the
 * paths to them run through these, so the engine's paths are the same as on the whole graph. One
 * query per level for every version at once.
 */
async function ancestorEdges(db: Db, targets: readonly { versionId: number; componentIds: readonly number[] }[]): Promise<Map<number, Ancestry>> {
  const out = new Map<number, Ancestry>();
  const seen = new Map<number, Set<number>>();
  let frontier = new Map<number, Set<number>>();
  for (const t of targets) {
    out.set(t.versionId, { edges: [], purls: new Map() });
    seen.set(t.versionId, new Set(t.componentIds));
    frontier.set(t.versionId, new Set(t.componentIds));
  }
  const ids = new Set<number>();
  for (let depth = 0; depth < 256 && frontier.size; depth++) {
    const versions = [...frontier.keys()];
    const children = [...new Set([...frontier.values()].flatMap((f) => [...f]))];
    const rows = await parentsOf(db, versions, children);
    const next = new Map<number, Set<number>>();
    for (const r of rows) {
      if (!frontier.get(r.version_id)?.has(r.child_id)) continue;
      out.get(r.version_id)!.edges.push({ parent: r.parent_id, child: r.child_id });
      ids.add(r.child_id);
      if (r.parent_id < 0) continue;
      ids.add(r.parent_id);
      const s = seen.get(r.version_id)!;
      if (s.has(r.parent_id)) continue;
      s.add(r.parent_id);
      let l = next.get(r.version_id);
      if (!l) next.set(r.version_id, (l = new Set()));
      l.add(r.parent_id);
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
  for (const a of out.values()) a.purls = purls;
  return out;
}

/** A version's graph for re-matching: its roots, the edges above the components, and only those components. */
function versionGraph(
  rootsJson: string,
  links: readonly { component_id: number; scope: string; direct: number; locations: string }[],
  components: ReadonlyMap<number, { purl: string; data: string }>,
  ancestry: Ancestry,
): DependencyGraph {
  const graph = new DependencyGraph();
  const roots = JSON.parse(rootsJson) as { ref: string; label: string }[];
  roots.forEach((r) => graph.addRoot(r.ref, r.label));
  for (const l of links) {
    const c = components.get(l.component_id)!;
    const data = JSON.parse(c.data) as Omit<Component, 'purl' | 'scope' | 'direct' | 'locations' | 'ecosystem'> & { ecosystem: string | null };
    graph.add({
      ...data,
      ecosystem: data.ecosystem ?? undefined,
      purl: c.purl,
      scope: l.scope as ComponentScope,
      direct: l.direct === 1,
      locations: JSON.parse(l.locations) as Component['locations'],
    });
  }
  const ref = (id: number) => (id < 0 ? roots[-1 - id]?.ref : ancestry.purls.get(id));
  for (const e of ancestry.edges) {
    const from = ref(e.parent);
    const to = ref(e.child);
    if (from !== undefined && to !== undefined) graph.addEdge(from, to);
  }
  return graph;
}

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
  const rows = await db.selectFrom('rematch_runs').selectAll().orderBy('at', 'desc').orderBy('generation', 'desc').limit(limit).execute();
  // a generation re-matched again is claimed as "<generation> <at>" (refreshAndRematch)
  return rows.map((r) => ({ generation: r.generation.split(' ')[0]!, at: r.at, changed: Number(r.changed), newFindings: Number(r.new_findings), goneFindings: Number(r.gone_findings) }));
}
