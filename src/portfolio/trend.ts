/**
 * The portfolio over time (issue 15): a daily snapshot per project of its current version's open
 * findings — by severity, in the KEV catalog, with an EPSS score of at least 10% — and the trend
 * those snapshots add up to for a scope; and upload freshness, the projects nobody has uploaded
 * for a while. The counts are the ones `portfolioSummary` shows today (open = not resolved by a
 * re-match), so the trend's last day and the summary agree.
 */
import { type SqlBool, sql } from 'kysely';
import { type Db, bulkInsert, inList, nowIso } from '../db/index.js';
import { type Scope, scopedProjectIds } from './access.js';

/** An EPSS score at or above this counts in `epss10`. */
export const EPSS_THRESHOLD = 0.1;
/** Projects without an upload for this many days are stale. */
export const STALE_DAYS = 30;
/** The longest trend asked for. */
export const MAX_TREND_DAYS = 400;

/** The UTC calendar day of a time, YYYY-MM-DD. */
export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const COLUMN: Record<string, 'critical' | 'high' | 'medium' | 'low' | 'other'> = { CRITICAL: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low' };

type Counts = { critical: number; high: number; medium: number; low: number; other: number; kev: number; epss10: number };

/** Each project's (of `visible`; undefined: all) current open findings, counted as a snapshot counts them. */
async function currentCounts(db: Db, visible: readonly number[] | undefined): Promise<Map<number, Counts>> {
  let q = db
    .selectFrom('findings as f')
    .innerJoin('project_versions as v', 'v.id', 'f.version_id')
    .where('v.current', '=', 1)
    .where('f.resolved_at', 'is', null)
    .select((eb) => [
      'v.project_id',
      'f.severity',
      eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when('f.kev', '=', 1).then(1).else(0).end()).as('kev'),
      eb.fn.sum(eb.case().when('f.epss', '>=', EPSS_THRESHOLD).then(1).else(0).end()).as('epss10'),
    ])
    .groupBy(['v.project_id', 'f.severity']);
  if (visible !== undefined) q = visible.length ? q.where(inList(db, 'v.project_id', visible)) : q.where(sql<SqlBool>`1 = 0`);
  const per = new Map<number, Counts>();
  for (const r of await q.execute()) {
    const c = per.get(r.project_id) ?? { critical: 0, high: 0, medium: 0, low: 0, other: 0, kev: 0, epss10: 0 };
    c[COLUMN[r.severity] ?? 'other'] += Number(r.n);
    c.kev += Number(r.kev ?? 0);
    c.epss10 += Number(r.epss10 ?? 0);
    per.set(r.project_id, c);
  }
  return per;
}

/**
 * Takes (or takes again: the day's rows are replaced, so running it twice is harmless) the
 * snapshot of `now`'s day, in one transaction. Only projects with an open finding get a row; the
 * day itself is recorded either way, so an all-clear day reads as zeros, not as a gap.
 */
export async function snapshotMetrics(db: Db, now: Date = new Date()): Promise<{ day: string; projects: number }> {
  const day = dayOf(now);
  const per = await currentCounts(db, undefined);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('metrics_daily').where('day', '=', day).execute();
    await bulkInsert(
      trx,
      'metrics_daily',
      [
        ['day', 'text'],
        ['project_id', 'int'],
        ['critical', 'int'],
        ['high', 'int'],
        ['medium', 'int'],
        ['low', 'int'],
        ['other', 'int'],
        ['kev', 'int'],
        ['epss10', 'int'],
      ],
      [...per].map(([id, c]) => [day, id, c.critical, c.high, c.medium, c.low, c.other, c.kev, c.epss10]),
    );
    await trx
      .insertInto('metrics_days')
      .values({ day, taken_at: nowIso(now) })
      .onConflict((oc) => oc.column('day').doUpdateSet({ taken_at: nowIso(now) }))
      .execute();
  });
  return { day, projects: per.size };
}

export interface TrendDay {
  day: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** NONE and UNKNOWN */
  other: number;
  /** all open findings */
  open: number;
  kev: number;
  epss10: number;
}

/**
 * The snapshots of the last `days` days summed over the scope's projects, oldest first (days
 * without a snapshot are absent), and today counted live from the current state (`live: false`:
 * today's snapshot instead, as any other day).
 */
