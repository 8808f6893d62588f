/**
 * The portfolio database's migrations, listed in code (a static provider: no folder is read at run
 * time, so they work from the bundled dist/). Each runs on SQLite and PostgreSQL; the few types
 * that differ (auto-increment ids, bytes) are chosen by the dialect.
 */
import { type Kysely, type Migration, type MigrationProvider, PostgresAdapter, sql } from 'kysely';
import { compactEdges } from './parents.js';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const m0001: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    // an auto-increment integer id (PostgreSQL serial reads back as a JS number, unlike bigserial)
    const idType = pg ? sql`serial` : sql`integer`;
    const bytesType = pg ? sql`bytea` : sql`blob`;
    const id = (t: string) => db.schema.createTable(t).addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));

    await id('projects')
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('parent_id', 'integer', (c) => c.references('projects.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('projects_by_parent').on('projects').column('parent_id').execute();
    await db.schema
      .createTable('project_tags')
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('tag', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_tags_pk', ['project_id', 'tag'])
      .execute();
    await db.schema.createIndex('project_tags_by_tag').on('project_tags').columns(['tag', 'project_id']).execute();
    await db.schema
      .createTable('project_owners')
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('owner', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_owners_pk', ['project_id', 'owner'])
      .execute();
    await db.schema.createIndex('project_owners_by_owner').on('project_owners').columns(['owner', 'project_id']).execute();

    await id('project_versions')
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('current', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('upload_id', 'text')
      .addColumn('roots', 'text', (c) => c.notNull())
      .addColumn('meta', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('project_versions_unique', ['project_id', 'version'])
      .execute();

    await db.schema
      .createTable('documents')
      .addColumn('sha256', 'text', (c) => c.primaryKey())
      .addColumn('bytes', bytesType, (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('uploads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('document_sha256', 'text', (c) => c.notNull().references('documents.sha256'))
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('components', 'integer')
      .addColumn('findings', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      // the same bytes for the same project version are one upload
      .addUniqueConstraint('uploads_unique', ['project_id', 'version', 'document_sha256'])
      .execute();

    await id('components')
      .addColumn('purl', 'text', (c) => c.notNull().unique())
      .addColumn('purl_base', 'text', (c) => c.notNull())
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('ecosystem_base', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_norm', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('components_by_base').on('components').columns(['purl_base', 'id']).execute();
    await db.schema.createIndex('components_by_name').on('components').columns(['ecosystem_base', 'name_norm']).execute();

    // no foreign keys on the three big link tables: they are written in bulk inside the ingest
    // transaction that also wrote their parents, and checking each row costs more than it guards
    await db.schema
      .createTable('version_components')
      .addColumn('version_id', 'integer', (c) => c.notNull())
      .addColumn('component_id', 'integer', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('direct', 'integer', (c) => c.notNull())
      .addColumn('locations', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('version_components_pk', ['version_id', 'component_id'])
      .execute();
    await db.schema.createIndex('version_components_by_component').on('version_components').columns(['component_id', 'version_id']).execute();

    await db.schema
      .createTable('edges')
      .addColumn('version_id', 'integer', (c) => c.notNull())
      .addColumn('parent_id', 'integer', (c) => c.notNull())
      .addColumn('child_id', 'integer', (c) => c.notNull())
      // (version, child) first: the shortest-path search walks from a component up to a root
      .addPrimaryKeyConstraint('edges_pk', ['version_id', 'child_id', 'parent_id'])
      .execute();

    await id('findings')
      .addColumn('version_id', 'integer', (c) => c.notNull())
      .addColumn('component_id', 'integer', (c) => c.notNull())
      .addColumn('vuln_id', 'text', (c) => c.notNull())
      .addColumn('aliases', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('score', 'real')
      .addColumn('priority', 'integer')
      .addColumn('kev', 'integer', (c) => c.notNull())
      .addColumn('epss', 'real')
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addUniqueConstraint('findings_unique', ['version_id', 'component_id', 'vuln_id'])
      .execute();
    await db.schema.createIndex('findings_by_vuln').on('findings').columns(['vuln_id', 'version_id', 'component_id']).execute();

    await db.schema
      .createTable('vuln_aliases')
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('vuln_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vuln_aliases_pk', ['alias', 'vuln_id'])
      .execute();

    await db.schema
      .createTable('tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('projects', 'text')
      .addColumn('tag', 'text')
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await id('events')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('vuln', 'text', (c) => c.notNull())
      .addColumn('purl', 'text', (c) => c.notNull())
      .addColumn('generation', 'text')
      .execute();
    await db.schema.createIndex('events_by_at').on('events').columns(['at', 'id']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('singleton_key', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('jobs_by_state').on('jobs').columns(['state', 'created_at']).execute();
    // at most one unfinished job per (name, singleton key)
    await db.schema
      .createIndex('jobs_singleton')
      .on('jobs')
      .columns(['name', 'singleton_key'])
      .unique()
      .where(sql.ref('state'), 'in', ['queued', 'running'])
      .execute();

    await db.schema
      .createTable('advisory_seen')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('withdrawn', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rematch_runs')
      .addColumn('generation', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('changed', 'integer', (c) => c.notNull())
      .addColumn('new_findings', 'integer', (c) => c.notNull())
      .addColumn('gone_findings', 'integer', (c) => c.notNull())
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 14 (src/response): analyses (triage that sticks: an append-only history, the latest row
 * per (project, purl, vulnerability) is the current one), incidents, their tasks and timeline.
 */
const m0002: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    const idType = pg ? sql`serial` : sql`integer`;
    const id = (t: string) => db.schema.createTable(t).addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
    await id('analyses')
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('purl', 'text', (c) => c.notNull())
      .addColumn('vuln', 'text', (c) => c.notNull())
      .addColumn('vuln_key', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('justification', 'text')
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('analyses_by_key').on('analyses').columns(['project_id', 'purl', 'vuln_key', 'id']).execute();
    await id('incidents')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('vuln', 'text')
      .addColumn('purl', 'text')
      .addColumn('range', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('opened_by', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .execute();
    await id('incident_tasks')
      .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('purls', 'text', (c) => c.notNull())
      .addColumn('owners', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('mitigated_at', 'text')
      .addColumn('closed_at', 'text')
      .addUniqueConstraint('incident_tasks_unique', ['incident_id', 'project_id', 'version'])
      .execute();
    await id('incident_events')
      .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('task_id', 'integer')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_events_by_incident').on('incident_events').columns(['incident_id', 'id']).execute();
    await id('notification_rules')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('filters', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      // the last events / incident_events row this rule has looked at
      .addColumn('cursor_event', 'integer', (c) => c.notNull())
      .addColumn('cursor_incident_event', 'integer', (c) => c.notNull())
      .execute();
    await id('notification_outbox')
      .addColumn('rule_id', 'integer', (c) => c.notNull().references('notification_rules.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addUniqueConstraint('notification_outbox_unique', ['rule_id', 'event_id'])
      .execute();
    await db.schema.createIndex('notification_outbox_pending').on('notification_outbox').columns(['state', 'rule_id', 'id']).execute();
    await id('notification_deliveries')
      .addColumn('outbox_id', 'integer', (c) => c.notNull().references('notification_outbox.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('response', 'text')
      .addColumn('error', 'text')
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 15, the dashboard: sign-in sessions (only the SHA-256 of the cookie's secret is stored;
 * a token's sessions die with the token), OpenID Connect logins in flight (state, nonce and PKCE
 * verifier, used once), and the daily metrics snapshots behind the portfolio trend.
 */
const m20261207Session: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sessions')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('token_id', 'text', (c) => c.references('tokens.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('projects', 'text')
      .addColumn('tag', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('sessions_by_token').on('sessions').column('token_id').execute();
    await db.schema
      .createTable('oidc_logins')
      .addColumn('state', 'text', (c) => c.primaryKey())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('verifier', 'text', (c) => c.notNull())
      .addColumn('next', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('metrics_days')
      .addColumn('day', 'text', (c) => c.primaryKey())
      .addColumn('taken_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('metrics_daily')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('critical', 'integer', (c) => c.notNull())
      .addColumn('high', 'integer', (c) => c.notNull())
      .addColumn('medium', 'integer', (c) => c.notNull())
      .addColumn('low', 'integer', (c) => c.notNull())
      .addColumn('other', 'integer', (c) => c.notNull())
      .addColumn('kev', 'integer', (c) => c.notNull())
      .addColumn('epss10', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('metrics_daily_pk', ['day', 'project_id'])
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 14, the rest of items 2–3 (src/response): notification destinations (webhook, Slack,
 * e-mail) and a third cursor for the events the response layer derives itself (`response_events`:
 * upload.failed, policy.violation — one row per key, so two nodes record each once), the uploads
 * already looked at for them (`upload_checks`, seeded with every upload already finished so an
 * upgrade does not announce history), and the documents an admin stores on the server (the
 * policy, the containment playbook).
 */
const m20261207: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    const idType = pg ? sql`serial` : sql`integer`;
    const id = (t: string) => db.schema.createTable(t).addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
    await db.schema.alterTable('notification_rules').addColumn('destination', 'text', (c) => c.notNull().defaultTo('webhook')).execute();
    await db.schema.alterTable('notification_rules').addColumn('cursor_response_event', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await id('response_events')
      .addColumn('key', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('upload_checks').addColumn('upload_id', 'text', (c) => c.primaryKey()).addColumn('at', 'text', (c) => c.notNull()).execute();
    await sql`INSERT INTO upload_checks (upload_id, at) SELECT id, coalesce(finished_at, created_at) FROM uploads WHERE state IN ('done', 'failed')`.execute(db);
    await db.schema
      .createTable('server_documents')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 14 items 4–5 (docs/feeds.md): the organisation's own advisories, its subscriptions to
 * partners' signed feeds (with the last load or failure), the records each subscription holds (ids
 * and TLP, for the re-publishing rules), and a token's TLP clearance for the server's own feed.
 */
const m20261207feeds: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    const idType = pg ? sql`serial` : sql`integer`;
    await db.schema.alterTable('tokens').addColumn('tlp', 'text').execute();
    await db.schema
      .createTable('own_advisories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('json', 'text', (c) => c.notNull())
      .addColumn('tlp', 'text', (c) => c.notNull())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('withdrawn', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('feed_subscriptions')
      .addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('url', 'text', (c) => c.notNull().unique())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('token', 'text')
      .addColumn('every_seconds', 'integer', (c) => c.notNull())
      .addColumn('publisher', 'text')
      .addColumn('published', 'text')
      .addColumn('records', 'integer', (c) => c.notNull())
      .addColumn('loaded_at', 'text')
      .addColumn('last_attempt_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('next_due', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('feed_records')
      .addColumn('subscription_id', 'integer', (c) => c.notNull().references('feed_subscriptions.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('tlp', 'text', (c) => c.notNull())
      /** JSON string[]: the record's aliases, upper-cased */
      .addColumn('aliases', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_records_pk', ['subscription_id', 'id'])
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 16 (src/marketplace, server side): health results pushed by `vouch health --push` (the
 * latest per package is current), volunteers, pledges and engagements (the whole engagement as
 * JSON with its revision: updates are compare-and-set on it).
 */
const m2026_12_07_market: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    const idType = pg ? sql`serial` : sql`integer`;
    const id = (t: string) => db.schema.createTable(t).addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
    await id('market_health')
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('repository_url', 'text')
      .addColumn('head', 'text')
      .addColumn('score', 'real')
      .addColumn('report', 'text', (c) => c.notNull())
      .addColumn('pushed_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('market_health_by_package').on('market_health').columns(['ecosystem', 'name', 'id']).execute();
    await id('market_volunteers')
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('registered_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await id('market_pledges')
      .addColumn('company', 'text', (c) => c.notNull())
      .addColumn('quarter', 'text', (c) => c.notNull())
      .addColumn('hours', 'real', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('market_pledges_unique', ['company', 'quarter'])
      .execute();
    await db.schema
      .createTable('market_engagements')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('need_id', 'text', (c) => c.notNull())
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('volunteer', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('market_engagements_by_need').on('market_engagements').columns(['need_id']).execute();
    await db.schema.createIndex('market_engagements_by_package').on('market_engagements').columns(['ecosystem', 'name']).execute();
    // one open engagement per need, kept by the database even when two proposals race
    await sql`create unique index market_engagements_one_open on market_engagements (need_id) where state not in ('done', 'dropped')`.execute(db);
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 15: the outcome of each advisory refresh job (docs/dashboard.md, Settings): a refresh that
 * failed before its re-match left no trace but the queue's failed count; now its time and error are
 * kept (the newest 100 runs).
 */
const m2026_12_08_refreshes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    await db.schema
      .createTable('advisory_refreshes')
      .addColumn('id', pg ? sql`serial` : sql`integer`, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text', (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('generation', 'text')
      .addColumn('error', 'text')
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/**
 * Issue 13: the dependency edges move onto version_components (db/parents.ts): each row gets its
 * parents in that version and its shortest-path parent, and the edges table — one row per edge,
 * about as many rows as version_components — goes. Ingest then writes half the rows, and the
 * shortest path of a finding is a chain walk. Existing edges are converted version by version.
 */
const m2026_12_08_compactEdges: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const pg = isPostgres(db);
    await db.schema.alterTable('version_components').addColumn('parents', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('version_components').addColumn('path_parent', 'integer').execute();
    const versions = (await sql<{ version_id: number }>`SELECT DISTINCT version_id FROM edges ORDER BY version_id`.execute(db)).rows.map((r) => Number(r.version_id));
    // a batch of versions per read, their rows updated in chunks (one statement each)
    for (let at = 0; at < versions.length; at += 200) {
      const batch = versions.slice(at, at + 200);
      const edges = (
        await sql<{ version_id: number; parent_id: number; child_id: number }>`SELECT version_id, parent_id, child_id FROM edges WHERE version_id IN (${sql.join(batch)})`.execute(db)
      ).rows;
      const byVersion = new Map<number, [number, number][]>();
      for (const e of edges) {
        const v = Number(e.version_id);
        let l = byVersion.get(v);
        if (!l) byVersion.set(v, (l = []));
        l.push([Number(e.parent_id), Number(e.child_id)]);
      }
      const rows: [number, number, string, number | null][] = [];
      for (const [v, l] of byVersion) for (const [c, r] of compactEdges(l)) rows.push([v, c, r.parents.join(','), r.pathParent]);
      for (let i = 0; i < rows.length; i += 5_000) {
        const part = rows.slice(i, i + 5_000);
        if (pg) {
          await sql`UPDATE version_components AS vc SET parents = k.p, path_parent = k.pp
            FROM unnest(${part.map((r) => r[0])}::int4[], ${part.map((r) => r[1])}::int4[], ${part.map((r) => r[2])}::text[], ${part.map((r) => r[3])}::int4[]) AS k(v, c, p, pp)
            WHERE vc.version_id = k.v AND vc.component_id = k.c`.execute(db);
        } else {
          await sql`UPDATE version_components SET parents = k.p, path_parent = k.pp
            FROM (SELECT json_extract(value, '$[0]') AS v, json_extract(value, '$[1]') AS c, json_extract(value, '$[2]') AS p, json_extract(value, '$[3]') AS pp FROM json_each(${JSON.stringify(part)})) AS k
            WHERE version_components.version_id = k.v AND version_components.component_id = k.c`.execute(db);
        }
      }
    }
    await db.schema.dropTable('edges').execute();
  },
  async down(): Promise<void> {
    throw new Error('the portfolio database is migrated forward only');
  },
};

/** Every migration, in order: names sort as they run. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_portfolio': m0001,
  '0002_response': m0002,
  '2026_12_07_feeds': m20261207feeds,
  '2026_12_07_market': m2026_12_07_market,
  '2026_12_07_respond_destinations': m20261207,
  '2026_12_07_session_trend': m20261207Session,
  '2026_12_08_advisory_refreshes': m2026_12_08_refreshes,
  '2026_12_08_compact_edges': m2026_12_08_compactEdges,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
