/**
 * Issue 15: a project version's components as stored at ingest — purl, name, version, ecosystem,
 * scope, direct, and the licences the SBOM or lockfile gave (a component row is shared by every
 * project that uses the same purl, so its licences are those of the first upload that carried it)
 * — and the same version as an SPDX 2.3 SBOM through the engine's SPDX writer.
 */
import type { Db } from '../db/index.js';
import type { Component, Scope as ComponentScope } from '../model/component.js';
import { DependencyGraph } from '../model/graph.js';
import { writeSpdxJson } from '../sbom/spdx-write.js';
import type { Scope } from './access.js';
import { versionEdges } from './edges.js';
import { projectIdInScope } from './projects.js';

export interface ComponentView {
  purl: string;
  name: string;
  version: string;
  ecosystem?: string;
  scope: string;
  direct: boolean;
  /** as the SBOM or lockfile gave them (SPDX ids, expressions or free text); empty when it gave none */
  licenses: string[];
}

interface Stored {
  version: string;
  roots: { ref: string; label: string }[];
  components: { id: number; purl: string; data: string; scope: string; direct: number; locations: string }[];
  versionId: number;
}

async function storedVersion(db: Db, name: string, scope: Scope, version: string | undefined): Promise<Stored | undefined> {
  const projectId = await projectIdInScope(db, name, scope);
  if (projectId === undefined) return undefined;
  let q = db.selectFrom('project_versions').select(['id', 'version', 'roots']).where('project_id', '=', projectId);
  q = version !== undefined ? q.where('version', '=', version) : q.where('current', '=', 1);
  const v = await q.executeTakeFirst();
  if (!v) return undefined;
  const components = await db
    .selectFrom('version_components as vc')
    .innerJoin('components as c', 'c.id', 'vc.component_id')
    .select(['c.id', 'c.purl', 'c.data', 'vc.scope', 'vc.direct', 'vc.locations'])
    .where('vc.version_id', '=', v.id)
    .orderBy('c.purl')
    .execute();
  return { version: v.version, roots: JSON.parse(v.roots) as Stored['roots'], components, versionId: v.id };
}

type StoredData = Omit<Component, 'purl' | 'scope' | 'direct' | 'locations' | 'ecosystem'> & { ecosystem: string | null };

/** The components of a project's version (default: the current one), by purl; undefined when the project or version is absent or out of scope. */
export async function projectComponents(db: Db, name: string, scope: Scope, opts: { version?: string } = {}): Promise<{ version: string; items: ComponentView[] } | undefined> {
  const s = await storedVersion(db, name, scope, opts.version);
  if (!s) return undefined;
  return {
    version: s.version,
    items: s.components.map((c) => {
      const d = JSON.parse(c.data) as StoredData;
      return { purl: c.purl, name: d.name, version: d.version, ...(d.ecosystem ? { ecosystem: d.ecosystem } : {}), scope: c.scope, direct: c.direct === 1, licenses: d.licenses ?? [] };
    }),
  };
}

/** The version as an SPDX 2.3 JSON SBOM (the engine's writer over the stored graph); undefined as projectComponents. */
export async function projectSpdx(db: Db, name: string, scope: Scope, opts: { version?: string; now?: Date } = {}): Promise<string | undefined> {
  const s = await storedVersion(db, name, scope, opts.version);
  if (!s) return undefined;
  const graph = new DependencyGraph();
  s.roots.forEach((r) => graph.addRoot(r.ref, r.label));
  const purls = new Map<number, string>();
  for (const c of s.components) {
    const d = JSON.parse(c.data) as StoredData;
    purls.set(c.id, c.purl);
    graph.add({ ...d, ecosystem: d.ecosystem ?? undefined, purl: c.purl, scope: c.scope as ComponentScope, direct: c.direct === 1, locations: JSON.parse(c.locations) as Component['locations'] });
  }
  const edges = await versionEdges(db, [s.versionId]);
  const ref = (id: number): string | undefined => (id < 0 ? s.roots[-1 - id]?.ref : purls.get(id));
  for (const e of edges) {
    const from = ref(e.parent_id);
    const to = ref(e.child_id);
    if (from !== undefined && to !== undefined) graph.addEdge(from, to);
  }
  return writeSpdxJson(graph, { subjectName: `${name}@${s.version}`, ...(opts.now ? { now: opts.now } : {}) });
}
