/**
 * The routes of issue 14 items 4–5 (docs/feeds.md, "On the server"): the organisation's own
 * advisories, subscriptions to partners' signed feeds, and the server's own feed, served to each
 * token by its TLP clearance. Thin like routes.ts: validate, authorise (config.access), call one
 * function of src/portfolio/feeds.ts.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../portfolio/access.js';
import {
  type FeedCrypto,
  type FeedSigner,
  type OwnAdvisoryView,
  type SubscriptionInput,
  createSubscription,
  deleteSubscription,
  getOwnAdvisory,
  getSubscription,
  listOwnAdvisories,
  listSubscriptions,
  queueFeedRefresh,
  queueOwnSync,
  saveOwnAdvisory,
  servedOwnFeed,
  withdrawOwnAdvisory,
} from '../portfolio/feeds.js';
import { INDEX_BUNDLE_FILE, INDEX_FILE, RECORDS_DIR, indexBytes } from '../share/feed.js';
import { READERS, who } from './auth.js';
import { ProblemError } from './problem.js';
import { problems } from './schemas.js';

const WRITERS: readonly Role[] = ['admin', 'maintainer'];
const ADMIN: readonly Role[] = ['admin'];
/** Who may read the server's own feed: partners' subscriber tokens, and the organisation's readers. */
const FEED_READERS: readonly Role[] = ['subscriber', ...READERS];

export interface FeedRouteOptions {
  /** Verifies partners' feeds (`vouch serve` gives src/attest's); without it subscriptions are refused. */
  crypto?: FeedCrypto | undefined;
  /** Signs the server's own feed (`vouch serve --feed-key`); without it the feed is not served. */
  signer?: FeedSigner | undefined;
}

const str = { type: 'string' } as const;
const tlpSchema = { type: 'string', enum: ['CLEAR', 'GREEN', 'AMBER', 'RED'] } as const;
const osvIdSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+-]*$' } as const;

const ownAdvisorySchema = {
  type: 'object',
  required: ['id', 'tlp', 'modified', 'createdBy', 'createdAt', 'updatedAt', 'record'],
  properties: { id: str, tlp: tlpSchema, modified: str, withdrawn: str, summary: str, createdBy: str, createdAt: str, updatedAt: str, record: { type: 'object', additionalProperties: true } },
} as const;

const subscriptionSchema = {
  type: 'object',
  required: ['id', 'url', 'key', 'everySeconds', 'withToken', 'records', 'tlp', 'nextDue', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    url: str,
    key: str,
    everySeconds: { type: 'integer' },
    withToken: { type: 'boolean' },
    publisher: str,
    published: str,
    records: { type: 'integer' },
    tlp: { type: 'object', additionalProperties: { type: 'integer' } },
    loadedAt: str,
    lastAttemptAt: str,
    lastError: str,
    nextDue: str,
    createdBy: str,
    createdAt: str,
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: osvIdSchema } } as const;
const subParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const notFound = (what: string): ProblemError => new ProblemError('not-found', `${what} not found`);

