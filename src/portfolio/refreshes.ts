/**
 * The outcome of each advisory refresh job (`refresh` in workers.ts): when it ran, the source it
 * loaded and, when it failed, why — what Settings shows under "Advisory refresh"
 * (GET /api/v1/advisories/status). A refresh that fails is retried by the queue: each attempt is
 * one row. Nothing secret is kept: a source or an error naming a URL loses the URL's user and
 * password and its query (where a token would be), and an error keeps its first line only (no stack).
 */
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { isVouchError } from '../model/errors.js';

/** The runs kept: older ones are deleted as new ones are recorded. */
const KEEP = 100;
const MAX_ERROR = 500;

export interface RefreshRunView {
  source: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  generation?: string;
  error?: string;
}

/** A URL in `text` without its credentials or query; anything else as it is. */
export function withoutSecrets(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*@)?([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi, (_m, scheme: string, user: string | undefined, rest: string, query: string | undefined) => `${scheme}${user ? '…@' : ''}${rest}${query ? '?…' : ''}`);
}

/** What is kept of an error: its message's first line, credentials cut, at most 500 characters. */
export function refreshError(err: unknown): string {
  // a VouchError's one line names the file or URL it is about, as the CLI prints it
  const message = isVouchError(err) ? err.oneLine() : err instanceof Error ? err.message : typeof err === 'string' ? err : 'the refresh failed';
  const line = message.split('\n')[0]!.trim() || (err instanceof Error ? err.name : 'the refresh failed');
  const safe = withoutSecrets(line);
  return safe.length > MAX_ERROR ? `${safe.slice(0, MAX_ERROR - 1)}…` : safe;
}

/** Records one refresh run (and drops the runs beyond the newest 100), in one transaction. */
export async function recordRefresh(db: Db, run: { source: string; started: Date; ok: true; generation: string } | { source: string; started: Date; ok: false; error: unknown }, opts: { now?: Date } = {}): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('advisory_refreshes')
      .values({
        source: withoutSecrets(run.source),
        started_at: run.started.toISOString(),
        finished_at: nowIso(opts.now),
        ok: run.ok ? 1 : 0,
        generation: run.ok ? run.generation : null,
        error: run.ok ? null : refreshError(run.error),
      })
      .execute();
    const cut = await tx.selectFrom('advisory_refreshes').select('id').orderBy('id', 'desc').offset(KEEP).limit(1).executeTakeFirst();
    if (cut) await tx.deleteFrom('advisory_refreshes').where('id', '<=', cut.id).execute();
  });
}

/** The newest refresh runs, newest first. */
export async function lastRefreshes(db: Db, limit = 5): Promise<RefreshRunView[]> {
  const rows = await db.selectFrom('advisory_refreshes').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    source: r.source,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    ok: Number(r.ok) === 1,
    ...(r.generation !== null ? { generation: r.generation } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  }));
}
