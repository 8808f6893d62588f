/**
 * The portfolio database's tables as Kysely sees them (migration 0001 creates them). One shape for
 * SQLite and PostgreSQL: booleans are integers 0/1, times are ISO-8601 text, JSON is text, so the
 * same query reads the same values on both.
 */
import type { Generated } from 'kysely';

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  created_at: string;
}

export interface ProjectTagsTable {
  project_id: number;
  tag: string;
}

export interface ProjectOwnersTable {
  project_id: number;
  owner: string;
}

export interface ProjectVersionsTable {
  id: Generated<number>;
  project_id: number;
  version: string;
  /** 1 for the project's current version (at most one per project). */
  current: number;
  /** The upload whose document this version holds now. */
  upload_id: string | null;
  /** JSON: the graph's roots [{ ref, label }] — edge parents below 0 are roots: -1 is roots[0]. */
  roots: string;
  /** JSON: the scan report without its findings (inputs, unresolved, stats, store...), to rebuild it. */
  meta: string;
  created_at: string;
  updated_at: string;
}

export interface DocumentsTable {
  /** hex SHA-256 of the bytes: the document's identity. */
  sha256: string;
  bytes: Buffer;
  size: number;
  file_name: string;
  created_at: string;
}

export type UploadState = 'queued' | 'running' | 'done' | 'failed';

export interface UploadsTable {
  id: string;
  project_id: number;
  version: string;
  document_sha256: string;
  file_name: string;
  state: UploadState;
  /** JSON { title, detail, pointer?, line? } when failed. */
  error: string | null;
  components: number | null;
  findings: number | null;
  created_at: string;
  finished_at: string | null;
}

export interface ComponentsTable {
  id: Generated<number>;
  /** canonical purl with version: one row per purl across the portfolio */
  purl: string;
  /** the purl without version, qualifiers or subpath (what `componentsUsing` asks for) */
  purl_base: string;
  /** OSV ecosystem ('' when none vouch knows) */
  ecosystem: string;
  /** the ecosystem's base (`Debian` for `Debian:12`): what advisories are indexed by */
  ecosystem_base: string;
  name: string;
  /** the name advisories use, normalised by the ecosystem's rule (re-match selects by it) */
  name_norm: string;
  version: string;
  /** JSON of the engine's Component minus per-project fields (advisoryName/Version, licenses, hashes) */
  data: string;
}

export interface VersionComponentsTable {
  version_id: number;
  component_id: number;
  scope: string;
  direct: number;
  /** JSON [{ path, line? }] */
  locations: string;
  /**
   * the component's parents in this version (the dependency edges into it): component ids, or -1-i
   * for the version's root i, ascending, comma-separated; '' when none (db/parents.ts)
   */
  parents: Generated<string>;
  /** the parent on its shortest path from a root; null when no root reaches it (db/parents.ts) */
  path_parent: Generated<number | null>;
}

export interface FindingsTable {
  id: Generated<number>;
  version_id: number;
  component_id: number;
  /** the finding's OSV id (the primary one of merged records) */
  vuln_id: string;
  /** JSON string[] */
  aliases: string;
  severity: string;
  score: number | null;
  priority: number | null;
  kev: number;
  epss: number | null;
  first_seen: string;
  /** set when a re-match no longer finds it (open findings have null) */
  resolved_at: string | null;
  /** JSON of the engine's ReportFinding, as last computed */
  data: string;
}

export interface VulnAliasesTable {
  /** an id or alias as written upper-cased (CVE-2021-44228, GHSA-JFH8-C2JP-5V3Q) */
  alias: string;
  /** the findings' vuln_id it stands for */
  vuln_id: string;
}

