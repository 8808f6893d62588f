/**
 * Incidents — the swarm (issue 14, item 3). An incident is opened for a vulnerability (an OSV id or
 * any alias) or, for a zero-day with no advisory yet, for a package and a vers range. Its blast
 * radius is the portfolio's answer to that question over the CURRENT versions of the projects in
 * the opener's scope (affected / componentsUsing); each affected project gets one task, naming the
 * project version it was found in and the project's owners.
 *
 * A task moves open → mitigated → patched | not_affected (not_affected records a not_affected
 * analysis, i.e. a VEX statement, for the task's components). Tasks are kept current by
 * `reconcile`, which every read and write of the incident runs first, in one transaction:
 *   - a project whose current version is no longer affected (a new upload without the finding)
 *     gets its task `patched`, timed at that version's arrival (project_versions.updated_at), not
 *     at the read — so times and burndown are what happened;
 *   - a project whose new current version is still affected keeps its task, now naming that version;
 *   - a project that became affected (a new upload, an advisory refresh) gets a new task.
 * This is the seam with no change to the ingest or re-match code (src/portfolio): they record
 * versions and findings, the incident reads them. Nothing pushes: an incident nobody reads is
 * reconciled on its next read.
 */
import type { Db } from '../db/index.js';
import { type Scope, scopedProjectIds } from '../portfolio/access.js';
import { PortfolioError } from '../portfolio/errors.js';
import { affected, componentsUsing, vulnIdsFor } from '../portfolio/queries.js';
import { escapeHtml } from '../report/html.js';
import { escapeMarkdown } from '../report/markdown.js';
import { OPENVEX_JUSTIFICATIONS } from '../triage/vex/index.js';
import { analysisRow, insertAnalyses, normaliseAnalysis } from './analyses.js';
import { type ContainmentSteps, containmentFor } from './containment.js';

export const TASK_STATES = ['open', 'mitigated', 'patched', 'not_affected'] as const;
export type TaskState = (typeof TASK_STATES)[number];
const CLOSED: ReadonlySet<string> = new Set(['patched', 'not_affected']);

export interface IncidentInput {
  title?: string;
  vuln?: string;
  purl?: string;
  range?: string;
}

export interface TaskView {
  id: number;
  project: string;
  version: string;
  purls: string[];
  owners: string[];
  state: TaskState;
  createdAt: string;
  mitigatedAt?: string;
  closedAt?: string;
  /** seconds from the task's opening to its mitigation (or its closing, when it was closed without one) */
  timeToMitigate?: number;
  /** seconds from the task's opening to patched / not_affected */
  timeToPatch?: number;
}

export interface IncidentEvent {
  id: number;
  at: string;
  type: string;
  actor: string;
  taskId?: number;
  detail: Record<string, unknown>;
}

export interface IncidentView {
  id: number;
  title: string;
  vuln?: string;
  purl?: string;
  range?: string;
  openedBy: string;
  createdAt: string;
  tasks: TaskView[];
  timeline: IncidentEvent[];
  /** open (not yet patched or not_affected) tasks after each change, oldest first */
  burndown: { at: string; open: number }[];
  /** the server's containment playbook's steps for the incident's vulnerability (PUT /api/v1/containment) */
  containment: ContainmentSteps[];
  totals: { tasks: number; open: number; mitigated: number; patched: number; notAffected: number; meanTimeToMitigate?: number; meanTimeToPatch?: number; maxTimeToPatch?: number };
}

type Radius = Map<number, { project: string; version: string; purls: Set<string> }>;

function scopeJson(scope: Scope): string {
  return JSON.stringify('all' in scope ? { all: true } : 'projects' in scope ? { projects: [...scope.projects].sort() } : { tag: scope.tag });
}

