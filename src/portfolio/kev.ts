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

/** Marks open findings that KEV now lists; returns how many were marked and how many events were recorded. */
export async function syncKev(db: Db, lookup: KevLookup, opts: { now?: Date } = {}): Promise<{ marked: number; events: number }> {
  const at = nowIso(opts.now ?? new Date());
  const rows = await db
    .selectFrom('findings as f')
    .innerJoin('project_versions as v', 'v.id', 'f.version_id')
    .innerJoin('projects as p', 'p.id', 'v.project_id')
    .innerJoin('components as c', 'c.id', 'f.component_id')
    .select(['f.id', 'f.vuln_id', 'f.aliases', 'f.data', 'v.version', 'v.current', 'p.name as project', 'c.purl'])
    .where('f.kev', '=', 0)
    .where('f.resolved_at', 'is', null)
    .orderBy('f.id')
    .execute();
  const hits: { row: (typeof rows)[number]; info: KevInfo }[] = [];
  for (const r of rows) {
    const ids = [r.vuln_id, ...(JSON.parse(r.aliases) as string[])];
    for (const id of ids) {
      const info = /^CVE-/i.test(id) ? lookup.kev(id) : undefined;
      if (info) {
        hits.push({ row: r, info });
        break;
      }
    }
  }
  if (!hits.length) return { marked: 0, events: 0 };
  return db.transaction().execute(async (tx) => {
    let marked = 0;
    let events = 0;
    for (const { row, info } of hits) {
      const data = { ...(JSON.parse(row.data) as ReportFinding), kev: info };
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
