/**
 * The portfolio database: SQLite (better-sqlite3, the default: one file, no set-up) or PostgreSQL
 * (a pg Pool, for several nodes), both behind one Kysely handle so every query is written once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type RawBuilder,
  type SqlBool,
  SqliteAdapter,
  SqliteDialect,
  sql,
} from 'kysely';
import type pg from 'pg';
import { VouchError } from '../model/errors.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type Db = Kysely<Database>;

export interface OpenedDb {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** PostgreSQL only: the connection string (pg-boss opens its own pool on it). */
  url?: string;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens the database: `url` postgres://… → a pg Pool; else the SQLite file `sqliteFile` (or a
 * `sqlite:`/file path given as `url`), created with its folder, in WAL mode with foreign keys on and
 * a busy timeout so a second connection waits instead of failing. Migrations are separate (migrate).
 */
export async function openDb(opts: { url?: string; sqliteFile?: string; poolSize?: number }): Promise<OpenedDb> {
  if (isPostgresUrl(opts.url)) {
    const { default: pgModule } = await import('pg');
    const pool = new pgModule.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // an idle client's error (the server restarted) must not crash the process: the pool drops it
    pool.on('error', () => undefined);
    // Kysely hides the pg client behind its connection; bulkInsert's COPY needs it. Each client is
    // known by its server process id, which the new connection is asked for once.
    const byPid = new Map<number, pg.PoolClient>();
    pool.on('connect', (client) => {
      const pid = (client as pg.PoolClient & { processID?: number }).processID;
      if (pid !== undefined) byPid.set(pid, client);
    });
    pool.on('remove', (client) => {
      const pid = (client as pg.PoolClient & { processID?: number }).processID;
      if (pid !== undefined) byPid.delete(pid);
    });
    const onCreateConnection = async (connection: DatabaseConnection): Promise<void> => {
      const r = await connection.executeQuery<{ pid: number }>(CompiledQuery.raw('SELECT pg_backend_pid() AS pid'));
      const client = r.rows[0] && byPid.get(r.rows[0].pid);
      if (client) pgClients.set(connection, client);
    };
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, onCreateConnection }) });
    return { db, dialect: 'postgres', url: opts.url, close: () => db.destroy() };
  }
  const file = opts.sqliteFile ?? sqliteFileOf(opts.url);
  if (file === undefined) throw new VouchError('USAGE', 'no database: give a postgres:// URL or a SQLite file');
  const { default: SQLite } = await import('better-sqlite3');
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let sqlite;
  try {
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('synchronous = NORMAL');
    // checkpoint the WAL into the database every 20,000 pages (80 MB) instead of SQLite's 1,000: an
    // ingest commits ~1,700 version_components rows whose (component, version) index entries land on
    // as many scattered pages, so nearly every commit ran a checkpoint (with its fsync); less often,
    // a page written by several commits is copied once (bench/RESULTS.md "Ingest and memory")
    sqlite.pragma('wal_autocheckpoint = 20000');
  } catch (e) {
    sqlite?.close();
    throw new VouchError('INPUT_UNSUPPORTED', `not a SQLite database vouch can open (${(e as Error).message})`, { path: file, cause: e });
  }
  const db = new Kysely<Database>({ dialect: new RawSqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** pg clients by Kysely connection (for COPY), filled as connections are made. */
const pgClients = new WeakMap<DatabaseConnection, pg.PoolClient>();
/** better-sqlite3 handles by dialect adapter: one adapter per opened database, shared by its transactions. */
const sqliteHandles = new WeakMap<DialectAdapter, BetterSqlite3.Database>();
/** prepared INSERTs by handle and statement text (bulkInsert's SQLite path) */
const prepared = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

class RawSqliteDialect extends SqliteDialect {
  constructor(private readonly handle: BetterSqlite3.Database) {
    super({ database: handle });
  }
  override createAdapter(): DialectAdapter {
    const adapter = new SqliteAdapter();
    sqliteHandles.set(adapter, this.handle);
    return adapter;
  }
}

function sqliteFileOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  if (url.startsWith('file:')) return url.slice('file:'.length);
  return url;
}

/** Brings the schema up to date (Kysely's migrator; safe on two nodes at once: it takes a lock). */
export async function migrate(db: Db): Promise<void> {
  // PostgreSQL: Kysely's migration tables in the schema the connection works in, named explicitly —
  // else its check for them looks in every schema and may find another application's
  const migrationTableSchema = isPostgres(db) ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

/** The current time as stored (ISO-8601, UTC). */
export function nowIso(d: Date = new Date()): string {
  return d.toISOString();
}

/** Is this handle (or transaction) on PostgreSQL? The few queries that need dialect care ask. */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Multi-row INSERTs of `rows` in batches that stay under both databases' bound-parameter limits
 * (SQLite 32,766; PostgreSQL 65,535), `columns` values per row.
 */
export function batches<T>(rows: readonly T[], columns: number, maxParams = 30_000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / Math.max(1, columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export type BulkType = 'text' | 'int' | 'real';

const PG_ARRAY: Record<BulkType, string> = { text: 'text[]', int: 'int4[]', real: 'float8[]' };

/**
 * Inserts many rows — the bulk paths of ingest and re-match, with no statement per row sent over a
 * wire and none with tens of thousands of placeholders to plan:
 *   - SQLite inside a transaction: one prepared INSERT run per row on the transaction's own handle
 *     (better-sqlite3 is in-process, a run costs about a microsecond). Outside a transaction the
 *     handle may be inside another caller's, so there: `INSERT … SELECT … FROM json_each(?)`, the
 *     rows as one JSON text per chunk.
 *   - PostgreSQL: `COPY … FROM STDIN` (text format) on the connection's pg client; with
 *     `ignoreConflicts` (COPY has no ON CONFLICT), `INSERT … SELECT * FROM unnest($1::text[], …)`,
 *     one array per column, per chunk.
 * `ignoreConflicts`: rows that hit a unique key are skipped (ON CONFLICT DO NOTHING / INSERT OR IGNORE).
 */
export async function bulkInsert(
  db: Db,
  table: keyof Database,
  columns: readonly (readonly [string, BulkType])[],
  rows: readonly (readonly unknown[])[],
  opts: { ignoreConflicts?: boolean; chunk?: number } = {},
): Promise<void> {
  if (!rows.length) return;
  const chunk = opts.chunk ?? 20_000;
  const handle = db.isTransaction ? sqliteHandles.get(db.getExecutor().adapter) : undefined;
  if (handle) {
    const text = `INSERT${opts.ignoreConflicts ? ' OR IGNORE' : ''} INTO "${table}" (${columns.map(([c]) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    let cache = prepared.get(handle);
    if (!cache) prepared.set(handle, (cache = new Map()));
    let stmt = cache.get(text);
    if (!stmt) cache.set(text, (stmt = handle.prepare(text)));
    const n = columns.length;
    const values: unknown[] = new Array<unknown>(n);
    for (const r of rows) {
      for (let i = 0; i < n; i++) {
        const v = r[i];
        values[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null);
      }
      stmt.run(values);
    }
    return;
  }
  if (isPostgres(db) && !opts.ignoreConflicts) {
    const copied = await db.getExecutor().provideConnection(async (connection) => {
      const client = pgClients.get(connection);
      if (!client) return false;
      await copyRows(client, table, columns, rows);
      return true;
    });
    if (copied) return;
  }
  const names = sql.join(columns.map(([c]) => sql.ref(c)));
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    if (isPostgres(db)) {
      const arrays = columns.map(([, type], i) => sql`${part.map((r) => r[i] ?? null)}::${sql.raw(PG_ARRAY[type])}`);
      await sql`INSERT INTO ${sql.table(table)} (${names}) SELECT * FROM unnest(${sql.join(arrays)})${opts.ignoreConflicts ? sql` ON CONFLICT DO NOTHING` : sql``}`.execute(db);
    } else {
      const picks = sql.join(columns.map((_, i) => sql`json_extract(value, ${`$[${i}]`})`));
      await sql`INSERT${opts.ignoreConflicts ? sql` OR IGNORE` : sql``} INTO ${sql.table(table)} (${names}) SELECT ${picks} FROM json_each(${JSON.stringify(part)})`.execute(db);
    }
  }
}

/** COPY's text format: backslash, tab, newline and carriage return escaped, NULL as \\N. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

async function copyRows(client: pg.PoolClient, table: string, columns: readonly (readonly [string, BulkType])[], rows: readonly (readonly unknown[])[]): Promise<void> {
  // a CommonJS module: `default` is its exports both in Node and once bundled (dist/), where the
  // named exports Node's loader finds are not there
  const { from } = (await import('pg-copy-streams')).default;
  function* text(): Generator<string> {
    let buf = '';
    for (const r of rows) {
      for (let i = 0; i < columns.length; i++) buf += (i ? '\t' : '') + copyField(r[i]);
      buf += '\n';
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  const names = columns.map(([c]) => `"${c}"`).join(', ');
  await pipeline(Readable.from(text()), client.query(from(`COPY "${table}" (${names}) FROM STDIN`)));
}

/** A condition `column IN (values)` with one parameter however many values (PostgreSQL `= ANY($1)`, SQLite `json_each`). */
export function inList(db: Db, column: string, values: readonly (string | number)[]): RawBuilder<SqlBool> {
  if (isPostgres(db)) {
    const type = values.every((v) => typeof v === 'number') ? 'int4[]' : 'text[]';
    return sql<SqlBool>`${sql.ref(column)} = ANY(${[...values]}::${sql.raw(type)})`;
  }
  return sql<SqlBool>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
