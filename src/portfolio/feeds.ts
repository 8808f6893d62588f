/**
 * Issue 14 items 4–5 on the server (docs/feeds.md, "On the server"): the organisation's own
 * advisories, its subscriptions to partners' signed feeds, and the feed it serves — plain functions
 * over a Kysely handle and the node's advisory store, no HTTP.
 *
 *   - Own advisories live in the database (`own_advisories`, the source of truth every node shares)
 *     and are copied into the node's advisory store as the feed named `own` (`syncOwnToStore`), so
 *     they are matched like any other source: their findings carry `source.name` "own".
 *   - A subscription is read by src/share/feed.ts' `readAdvisoryFeed` — the reader `vouch db update
 *     --source FEED --trusted-key` uses — which verifies everything before it returns anything; a
 *     feed that fails is recorded on the subscription (`lastError`) and loads nothing.
 *   - Signing and verifying are passed in (`FeedCrypto`, `FeedSigner`): src/attest is not the
 *     server's to import (ARCHITECTURE.md); `vouch serve` gives them.
 */
import { AdvisoryStore, storePath } from '../advisories/store.js';
import { updateStore } from '../advisories/import.js';
import { existsSync } from 'node:fs';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import type { Advisory } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { byCodePoint } from '../model/order.js';
import { osvProblems } from '../share/advisory.js';
import { type IndexVerifier, type ServedRecord, type Tlp, feedLocation, isFeedRecordId, parseTlp, readAdvisoryFeed, servedFeed } from '../share/feed.js';
import type { JobQueue } from '../jobs/index.js';
import { PortfolioError } from './errors.js';
import { storeGeneration } from './rematch.js';

/** The advisory store's name for the organisation's own records (a feed location no URL or folder can be). */
export const OWN_FEED = 'own';

/** What the server verifies subscribed feeds with: a partner's public key (PEM) as a verifier. */
export interface FeedCrypto {
  /** Throws a VouchError naming what is wrong with the key. `keyId` is `SHA256:<hex>`. */
  verifierFor(publicKeyPem: string): Promise<{ keyId: string; verify: IndexVerifier }>;
}

/** The server's own feed key (`vouch serve --feed-key`). */
export interface FeedSigner {
  /** The name subscribers' reports show. */
  publisher: string;
  /** `SHA256:<hex>` of the key. */
  keyId: string;
  /** The Sigstore bundle over the index bytes. */
  sign(index: Buffer): Promise<string>;
}

// ---- own advisories ----------------------------------------------------------------------------

export interface OwnAdvisoryView {
  id: string;
  tlp: Tlp;
  modified: string;
  withdrawn?: string;
  summary?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  record: Advisory;
}

type OwnRow = { id: string; json: string; tlp: string; modified: string; withdrawn: string | null; created_by: string; created_at: string; updated_at: string };

function ownView(r: OwnRow): OwnAdvisoryView {
  const record = JSON.parse(r.json) as Advisory;
  return {
    id: r.id,
    tlp: r.tlp as Tlp,
    modified: r.modified,
    ...(r.withdrawn !== null ? { withdrawn: r.withdrawn } : {}),
    ...(record.summary ? { summary: record.summary } : {}),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    record,
  };
}

/**
 * Checks an OSV record against the vendored OSV schema: a VouchError (422 on the API) with the JSON
 * path of the first problem, and the record's TLP level (its `database_specific.tlp`, else `tlp`).
 */