/** The affected current versions, by project id, within the scope. */
async function blastRadius(db: Db, inc: { vuln: string | null; purl: string | null; range: string | null }, scope: Scope): Promise<Radius> {
  const found: { project: string; version: string; purl: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = inc.vuln !== null
      ? await affected(db, inc.vuln, scope, { currentOnly: true, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) })
      : await componentsUsing(db, inc.purl!, scope, { currentOnly: true, limit: 1000, ...(inc.range !== null ? { range: inc.range } : {}), ...(cursor !== undefined ? { cursor } : {}) });
    found.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  const out: Radius = new Map();
  if (!found.length) return out;
  const ids = new Map((await db.selectFrom('projects').select(['id', 'name']).where('name', 'in', [...new Set(found.map((f) => f.project))]).execute()).map((p) => [p.name, p.id]));
  for (const f of found) {
    const id = ids.get(f.project)!;
    let e = out.get(id);
    if (!e) out.set(id, (e = { project: f.project, version: f.version, purls: new Set() }));
    e.purls.add(f.purl);
  }
  return out;
}

function parseScope(json: string): Scope {
  return JSON.parse(json) as Scope;
}

/** Opens an incident and its tasks in one transaction. */
export async function openIncident(db: Db, scope: Scope, input: IncidentInput, opts: { actor: string; now?: Date }): Promise<IncidentView> {
  const vuln = input.vuln?.trim() || undefined;
  const purl = input.purl?.trim() || undefined;
  if ((vuln === undefined) === (purl === undefined)) throw new PortfolioError('invalid', 'body: give either vuln (an OSV id or alias) or purl (with an optional range), not both or neither');
  if (input.range !== undefined && purl === undefined) throw new PortfolioError('invalid', 'body $.range: a range goes with a purl');
  if (vuln !== undefined && !(await vulnIdsFor(db, vuln)).length) {
    throw new PortfolioError('invalid', `body $.vuln: no finding of the portfolio has the id or alias ${vuln}; for a zero-day, open the incident for a purl and a vers range`);
  }
  const at = (opts.now ?? new Date()).toISOString();
  const inc = { vuln: vuln ?? null, purl: purl ?? null, range: input.range ?? null };
  // the radius is computed first: a bad range is refused before anything is written
  const radius = await blastRadius(db, inc, scope);
  const title = input.title?.trim() || (vuln ?? `${purl}${input.range ? ` ${input.range}` : ''}`);
  const id = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('incidents')
      .values({ title, ...inc, state: 'open', opened_by: opts.actor, scope: scopeJson(scope), created_at: at, closed_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('incident_events').values({ incident_id: row.id, task_id: null, type: 'incident.opened', at, actor: opts.actor, detail: JSON.stringify({ title, ...inc, affected: radius.size }) }).execute();
    await addTasks(tx, row.id, radius, at, opts.actor);
    return row.id;
  });
  return (await getIncident(db, scope, id, { now: opts.now }))!;
}

