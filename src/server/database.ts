/**
 * Which portfolio database a node (or `vouch token` without --server) uses: `--database URL`, else
 * `$VOUCH_DATABASE_URL`, else the SQLite file `portfolio.sqlite` in the vouch home (`--home`,
 * `$VOUCH_HOME`, else the XDG cache folder) — beside the advisory store, so one folder is the
 * whole state of a single-node server.
 */
import path from 'node:path';
import { AdvisoryStore } from '../advisories/store.js';
import { type OpenedDb, isPostgresUrl, migrate, openDb } from '../db/index.js';
import { VouchError } from '../model/errors.js';

export const SQLITE_FILE = 'portfolio.sqlite';

export interface DatabaseChoice {
  database?: string | undefined;
  home?: string | undefined;
}

export function homeOf(choice: DatabaseChoice): string {
  return choice.home !== undefined ? path.resolve(choice.home) : AdvisoryStore.defaultHome();
}

/** The database URL or file chosen, for a log line (a PostgreSQL password is never shown). */
export function describeDatabase(choice: DatabaseChoice): string {
  const url = choice.database ?? process.env['VOUCH_DATABASE_URL'];
  if (isPostgresUrl(url)) {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  }
  return url || path.join(homeOf(choice), SQLITE_FILE);
}

/** Opens the chosen database and brings its schema up to date (both dialects; safe on several nodes). */
export async function openPortfolio(choice: DatabaseChoice, opts: { migrate?: boolean } = {}): Promise<OpenedDb> {
  const url = choice.database ?? (process.env['VOUCH_DATABASE_URL'] || undefined);
  const opened = url ? await openDb({ url }) : await openDb({ sqliteFile: path.join(homeOf(choice), SQLITE_FILE) });
  if (opts.migrate !== false) {
    try {
      await migrate(opened.db);
    } catch (e) {
      await opened.close().catch(() => undefined);
      throw unreachable(e, describeDatabase(choice)) ?? e;
    }
  }
  return opened;
}

/**
 * A database that does not answer or refuses us is the operator's to fix, not a bug of vouch's:
 * one line naming the database (never its password) and what it said.
 */
function unreachable(e: unknown, where: string): VouchError | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c; i++) {
    const code = (c as { code?: unknown }).code;
    // network errors, and PostgreSQL's connection / authorisation classes (08, 28) and "database does not exist" (3D000)
    if (typeof code === 'string' && (/^E[A-Z]+$/.test(code) || /^(08|28)/.test(code) || code === '3D000')) {
      return new VouchError('NETWORK', `cannot use the database ${where}: ${(c as Error).message}`, { cause: e });
    }
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}
