/**
 * Notifications (issue 14, item 2): rules say which events go where — a webhook, a Slack-compatible
 * incoming webhook, or e-mail (destinations.ts). Events are copied into an outbox per rule
 * (`collect`), then sent (`deliverDue`): a webhook gets the event as JSON with
 * `X-Vouch-Signature: sha256=<HMAC-SHA256(secret, timestamp + "." + body)>`, Slack `{text, blocks}`,
 * e-mail a message through the configured SMTP server; all retried with exponential backoff for
 * 24 hours, every attempt and its answer recorded.
 *
 * At least once, in order per rule: a rule's next event is not sent before the one before it was
 * delivered (or given up after 24 h); a retry or a duplicate carries the same `X-Vouch-Event-Id`.
 * `collect` is idempotent (one outbox row per rule and event id, cursors advanced in the same
 * transaction), so two nodes running it at once deliver nothing twice by it.
 *
 * Events: `finding.new`, `finding.resolved` (what the re-match records in `events`), `finding.kev`
 * (portfolio/kev.ts, also in `events`), `incident.opened` and `incident.updated` (an incident's
 * timeline), `upload.failed` and `policy.violation` (upload-events.ts, in `response_events`). The
 * receiver is never followed to another place (no redirects) and has 10 seconds to answer.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import { RATINGS_DESC } from '../model/triage.js';
import { PortfolioError } from '../portfolio/errors.js';
import { type Destination, type EventBody, type Mailer, type SmtpSettings, mailOf, redactSecrets, slackPayload, smtpMailer } from './destinations.js';
import { recordUploadEvents } from './upload-events.js';

export const NOTIFICATION_EVENTS = ['finding.new', 'finding.resolved', 'finding.kev', 'incident.opened', 'incident.updated', 'policy.violation', 'upload.failed'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface RuleFilters {
  /** findings at or above this rating (CRITICAL, HIGH, MEDIUM, LOW) */
  minSeverity?: string;
  kevOnly?: boolean;
  /** findings whose EPSS probability is at least this (0 to 1) */
  minEpss?: number;
  tag?: string;
  owner?: string;
}

export interface RuleInput {
  name: string;
  events: NotificationEvent[];
  filters?: RuleFilters;
  /** webhook (default), slack or email */
  destination?: Destination;
  /** webhook and slack: where to POST */
  url?: string;
  /** email: the recipients */
  to?: string[];
}

export interface RuleView {
  id: number;
  name: string;
  events: string[];
  filters: RuleFilters;
  destination: Destination;
  /** webhook and slack */
  url?: string;
  /** email */
  to?: string[];
  createdBy: string;
  createdAt: string;
}

/** A plain address (local@domain): no display names, no lists — each recipient is its own item. */
const EMAIL = /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Give up on an event this long after it was collected. */
export const RETRY_FOR_MS = 24 * 3600 * 1000;
export const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3600_000;
const TIMEOUT_MS = 10_000;