export function checkOwnRecord(body: unknown, tlp: string | undefined): { record: Advisory; tlp: Tlp } {
  const problems = osvProblems(body);
  if (problems.length) {
    const first = problems[0]!;
    throw new VouchError('INPUT_PARSE', `not a valid OSV record: ${first.path}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      position: { jsonPath: first.path },
    });
  }
  const record = body as Advisory;
  if (!isFeedRecordId(record.id)) throw new VouchError('INPUT_PARSE', `the id ${JSON.stringify(record.id)} cannot name a record in a feed (letters, digits and . _ : + - only)`, { position: { jsonPath: '$.id' } });
  const own = (record.database_specific as { tlp?: unknown } | undefined)?.tlp;
  const level = own !== undefined ? parseTlp(String(own), 'database_specific.tlp') : tlp !== undefined ? parseTlp(tlp, 'tlp') : undefined;
  if (!level) throw new VouchError('USAGE', `${record.id} has no TLP level: give ?tlp=, or set database_specific.tlp in the record`);
  return { record, tlp: level };
}

/** Records held from subscriptions at AMBER or RED, by upper-cased id and alias: never re-published. */
async function restrictedIds(db: Db): Promise<Map<string, { id: string; tlp: string; publisher: string; url: string }>> {
  const rows = await db
    .selectFrom('feed_records as r')
    .innerJoin('feed_subscriptions as s', 's.id', 'r.subscription_id')
    .select(['r.id', 'r.tlp', 'r.aliases', 's.publisher', 's.url'])
    .where('r.tlp', 'in', ['AMBER', 'RED'])
    .execute();
  const out = new Map<string, { id: string; tlp: string; publisher: string; url: string }>();
  for (const r of rows) {
    const hit = { id: r.id, tlp: r.tlp, publisher: r.publisher ?? r.url, url: r.url };
    for (const k of [r.id.toUpperCase(), ...(JSON.parse(r.aliases) as string[])]) out.set(k, hit);
  }
  return out;
}

/**
 * Stores (or replaces) an own advisory, in one transaction. Refused: an invalid record (422 with the
 * JSON path), a record without a TLP level, and one whose id or alias is a record a subscription
 * holds at AMBER or RED (409: only its author may publish it).
 */
export async function saveOwnAdvisory(db: Db, body: unknown, opts: { tlp?: string | undefined; author: string; now?: Date }): Promise<{ advisory: OwnAdvisoryView; created: boolean }> {
  const { record, tlp } = checkOwnRecord(body, opts.tlp);
  const restricted = await restrictedIds(db);
  const hit = [record.id, ...(record.aliases ?? [])].map((i) => restricted.get(String(i).toUpperCase())).find((h) => h !== undefined);
  if (hit) throw new PortfolioError('conflict', `${record.id} is held from ${hit.publisher}'s feed (${hit.url}) at TLP:${hit.tlp}: AMBER and RED records are never re-published`);
  const at = nowIso(opts.now);
  const json = JSON.stringify(record);
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('own_advisories').select(['created_by', 'created_at']).where('id', '=', record.id).executeTakeFirst();
    const row: OwnRow = {
      id: record.id,
      json,
      tlp,
      modified: record.modified,
      withdrawn: record.withdrawn ?? null,
      created_by: before?.created_by ?? opts.author,
      created_at: before?.created_at ?? at,
      updated_at: at,
    };
    if (before) await tx.updateTable('own_advisories').set({ json, tlp, modified: row.modified, withdrawn: row.withdrawn, updated_at: at }).where('id', '=', record.id).execute();
    else await tx.insertInto('own_advisories').values(row).execute();
    return { advisory: ownView(row), created: !before };
  });
}

export async function listOwnAdvisories(db: Db): Promise<OwnAdvisoryView[]> {
  return (await db.selectFrom('own_advisories').selectAll().orderBy('id').execute()).map(ownView);
}

export async function getOwnAdvisory(db: Db, id: string): Promise<OwnAdvisoryView | undefined> {
  const r = await db.selectFrom('own_advisories').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? ownView(r) : undefined;
}

/**
 * Withdraws an own advisory: its record gets `withdrawn` (and `modified`) set to now, so matching
 * resolves its findings and subscribers see it withdrawn. Withdrawing again changes nothing.
 */
