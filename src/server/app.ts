/**
 * The API as a Fastify 5 app, built without listening (tests call `app.inject`; `vouch serve`
 * calls `listen`). Routes are thin: validate (one JSON schema per route, in and out), authorise
 * (auth.ts), call one portfolio function, answer. Everything else is here once: problem+json for
 * every error, the OpenAPI 3.1 document at /api/v1/openapi.json and its UI at /docs, /healthz,
 * /readyz, /metrics, rate limits per token, and the body limit (413).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import type { OpenedDb } from '../db/index.js';
import type { SendOptions } from '../jobs/index.js';
import { VERSION } from '../version.js';
import { installAuth, READERS } from './auth.js';
import { createMetrics, instrumentRequests, type Metrics } from './metrics.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, errorHandler, problem, problemSchema, sendProblem } from './problem.js';
import { registerRoutes } from './routes.js';
import { registerResponseRoutes } from './routes-response.js';
import { type FeedRouteOptions, registerFeedRoutes } from './routes-feeds.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { registerDashboard } from './static.js';
import type { OidcProvider } from './oidc.js';
import { registerSessionRoutes } from './routes-session.js';
import { sessionConfig } from './session.js';

export const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;
/** JSON bodies other than documents (project settings, tokens) are small. */
const JSON_BODY_LIMIT = 1024 * 1024;

export interface AppLimits {
  /** Largest uploaded document in bytes (default 50 MB): larger is 413. */
  bodyLimit?: number;
  /** Requests per token (or per address without one) per `rateWindow` (default 1200 a minute). */
  rateMax?: number;
  rateWindow?: string | number;
}

/** What the API does with the job queue (src/jobs' JobQueue has it): send jobs, count them. */
export interface JobSender {
  send(name: string, data: object, opts?: SendOptions): Promise<string>;
  stats(): Promise<{ queued: number; running: number; failed: number }>;
}

export interface AppOptions {
  opened: OpenedDb;
  /** The job queue uploads and advisory updates are sent to (an API-only node still sends). */
  queue: JobSender;
  limits?: AppLimits;
  /** Fastify's logger: false (tests), true, or pino options; the Authorization header is always redacted. */
  logger?: FastifyServerOptions['logger'];
  /** A pino logger to use instead (made with LOG_REDACT): the node's, shared with its workers. */
  loggerInstance?: FastifyBaseLogger;
  /** Metrics shared with the node's workers (ingest rows); made here when absent. */
  metrics?: Metrics;
  /** /readyz answers 503 once this says false (draining on SIGTERM). */
  accepting?: () => boolean;
  /** Validate 2xx JSON answers against the route's response schema (default true). */
  validateResponses?: boolean;
  /** The URL users reach the server at (`--public-url`): https:// makes session cookies Secure; its origin is the one CSRF checks expect. */
  publicUrl?: string;
  /** Dashboard sessions last this long (default 12 hours). */
  sessionTtlMs?: number;
  /** OpenID Connect sign-in (oidc.ts, discovered at start-up), when configured. */
  oidc?: OidcProvider;
  /** Issue 14 feeds (docs/feeds.md): the verifier of partners' feeds and the signer of the server's own. */
  feeds?: FeedRouteOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    vouch: { opened: OpenedDb; queue: JobSender; metrics: Metrics; bodyLimit: number; accepting: () => boolean };
  }
}

