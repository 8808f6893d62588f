/**
 * Engagements: a match a volunteer takes on. States
 *
 *   proposed → accepted → in_progress → done
 *        └──────────┴────────────┴─────→ dropped
 *
 * with links to upstream issues and pull requests and the hours logged. `done` is never set by
 * hand: confirmDone re-checks the need (the health check passes on an updated clone, or the
 * advisory now names a fixed version covering our versions; done-check.ts).
 *
 * Storage is behind EngagementRepository: the CLI uses a JSON file (FileEngagementRepository);
 * the server adds one over its database. Each function here is one read-modify-write through
 * `update`, whose revision check makes a concurrent change fail instead of being lost.
 */
import { randomBytes } from 'node:crypto';
import { VouchError } from '../model/errors.js';
import type { Need, NeedKind } from './types.js';

export type EngagementState = 'proposed' | 'accepted' | 'in_progress' | 'done' | 'dropped';

export const ENGAGEMENT_STATES: readonly EngagementState[] = ['proposed', 'accepted', 'in_progress', 'done', 'dropped'];

/** Allowed moves. `done` only through confirmDone. */
export const TRANSITIONS: Record<EngagementState, readonly EngagementState[]> = {
  proposed: ['accepted', 'dropped'],
  accepted: ['in_progress', 'dropped'],
  in_progress: ['done', 'dropped'],
  done: [],
  dropped: [],
};

/** What an engagement keeps of its need: enough to re-check it and to report on it without the need list. */
export interface NeedSnapshot {
  id: string;
  kind: NeedKind;
  title: string;
  task: string;
  project: { ecosystem: string; name: string; repositoryUrl?: string; clone?: string };
  priority: number;
  hours: number;
  criticality: number;
  check?: { name: string; score: number | null };
  advisory?: { id: string; versions: string[]; ourLine: string };
}

export interface Engagement {
  id: string;
  need: NeedSnapshot;
  volunteer: string;
  company?: string;
  state: EngagementState;
  /** every state change, oldest first (the first is the proposal) */
  history: { at: string; from?: EngagementState; to: EngagementState; note?: string }[];
  /** upstream issues and pull requests (https only; never fetched) */
  links: { url: string; at: string }[];
  /** hours logged; `date` is YYYY-MM-DD */
  hours: { date: string; hours: number; note?: string }[];
  /** the project's health and risk when the engagement was proposed */
  baseline: { health: number | null; criticality: number };
  /** the re-check that confirmed `done` */
  outcome?: { at: string; health: number | null; detail: string };
  /** incremented by every write; update() refuses a stale one */
  revision: number;
}

export interface EngagementFilter {
  state?: EngagementState;
  needId?: string;
  volunteer?: string;
}

/**
 * Where engagements live. `update` must store `e` only when the stored revision is `e.revision − 1`
 * (one transaction on a database), else throw a USAGE VouchError naming the engagement.
 */
export interface EngagementRepository {
  list(filter?: EngagementFilter): Promise<Engagement[]>;
  get(id: string): Promise<Engagement | undefined>;
  insert(e: Engagement): Promise<void>;
  update(e: Engagement): Promise<void>;
}

export function snapshotOf(need: Need): NeedSnapshot {
  return {
    id: need.id,
    kind: need.kind,
    title: need.title,
    task: need.task,
    project: {
      ecosystem: need.project.ecosystem,
      name: need.project.name,
      ...(need.project.repositoryUrl ? { repositoryUrl: need.project.repositoryUrl } : {}),
      ...(need.project.clone ? { clone: need.project.clone } : {}),
    },
    priority: need.priority,
    hours: need.hours,
    criticality: need.score.criticality,
    ...(need.check ? { check: need.check } : {}),
    ...(need.advisory ? { advisory: { id: need.advisory.id, versions: need.advisory.versions, ourLine: need.advisory.ourLine } } : {}),
  };
}

const isOpen = (e: Engagement): boolean => e.state !== 'done' && e.state !== 'dropped';

async function load(repo: EngagementRepository, id: string): Promise<Engagement> {
  const e = await repo.get(id);
  if (!e) throw new VouchError('USAGE', `no engagement ${id} (see \`vouch marketplace engagement list\`)`);
  return e;
}

