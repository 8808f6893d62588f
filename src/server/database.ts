/**
 * Which portfolio database a node (or `vouch token` without --server) uses: `--database URL`, else
 * `$VOUCH_DATABASE_URL`, else the SQLite file `portfolio.sqlite` in the vouch home (`--home`,
 * `$VOUCH_HOME`, else the XDG cache folder) — beside the advisory store, so one folder is the
 * whole state of a single-node server.
 */
import path from 'node:path';
import { AdvisoryStore } from '../advisories/store.js';
import { type OpenedDb, isPostgresUrl, migrate, openDb } from '../db/index.js';

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
      await opened.close();
      throw e;
    }
  }
  return opened;
}