/** pino redaction: the token never reaches a log line. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization'];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.limits?.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logger = opts.logger === undefined || opts.logger === false ? false : opts.logger === true ? { redact: LOG_REDACT } : { ...opts.logger, redact: LOG_REDACT };
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger }),
    bodyLimit: JSON_BODY_LIMIT,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // our own 404 and error handlers answer problem+json
    return503OnClosing: true,
  });
  const metrics = opts.metrics ?? createMetrics({ db: opts.opened.db, queue: opts.queue });
  let closing = false;
  app.decorate('vouch', { opened: opts.opened, queue: opts.queue, metrics, bodyLimit, accepting: () => !closing && (opts.accepting?.() ?? true) });
  // Graceful close: Node's server.close() reaps the keep-alive connections idle when it starts, once;
  // a request still in flight then (an upload's ?wait) would leave its connection open and idle after
  // its answer, and close() would wait for the keep-alive timeout (72 s). Answers sent while closing
  // therefore say `Connection: close`, so each such connection ends with its answer.
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (req, reply) => {
    if (closing && req.raw.httpVersionMajor < 2) reply.header('connection', 'close');
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not-found', `no route ${req.method} ${req.url.split('?')[0]}`)));
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  app.addSchema(problemSchema);

  // swagger-ui's own routes are public
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), access: { public: true } };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'vouch portfolio server', version: VERSION, description: 'Every project\'s SBOM in one place, re-checked when an advisory lands (docs/server.md).' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (vouch token create)' },
          session: { type: 'apiKey', in: 'cookie', name: 'vouch_session', description: 'The dashboard\'s session cookie (POST /api/v1/session; `__Host-vouch_session` behind https); changes must come from the same origin' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  const uiStatic = swaggerUiStatic();
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // given, not found by swagger-ui beside its own module: the CLI is bundled, its __dirname is not there
    baseDir: uiStatic,
    logo: { type: 'image/svg+xml', content: readFileSync(path.join(uiStatic, 'logo.svg')) },
    uiConfig: { deepLinking: false },
    staticCSP: true,
  });

  // the limit is counted after authentication (preParsing: before any body is read), per token —
  // a caller cannot dodge it by sending made-up tokens, which are 401 before they count
  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: opts.limits?.rateMax ?? 1200,
    timeWindow: opts.limits?.rateWindow ?? '1 minute',
    keyGenerator: (req) => (req.principal ? `token:${req.principal.tokenId}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) =>
      new ProblemError('rate-limited', `more than ${ctx.max} requests in ${ctx.after} for this token; try again later`, {}, { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) }),
  });

  const sessions = sessionConfig(opts.publicUrl, opts.sessionTtlMs);
  installAuth(app, opts.opened.db, sessions);
  instrumentRequests(app, metrics.registry);
  if (opts.validateResponses !== false) installResponseValidation(app);

  app.get('/healthz', { config: { access: { public: true } }, schema: { hide: true, response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: { public: true } }, schema: { hide: true } }, async (_req, reply) => {
    if (opts.accepting && !opts.accepting()) return sendProblem(reply, problem('not-ready', 'the server is shutting down'));
    try {
      await sql`select 1`.execute(opts.opened.db);
    } catch {
      return sendProblem(reply, problem('not-ready', 'the database does not answer'));
    }
    return reply.send({ status: 'ready' });
  });
  app.get('/metrics', { config: { access: { roles: READERS, unlimited: true } }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/api/v1/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());

  await app.register(registerRoutes, { bodyLimit });
  await app.register(registerResponseRoutes);
  await app.register(registerSessionRoutes, { sessions, oidc: opts.oidc });
  await app.register(registerFeedRoutes, opts.feeds ?? {});
  await registerDashboard(app);
  return app;
}

/** swagger-ui's static files, found from its package. */
function swaggerUiStatic(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
}

/**
 * Output validation: a 2xx JSON answer that does not match its route's response schema is a bug
 * of ours — logged, and answered as a 500 problem instead of a malformed body.
 */
function installResponseValidation(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const s of SHARED_SCHEMAS) ajv.addSchema(s as object, `${s.$id}#`.replace(/#$/, ''));
  ajv.addSchema(problemSchema as object, 'Problem');
  const cache = new Map<object, ValidateFunction>();
  app.addHook('preSerialization', async (req, reply, payload) => {
    if (reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    const ct = String(reply.getHeader('content-type') ?? 'application/json');
    if (!ct.includes('json') || ct.startsWith(PROBLEM_CONTENT_TYPE)) return payload;
    const response = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
    const schema = response?.[String(reply.statusCode)] ?? response?.['2xx'];
    if (!schema || typeof schema !== 'object') return payload;
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      cache.set(schema, validate);
    }
    if (!validate(payload)) {
      req.log.error({ errors: validate.errors, route: req.routeOptions.url }, 'response does not match its schema');
      throw new Error(`response of ${req.routeOptions.url ?? req.url} does not match its schema: ${ajv.errorsText(validate.errors)}`);
    }
    return payload;
  });
}