export async function registerFeedRoutes(app: FastifyInstance, opts: FeedRouteOptions): Promise<void> {
  const { db } = app.vouch.opened;
  const queue = () => app.vouch.queue;

  // ---- own advisories ----
  app.post<{ Body: object; Querystring: { tlp?: string } }>(
    '/api/v1/advisories',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['advisories'],
        summary: 'Store (or replace) one of the organisation\'s own advisories: an OSV record, matched across the portfolio as source "own" and served in the server\'s feed',
        description:
          'The body is the OSV record, validated against the OSV JSON Schema (422 with the JSON path of the first problem). Its TLP level is `database_specific.tlp`, else `?tlp=`; a record with neither is refused. A record whose id or alias is one a subscription holds at AMBER or RED is refused (409): only its author may publish it.',
        querystring: { type: 'object', additionalProperties: false, properties: { tlp: tlpSchema } },
        body: { type: 'object' },
        response: { 200: ownAdvisorySchema, 201: ownAdvisorySchema, ...problems(400, 409, 422) },
      },
    },
    async (req, reply) => {
      const { advisory, created } = await saveOwnAdvisory(db, req.body, { tlp: req.query.tlp, author: who(req).principal.name });
      await queueOwnSync(queue());
      return reply.code(created ? 201 : 200).send(advisory);
    },
  );

  app.get(
    '/api/v1/advisories',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['advisories'], summary: 'The organisation\'s own advisories', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ownAdvisorySchema } } }, ...problems() } },
    },
    async () => ({ items: await listOwnAdvisories(db) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/advisories/:id',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['advisories'], summary: 'One of the organisation\'s own advisories', params: idParams, response: { 200: ownAdvisorySchema, ...problems(400, 404) } },
    },
    async (req) => (await getOwnAdvisory(db, req.params.id)) ?? Promise.reject(notFound(`advisory ${req.params.id}`)),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/advisories/:id/withdraw',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['advisories'],
        summary: 'Withdraw an own advisory: its record gets `withdrawn`, its findings are resolved, subscribers see it withdrawn',
        params: idParams,
        response: { 200: ownAdvisorySchema, ...problems(400, 404) },
      },
    },
    async (req) => {
      const a: OwnAdvisoryView | undefined = await withdrawOwnAdvisory(db, req.params.id);
      if (!a) throw notFound(`advisory ${req.params.id}`);
      await queueOwnSync(queue());
      return a;
    },
  );

  // ---- subscriptions ----
  const crypto = (): FeedCrypto => {
    if (!opts.crypto) throw new ProblemError('not-ready', 'this server was started without feed verification');
    return opts.crypto;
  };

  app.post<{ Body: SubscriptionInput }>(
    '/api/v1/feeds/subscriptions',
    {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ['feeds'],
        summary: 'Subscribe to a partner\'s signed advisory feed: verified with its public key, loaded now and then every `every`',
        body: {
          type: 'object',
          required: ['url', 'publicKey', 'every'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 8, maxLength: 2000, description: 'the feed\'s http(s) URL (its folder, or its index.json)' },
            publicKey: { type: 'string', minLength: 20, maxLength: 10_000, description: 'the partner\'s public key, PEM (vouch key generate --type p256)' },
            every: { type: 'string', minLength: 2, maxLength: 20, description: 'how often to refresh: 90s, 30m, 6h, 1d (1m to 30d)' },
            token: { type: 'string', minLength: 1, maxLength: 500, description: 'a token of the partner\'s vouch server, sent as Authorization: Bearer (never shown again)' },
          },
        },
        response: { 201: subscriptionSchema, ...problems(400, 409, 422) },
      },
    },
    async (req, reply) => {
      const s = await createSubscription(db, crypto(), req.body, { author: who(req).principal.name });
      await queueFeedRefresh(queue(), s.id);
      return reply.code(201).send(s);
    },
  );

  app.get(
    '/api/v1/feeds/subscriptions',
    {
      config: { access: { roles: ADMIN } },
      schema: { tags: ['feeds'], summary: 'Every subscription, with its last load or failure', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: subscriptionSchema } } }, ...problems() } },
    },
    async () => ({ items: await listSubscriptions(db) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/feeds/subscriptions/:id',
    {
      config: { access: { roles: ADMIN } },
      schema: { tags: ['feeds'], summary: 'One subscription, with its last load or failure', params: subParams, response: { 200: subscriptionSchema, ...problems(400, 404) } },
    },
    async (req) => (await getSubscription(db, req.params.id)) ?? Promise.reject(notFound(`subscription ${req.params.id}`)),
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/feeds/subscriptions/:id/refresh',
    {
      config: { access: { roles: ADMIN } },
      schema: { tags: ['feeds'], summary: 'Refresh a subscription now (a job)', params: subParams, response: { 202: { type: 'object', required: ['job'], properties: { job: str } }, ...problems(400, 404) } },
    },
    async (req, reply) => {
      if (!(await getSubscription(db, req.params.id))) throw notFound(`subscription ${req.params.id}`);
      return reply.code(202).send({ job: await queueFeedRefresh(queue(), req.params.id) });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/feeds/subscriptions/:id',
    {
      config: { access: { roles: ADMIN } },
      schema: { tags: ['feeds'], summary: 'Unsubscribe: the feed\'s records leave the advisory store (a job) and the portfolio is re-matched', params: subParams, response: { 204: { type: 'null' }, ...problems(400, 404) } },
    },
    async (req, reply) => {
      const url = await deleteSubscription(db, req.params.id);
      if (url === undefined) throw notFound(`subscription ${req.params.id}`);
      await queue().send('feed-drop', { url }, { singletonKey: `feed-drop:${url}` });
      return reply.code(204).send();
    },
  );

  // ---- the server's own feed ----
  /** Bundles by index digest: the same index is signed once (a few clearances × content versions). */
  const bundles = new Map<string, Promise<string>>();
  const feedFor = async (clearance: 'CLEAR' | 'GREEN' | 'AMBER') => {
    const signer = opts.signer;
    if (!signer) throw new ProblemError('not-found', 'this server publishes no advisory feed (vouch serve --feed-key)');
    const feed = await servedOwnFeed(db, signer.publisher, clearance);
    return { signer, feed, index: indexBytes(feed.index) };
  };
  const feedRoute = { config: { access: { roles: FEED_READERS } }, schema: { tags: ['feeds'], produces: ['application/json'], response: { ...problems(404) } } };

  app.get('/api/v1/feed/' + INDEX_FILE, { ...feedRoute, schema: { ...feedRoute.schema, summary: 'The server\'s signed advisory feed: its index, listing the records the token\'s TLP clearance allows' } }, async (req, reply) => {
    const { index } = await feedFor(who(req).principal.tlp ?? 'CLEAR');
    return reply.type('application/json').header('cache-control', 'no-store').send(index);
  });

  app.get('/api/v1/feed/' + INDEX_BUNDLE_FILE, { ...feedRoute, schema: { ...feedRoute.schema, summary: 'The Sigstore bundle over the index this token is served' } }, async (req, reply) => {
    const { signer, index } = await feedFor(who(req).principal.tlp ?? 'CLEAR');
    const digest = createHash('sha256').update(index).digest('hex');
    let bundle = bundles.get(digest);
    if (!bundle) {
      if (bundles.size >= 64) bundles.clear();
      bundle = signer.sign(index);
      bundle.catch(() => bundles.delete(digest));
      bundles.set(digest, bundle);
    }
    return reply.type('application/json').header('cache-control', 'no-store').send(await bundle);
  });

  app.get<{ Params: { file: string } }>(
    `/api/v1/feed/${RECORDS_DIR}/:file`,
    {
      ...feedRoute,
      schema: {
        ...feedRoute.schema,
        summary: 'One record the token\'s index lists, byte for byte',
        params: { type: 'object', required: ['file'], properties: { file: { type: 'string', minLength: 6, maxLength: 220, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+-]*\\.json$' } } },
        response: { ...problems(400, 404) },
      },
    },
    async (req, reply) => {
      const { feed } = await feedFor(who(req).principal.tlp ?? 'CLEAR');
      // a record the token's clearance does not allow is absent, as one that does not exist
      const data = feed.files.get(`${RECORDS_DIR}/${req.params.file}`);
      if (!data) throw notFound(`record ${req.params.file}`);
      return reply.type('application/json').header('cache-control', 'no-store').send(data);
    },
  );
}