async function addTasks(db: Db, incidentId: number, radius: Radius, at: string, actor: string): Promise<void> {
  if (!radius.size) return;
  const owners = new Map<number, string[]>();
  for (const r of await db.selectFrom('project_owners').select(['project_id', 'owner']).where('project_id', 'in', [...radius.keys()]).orderBy('owner').execute()) {
    let l = owners.get(r.project_id);
    if (!l) owners.set(r.project_id, (l = []));
    l.push(r.owner);
  }
  for (const [projectId, r] of radius) {
    const task = await db
      .insertInto('incident_tasks')
      .values({ incident_id: incidentId, project_id: projectId, version: r.version, purls: JSON.stringify([...r.purls].sort()), owners: JSON.stringify(owners.get(projectId) ?? []), state: 'open', created_at: at, mitigated_at: null, closed_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('incident_events')
      .values({ incident_id: incidentId, task_id: task.id, type: 'task.opened', at, actor, detail: JSON.stringify({ project: r.project, version: r.version, purls: [...r.purls].sort(), owners: owners.get(projectId) ?? [] }) })
      .execute();
  }
}

/**
 * Brings an incident's tasks up to date with the portfolio (see the file's comment). Idempotent;
 * one transaction; two concurrent calls record each change once (conditional updates).
 */
export async function reconcile(db: Db, incidentId: number, opts: { now?: Date } = {}): Promise<void> {
  const inc = await db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
  if (!inc || inc.state !== 'open') return;
  const radius = await blastRadius(db, inc, parseScope(inc.scope));
  const now = (opts.now ?? new Date()).toISOString();
  await db.transaction().execute(async (tx) => {
    const tasks = await tx.selectFrom('incident_tasks').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
    const byProject = new Map<number, (typeof tasks)[number]>();
    for (const t of tasks) byProject.set(t.project_id, t); // the latest task of a project
    const fresh: Radius = new Map();
    for (const [projectId, r] of radius) {
      const t = byProject.get(projectId);
      // a project closed as not_affected stays closed while it ships the same components
      const sameParts = t?.state === 'not_affected' && [...r.purls].every((p) => (JSON.parse(t.purls) as string[]).includes(p));
      if (!t || (CLOSED.has(t.state) && t.version !== r.version && !sameParts)) fresh.set(projectId, r);
      else if (!CLOSED.has(t.state) && t.version !== r.version) {
        // a new upload, still affected: the task follows the project's current version
        const u = await tx.updateTable('incident_tasks').set({ version: r.version, purls: JSON.stringify([...r.purls].sort()) }).where('id', '=', t.id).where('version', '=', t.version).executeTakeFirst();
        if (Number(u.numUpdatedRows) === 1) {
          await tx.insertInto('incident_events').values({ incident_id: incidentId, task_id: t.id, type: 'task.version', at: await arrivalOf(tx, projectId, now), actor: 'vouch', detail: JSON.stringify({ project: r.project, from: t.version, to: r.version, stillAffected: true }) }).execute();
        }
      }
    }
    await addTasks(tx, incidentId, fresh, now, 'vouch');
    for (const t of tasks) {
      if (CLOSED.has(t.state) || radius.has(t.project_id) || byProject.get(t.project_id)?.id !== t.id) continue;
      // no longer affected: patched when a new version arrived without the finding
      const current = await tx.selectFrom('project_versions').select(['version', 'updated_at']).where('project_id', '=', t.project_id).where('current', '=', 1).executeTakeFirst();
      const patched = current !== undefined && current.version !== t.version;
      const at = patched ? (current.updated_at > t.created_at ? current.updated_at : t.created_at) : now;
      const state: TaskState = patched ? 'patched' : 'not_affected';
      const u = await tx
        .updateTable('incident_tasks')
        .set({ state, closed_at: at, mitigated_at: t.mitigated_at ?? at })
        .where('id', '=', t.id)
        .where('state', 'in', ['open', 'mitigated'])
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1) {
        const project = (await tx.selectFrom('projects').select('name').where('id', '=', t.project_id).executeTakeFirst())?.name ?? String(t.project_id);
        const detail = patched ? { project, from: t.version, to: current.version, by: 'a new upload without the finding' } : { project, version: t.version, by: 'the advisory no longer matches this version' };
        await tx.insertInto('incident_events').values({ incident_id: incidentId, task_id: t.id, type: `task.${state}`, at, actor: 'vouch', detail: JSON.stringify(detail) }).execute();
      }
    }
  });
}

async function arrivalOf(db: Db, projectId: number, fallback: string): Promise<string> {
  return (await db.selectFrom('project_versions').select('updated_at').where('project_id', '=', projectId).where('current', '=', 1).executeTakeFirst())?.updated_at ?? fallback;
}

/** Whether a token sees an incident: unlimited tokens all; others those with a task in their scope or opened with their very scope. */
async function visible(db: Db, scope: Scope, inc: { id: number; scope: string }): Promise<{ ids: number[] | undefined } | undefined> {
  const ids = await scopedProjectIds(db, scope);
  if (ids === undefined || inc.scope === scopeJson(scope)) return { ids };
  if (!ids.length) return undefined;
  const t = await db.selectFrom('incident_tasks').select('id').where('incident_id', '=', inc.id).where('project_id', 'in', ids).executeTakeFirst();
  return t ? { ids } : undefined;
}

/**
 * An event's detail as a limited token may see it: `incident.opened` counted the blast radius in the
 * opener's scope, which is a count of other teams' projects for a token limited to its own — so that
 * count becomes the number of tasks the token can see.
 */
function scopedDetail(type: string, detail: Record<string, unknown>, visibleIds: number[] | undefined): Record<string, unknown> {
  if (visibleIds === undefined || type !== 'incident.opened' || !('affected' in detail)) return detail;
  const { affected: _whole, ...rest } = detail;
  return rest;
}

/** The incident as the token may see it (tasks and their events in its scope only), reconciled first. */
export async function getIncident(db: Db, scope: Scope, id: number, opts: { now?: Date | undefined } = {}): Promise<IncidentView | undefined> {
  await reconcile(db, id, opts.now ? { now: opts.now } : {});
  const inc = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!inc) return undefined;
  const seen = await visible(db, scope, inc);
  if (!seen) return undefined;
  let tq = db.selectFrom('incident_tasks as t').innerJoin('projects as p', 'p.id', 't.project_id').selectAll('t').select('p.name as project').where('t.incident_id', '=', id);
  if (seen.ids !== undefined) tq = tq.where('t.project_id', 'in', seen.ids.length ? seen.ids : [-1]);
  const rows = await tq.orderBy('p.name').execute();
  const secs = (a: string, b: string | null): number | undefined => (b === null ? undefined : Math.round((Date.parse(b) - Date.parse(a)) / 1000));
  const tasks: TaskView[] = rows.map((t) => {
    const ttm = secs(t.created_at, t.mitigated_at ?? t.closed_at);
    const ttp = secs(t.created_at, t.closed_at);
    return {
      id: t.id,
      project: t.project,
      version: t.version,
      purls: JSON.parse(t.purls) as string[],
      owners: JSON.parse(t.owners) as string[],
      state: t.state as TaskState,
      createdAt: t.created_at,
      ...(t.mitigated_at !== null ? { mitigatedAt: t.mitigated_at } : {}),
      ...(t.closed_at !== null ? { closedAt: t.closed_at } : {}),
      ...(ttm !== undefined ? { timeToMitigate: ttm } : {}),
      ...(ttp !== undefined ? { timeToPatch: ttp } : {}),
    };
  });
  const taskIds = new Set(tasks.map((t) => t.id));
  const events = (await db.selectFrom('incident_events').selectAll().where('incident_id', '=', id).orderBy('id').execute())
    .filter((e) => e.task_id === null || taskIds.has(e.task_id))
    .map((e) => ({ id: e.id, at: e.at, type: e.type, actor: e.actor, ...(e.task_id !== null ? { taskId: e.task_id } : {}), detail: scopedDetail(e.type, JSON.parse(e.detail) as Record<string, unknown>, seen.ids) }));
  // burndown: +1 when a task opens, −1 when it closes, in time order
  const changes: { at: string; d: number }[] = [];
  for (const t of tasks) {
    changes.push({ at: t.createdAt, d: 1 });
    if (t.closedAt !== undefined) changes.push({ at: t.closedAt, d: -1 });
  }
  changes.sort((a, b) => a.at.localeCompare(b.at) || b.d - a.d);
  const burndown: IncidentView['burndown'] = [{ at: inc.created_at, open: 0 }];
  let open = 0;
  for (const c of changes) {
    open += c.d;
    const last = burndown[burndown.length - 1]!;
    if (last.at === c.at) last.open = open;
    else burndown.push({ at: c.at, open });
  }
  const mean = (xs: number[]): number | undefined => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : undefined);
  const ttms = tasks.flatMap((t) => (t.timeToMitigate !== undefined ? [t.timeToMitigate] : []));
  const ttps = tasks.flatMap((t) => (t.timeToPatch !== undefined ? [t.timeToPatch] : []));
  const count = (s: TaskState): number => tasks.filter((t) => t.state === s).length;
  const mtm = mean(ttms);
  const mtp = mean(ttps);
  return {
    id: inc.id,
    title: inc.title,
    ...(inc.vuln !== null ? { vuln: inc.vuln } : {}),
    ...(inc.purl !== null ? { purl: inc.purl } : {}),
    ...(inc.range !== null ? { range: inc.range } : {}),
    openedBy: inc.opened_by,
    createdAt: inc.created_at,
    tasks,
    timeline: events,
    burndown,
    containment: await containmentFor(db, inc.vuln),
    totals: {
      tasks: tasks.length,
      open: count('open'),
      mitigated: count('mitigated'),
      patched: count('patched'),
      notAffected: count('not_affected'),
      ...(mtm !== undefined ? { meanTimeToMitigate: mtm } : {}),
      ...(mtp !== undefined ? { meanTimeToPatch: mtp } : {}),
      ...(ttps.length ? { maxTimeToPatch: Math.max(...ttps) } : {}),
    },
  };
}