export async function withdrawOwnAdvisory(db: Db, id: string, opts: { now?: Date } = {}): Promise<OwnAdvisoryView | undefined> {
  return db.transaction().execute(async (tx) => {
    const r = await tx.selectFrom('own_advisories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || r.withdrawn !== null) return r ? ownView(r) : undefined;
    const at = nowIso(opts.now);
    const osvTime = at.replace(/\.\d{3}Z$/, 'Z');
    const record = { ...(JSON.parse(r.json) as Advisory), modified: osvTime, withdrawn: osvTime };
    const json = JSON.stringify(record);
    await tx.updateTable('own_advisories').set({ json, modified: osvTime, withdrawn: osvTime, updated_at: at }).where('id', '=', id).execute();
    return ownView({ ...r, json, modified: osvTime, withdrawn: osvTime, updated_at: at });
  });
}

/**
 * Makes the node's advisory store hold exactly the own advisories of the database (as the feed
 * `own`), by the store's atomic swap. Does nothing when it already does (idempotent); returns
 * whether the store changed.
 */
export async function syncOwnToStore(db: Db, home: string): Promise<boolean> {
  const rows = await db.selectFrom('own_advisories').select(['id', 'json', 'tlp', 'updated_at']).orderBy('id').execute();
  const held = new Map<string, string>();
  let holdsFeed = false;
  if (existsSync(storePath(home))) {
    const store = AdvisoryStore.open(home);
    try {
      holdsFeed = store.partnerFeeds().some((f) => f.feed === OWN_FEED);
      for (const r of store.partnerRecords()) if (r.source.url === OWN_FEED) held.set(r.advisory.id, `${r.source.tlp}\u0000${r.json}`);
    } finally {
      store.close();
    }
  }
  const same = rows.length === held.size && rows.every((r) => held.get(r.id) === `${r.tlp}\u0000${r.json}`);
  if (same && (rows.length > 0) === holdsFeed) return false;
  if (!rows.length) {
    await updateStore({ home, dropPartner: OWN_FEED });
    return true;
  }
  const published = rows.map((r) => r.updated_at).sort(byCodePoint).at(-1)!;
  await updateStore({
    home,
    partner: { location: OWN_FEED, publisher: OWN_FEED, published, key: '', records: rows.map((r) => ({ id: r.id, tlp: r.tlp, data: Buffer.from(r.json, 'utf8') })) },
  });
  return true;
}

/** The store's generation now (what a rematch job is keyed by). */
export function currentGeneration(home: string): string {
  const store = AdvisoryStore.open(home);
  try {
    return storeGeneration(store.advisoryVersions());
  } finally {
    store.close();
  }
}

// ---- subscriptions -----------------------------------------------------------------------------

export interface SubscriptionInput {
  url: string;
  publicKey: string;
  /** `30m`, `6h`, `1d`, `3600s`. */
  every: string;
  /** The partner server's token (its feed endpoint serves by the token's TLP clearance). */
  token?: string | undefined;
}

export interface SubscriptionView {
  id: number;
  url: string;
  key: string;
  everySeconds: number;
  /** Whether a token is sent (the token itself is never shown). */
  withToken: boolean;
  publisher?: string;
  published?: string;
  records: number;
  /** Per TLP level, the records loaded. */
  tlp: Record<string, number>;
  loadedAt?: string;
  lastAttemptAt?: string;
  /** The last refresh's failure, one line; absent once a refresh loaded the feed. */
  lastError?: string;
  nextDue: string;
  createdBy: string;
  createdAt: string;
}

const MIN_EVERY = 60;
const MAX_EVERY = 30 * 86_400;

/** `30m` / `6h` / `1d` / `90s` as seconds (one minute to 30 days). */
export function parseEvery(s: string): number {
  const m = /^(\d{1,7})\s*([smhd])$/.exec(s.trim());
  const n = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!Number.isFinite(n) || n < MIN_EVERY || n > MAX_EVERY) throw new PortfolioError('invalid', `every: "${s}" is not a duration from 1m to 30d (90s, 30m, 6h, 1d)`);
  return n;
}

type SubRow = Awaited<ReturnType<typeof subscriptionRows>>[number];

function subscriptionRows(db: Db, id?: number) {
  let q = db.selectFrom('feed_subscriptions').selectAll().orderBy('id');
  if (id !== undefined) q = q.where('id', '=', id);
  return q.execute();
}