/** The stored `url` of a rule: the webhook's URL, or `mailto:` and the recipients for e-mail. */
function destinationUrl(input: RuleInput): { destination: Destination; url: string } {
  const destination = input.destination ?? 'webhook';
  if (destination === 'email') {
    if (input.url !== undefined) throw new PortfolioError('invalid', 'body $.url: an email rule has recipients (to), not a URL');
    const to = [...new Set((input.to ?? []).map((t) => t.trim()))];
    if (!to.length) throw new PortfolioError('invalid', 'body $.to: an email rule needs at least one recipient');
    const bad = to.find((t) => !EMAIL.test(t));
    if (bad !== undefined) throw new PortfolioError('invalid', `body $.to: "${bad}" is not an e-mail address (name@example.com)`);
    return { destination, url: `mailto:${to.join(',')}` };
  }
  if (input.to !== undefined) throw new PortfolioError('invalid', `body $.to: a ${destination} rule has a URL, not recipients`);
  if (input.url === undefined) throw new PortfolioError('invalid', `body $.url: a ${destination} rule needs the URL to POST to`);
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new PortfolioError('invalid', `body $.url: "${input.url}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PortfolioError('invalid', `body $.url: a ${destination} URL is http:// or https://`);
  if (url.username || url.password) throw new PortfolioError('invalid', 'body $.url: no credentials in the URL: the signature authenticates the server');
  return { destination, url: url.toString() };
}

export async function createRule(db: Db, input: RuleInput, opts: { actor: string; now?: Date }): Promise<RuleView & { secret: string }> {
  const { destination, url } = destinationUrl(input);
  const f = input.filters ?? {};
  if (f.minSeverity !== undefined && !(RATINGS_DESC as readonly string[]).includes(f.minSeverity.toUpperCase())) throw new PortfolioError('invalid', `body $.filters.minSeverity: one of ${RATINGS_DESC.join(', ')}`);
  if (f.minEpss !== undefined && !(f.minEpss >= 0 && f.minEpss <= 1)) throw new PortfolioError('invalid', 'body $.filters.minEpss: a probability from 0 to 1');
  const filters: RuleFilters = {
    ...(f.minSeverity ? { minSeverity: f.minSeverity.toUpperCase() } : {}),
    ...(f.kevOnly ? { kevOnly: true } : {}),
    ...(f.minEpss !== undefined ? { minEpss: f.minEpss } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.owner ? { owner: f.owner } : {}),
  };
  const at = (opts.now ?? new Date()).toISOString();
  const secret = randomBytes(32).toString('base64url');
  // a new rule hears what happens from now on: its cursors start at the newest rows
  const lastEvent = Number((await db.selectFrom('events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  const lastIncident = Number((await db.selectFrom('incident_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  const lastResponse = Number((await db.selectFrom('response_events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
  const row = {
    name: input.name,
    events: JSON.stringify([...new Set(input.events)]),
    filters: JSON.stringify(filters),
    destination,
    url,
    secret,
    created_by: opts.actor,
    created_at: at,
    cursor_event: lastEvent,
    cursor_incident_event: lastIncident,
    cursor_response_event: lastResponse,
  };
  const { id } = await db.insertInto('notification_rules').values(row).returning('id').executeTakeFirstOrThrow();
  return { ...viewOf({ ...row, id }), secret };
}

function viewOf(r: { id: number; name: string; events: string; filters: string; destination: string; url: string; created_by: string; created_at: string }): RuleView {
  const destination = r.destination as Destination;
  return {
    id: r.id,
    name: r.name,
    events: JSON.parse(r.events) as string[],
    filters: JSON.parse(r.filters) as RuleFilters,
    destination,
    ...(destination === 'email' ? { to: r.url.slice('mailto:'.length).split(',') } : { url: r.url }),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export async function listRules(db: Db): Promise<RuleView[]> {
  return (await db.selectFrom('notification_rules').selectAll().orderBy('id').execute()).map(viewOf);
}

/** A rule's deliveries, newest first: each attempt with its answer. */
export async function listDeliveries(db: Db, ruleId: number, opts: { limit?: number } = {}): Promise<{ eventId: string; eventType: string; state: string; attempt: number; at: string; status?: number; response?: string; error?: string }[] | undefined> {
  if (!(await db.selectFrom('notification_rules').select('id').where('id', '=', ruleId).executeTakeFirst())) return undefined;
  const rows = await db
    .selectFrom('notification_deliveries as d')
    .innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id')
    .select(['o.event_id', 'o.event_type', 'o.state', 'd.attempt', 'd.at', 'd.status', 'd.response', 'd.error'])
    .where('o.rule_id', '=', ruleId)
    .orderBy('d.id', 'desc')
    .limit(Math.min(1000, opts.limit ?? 100))
    .execute();
  return rows.map((r) => ({ eventId: r.event_id, eventType: r.event_type, state: r.state, attempt: r.attempt, at: r.at, ...(r.status !== null ? { status: r.status } : {}), ...(r.response !== null ? { response: r.response } : {}), ...(r.error !== null ? { error: r.error } : {}) }));
}

async function projectMatches(db: Db, project: string, f: RuleFilters): Promise<boolean> {
  if (f.tag === undefined && f.owner === undefined) return true;
  const p = await db.selectFrom('projects').select('id').where('name', '=', project).executeTakeFirst();
  if (!p) return false;
  if (f.tag !== undefined && !(await db.selectFrom('project_tags').select('tag').where('project_id', '=', p.id).where('tag', '=', f.tag).executeTakeFirst())) return false;
  if (f.owner !== undefined && !(await db.selectFrom('project_owners').select('owner').where('project_id', '=', p.id).where('owner', '=', f.owner).executeTakeFirst())) return false;
  return true;
}

function hasFindingFilters(f: RuleFilters): boolean {
  return f.minSeverity !== undefined || f.kevOnly === true || f.minEpss !== undefined;
}

/** Whether a finding (severity, KEV, EPSS) passes a rule's finding filters; `noFinding` answers for an event without one. */
function findingPasses(f: RuleFilters, finding: { severity: string; kev: boolean; epss: number | null } | undefined, opts: { noFinding?: boolean } = {}): boolean {
  if (!finding) return opts.noFinding ?? !hasFindingFilters(f);
  if (f.kevOnly && !finding.kev) return false;
  if (f.minSeverity !== undefined && RATINGS_DESC.indexOf(finding.severity as never) > RATINGS_DESC.indexOf(f.minSeverity as never)) return false;
  if (f.minEpss !== undefined && (finding.epss ?? 0) < f.minEpss) return false;
  return true;
}

/** Copies new events into each rule's outbox (filtered), advancing the rule's cursors in the same transaction. */
export async function collect(db: Db, opts: { now?: Date } = {}): Promise<number> {
  const at = (opts.now ?? new Date()).toISOString();
  let queued = 0;
  for (const rule of await db.selectFrom('notification_rules').selectAll().orderBy('id').execute()) {
    const events = JSON.parse(rule.events) as string[];
    const f = JSON.parse(rule.filters) as RuleFilters;
    const out: { event_id: string; event_type: string; body: string }[] = [];
    const findingEvents = await db.selectFrom('events').selectAll().where('id', '>', rule.cursor_event).orderBy('id').limit(5000).execute();
    for (const e of findingEvents) {
      if (!events.includes(e.type)) continue;
      if (!(await projectMatches(db, e.project, f))) continue;
      const finding = await db
        .selectFrom('findings as fi')
        .innerJoin('project_versions as v', 'v.id', 'fi.version_id')
        .innerJoin('projects as p', 'p.id', 'v.project_id')
        .innerJoin('components as c', 'c.id', 'fi.component_id')
        .select(['fi.severity', 'fi.kev', 'fi.epss'])
        .where('p.name', '=', e.project)
        .where('v.version', '=', e.version)
        .where('c.purl', '=', e.purl)
        .where('fi.vuln_id', '=', e.vuln)
        .executeTakeFirst();
      if (!findingPasses(f, finding ? { severity: finding.severity, kev: finding.kev === 1, epss: finding.epss } : undefined)) continue;
      const id = `event-${e.id}`;
      out.push({
        event_id: id,
        event_type: e.type,
        body: JSON.stringify({ id, type: e.type, at: e.at, project: e.project, version: e.version, vuln: e.vuln, purl: e.purl, ...(finding ? { severity: finding.severity, kev: finding.kev === 1, ...(finding.epss !== null ? { epss: finding.epss } : {}) } : {}) }),
      });
    }
    const incidentEvents = await db.selectFrom('incident_events').selectAll().where('id', '>', rule.cursor_incident_event).orderBy('id').limit(5000).execute();
    for (const e of incidentEvents) {
      const type = e.type === 'incident.opened' ? 'incident.opened' : 'incident.updated';
      if (!events.includes(type)) continue;
      const detail = JSON.parse(e.detail) as Record<string, unknown>;
      if (typeof detail['project'] === 'string' ? !(await projectMatches(db, detail['project'], f)) : f.tag !== undefined || f.owner !== undefined) continue;
      const id = `incident-event-${e.id}`;
      out.push({ event_id: id, event_type: type, body: JSON.stringify({ id, type, at: e.at, incident: e.incident_id, change: e.type, actor: e.actor, ...(e.task_id !== null ? { task: e.task_id } : {}), detail }) });
    }
    const responseEvents = await db.selectFrom('response_events').selectAll().where('id', '>', rule.cursor_response_event).orderBy('id').limit(5000).execute();
    for (const e of responseEvents) {
      if (!events.includes(e.type)) continue;
      if (!(await projectMatches(db, e.project, f))) continue;
      const detail = JSON.parse(e.detail) as Record<string, unknown>;
      if (e.type === 'policy.violation') {
        // the finding filters keep the violations they would keep as findings; a violation that is no finding (an expired ignore rule) only passes a rule without them
        const violations = (detail['violations'] as { severity?: string; kev?: boolean; epss?: number }[]).filter((v) =>
          findingPasses(f, v.severity !== undefined ? { severity: v.severity, kev: v.kev === true, epss: v.epss ?? null } : undefined, { noFinding: !hasFindingFilters(f) }),
        );
        if (!violations.length) continue;
        detail['violations'] = violations;
      }
      const id = `response-event-${e.id}`;
      out.push({ event_id: id, event_type: e.type, body: JSON.stringify({ id, type: e.type, at: e.at, project: e.project, version: e.version, detail }) });
    }
    const lastEvent = findingEvents.at(-1)?.id ?? rule.cursor_event;
    const lastIncident = incidentEvents.at(-1)?.id ?? rule.cursor_incident_event;
    const lastResponse = responseEvents.at(-1)?.id ?? rule.cursor_response_event;
    if (lastEvent === rule.cursor_event && lastIncident === rule.cursor_incident_event && lastResponse === rule.cursor_response_event) continue;
    await db.transaction().execute(async (tx) => {
      // another node advanced the cursors first: it queued these
      const moved = await tx
        .updateTable('notification_rules')
        .set({ cursor_event: lastEvent, cursor_incident_event: lastIncident, cursor_response_event: lastResponse })
        .where('id', '=', rule.id)
        .where('cursor_event', '=', rule.cursor_event)
        .where('cursor_incident_event', '=', rule.cursor_incident_event)
        .where('cursor_response_event', '=', rule.cursor_response_event)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return;
      for (const o of out) {
        const r = await tx
          .insertInto('notification_outbox')
          .values({ rule_id: rule.id, ...o, state: 'pending', attempts: 0, created_at: at, next_attempt_at: at, delivered_at: null })
          .onConflict((oc) => oc.columns(['rule_id', 'event_id']).doNothing())
          .executeTakeFirst();
        queued += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
    });
  }
  return queued;
}

/** The signature header's value: sha256= hex HMAC over `${timestamp}.${body}`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What deliverDue needs besides the database: the HTTP client, the SMTP mailer, the first retry delay. */
export interface DeliveryOptions {
  now?: Date;
  fetch?: typeof fetch;
  /** e-mail rules: the configured SMTP server (none: their deliveries fail and are retried) */
  mailer?: Mailer;
  /** its settings, so error text never quotes the password */
  smtp?: SmtpSettings;
  /** the wait before the first retry (default 30 s), doubled each time, at most an hour */
  firstRetryMs?: number;
}

/**
 * Sends what is due: per rule, the oldest pending event whose time has come (so a rule's events
 * arrive in order). A webhook or Slack POST answered 2xx, or a mail the SMTP server accepted,
 * delivers it; anything else (an error status, a redirect, no answer in 10 s, a refused mail) is
 * recorded and retried after 30 s, 1 min, 2 min … at most an hour apart, until 24 h after it was
 * collected, then it is `failed` and the rule's next event goes.
 */
export async function deliverDue(db: Db, opts: DeliveryOptions = {}): Promise<{ delivered: number; failedAttempts: number }> {
  const now = opts.now ?? new Date();
  const send = opts.fetch ?? fetch;
  const firstRetry = opts.firstRetryMs ?? FIRST_RETRY_MS;
  let delivered = 0;
  let failedAttempts = 0;
  const rules = await db.selectFrom('notification_rules').select(['id', 'url', 'secret', 'destination']).orderBy('id').execute();
  for (const rule of rules) {
    const next = await db.selectFrom('notification_outbox').selectAll().where('rule_id', '=', rule.id).where('state', '=', 'pending').orderBy('id').limit(1).executeTakeFirst();
    if (!next || next.next_attempt_at > now.toISOString()) continue;
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let status: number | undefined;
    let response: string | undefined;
    let error: string | undefined;
    let ok = false;
    if (rule.destination === 'email') {
      try {
        if (!opts.mailer) throw new Error('no SMTP server is configured on this worker (vouch serve --smtp URL --smtp-from ADDR)');
        response = (await opts.mailer.send(mailOf(JSON.parse(next.body) as EventBody, rule.url.slice('mailto:'.length).split(','), opts.smtp?.from ?? ''))).slice(0, 1000);
        ok = true;
      } catch (e) {
        const code = (e as { code?: string }).code;
        error = redactSecrets(`${code ? `${code}: ` : ''}${(e as Error).message}`, opts.smtp).slice(0, 1000);
      }
    } else {
      const body = rule.destination === 'slack' ? slackPayload(JSON.parse(next.body) as EventBody) : next.body;
      try {
        const res = await send(rule.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
          headers: { 'content-type': 'application/json', 'user-agent': 'vouch-webhook', 'x-vouch-event-id': next.event_id, 'x-vouch-event': next.event_type, 'x-vouch-timestamp': timestamp, 'x-vouch-signature': signature(rule.secret, timestamp, body) },
          body,
        });
        status = res.status;
        response = (await res.text()).slice(0, 1000);
        if (res.status >= 300 && res.status < 400) error = `redirect to ${res.headers.get('location') ?? '?'} not followed`;
      } catch (e) {
        error = (e as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
      }
      ok = status !== undefined && status >= 200 && status < 300;
    }
    const attempt = next.attempts + 1;
    const at = now.toISOString();
    const giveUp = !ok && now.getTime() - Date.parse(next.created_at) >= RETRY_FOR_MS;
    const wait = Math.min(MAX_RETRY_MS, firstRetry * 2 ** (attempt - 1));
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('notification_deliveries').values({ outbox_id: next.id, attempt, at, status: status ?? null, response: response ?? null, error: error ?? null }).execute();
      await tx
        .updateTable('notification_outbox')
        .set({ attempts: attempt, state: ok ? 'delivered' : giveUp ? 'failed' : 'pending', ...(ok ? { delivered_at: at } : {}), next_attempt_at: ok || giveUp ? at : new Date(now.getTime() + wait).toISOString() })
        .where('id', '=', next.id)
        .execute();
    });
    if (ok) delivered++;
    else failedAttempts++;
  }
  return { delivered, failedAttempts };
}

/**
 * The worker's loop: collect, then deliver what is due, every `intervalMs` (default 5 s), never two
 * rounds at once. Several nodes may run it: collect is idempotent; two nodes delivering the same
 * due event at the same moment may both send it — at least once, with one event id.
 */
export function startNotifier(
  db: Db,
  opts: { intervalMs?: number; firstRetryMs?: number; smtp?: SmtpSettings; onError?: (e: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const mailer = opts.smtp ? smtpMailer(opts.smtp, TIMEOUT_MS) : undefined;
  const delivery: DeliveryOptions = { ...(mailer ? { mailer } : {}), ...(opts.smtp ? { smtp: opts.smtp } : {}), ...(opts.firstRetryMs !== undefined ? { firstRetryMs: opts.firstRetryMs } : {}) };
  const round = async (): Promise<void> => {
    try {
      // events derived from finished uploads (upload.failed, policy.violation) first, then the outboxes
      await recordUploadEvents(db);
      await collect(db);
      // deliver until nothing more is due now (one event per rule per pass)
      for (let i = 0; i < 100; i++) if ((await deliverDue(db, delivery)).delivered === 0) break;
    } catch (e) {
      opts.onError?.(e);
    }
  };
  const timer = setInterval(() => {
    if (!running) running = round().finally(() => (running = undefined));
  }, opts.intervalMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      mailer?.close();
    },
  };
}
