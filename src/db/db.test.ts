import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { type Db, bulkInsert, inList, isPostgres, migrate } from './index.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { MIGRATIONS, migrationProvider } from './migrations.js';
import { versionEdges } from '../portfolio/edges.js';
import { shortestPaths } from '../portfolio/queries.js';

describe.each(testDbs())('the portfolio database on $name', (kind) => {
  let t: TestDb;
  beforeEach(async () => (t = await freshDb(kind)));
  afterEach(() => t.close());

  it('migrates to every table, and migrating again changes nothing', async () => {
    await migrate(t.db);
    // on PostgreSQL: this test database's schema only (the server holds others)
    const tables = (await t.db.introspection.getTables())
      .filter((x) => t.schema === undefined || x.schema === t.schema)
      .map((x) => x.name)
      .sort();
    expect(tables).toEqual([
      'advisory_refreshes',
      'advisory_seen',
      'analyses',
      'components',
      'documents',
      'events',
      'feed_records',
      'feed_subscriptions',
      'findings',
      'incident_events',
      'incident_tasks',
      'incidents',
      'jobs',
      'market_engagements',
      'market_health',
      'market_pledges',
      'market_volunteers',
      'metrics_daily',
      'metrics_days',
      'notification_deliveries',
      'notification_outbox',
      'notification_rules',
      'oidc_logins',
      'own_advisories',
      'project_owners',
      'project_tags',
      'project_versions',
      'projects',
      'rematch_runs',
      'response_events',
      'server_documents',
      'sessions',
      'tokens',
      'upload_checks',
      'uploads',
      'version_components',
      'vuln_aliases',
    ]);
    const ran = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(t.db);
    expect(ran.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
  });

  it('upgrading to the respond migration takes uploads already finished as looked at (no history announced)', async () => {
    await t.close();
    t = await freshDb(kind, { migrate: false });
    const migrationTableSchema = isPostgres(t.db) ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(t.db)).rows[0]?.s : undefined;
    const migrator = new Migrator({ db: t.db, provider: migrationProvider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
    expect((await migrator.migrateTo('0002_response')).error).toBeUndefined();
    const now = '2026-12-01T00:00:00.000Z';
    const { id } = await t.db.insertInto('projects').values({ name: 'billing', parent_id: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('documents').values({ sha256: 'ab'.repeat(32), bytes: Buffer.from('{}'), size: 2, file_name: 'bom.json', created_at: now }).execute();
    const upload = (uid: string, state: 'done' | 'failed' | 'queued') => ({ id: uid, project_id: id, version: uid, document_sha256: 'ab'.repeat(32), file_name: 'bom.json', state, error: null, components: null, findings: null, created_at: now, finished_at: state === 'queued' ? null : now });
    await t.db.insertInto('uploads').values([upload('u-done', 'done'), upload('u-failed', 'failed'), upload('u-queued', 'queued')]).execute();
    // a webhook rule made before the upgrade (the columns of 0002 only)
    await sql`INSERT INTO notification_rules (name, events, filters, url, secret, created_by, created_at, cursor_event, cursor_incident_event) VALUES ('old', '["finding.new"]', '{}', 'https://hooks.example/', 's', 'ops', ${now}, 0, 0)`.execute(t.db);
    await migrate(t.db);
    const checked = (await t.db.selectFrom('upload_checks').select('upload_id').orderBy('upload_id').execute()).map((r) => r.upload_id);
    expect(checked).toEqual(['u-done', 'u-failed']);
    // and a rule made before it is a webhook rule, its cursor at the start of the new events
    expect(await t.db.selectFrom('notification_rules').select(['name', 'destination', 'cursor_response_event']).execute()).toEqual([{ name: 'old', destination: 'webhook', cursor_response_event: 0 }]);
  });

  it('upgrading to compact edges moves every edge onto its child\'s row, with the shortest path\'s parent, and drops the edges table', async () => {
    await t.close();
    t = await freshDb(kind, { migrate: false });
    const migrationTableSchema = isPostgres(t.db) ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(t.db)).rows[0]?.s : undefined;
    const migrator = new Migrator({ db: t.db, provider: migrationProvider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
    expect((await migrator.migrateTo('2026_12_08_advisory_refreshes')).error).toBeUndefined();
    const now = '2026-12-01T00:00:00.000Z';
    const { id: project } = await t.db.insertInto('projects').values({ name: 'shop', parent_id: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
    const roots = JSON.stringify([
      { ref: 'root:a/package-lock.json', label: 'a/package-lock.json' },
      { ref: 'root:b/package-lock.json', label: 'b/package-lock.json' },
    ]);
    const version = async (v: string) =>
      (await t.db.insertInto('project_versions').values({ project_id: project, version: v, current: 0, upload_id: null, roots, meta: '{}', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    const v1 = await version('1.0');
    const v2 = await version('2.0');
    const ids: number[] = [];
    for (const name of ['app', 'mid', 'other', 'leaf', 'alone']) {
      const c = { purl: `pkg:npm/${name}@1.0.0`, purl_base: `pkg:npm/${name}`, ecosystem: 'npm', ecosystem_base: 'npm', name, name_norm: name, version: '1.0.0', data: '{}' };
      ids.push((await t.db.insertInto('components').values(c).returning('id').executeTakeFirstOrThrow()).id);
    }
    const [app, mid, other, leaf, alone] = ids as [number, number, number, number, number];
    // the columns of the migration before: no parents, no path_parent yet
    for (const v of [v1, v2]) for (const c of ids) await sql`INSERT INTO version_components (version_id, component_id, scope, direct, locations) VALUES (${v}, ${c}, 'prod', 0, '[]')`.execute(t.db);
    // 1.0: root 0 → app → mid → leaf, root 1 → other → leaf, app → other; alone has no parents.
    // 2.0: root 1 → leaf only.
    const edges: [number, number, number][] = [
      [v1, -1, app],
      [v1, app, mid],
      [v1, mid, leaf],
      [v1, -2, other],
      [v1, other, leaf],
      [v1, app, other],
      [v2, -2, leaf],
    ];
    for (const [v, p, c] of edges) await sql`INSERT INTO edges (version_id, parent_id, child_id) VALUES (${v}, ${p}, ${c})`.execute(t.db);

    await migrate(t.db);
    const tables = (await t.db.introspection.getTables()).filter((x) => t.schema === undefined || x.schema === t.schema).map((x) => x.name);
    expect(tables).not.toContain('edges');
    const rows = await t.db.selectFrom('version_components').select(['version_id', 'component_id', 'parents', 'path_parent']).orderBy('version_id').orderBy('component_id').execute();
    const sorted = (a: number, b: number): string => [a, b].sort((x, y) => x - y).join(',');
    expect(rows).toEqual([
      { version_id: v1, component_id: app, parents: '-1', path_parent: -1 },
      { version_id: v1, component_id: mid, parents: String(app), path_parent: app },
      { version_id: v1, component_id: other, parents: sorted(-2, app), path_parent: -2 },
      // leaf: three steps from a root through mid, two through other (other hangs off root 1 directly)
      { version_id: v1, component_id: leaf, parents: sorted(mid, other), path_parent: other },
      { version_id: v1, component_id: alone, parents: '', path_parent: null },
      { version_id: v2, component_id: app, parents: '', path_parent: null },
      { version_id: v2, component_id: mid, parents: '', path_parent: null },
      { version_id: v2, component_id: other, parents: '', path_parent: null },
      { version_id: v2, component_id: leaf, parents: '-2', path_parent: -2 },
      { version_id: v2, component_id: alone, parents: '', path_parent: null },
    ]);
    // read back as the edges they were, and the shortest paths from them
    const back = (await versionEdges(t.db, [v2, v1])).map((e) => [e.version_id, e.parent_id, e.child_id]);
    expect(back).toEqual([...edges].sort((a, b) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1]));
    const paths = await shortestPaths(t.db, [
      { versionId: v1, componentId: leaf, roots },
      { versionId: v2, componentId: leaf, roots },
      { versionId: v1, componentId: alone, roots },
    ]);
    expect(paths.get(`${v1}:${leaf}`)).toEqual(['b/package-lock.json', 'pkg:npm/other@1.0.0', 'pkg:npm/leaf@1.0.0']);
    expect(paths.get(`${v2}:${leaf}`)).toEqual(['b/package-lock.json', 'pkg:npm/leaf@1.0.0']);
    expect(paths.get(`${v1}:${alone}`)).toEqual(['pkg:npm/alone@1.0.0']);
  });

  it('enforces the unique keys the portfolio relies on (project names, one row per purl, one unfinished singleton job)', async () => {
    const now = new Date().toISOString();
    await t.db.insertInto('projects').values({ name: 'billing', parent_id: null, created_at: now }).execute();
    await expect(t.db.insertInto('projects').values({ name: 'billing', parent_id: null, created_at: now }).execute()).rejects.toThrow();
    const comp = { purl: 'pkg:npm/a@1.0.0', purl_base: 'pkg:npm/a', ecosystem: 'npm', ecosystem_base: 'npm', name: 'a', name_norm: 'a', version: '1.0.0', data: '{}' };
    await t.db.insertInto('components').values(comp).execute();
    const again = await t.db.insertInto('components').values(comp).onConflict((oc) => oc.column('purl').doNothing()).executeTakeFirst();
    expect(Number(again.numInsertedOrUpdatedRows)).toBe(0);
    const job = (id: string, state: 'queued' | 'done') => ({ id, name: 'rematch', data: '{}', singleton_key: 'g1', state, attempts: 0, max_attempts: 3, created_at: now });
    await t.db.insertInto('jobs').values(job('j1', 'done')).execute();
    await t.db.insertInto('jobs').values(job('j2', 'queued')).execute();
    await expect(t.db.insertInto('jobs').values(job('j3', 'queued')).execute()).rejects.toThrow();
  });

  it('stores document bytes exactly', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    await t.db.insertInto('documents').values({ sha256: 'x', bytes, size: bytes.length, file_name: 'a.json', created_at: 'now' }).execute();
    const row = await t.db.selectFrom('documents').select('bytes').executeTakeFirstOrThrow();
    expect(Buffer.compare(Buffer.from(row.bytes), bytes)).toBe(0);
  });

  // outside a transaction: json_each on SQLite, COPY on PostgreSQL; inside one: prepared INSERTs on
  // SQLite's handle, COPY on the transaction's own connection (and unnest when skipping conflicts)
  it.each([
    ['outside a transaction', false],
    ['inside a transaction', true],
  ])('bulkInsert and inList carry any text, numbers and nulls exactly, and skip conflicting rows when asked (%s)', async (_, inTx) => {
    if (inTx) {
      await t.db.transaction().execute((tx) => bulkChecks(tx));
      // the rows were written by the transaction, and are there after its commit
      const n = Number((await t.db.selectFrom('findings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(n).toBe(10);
    } else await bulkChecks(t.db);
  });

  it('bulkInsert inside a transaction that rolls back leaves nothing', async () => {
    await expect(
      t.db.transaction().execute(async (tx) => {
        await bulkInsert(tx, 'vuln_aliases', [['alias', 'text'], ['vuln_id', 'text']], [['CVE-9', 'V-9']]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await t.db.selectFrom('vuln_aliases').selectAll().execute()).toEqual([]);
  });

  it('bulkInsert fails on a duplicate key when not told to skip conflicts (COPY and prepared INSERT alike)', async () => {
    await expect(
      t.db.transaction().execute((tx) =>
        bulkInsert(tx, 'vuln_aliases', [['alias', 'text'], ['vuln_id', 'text']], [['CVE-1', 'V-1'], ['CVE-1', 'V-1']]),
      ),
    ).rejects.toThrow();
    expect(await t.db.selectFrom('vuln_aliases').selectAll().execute()).toEqual([]);
  });

  async function bulkChecks(db: Db): Promise<void> {
    const nasty = ['a,b', '{"x": [1, 2]}', 'quote " and \\ backslash', "it's", '{}', 'NULL', '', 'é ✓ 𝄞', 'line\nbreak', 'tab\tand\r\\N and \\t'];
    const rows = nasty.map((text, i) => [i + 1, text, i % 2 ? null : i + 0.5] as const);
    await bulkInsert(
      db,
      'findings',
      [
        ['version_id', 'int'],
        ['component_id', 'int'],
        ['vuln_id', 'text'],
        ['aliases', 'text'],
        ['severity', 'text'],
        ['score', 'real'],
        ['kev', 'int'],
        ['first_seen', 'text'],
        ['data', 'text'],
      ],
      rows.map(([i, text, score]) => [1, i, `V-${i}`, text, 'HIGH', score, 0, 'now', text]),
      { chunk: 4 },
    );
    const back = await db.selectFrom('findings').select(['component_id', 'aliases', 'score', 'data', 'priority']).orderBy('component_id').execute();
    expect(back).toEqual(rows.map(([i, text, score]) => ({ component_id: i, aliases: text, score, data: text, priority: null })));
    await bulkInsert(
      db,
      'vuln_aliases',
      [
        ['alias', 'text'],
        ['vuln_id', 'text'],
      ],
      [
        ['CVE-1', 'V-1'],
        ['CVE-1', 'V-1'],
        ['CVE-2', 'V-1'],
      ],
      { ignoreConflicts: true },
    );
    expect(await db.selectFrom('vuln_aliases').selectAll().orderBy('alias').execute()).toEqual([
      { alias: 'CVE-1', vuln_id: 'V-1' },
      { alias: 'CVE-2', vuln_id: 'V-1' },
    ]);
    const picked = await db.selectFrom('findings').select('aliases').where(inList(db, 'aliases', ['a,b', "it's", 'é ✓ 𝄞', 'absent'])).orderBy('aliases').execute();
    expect(picked.map((r) => r.aliases).sort()).toEqual(['a,b', 'é ✓ 𝄞', "it's"].sort());
    expect(await db.selectFrom('findings').select('component_id').where(inList(db, 'component_id', [2, 3])).orderBy('component_id').execute()).toEqual([
      { component_id: 2 },
      { component_id: 3 },
    ]);
  }
});