async function subscriptionViews(db: Db, rows: SubRow[]): Promise<SubscriptionView[]> {
  const counts = rows.length
    ? await db
        .selectFrom('feed_records')
        .select(['subscription_id', 'tlp', db.fn.countAll<number>().as('n')])
        .where(
          'subscription_id',
          'in',
          rows.map((r) => r.id),
        )
        .groupBy(['subscription_id', 'tlp'])
        .execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    key: r.key_id,
    everySeconds: r.every_seconds,
    withToken: r.token !== null,
    ...(r.publisher !== null ? { publisher: r.publisher } : {}),
    ...(r.published !== null ? { published: r.published } : {}),
    records: r.records,
    tlp: Object.fromEntries(counts.filter((c) => c.subscription_id === r.id).map((c) => [c.tlp, Number(c.n)])),
    ...(r.loaded_at !== null ? { loadedAt: r.loaded_at } : {}),
    ...(r.last_attempt_at !== null ? { lastAttemptAt: r.last_attempt_at } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    nextDue: r.next_due,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

/** A new subscription (due at once). The URL must be http(s); the key a public key the crypto reads. */
export async function createSubscription(db: Db, crypto: FeedCrypto, input: SubscriptionInput, opts: { author: string; now?: Date }): Promise<SubscriptionView> {
  if (!/^https?:\/\//i.test(input.url)) throw new PortfolioError('invalid', 'url: a feed on a server is an http(s) URL');
  let url: string;
  try {
    url = feedLocation(input.url);
    new URL(url);
  } catch {
    throw new PortfolioError('invalid', `url: ${input.url} is not a URL`);
  }
  const everySeconds = parseEvery(input.every);
  const { keyId } = await crypto.verifierFor(input.publicKey);
  const at = nowIso(opts.now);
  const existing = await db.selectFrom('feed_subscriptions').select('id').where('url', '=', url).executeTakeFirst();
  if (existing) throw new PortfolioError('conflict', `the server already subscribes to ${url} (subscription ${existing.id})`);
  const row = await db
    .insertInto('feed_subscriptions')
    .values({
      url,
      public_key: input.publicKey,
      key_id: keyId,
      token: input.token ?? null,
      every_seconds: everySeconds,
      publisher: null,
      published: null,
      records: 0,
      loaded_at: null,
      last_attempt_at: null,
      last_error: null,
      next_due: at,
      created_by: opts.author,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getSubscription(db, row.id))!;
}

export async function listSubscriptions(db: Db): Promise<SubscriptionView[]> {
  return subscriptionViews(db, await subscriptionRows(db));
}

export async function getSubscription(db: Db, id: number): Promise<SubscriptionView | undefined> {
  return (await subscriptionViews(db, await subscriptionRows(db, id)))[0];
}

/** Forgets a subscription (its records in the store go with the `feed-drop` job); its URL, or undefined when there is none. */
export async function deleteSubscription(db: Db, id: number): Promise<string | undefined> {
  const r = await db.deleteFrom('feed_subscriptions').where('id', '=', id).returning('url').executeTakeFirst();
  return r?.url;
}

/** The subscriptions due at `now` (the scheduler queues a refresh for each). */
export async function dueSubscriptions(db: Db, now: Date = new Date()): Promise<number[]> {
  return (await db.selectFrom('feed_subscriptions').select('id').where('next_due', '<=', nowIso(now)).orderBy('id').execute()).map((r) => r.id);
}

export type RefreshOutcome = { state: 'loaded'; records: number; changed: boolean } | { state: 'failed'; error: string } | { state: 'gone' };

/**
 * Reads the subscription's feed, verifies all of it with the subscription's key (the CLI's reader:
 * signature, index, every digest, each record's OSV validity, no replay of an older index), and
 * only then loads its records into the node's store (the atomic swap) and records the load. A feed
 * that fails loads nothing: the failure is recorded on the subscription and the store stays as it
 * was. Idempotent: the same index loaded again changes nothing.
 */
export async function refreshSubscription(db: Db, home: string, crypto: FeedCrypto, id: number, opts: { now?: Date } = {}): Promise<RefreshOutcome> {
  const row = (await subscriptionRows(db, id))[0];
  if (!row) return { state: 'gone' };
  const now = opts.now ?? new Date();
  const at = nowIso(now);
  const nextDue = nowIso(new Date(now.getTime() + row.every_seconds * 1000));
  let feed;
  try {
    // a verifier of the subscription's one key: the feed verifies with it or is refused
    const { verify } = await crypto.verifierFor(row.public_key);
    feed = await readAdvisoryFeed(row.url, verify, {
      notBefore: () => row.published ?? undefined, ...(row.token !== null ? { headers: { authorization: `Bearer ${row.token}` } } : {}),
    });
    if (feed.location !== row.url) throw new VouchError('USAGE', `the feed answered as ${feed.location}`);
  } catch (e) {
    if (!(e instanceof VouchError)) throw e;
    const error = e.oneLine();
    await db.updateTable('feed_subscriptions').set({ last_attempt_at: at, last_error: error, next_due: nextDue }).where('id', '=', id).execute();
    return { state: 'failed', error };
  }
  let changed = true;
  if (existsSync(storePath(home))) {
    const store = AdvisoryStore.open(home);
    try {
      const held = store.partnerFeeds().find((f) => f.feed === row.url);
      // the same index as the one the store holds: nothing to load again
      changed = !(held && held.published === feed.published && held.count === feed.records.length && row.published === feed.published);
    } finally {
      store.close();
    }
  }
  if (changed) {
    await updateStore({
      home,
      partner: {
        location: feed.location,
        publisher: feed.publisher,
        published: feed.published,
        key: row.key_id,
        records: feed.records.map((r) => ({ id: r.id, tlp: r.tlp, data: r.data, origin: r.from })),
      },
    });
  }
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('feed_subscriptions')
      .set({ publisher: feed.publisher, published: feed.published, records: feed.records.length, loaded_at: at, last_attempt_at: at, last_error: null, next_due: nextDue })
      .where('id', '=', id)
      .execute();
    await tx.deleteFrom('feed_records').where('subscription_id', '=', id).execute();
    const rows = feed.records.map((r) => ({ subscription_id: id, id: r.id, tlp: r.tlp, aliases: JSON.stringify((r.advisory.aliases ?? []).map((a) => a.toUpperCase())) }));
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('feed_records').values(rows.slice(i, i + 200)).execute();
  });
  return { state: 'loaded', records: feed.records.length, changed };
}

/** Drops a feed the store holds (a deleted subscription); false when it holds none of that name. */
export async function dropFeedFromStore(home: string, location: string): Promise<boolean> {
  if (!existsSync(storePath(home))) return false;
  const store = AdvisoryStore.open(home);
  let holds: boolean;
  try {
    holds = store.partnerFeeds().some((f) => f.feed === location);
  } finally {
    store.close();
  }
  if (holds) await updateStore({ home, dropPartner: location });
  return holds;
}

// ---- the server's own feed ---------------------------------------------------------------------

/**
 * The feed as one reader may see it: the own advisories its clearance allows (never RED, never one
 * held from a partner at AMBER or RED), deterministic for the same content (src/share/feed.ts).
 */
export async function servedOwnFeed(db: Db, publisher: string, clearance: Tlp): Promise<ReturnType<typeof servedFeed>> {
  const rows = await db.selectFrom('own_advisories').select(['id', 'json', 'tlp', 'updated_at']).orderBy('id').execute();
  const records: ServedRecord[] = rows.map((r) => {
    const rec = JSON.parse(r.json) as Advisory;
    return { id: r.id, tlp: r.tlp as Tlp, data: Buffer.from(r.json, 'utf8'), aliases: rec.aliases ?? [], updatedAt: r.updated_at };
  });
  return servedFeed(publisher, records, clearance, new Set((await restrictedIds(db)).keys()));
}

// ---- jobs --------------------------------------------------------------------------------------

/**
 * The feed jobs on a worker node (every one idempotent):
 *
 *   own-advisories {}      syncOwnToStore, then a rematch job for the store's generation
 *   feed-refresh   { id }  refreshSubscription, then a rematch job when the store changed
 *   feed-drop      { url } the store rebuilt without a deleted subscription's records, then rematch
 */
export async function registerFeedWorkers(queue: JobQueue, db: Db, home: string, crypto: FeedCrypto, opts: { onRefresh?: (id: number, r: RefreshOutcome) => void } = {}): Promise<void> {
  const rematch = async (): Promise<void> => {
    const generation = currentGeneration(home);
    await queue.send('rematch', { generation }, { singletonKey: `rematch:${generation}` });
  };
  await queue.work('own-advisories', async () => {
    if (await syncOwnToStore(db, home)) await rematch();
  });
  await queue.work('feed-refresh', async (data) => {
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') return; // malformed: nothing to do, never retried
    const r = await refreshSubscription(db, home, crypto, id);
    opts.onRefresh?.(id, r);
    if (r.state === 'loaded' && r.changed) await rematch();
  });
  await queue.work('feed-drop', async (data) => {
    const url = (data as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') return;
    if (await dropFeedFromStore(home, url)) await rematch();
  });
}

/** Queues the refresh of a subscription (one queued job per subscription at a time). */
export function queueFeedRefresh(queue: Pick<JobQueue, 'send'>, id: number): Promise<string> {
  return queue.send('feed-refresh', { id }, { singletonKey: `feed-refresh:${id}` });
}

/** Queues the copy of the own advisories into the store (one queued at a time: it reads the database when it runs). */
export function queueOwnSync(queue: Pick<JobQueue, 'send'>): Promise<string> {
  return queue.send('own-advisories', {}, { singletonKey: 'own-advisories' });
}

/**
 * Every `intervalMs` (default a minute), queues a refresh of each subscription that is due. Safe on
 * several nodes: a subscription has at most one queued refresh, and a refresh moves it to its next
 * due time whether it loaded or failed.
 */
export function startFeedScheduler(db: Db, queue: Pick<JobQueue, 'send'>, opts: { intervalMs?: number; onError?: (e: unknown) => void } = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const round = async (): Promise<void> => {
    try {
      for (const id of await dueSubscriptions(db)) await queueFeedRefresh(queue, id);
    } catch (e) {
      opts.onError?.(e);
    }
  };
  const timer = setInterval(() => {
    if (!running) running = round().finally(() => (running = undefined));
  }, opts.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
