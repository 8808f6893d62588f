/**
 * Authentication and authorisation of every request (the rules are written down in docs/server.md,
 * "Tokens and roles"):
 *
 *   - a route is either public (health, readiness, the OpenAPI document and its UI, signing in) or
 *     names the roles that may call it;
 *   - the caller is an `Authorization: Bearer <token>` header or, without one, the dashboard's
 *     session cookie (session.ts); none, a token the server does not know, a revoked token, or an
 *     expired or signed-out session → 401 `unauthorized` (with `WWW-Authenticate: Bearer`), before
 *     the body is read;
 *   - a change (not GET/HEAD/OPTIONS) made with the session cookie from another origin → 403
 *     `forbidden` (CSRF; session.ts says how the origin is checked);
 *   - a known token whose role the route does not allow → 403 `forbidden`;
 *   - a project, upload or token outside the token's projects or tag → 404 `not-found`, the same
 *     answer as for one that does not exist (a team never learns another team's project names);
 *     the portfolio functions take the token's scope and treat everything outside it as absent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Principal, type Role, type Scope, scopeOf, verifyToken } from '../portfolio/access.js';
import type { Db } from '../db/index.js';
import { ProblemError } from './problem.js';
import { type SessionConfig, clearedCookies, crossOriginReason, isSafeMethod, sessionSecret, verifySession } from './session.js';

export const ALL_ROLES: readonly Role[] = ['admin', 'maintainer', 'viewer', 'uploader', 'subscriber'];
/** Who may read the portfolio (lists, queries, reports). */
export const READERS: readonly Role[] = ['admin', 'maintainer', 'viewer'];

/** What a route allows, in its `config.access`. */
export type Access =
  | { public: true }
  | {
      roles: readonly Role[];
      /** Only tokens not limited to projects or a tag (the whole portfolio, e.g. /metrics). */
      unlimited?: boolean;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    scope?: Scope;
    /** How the caller proved who it is: a bearer token, or the dashboard's session cookie. */
    auth?: { via: 'bearer' } | { via: 'session'; method: 'token' | 'oidc'; expiresAt: string };
  }
}

/** The bearer token of a request, or undefined when there is none (any other scheme counts as none). */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(h);
  return m?.[1];
}

const unauthorized = (detail: string): ProblemError => new ProblemError('unauthorized', detail, {}, { 'www-authenticate': 'Bearer realm="vouch"' });

/** The onRequest hook that applies each route's `config.access` (routes without one are refused: nothing is public by accident). */
export function installAuth(app: FastifyInstance, db: Db, sessions: SessionConfig): void {
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    // unknown URLs go to the not-found handler, which says nothing about the token
    if (req.is404) return;
    if (access && 'public' in access) return;
    const token = bearerToken(req);
    let principal: Principal | undefined;
    if (token !== undefined) {
      principal = await verifyToken(db, token);
      if (!principal) throw unauthorized('the token is not known or was revoked');
      req.auth = { via: 'bearer' };
    } else {
      const secret = sessionSecret(req, sessions);
      if (secret === undefined) throw unauthorized('send an API token as "Authorization: Bearer <token>", or sign in to the dashboard');
      const s = await verifySession(db, secret);
      if (!s) {
        // the browser forgets the dead cookie with the answer
        throw new ProblemError('unauthorized', 'the session expired or was signed out: sign in again', {}, { 'www-authenticate': 'Bearer realm="vouch"', 'set-cookie': clearedCookies(sessions)[0] });
      }
      if (!isSafeMethod(req.method)) {
        const why = crossOriginReason(req, sessions);
        if (why !== undefined) throw new ProblemError('forbidden', why);
      }
      const { expiresAt, via, ...p } = s;
      principal = p;
      req.auth = { via: 'session', method: via, expiresAt };
    }
    req.principal = principal;
    req.scope = scopeOf(principal);
    if (!access) throw new ProblemError('forbidden', 'this route is not open to any token');
    if (!access.roles.includes(principal.role)) {
      throw new ProblemError('forbidden', `a ${principal.role} token may not ${req.method} ${req.routeOptions.url ?? req.url}`);
    }
    if (access.unlimited && !('all' in req.scope)) {
      throw new ProblemError('forbidden', 'this route covers the whole portfolio: it needs a token not limited to projects or a tag');
    }
  });
}

/** The principal and scope of an authorised request (set by the hook). */
export function who(req: FastifyRequest): { principal: Principal; scope: Scope } {
  if (!req.principal || !req.scope) throw new Error('route without authentication reached a handler that needs it');
  return { principal: req.principal, scope: req.scope };
}

/** Whether the token's scope covers a project name (for a project not created yet: its tag must come with it). */
export function scopeAllowsNewProject(scope: Scope, name: string): boolean {
  if ('all' in scope) return true;
  if ('projects' in scope) return scope.projects.includes(name);
  return true; // a tag-limited token's new project is created with that tag
}