/** The incidents the token sees, newest first, with their task counts (reconciled first). */
export async function listIncidents(db: Db, scope: Scope): Promise<{ id: number; title: string; vuln?: string; purl?: string; createdAt: string; tasks: number; open: number }[]> {
  const all = await db.selectFrom('incidents').select('id').orderBy('id', 'desc').limit(1000).execute();
  const out = [];
  for (const { id } of all) {
    const v = await getIncident(db, scope, id);
    if (v) out.push({ id: v.id, title: v.title, ...(v.vuln !== undefined ? { vuln: v.vuln } : {}), ...(v.purl !== undefined ? { purl: v.purl } : {}), createdAt: v.createdAt, tasks: v.totals.tasks, open: v.totals.open + v.totals.mitigated });
  }
  return out;
}

/**
 * Moves a task: open → mitigated; open | mitigated → patched | not_affected. not_affected needs an
 * OpenVEX justification and records a not_affected analysis for each of the task's components
 * (incidents opened for a vulnerability; a zero-day incident has no id to record it under).
 */
export async function updateTask(
  db: Db,
  scope: Scope,
  incidentId: number,
  taskId: number,
  input: { state: TaskState; note?: string; justification?: string; containment?: boolean },
  opts: { actor: string; now?: Date },
): Promise<IncidentView> {
  const view = await getIncident(db, scope, incidentId, { now: opts.now });
  const task = view?.tasks.find((t) => t.id === taskId);
  if (!view || !task) throw new PortfolioError('not_found', `task ${taskId} of incident ${incidentId} not found`);
  const allowed: Record<string, readonly TaskState[]> = { open: ['mitigated', 'patched', 'not_affected'], mitigated: ['patched', 'not_affected'] };
  if (!(allowed[task.state] ?? []).includes(input.state)) throw new PortfolioError('conflict', `task ${taskId} is ${task.state}: it cannot become ${input.state}`);
  if (input.state === 'not_affected' && (input.justification === undefined || !(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(input.justification))) {
    throw new PortfolioError('invalid', `body $.justification: not_affected needs one of ${OPENVEX_JUSTIFICATIONS.join(', ')}`);
  }
  if (input.justification !== undefined && input.state !== 'not_affected') throw new PortfolioError('invalid', 'body $.justification: only not_affected takes a justification');
  // containment applied: the playbook's steps, as they read now, go into the timeline
  if (input.containment && input.state !== 'mitigated') throw new PortfolioError('invalid', 'containment applied moves a task to mitigated');
  if (input.containment && !view.containment.length) {
    throw new PortfolioError('conflict', `the containment playbook has no steps for ${view.vuln ?? 'this incident'}: store them (PUT /api/v1/containment) or move the task to mitigated with a note`);
  }
  const at = (opts.now ?? new Date()).toISOString();
  await db.transaction().execute(async (tx) => {
    const closing = CLOSED.has(input.state);
    const u = await tx
      .updateTable('incident_tasks')
      .set({ state: input.state, ...(input.state === 'mitigated' || !task.mitigatedAt ? { mitigated_at: at } : {}), ...(closing ? { closed_at: at } : {}) })
      .where('id', '=', taskId)
      .where('state', '=', task.state)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw new PortfolioError('conflict', `task ${taskId} changed meanwhile; read it again`);
    await tx
      .insertInto('incident_events')
      .values({ incident_id: incidentId, task_id: taskId, type: `task.${input.state}`, at, actor: opts.actor, detail: JSON.stringify({ project: task.project, version: task.version, ...(input.note ? { note: input.note } : {}), ...(input.justification ? { justification: input.justification } : {}), ...(input.containment ? { containment: view.containment } : {}) }) })
      .execute();
    if (input.state === 'not_affected' && view.vuln !== undefined) {
      const projectId = (await tx.selectFrom('projects').select('id').where('name', '=', task.project).executeTakeFirstOrThrow()).id;
      const rows = task.purls.map((purl) =>
        analysisRow(projectId, normaliseAnalysis({ purl, vuln: view.vuln!, state: 'not_affected', justification: input.justification!, ...(input.note ? { detail: input.note } : {}) }), opts.actor, `incident:${incidentId}`, at),
      );
      await insertAnalyses(tx, rows);
    }
  });
  return (await getIncident(db, scope, incidentId, { now: opts.now }))!;
}

const dur = (s: number | undefined): string => {
  if (s === undefined) return '—';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
};
/** User text (titles, names, notes) made inert in Markdown: no HTML, no formatting, no cell breaks. */
const cell = escapeMarkdown;

/** "containment applied (CVE-…)" for a task.mitigated event that recorded the playbook's steps. */
function containmentNote(d: Record<string, unknown>): string | undefined {
  const c = d['containment'];
  return Array.isArray(c) && c.length ? `containment applied (${c.map((x) => String((x as ContainmentSteps).key)).join(', ')})` : undefined;
}

/** The post-incident review as Markdown: summary, tasks with their outcomes and times, burndown, timeline. */
export function incidentMarkdown(v: IncidentView): string {
  const lines: string[] = [];
  lines.push(`# Incident ${v.id}: ${cell(v.title)}`, '');
  lines.push(`- Opened by ${cell(v.openedBy)} at ${v.createdAt}`);
  if (v.vuln) lines.push(`- Vulnerability: ${cell(v.vuln)}`);
  if (v.purl) lines.push(`- Package: ${cell(v.purl)}${v.range ? ` (${cell(v.range)})` : ''}`);
  const t = v.totals;
  lines.push(`- Tasks: ${t.tasks} — open ${t.open}, mitigated ${t.mitigated}, patched ${t.patched}, not affected ${t.notAffected}`);
  lines.push(`- Mean time to mitigate: ${dur(t.meanTimeToMitigate)}; mean time to patch: ${dur(t.meanTimeToPatch)}; longest: ${dur(t.maxTimeToPatch)}`, '');
  lines.push('## Tasks', '', '| Project | Version | Components | Owners | Outcome | Opened | Closed | Time to mitigate | Time to patch |', '|---|---|---|---|---|---|---|---|---|');
  for (const k of v.tasks) {
    lines.push(`| ${cell(k.project)} | ${cell(k.version)} | ${cell(k.purls.join(', '))} | ${cell(k.owners.join(', ') || '—')} | ${k.state} | ${k.createdAt} | ${k.closedAt ?? '—'} | ${dur(k.timeToMitigate)} | ${dur(k.timeToPatch)} |`);
  }
  if (v.containment.length) {
    lines.push('', '## Containment', '');
    for (const c of v.containment) for (const step of c.steps) lines.push(`- ${cell(c.key)}: ${cell(step)}`);
  }
  lines.push('', '## Burndown (open tasks)', '', '| At | Open |', '|---|---|');
  for (const b of v.burndown) lines.push(`| ${b.at} | ${b.open} |`);
  lines.push('', '## Timeline', '');
  for (const e of v.timeline) {
    const d = e.detail;
    const what = [d['project'], d['from'] && d['to'] ? `${String(d['from'])} → ${String(d['to'])}` : d['version'], containmentNote(d), d['justification'], d['note'], d['by']].filter((x) => typeof x === 'string' && x).join('; ');
    lines.push(`- ${e.at} — ${e.type} by ${cell(e.actor)}${what ? `: ${cell(what)}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The same review as a self-contained HTML page (no scripts, every text escaped). */
export function incidentHtml(v: IncidentView): string {
  const e = escapeHtml;
  const t = v.totals;
  const rows = v.tasks
    .map((k) => `<tr><td>${e(k.project)}</td><td>${e(k.version)}</td><td>${e(k.purls.join(', '))}</td><td>${e(k.owners.join(', ') || '—')}</td><td>${k.state}</td><td>${k.createdAt}</td><td>${k.closedAt ?? '—'}</td><td>${dur(k.timeToMitigate)}</td><td>${dur(k.timeToPatch)}</td></tr>`)
    .join('\n');
  const burn = v.burndown.map((b) => `<tr><td>${b.at}</td><td>${b.open}</td></tr>`).join('\n');
  const timeline = v.timeline
    .map((x) => {
      const d = x.detail;
      const what = [d['project'], d['from'] && d['to'] ? `${String(d['from'])} → ${String(d['to'])}` : d['version'], containmentNote(d), d['justification'], d['note'], d['by']].filter((y) => typeof y === 'string' && y).join('; ');
      return `<li>${x.at} — ${e(x.type)} by ${e(x.actor)}${what ? `: ${e(what)}` : ''}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Incident ${v.id}: ${e(v.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style></head>
<body>
<h1>Incident ${v.id}: ${e(v.title)}</h1>
<ul>
<li>Opened by ${e(v.openedBy)} at ${v.createdAt}</li>
${v.vuln ? `<li>Vulnerability: ${e(v.vuln)}</li>` : ''}${v.purl ? `<li>Package: ${e(v.purl)}${v.range ? ` (${e(v.range)})` : ''}</li>` : ''}
<li>Tasks: ${t.tasks} — open ${t.open}, mitigated ${t.mitigated}, patched ${t.patched}, not affected ${t.notAffected}</li>
<li>Mean time to mitigate: ${dur(t.meanTimeToMitigate)}; mean time to patch: ${dur(t.meanTimeToPatch)}; longest: ${dur(t.maxTimeToPatch)}</li>
</ul>
<h2>Tasks</h2>
<table><thead><tr><th>Project</th><th>Version</th><th>Components</th><th>Owners</th><th>Outcome</th><th>Opened</th><th>Closed</th><th>Time to mitigate</th><th>Time to patch</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${v.containment.length ? `<h2>Containment</h2>\n<ul>\n${v.containment.flatMap((c) => c.steps.map((step) => `<li>${e(c.key)}: ${e(step)}</li>`)).join('\n')}\n</ul>\n` : ''}<h2>Burndown (open tasks)</h2>
<table><thead><tr><th>At</th><th>Open</th></tr></thead><tbody>
${burn}
</tbody></table>
<h2>Timeline</h2>
<ul>
${timeline}
</ul>
</body></html>
`;
}
