/**
 * Containment on the server (issue 14, item 3): the organisation's `vouch.containment.yaml`
 * (documents.ts stores it) gives each incident the steps for its vulnerability — matched by the
 * incident's id, the OSV ids the portfolio knows it by, and every alias of those — and a task moves
 * to `mitigated` when someone records that they applied them (incidents.ts `updateTask`).
 */
import type { Db } from '../db/index.js';
import { vulnIdsFor } from '../portfolio/queries.js';
import { playbookSteps } from '../triage/containment.js';
import { serverPlaybook } from './documents.js';

export interface ContainmentSteps {
  /** the playbook's key that matched (CVE-2021-44228, a GHSA id …) */
  key: string;
  steps: string[];
}

/** The playbook's steps for an incident's vulnerability (none for a zero-day incident, which has no id). */
export async function containmentFor(db: Db, vuln: string | null | undefined): Promise<ContainmentSteps[]> {
  if (!vuln) return [];
  const playbook = await serverPlaybook(db);
  if (!playbook) return [];
  const ids = await vulnIdsFor(db, vuln);
  const aliases = ids.length ? (await db.selectFrom('vuln_aliases').select('alias').where('vuln_id', 'in', ids).execute()).map((r) => r.alias) : [];
  return playbookSteps(playbook, [vuln, ...ids, ...aliases]);
}