/** Proposes `volunteer` as the lead of `need`. One open engagement per need: a second is refused. */
export async function proposeEngagement(repo: EngagementRepository, need: Need, volunteer: { name: string; company?: string }, opts: { now?: Date; note?: string } = {}): Promise<Engagement> {
  const open = (await repo.list({ needId: need.id })).filter(isOpen);
  if (open.length > 0) throw new VouchError('USAGE', `need ${need.id} already has an open engagement (${open[0]!.id}, ${open[0]!.volunteer}, ${open[0]!.state}); drop it first`);
  const at = (opts.now ?? new Date()).toISOString();
  const e: Engagement = {
    id: `eng-${randomBytes(6).toString('hex')}`,
    need: snapshotOf(need),
    volunteer: volunteer.name,
    ...(volunteer.company ? { company: volunteer.company } : {}),
    state: 'proposed',
    history: [{ at, to: 'proposed', ...(opts.note ? { note: opts.note } : {}) }],
    links: [],
    hours: [],
    baseline: { health: need.project.health ?? null, criticality: need.score.criticality },
    revision: 1,
  };
  await repo.insert(e);
  return e;
}

function moved(e: Engagement, to: EngagementState, at: string, note?: string): Engagement {
  if (!TRANSITIONS[e.state].includes(to)) {
    const allowed = TRANSITIONS[e.state].filter((s) => s !== 'done');
    throw new VouchError('USAGE', `engagement ${e.id} is ${e.state}: it cannot become ${to}${allowed.length ? ` (it can become ${allowed.join(' or ')})` : ' (it is closed)'}`);
  }
  return { ...e, state: to, history: [...e.history, { at, from: e.state, to, ...(note ? { note } : {}) }], revision: e.revision + 1 };
}

/** accept, start or drop. `done` is refused here: it is confirmed by re-checking (confirmDone). */
export async function transition(repo: EngagementRepository, id: string, to: Exclude<EngagementState, 'done' | 'proposed'>, opts: { now?: Date; note?: string } = {}): Promise<Engagement> {
  const e = await load(repo, id);
  const next = moved(e, to, (opts.now ?? new Date()).toISOString(), opts.note);
  await repo.update(next);
  return next;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function logHours(repo: EngagementRepository, id: string, hours: number, opts: { date?: string; note?: string; now?: Date } = {}): Promise<Engagement> {
  const e = await load(repo, id);
  if (e.state !== 'accepted' && e.state !== 'in_progress') throw new VouchError('USAGE', `engagement ${e.id} is ${e.state}: hours are logged on accepted or in-progress engagements`);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 744) throw new VouchError('USAGE', `hours must be a number above 0 and at most 744 (got ${hours})`);
  const date = opts.date ?? (opts.now ?? new Date()).toISOString().slice(0, 10);
  if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new VouchError('USAGE', `--date must be YYYY-MM-DD (got "${date}")`);
  const next: Engagement = { ...e, hours: [...e.hours, { date, hours, ...(opts.note ? { note: opts.note } : {}) }], revision: e.revision + 1 };
  await repo.update(next);
  return next;
}

/** Links an upstream issue or pull request: an https: URL, stored as given and never fetched. */
export async function addLink(repo: EngagementRepository, id: string, url: string, opts: { now?: Date } = {}): Promise<Engagement> {
  const e = await load(repo, id);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VouchError('USAGE', `not a URL: "${url}"`);
  }
  if (u.protocol !== 'https:') throw new VouchError('USAGE', `links must be https: URLs (got ${u.protocol})`);
  if (e.links.some((l) => l.url === u.href)) return e;
  const next: Engagement = { ...e, links: [...e.links, { url: u.href, at: (opts.now ?? new Date()).toISOString() }], revision: e.revision + 1 };
  await repo.update(next);
  return next;
}

export interface DoneVerdict {
  passed: boolean;
  /** what was re-checked and what it found */
  detail: string;
  /** the project's health score after (health needs) */
  health?: number | null;
}

/**
 * Re-checks the need with `check`; when it passes, the engagement becomes done with the outcome
 * recorded. Otherwise nothing changes and the verdict says why.
 */
export async function confirmDone(repo: EngagementRepository, id: string, check: (e: Engagement) => Promise<DoneVerdict>, opts: { now?: Date } = {}): Promise<{ engagement: Engagement; verdict: DoneVerdict }> {
  const e = await load(repo, id);
  if (e.state !== 'in_progress') {
    throw new VouchError('USAGE', `engagement ${e.id} is ${e.state}: only an in-progress engagement can be confirmed done${e.state === 'accepted' ? ' (start it first)' : ''}`);
  }
  const verdict = await check(e);
  if (!verdict.passed) return { engagement: e, verdict };
  const at = (opts.now ?? new Date()).toISOString();
  const next = { ...moved(e, 'done', at, verdict.detail), outcome: { at, health: verdict.health ?? null, detail: verdict.detail } };
  await repo.update(next);
  return { engagement: next, verdict };
}
