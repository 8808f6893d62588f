/**
 * Signing in to the dashboard (issue 15; session.ts has the rules): POST /api/v1/session trades an
 * API token for a session cookie, GET says who the caller is, DELETE signs out, and
 * GET /api/v1/session/options tells the sign-in page which ways in the server offers. OpenID
 * Connect's two routes (oidc.ts) are registered here when the server is configured for it.
 */
import type { FastifyInstance } from 'fastify';
import { type Role, verifyToken } from '../portfolio/access.js';
import { ALL_ROLES, who } from './auth.js';
import { type OidcProvider, registerOidcRoutes } from './oidc.js';
import { ProblemError } from './problem.js';
import { problems } from './schemas.js';
import { type SessionConfig, clearedCookies, createSession, crossOriginReason, revokeSession, sessionSecret, setSessionCookie } from './session.js';

const sessionOptionsSchema = {
  type: 'object',
  required: ['token', 'oidc'],
  properties: { token: { type: 'boolean' }, oidc: { type: 'boolean', description: 'GET /api/v1/oidc/login signs in through the configured OpenID Connect provider' } },
} as const;

/** The roles a person signs in with (a subscriber is a partner server's feed token). */
const PEOPLE: readonly Role[] = ALL_ROLES.filter((r) => r !== 'subscriber');

export async function registerSessionRoutes(app: FastifyInstance, opts: { sessions: SessionConfig; oidc?: OidcProvider | undefined }): Promise<void> {
  const db = app.vouch.opened.db;
  const { sessions } = opts;

  app.get(
    '/api/v1/session/options',
    { config: { access: { public: true } }, schema: { tags: ['session'], summary: 'The ways to sign in to the dashboard', security: [], response: { 200: sessionOptionsSchema } } },
    async () => ({ token: true, oidc: opts.oidc !== undefined }),
  );

  app.post<{ Body: { token: string } }>(
    '/api/v1/session',
    {
      // public: the token in the body is what is checked; a few tries a minute per address
      config: { access: { public: true }, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['session'],
        summary: 'Sign in with an API token: sets the httpOnly session cookie',
        security: [],
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } },
        response: { 201: { $ref: 'Session#' }, ...problems() },
      },
    },
    async (req, reply) => {
      // a page of another site must not sign the browser in with its own token (login CSRF)
      if (typeof req.headers.origin === 'string' || typeof req.headers['sec-fetch-site'] === 'string') {
        const why = crossOriginReason(req, sessions);
        if (why !== undefined) throw new ProblemError('forbidden', why);
      }
      const principal = await verifyToken(db, req.body.token.trim());
      if (!principal) throw new ProblemError('unauthorized', 'the token is not known or was revoked', {}, { 'www-authenticate': 'Bearer realm="vouch"' });
      if (!PEOPLE.includes(principal.role)) throw new ProblemError('forbidden', 'a subscriber token reads the signed feed only; it cannot sign in to the dashboard');
      const { secret, expiresAt } = await createSession(db, { tokenId: principal.tokenId, subject: `token:${principal.tokenId}`, name: principal.name, role: principal.role }, { ttlMs: sessions.ttlMs });
      setSessionCookie(reply, sessions, secret, expiresAt);
      return reply.code(201).send({
        name: principal.name,
        role: principal.role,
        ...(principal.projects ? { projects: principal.projects } : {}),
        ...(principal.tag !== undefined ? { tag: principal.tag } : {}),
        via: 'token',
        expiresAt,
      });
    },
  );

  app.get(
    '/api/v1/session',
    { config: { access: { roles: PEOPLE } }, schema: { tags: ['session'], summary: 'Who the caller is: role, scope, and how it signed in', response: { 200: { $ref: 'Session#' }, ...problems() } } },
    async (req) => {
      const { principal } = who(req);
      const auth = req.auth;
      return {
        name: principal.name,
        role: principal.role,
        ...(principal.projects ? { projects: principal.projects } : {}),
        ...(principal.tag !== undefined ? { tag: principal.tag } : {}),
        via: auth?.via === 'session' ? auth.method : 'bearer',
        ...(auth?.via === 'session' ? { expiresAt: auth.expiresAt } : {}),
      };
    },
  );

  app.delete(
    '/api/v1/session',
    // public: signing out needs no valid session (an expired one is forgotten all the same)
    { config: { access: { public: true } }, schema: { tags: ['session'], summary: 'Sign out: ends the session and clears its cookie', security: [], response: { 204: { type: 'null' }, ...problems() } } },
    async (req, reply) => {
      const secret = sessionSecret(req, sessions);
      if (secret !== undefined) {
        const why = crossOriginReason(req, sessions);
        if (why !== undefined) throw new ProblemError('forbidden', why);
        await revokeSession(db, secret);
      }
      return reply.header('set-cookie', clearedCookies(sessions)).code(204).send();
    },
  );

  if (opts.oidc) await registerOidcRoutes(app, opts.oidc, sessions);
}
