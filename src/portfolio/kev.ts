/**
 * KEV entries that arrive after a finding (issue 14: "new KEV entry for an existing finding").
 * CISA adds a CVE to its catalogue long after the advisory was published; the advisory record does
 * not change, so the re-match (which follows advisory records) never looks at the finding again.
 * After each re-match job, `syncKev` asks the store's KEV table about every open finding not yet
 * marked: a finding whose id or an alias is now in KEV gets `kev` (and its stored report entry)
 * updated, and — for the projects' current versions — a `finding.kev` event (GET /api/v1/events,
 * notifications). One transaction; the update is conditional (`kev = 0`), so two nodes record each
 * finding once.
 */
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import type { KevInfo, ReportFinding } from '../model/triage.js';

export interface KevLookup {
  kev(cve: string): KevInfo | undefined;
}

/** Open findings read per page by syncKev. */
export const KEV_PAGE = 5000;

/** Marks open findings that KEV now lists; returns how many were marked and how many events were recorded. */
export async function syncKev(db: Db, lookup: KevLookup, opts: { now?: Date; pageSize?: number } = {}): Promise<{ marked: number; events: number }> {
  const at = nowIso(opts.now ?? new Date());
  const pageSize = opts.pageSize ?? KEV_PAGE;
  // every open finding not yet marked, a page at a time and without its stored report entry (`data`,
  // ~1.7 KB each): reading them all at once held gigabytes at N = 10,000 projects and, on SQLite,
  // kept the server's one connection for over a minute after each re-match (bench/RESULTS.md)
  // many open findings share an id (one vulnerability in many projects): the store is asked once per id
  const known = new Map<string, KevInfo | undefined>();
  const kevOf = (id: string): KevInfo | undefined => {
    if (!/^CVE-/i.test(id)) return undefined;
    if (!known.has(id)) known.set(id, lookup.kev(id));
    return known.get(id);
  };
  const hits: { row: { id: number; vuln_id: string; version: string; current: number; project: string; purl: string }; info: KevInfo }[] = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom('findings as f')
      .innerJoin('project_versions as v', 'v.id', 'f.version_id')
      .innerJoin('projects as p', 'p.id', 'v.project_id')
      .innerJoin('components as c', 'c.id', 'f.component_id')
      .select(['f.id', 'f.vuln_id', 'f.aliases', 'v.version', 'v.current', 'p.name as project', 'c.purl'])
      .where('f.kev', '=', 0)
      .where('f.resolved_at', 'is', null)
      .where('f.id', '>', after)
      .orderBy('f.id')
      .limit(pageSize)
      .execute();
    for (const r of page) {
      const ids = [r.vuln_id, ...(JSON.parse(r.aliases) as string[])];
      for (const id of ids) {
        const info = kevOf(id);
        if (info) {
          hits.push({ row: r, info });
          break;
        }
      }
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.id;
  }
  if (!hits.length) return { marked: 0, events: 0 };
  return db.transaction().execute(async (tx) => {
    let marked = 0;
    let events = 0;
    for (const { row, info } of hits) {
      const stored = await tx.selectFrom('findings').select('data').where('id', '=', row.id).where('kev', '=', 0).executeTakeFirst();
      if (!stored) continue; // another node marked it
      const data = { ...(JSON.parse(stored.data) as ReportFinding), kev: info };
      const u = await tx.updateTable('findings').set({ kev: 1, data: JSON.stringify(data) }).where('id', '=', row.id).where('kev', '=', 0).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue; // another node marked it
      marked++;
      if (row.current !== 1) continue;
      await tx.insertInto('events').values({ type: 'finding.kev', at, project: row.project, version: row.version, vuln: row.vuln_id, purl: row.purl, generation: null }).execute();
      events++;
    }
    return { marked, events };
  });
}
