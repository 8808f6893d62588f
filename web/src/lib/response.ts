/**
 * Data shaping for the response pages (incidents, triage, settings) — pure functions,
 * unit-tested (response.test.ts).
 */
import { purlParts } from './format';

export const TASK_STATES = ['open', 'mitigated', 'patched', 'not_affected'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A duration in seconds as the incident export writes it: "2 h 5 min", "3 min 20 s", "45 s"; days above 48 h. */
export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s) || s < 0) return '—';
  const sec = Math.floor(s);
  const d = Math.floor(sec / 86_400);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (h >= 48) return `${d} d ${h - d * 24} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${sec % 60} s`;
  return `${sec} s`;
}

export const NO_OWNER = '(no owner)';

export interface OwnerGroup<T> {
  owner: string;
  /** the owner's tasks by state, every state present (empty when none) */
  byState: Record<TaskState, T[]>;
  total: number;
}

/**
 * Tasks grouped by owner, then by state: a task with two owners is under each (both are asked to
 * act); one without an owner under "(no owner)", which comes last. Owners in alphabetical order,
 * tasks in each state by project then version. A state vouch does not know goes to "open" (shown, never dropped).
 */
export function groupTasks<T extends { owners: string[]; state: string; project: string; version: string }>(tasks: readonly T[]): OwnerGroup<T>[] {
  const groups = new Map<string, OwnerGroup<T>>();
  for (const t of tasks) {
    const owners = t.owners.length ? [...new Set(t.owners)] : [NO_OWNER];
    for (const owner of owners) {
      let g = groups.get(owner);
      if (!g) {
        g = { owner, byState: { open: [], mitigated: [], patched: [], not_affected: [] }, total: 0 };
        groups.set(owner, g);
      }
      const state: TaskState = (TASK_STATES as readonly string[]).includes(t.state) ? (t.state as TaskState) : 'open';
      g.byState[state].push(t);
      g.total++;
    }
  }
  const byName = (a: T, b: T): number => a.project.localeCompare(b.project) || a.version.localeCompare(b.version);
  for (const g of groups.values()) for (const s of TASK_STATES) g.byState[s].sort(byName);
  return [...groups.values()].sort((a, b) => (a.owner === NO_OWNER ? 1 : b.owner === NO_OWNER ? -1 : a.owner.localeCompare(b.owner)));
}

/**
 * The burndown as a step series for the chart: x in Unix seconds, y the open tasks after each
 * change; the last count carried on to `now` so the line reaches the present. Unreadable times are skipped.
 */
export function burndownSeries(points: readonly { at: string; open: number }[], now: Date = new Date()): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of points) {
    const t = Date.parse(p.at);
    if (Number.isNaN(t)) continue;
    x.push(t / 1000);
    y.push(p.open);
  }
  const end = now.getTime() / 1000;
  if (x.length && end > x[x.length - 1]!) {
    x.push(end);
    y.push(y[y.length - 1]!);
  }
  return { x, y };
}

/** A purl without its version, qualifiers or subpath: the package the bulk analyses API takes. */
export function packageOf(purl: string): string {
  return purl.replace(/[?#].*$/, '').replace(/@[^@/]*$/, '');
}

/** A vers range holding exactly these versions: `vers:maven/2.12.1|2.14.1` (sorted, each percent-encoded as vers asks). */
export function exactVers(purl: string, versions: readonly string[]): string {
  const type = purlParts(purl).type.toLowerCase();
  const enc = (v: string): string => v.replace(/[%|<>=!*\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `vers:${type}/${[...new Set(versions)].sort().map(enc).join('|')}`;
}

/** One (project, component) pair an analysis is recorded on. */
export interface Target {
  project: string;
  purl: string;
}

const keyOf = (t: Target): string => `${t.project}\u0000${t.purl}`;
export const reachKey = (pkg: string, range: string): string => `${pkg} ${range}`;

/** The chosen pairs by package, each with the exact-version range that holds its chosen versions. */
export function triageGroups(chosen: readonly Target[]): { purl: string; range: string; targets: Target[] }[] {
  const byPackage = new Map<string, Target[]>();
  const seen = new Set<string>();
  for (const t of chosen) {
    if (seen.has(keyOf(t))) continue;
    seen.add(keyOf(t));
    const p = packageOf(t.purl);
    byPackage.set(p, [...(byPackage.get(p) ?? []), t]);
  }
  return [...byPackage].map(([pkg, targets]) => ({ purl: pkg, range: exactVers(pkg, targets.map((t) => purlParts(t.purl).version ?? '')), targets }));
}

/**
 * How to apply one analysis to a chosen set of (project, component) pairs, per package: when the
 * bulk API's reach for the package and exact-version range (`reach`, what GET /components answers
 * for them — the same query the bulk route runs) is exactly the chosen set, one bulk call (one
 * transaction); otherwise the bulk call would touch projects not chosen, so one call per pair.
 */
export function triagePlan(chosen: readonly Target[], reach: ReadonlyMap<string, readonly Target[]>): { bulk: { purl: string; range: string; targets: Target[] }[]; single: Target[] } {
  const bulk: { purl: string; range: string; targets: Target[] }[] = [];
  const single: Target[] = [];
  for (const g of triageGroups(chosen)) {
    const r = reach.get(reachKey(g.purl, g.range));
    const want = new Set(g.targets.map(keyOf));
    const got = new Set((r ?? []).map(keyOf));
    const same = r !== undefined && got.size === want.size && [...got].every((k) => want.has(k));
    if (same) bulk.push(g);
    else single.push(...g.targets);
  }
  return { bulk, single };
}

/** The justifications each state may carry: VEX's for not_affected; none for the others. */
export const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const;
export const ANALYSIS_STATES = ['in_triage', 'exploitable', 'not_affected', 'false_positive', 'resolved'] as const;
export const RESPONSES = ['can_not_fix', 'will_not_fix', 'update', 'rollback', 'workaround_available'] as const;

/** A snake_case API word for people: "not_affected" → "not affected". */
export function words(s: string): string {
  return s.replace(/_/g, ' ');
}