export interface TokensTable {
  id: string;
  name: string;
  role: string;
  /** JSON string[] or null */
  projects: string | null;
  tag: string | null;
  /** hex SHA-256 of the token: the token itself is never stored */
  hash: string;
  created_at: string;
  revoked_at: string | null;
  /** The TLP clearance of the token on the server's own feed (CLEAR, GREEN, AMBER); null = CLEAR. */
  tlp: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  at: string;
  project: string;
  version: string;
  vuln: string;
  purl: string;
  /** the advisory store generation whose re-match recorded it */
  generation: string | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  name: string;
  data: string;
  singleton_key: string | null;
  state: JobState;
  attempts: number;
  max_attempts: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface AdvisorySeenTable {
  id: string;
  modified: string;
  withdrawn: number;
}

export interface RematchRunsTable {
  /** the store generation (a digest of its (id, modified, withdrawn) rows) */
  generation: string;
  at: string;
  changed: number;
  new_findings: number;
  gone_findings: number;
}

/** Issue 15: one row per advisory refresh job run (its outcome; the newest 100 are kept). */
export interface AdvisoryRefreshesTable {
  id: Generated<number>;
  /** the source loaded, without credentials (user:password@ and the query of a URL are cut) */
  source: string;
  started_at: string;
  finished_at: string;
  /** 1 when the store was updated (its re-match queued), 0 when the refresh failed */
  ok: number;
  /** the store generation loaded (ok) */
  generation: string | null;
  /** why it failed: the error's first line, without credentials, at most 500 characters */
  error: string | null;
}

/** Issue 14: one row per analysis ever recorded (append-only); the latest per (project, purl, vuln_key) is current. */
export interface AnalysesTable {
  id: Generated<number>;
  project_id: number;
  /** the component's purl with version, as the findings write it */
  purl: string;
  /** the vulnerability id as given (an OSV id or an alias) */
  vuln: string;
  /** `vuln` upper-cased: what findings' ids and aliases are compared with */
  vuln_key: string;
  state: string;
  justification: string | null;
  /** JSON string[] (CycloneDX responses) */
  response: string;
  detail: string | null;
  author: string;
  /** api | bulk | vex:<file> | incident:<id> */
  source: string;
  created_at: string;
}

export interface IncidentsTable {
  id: Generated<number>;
  title: string;
  vuln: string | null;
  purl: string | null;
  range: string | null;
  state: string;
  opened_by: string;
  /** JSON of the opener's Scope: the blast radius is computed within it */
  scope: string;
  created_at: string;
  closed_at: string | null;
}

export interface IncidentTasksTable {
  id: Generated<number>;
  incident_id: number;
  project_id: number;
  version: string;
  /** JSON string[]: the affected components */
  purls: string;
  /** JSON string[]: the project's owners when the task was opened */
  owners: string;
  /** open | mitigated | patched | not_affected */
  state: string;
  created_at: string;
  mitigated_at: string | null;
  closed_at: string | null;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  task_id: number | null;
  type: string;
  at: string;
  actor: string;
  /** JSON object */
  detail: string;
}

export interface NotificationRulesTable {
  id: Generated<number>;
  name: string;
  /** JSON string[]: event types (finding.new, finding.resolved, incident.opened, incident.updated) */
  events: string;
  /** JSON { minSeverity?, kevOnly?, tag?, owner? } */
  filters: string;
  url: string;
  /** the HMAC key of X-Vouch-Signature (kept: the server signs with it) */
  secret: string;
  created_by: string;
  created_at: string;
  cursor_event: number;
  cursor_incident_event: number;
  /** webhook | slack | email (url is then mailto:a@example.com,b@example.com) */
  destination: Generated<string>;
  /** the last response_events row this rule has looked at */
  cursor_response_event: Generated<number>;
}

/** Events the response layer derives (upload.failed, policy.violation); `key` makes recording them idempotent. */
export interface ResponseEventsTable {
  id: Generated<number>;
  key: string;
  type: string;
  at: string;
  project: string;
  version: string;
  /** JSON object */
  detail: string;
}

/** Finished uploads already looked at for response events. */
export interface UploadChecksTable {
  upload_id: string;
  at: string;
}

/** What an admin stores on the server: `policy` (vouch.policy.yaml), `containment` (vouch.containment.yaml). */
export interface ServerDocumentsTable {
  name: string;
  text: string;
  updated_by: string;
  updated_at: string;
}

export interface NotificationOutboxTable {
  id: Generated<number>;
  rule_id: number;
  /** stable per event: a retry and a duplicate carry the same id */
  event_id: string;
  event_type: string;
  /** the JSON body sent */
  body: string;
  /** pending | delivered | failed */
  state: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  delivered_at: string | null;
}

export interface NotificationDeliveriesTable {
  id: Generated<number>;
  outbox_id: number;
  attempt: number;
  at: string;
  status: number | null;
  /** the start of the receiver's answer */
  response: string | null;
  error: string | null;
}

/** A dashboard sign-in (issue 15): the cookie's secret is never stored, only its SHA-256. */
export interface SessionsTable {
  hash: string;
  /** the API token signed in with (its role and scope are read from it on every request); null for OpenID Connect */
  token_id: string | null;
  /** `token:<id>` or `oidc:<issuer sub>` */
  subject: string;
  name: string;
  role: string;
  /** JSON string[] or null (OpenID Connect sessions; a token's are the token's) */
  projects: string | null;
  tag: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** An OpenID Connect sign-in between the redirect to the provider and its callback (used once). */
export interface OidcLoginsTable {
  state: string;
  nonce: string;
  /** the PKCE code verifier */
  verifier: string;
  /** the app's page to return to (a local path) */
  next: string;
  created_at: string;
}

/** The days a metrics snapshot was taken (a day without rows still had one: all zero). */
export interface MetricsDaysTable {
  day: string;
  taken_at: string;
}

/** Per day and project (with any open finding in its current version): the counts of the portfolio trend. */
export interface MetricsDailyTable {
  day: string;
  project_id: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** NONE and UNKNOWN ratings */
  other: number;
  kev: number;
  /** findings with an EPSS score of at least 0.1 */
  epss10: number;
}

/** docs/feeds.md: an advisory the organisation wrote, served in its own feed and matched as source `own`. */
export interface OwnAdvisoriesTable {
  id: string;
  /** the OSV record as stored (withdrawing sets its `withdrawn` and `modified`) */
  json: string;
  tlp: string;
  modified: string;
  withdrawn: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** A partner's signed feed the server loads on a schedule. */
export interface FeedSubscriptionsTable {
  id: Generated<number>;
  /** the feed's location (an http(s) URL without index.json) */
  url: string;
  /** SPKI PEM of the key the feed must verify with */
  public_key: string;
  /** `SHA256:<hex>` of that key */
  key_id: string;
  /** the bearer token to send to the partner's server (kept: the server sends it), or null */
  token: string | null;
  every_seconds: number;
  publisher: string | null;
  /** the `published` time of the last index loaded: an older one is a replay */
  published: string | null;
  records: number;
  loaded_at: string | null;
  last_attempt_at: string | null;
  /** the one line of the last failure; null after a load */
  last_error: string | null;
  next_due: string;
  created_by: string;
  created_at: string;
}

export interface FeedRecordsTable {
  subscription_id: number;
  id: string;
  tlp: string;
  aliases: string;
}

/** Issue 16: a health report pushed by `vouch health --push`; the latest per (ecosystem, name) is current. */
export interface MarketHealthTable {
  id: Generated<number>;
  ecosystem: string;
  name: string;
  repository_url: string | null;
  head: string | null;
  score: number | null;
  /** JSON { report: HealthReport, activeMaintainers?, domains } */
  report: string;
  pushed_by: string;
  created_at: string;
}

export interface MarketVolunteersTable {
  id: Generated<number>;
  name: string;
  /** JSON of the marketplace's Volunteer */
  data: string;
  /** the token name that registered it (it, an admin or a maintainer may change it) */
  registered_by: string;
  created_at: string;
  updated_at: string;
}

export interface MarketPledgesTable {
  id: Generated<number>;
  company: string;
  quarter: string;
  hours: number;
  created_by: string;
  created_at: string;
}

export interface MarketEngagementsTable {
  id: string;
  need_id: string;
  ecosystem: string;
  name: string;
  volunteer: string;
  state: string;
  /** the engagement's revision: an update is `WHERE revision = new − 1` */
  revision: number;
  /** JSON of the marketplace's Engagement */
  data: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  projects: ProjectsTable;
  project_tags: ProjectTagsTable;
  project_owners: ProjectOwnersTable;
  project_versions: ProjectVersionsTable;
  documents: DocumentsTable;
  uploads: UploadsTable;
  components: ComponentsTable;
  version_components: VersionComponentsTable;
  findings: FindingsTable;
  vuln_aliases: VulnAliasesTable;
  tokens: TokensTable;
  events: EventsTable;
  jobs: JobsTable;
  advisory_seen: AdvisorySeenTable;
  rematch_runs: RematchRunsTable;
  advisory_refreshes: AdvisoryRefreshesTable;
  analyses: AnalysesTable;
  incidents: IncidentsTable;
  incident_tasks: IncidentTasksTable;
  incident_events: IncidentEventsTable;
  notification_rules: NotificationRulesTable;
  notification_outbox: NotificationOutboxTable;
  notification_deliveries: NotificationDeliveriesTable;
  sessions: SessionsTable;
  oidc_logins: OidcLoginsTable;
  metrics_days: MetricsDaysTable;
  metrics_daily: MetricsDailyTable;
  response_events: ResponseEventsTable;
  upload_checks: UploadChecksTable;
  server_documents: ServerDocumentsTable;
  own_advisories: OwnAdvisoriesTable;
  feed_subscriptions: FeedSubscriptionsTable;
  feed_records: FeedRecordsTable;
  market_health: MarketHealthTable;
  market_volunteers: MarketVolunteersTable;
  market_pledges: MarketPledgesTable;
  market_engagements: MarketEngagementsTable;
}
