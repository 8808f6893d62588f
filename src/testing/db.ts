/**
 * Test helper for the portfolio database: every database test runs on SQLite and, when
 * VOUCH_TEST_PG names a PostgreSQL server (CI always does), on PostgreSQL too:
 *
 *   describe.each(testDbs())('$name', (kind) => {
 *     let t: TestDb;
 *     beforeEach(async () => (t = await freshDb(kind)));
 *     afterEach(() => t.close());
 *   });
 *
 * Each freshDb is a new, migrated database: a SQLite file in a temp folder, or a PostgreSQL schema
 * of its own (search_path set on every pooled connection), dropped on close — so test files run in
 * parallel on one server without seeing each other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type OpenedDb, migrate, openDb } from '../db/index.js';

export interface TestDbKind {
  name: 'sqlite' | 'postgres';
}

export interface TestDb extends OpenedDb {
  /** PostgreSQL: the schema this database lives in (pg-boss gets its own beside it: `${schema}_boss`). */
  schema?: string;
  /** SQLite: the database file. */
  file?: string;
  /** Opens a second handle on the same database (a second node, or the process after a restart). */
  reopen(): Promise<OpenedDb>;
}

export const TEST_PG_URL = process.env['VOUCH_TEST_PG'] || undefined;

export function testDbs(): TestDbKind[] {
  return TEST_PG_URL ? [{ name: 'sqlite' }, { name: 'postgres' }] : [{ name: 'sqlite' }];
}

/** A new, migrated database of that kind. */
export async function freshDb(kind: TestDbKind, opts: { migrate?: boolean } = {}): Promise<TestDb> {
  let opened: OpenedDb;
  let extra: Pick<TestDb, 'schema' | 'file' | 'reopen'>;
  let cleanup: () => Promise<void>;
  if (kind.name === 'postgres') {
    if (!TEST_PG_URL) throw new Error('VOUCH_TEST_PG is not set');
    const schema = `t_${process.pid}_${randomBytes(6).toString('hex')}`;
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = withSearchPath(TEST_PG_URL, schema);
    opened = await openDb({ url, poolSize: 4 });
    extra = { schema, reopen: () => openDb({ url, poolSize: 4 }) };
    cleanup = async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-db-'));
    const file = path.join(dir, 'portfolio.sqlite');
    opened = await openDb({ sqliteFile: file });
    extra = { file, reopen: () => openDb({ sqliteFile: file }) };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  if (opts.migrate !== false) await migrate(opened.db);
  return {
    ...opened,
    ...extra,
    close: async () => {
      await opened.close();
      await cleanup();
    },
  };
}

/** The connection string with `search_path` set to `schema` for every connection opened from it. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