export async function portfolioTrend(db: Db, scope: Scope, opts: { days?: number; now?: Date; live?: boolean } = {}): Promise<{ from: string; to: string; days: TrendDay[] }> {
  const n = Math.max(1, Math.min(MAX_TREND_DAYS, Math.floor(opts.days ?? 90)));
  const now = opts.now ?? new Date();
  const to = dayOf(now);
  const from = dayOf(new Date(now.getTime() - (n - 1) * 86_400_000));
  const taken = await db.selectFrom('metrics_days').select('day').where('day', '>=', from).where('day', '<=', to).orderBy('day').execute();
  const visible = await scopedProjectIds(db, scope);
  let q = db
    .selectFrom('metrics_daily')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .select((eb) => [
      'day',
      eb.fn.sum<number>('critical').as('critical'),
      eb.fn.sum<number>('high').as('high'),
      eb.fn.sum<number>('medium').as('medium'),
      eb.fn.sum<number>('low').as('low'),
      eb.fn.sum<number>('other').as('other'),
      eb.fn.sum<number>('kev').as('kev'),
      eb.fn.sum<number>('epss10').as('epss10'),
    ])
    .groupBy('day');
  if (visible !== undefined) q = visible.length ? q.where(inList(db, 'project_id', visible)) : q.where(sql<SqlBool>`1 = 0`);
  const sums = new Map((await q.execute()).map((r) => [r.day, r]));
  const entry = (day: string, s: Partial<Record<keyof Counts, number | string | null>> | undefined): TrendDay => {
    const d = { critical: Number(s?.critical ?? 0), high: Number(s?.high ?? 0), medium: Number(s?.medium ?? 0), low: Number(s?.low ?? 0), other: Number(s?.other ?? 0) };
    return { day, ...d, open: d.critical + d.high + d.medium + d.low + d.other, kev: Number(s?.kev ?? 0), epss10: Number(s?.epss10 ?? 0) };
  };
  const days = taken.filter(({ day }) => day !== to).map(({ day }) => entry(day, sums.get(day)));
  // today as it is now, not as the last hourly snapshot left it: the trend ends where the summary is
  if (opts.live !== false) {
    const total: Counts = { critical: 0, high: 0, medium: 0, low: 0, other: 0, kev: 0, epss10: 0 };
    for (const c of (await currentCounts(db, visible)).values()) for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
    days.push(entry(to, total));
  } else if (taken.some((t) => t.day === to)) {
    days.push(entry(to, sums.get(to)));
  }
  return { from, to, days };
}

export interface Freshness {
  staleDays: number;
  /** how many of the scope's projects had no upload in `staleDays` days (never uploaded: counted from their creation) */
  stale: number;
  /** the stalest of them, oldest first (at most `top`) */
  projects: { project: string; lastUpload: string | null; createdAt: string }[];
}

/** The scope's projects not uploaded to for `staleDays` days. */
export async function uploadFreshness(db: Db, scope: Scope, opts: { staleDays?: number; now?: Date; top?: number } = {}): Promise<Freshness> {
  const staleDays = opts.staleDays ?? STALE_DAYS;
  const top = Math.max(1, Math.min(100, opts.top ?? 10));
  const cutoff = nowIso(new Date((opts.now ?? new Date()).getTime() - staleDays * 86_400_000));
  const visible = await scopedProjectIds(db, scope);
  let q = db
    .selectFrom('projects as p')
    .leftJoin('uploads as u', 'u.project_id', 'p.id')
    .select((eb) => ['p.name', 'p.created_at', eb.fn.max('u.created_at').as('last')])
    .groupBy(['p.id', 'p.name', 'p.created_at'])
    .having((eb) => eb(eb.fn.coalesce(eb.fn.max('u.created_at'), 'p.created_at'), '<', cutoff));
  if (visible !== undefined) q = visible.length ? q.where(inList(db, 'p.id', visible)) : q.where(sql<SqlBool>`1 = 0`);
  const rows = await q.execute();
  const key = (r: (typeof rows)[number]): string => r.last ?? r.created_at;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.name < b.name ? -1 : 1));
  return {
    staleDays,
    stale: rows.length,
    projects: rows.slice(0, top).map((r) => ({ project: r.name, lastUpload: r.last ?? null, createdAt: r.created_at })),
  };
}
