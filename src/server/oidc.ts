/**
 * Signing in through an OpenID Connect provider (issue 15; docs/server.md, "OpenID Connect"):
 * the authorization-code flow with PKCE (S256), state and nonce, through `openid-client`.
 *
 *   GET /api/v1/oidc/login?next=/page     → 302 to the provider; state, nonce and the PKCE verifier
 *                                           are kept in the database (any node may take the callback)
 *   GET /api/v1/oidc/callback?code&state  → the state is used once (and within 10 minutes), the code
 *                                           exchanged with the verifier, the ID token's nonce checked;
 *                                           the user's groups (the configured claim, from the ID token
 *                                           or else the userinfo endpoint) map to a role; a session
 *                                           cookie is set and the browser sent back to `next`
 *
 * Redirects stay on our origin: the redirect URI is `<public URL>/api/v1/oidc/callback`, and `next`
 * must be a path of this app (anything else becomes `/`); a failure goes to `/sign-in?error=…`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as client from 'openid-client';
import { nowIso } from '../db/index.js';
import { ROLES, type Role } from '../portfolio/access.js';
import { VouchError } from '../model/errors.js';
import { type SessionConfig, createSession, setSessionCookie } from './session.js';

export interface RoleMapping {
  group: string;
  role: Role;
  projects?: string[];
  tag?: string;
}

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim that lists the user's groups (default `groups`). */
  groupClaim: string;
  roles: RoleMapping[];
}

export interface OidcProvider {
  config: client.Configuration;
  options: OidcOptions;
  redirectUri: string;
}

/** How long a sign-in may take between the redirect to the provider and its callback. */
export const LOGIN_TTL_MS = 10 * 60_000;

/**
 * `--oidc-roles 'secteam=admin,devs=viewer:tag=payments,web=maintainer:projects=shop|cart'`: a
 * group, `=`, a role, and optionally `:tag=T` or `:projects=A|B` (the scope, as a token's).
 */
export function parseRoleMappings(s: string): RoleMapping[] {
  const out: RoleMapping[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=:]+)=([a-z]+)(?::(tag|projects)=(.+))?$/.exec(part);
    if (!m) throw new VouchError('USAGE', `--oidc-roles: "${part}" is not group=role[:tag=T|:projects=A|B] (e.g. secteam=admin,devs=viewer:tag=payments)`);
    const [, group, role, kind, value] = m as unknown as [string, string, string, string | undefined, string | undefined];
    if (!ROLES.includes(role as Role)) throw new VouchError('USAGE', `--oidc-roles: "${role}" is not a role (${ROLES.join(', ')})`);
    if (role === 'subscriber') throw new VouchError('USAGE', `--oidc-roles: "${part}": subscriber is the role of a partner server's feed token, not of a person signing in`);
    if (role === 'admin' && kind !== undefined) throw new VouchError('USAGE', `--oidc-roles: "${part}": an admin covers the whole portfolio, it takes no tag or projects`);
    const mapping: RoleMapping = { group: group.trim(), role: role as Role };
    if (kind === 'tag') mapping.tag = value!.trim();
    if (kind === 'projects') mapping.projects = value!.split('|').map((p) => p.trim()).filter(Boolean);
    out.push(mapping);
  }
  if (!out.length) throw new VouchError('USAGE', '--oidc-roles maps no group to a role');
  return out;
}

const RANK: Record<Role, number> = { admin: 4, maintainer: 3, viewer: 2, uploader: 1, subscriber: 0 };

/**
 * The mapping a user's groups select: the most powerful role among the matching ones; between equal
 * roles an unlimited one (no tag or projects), else the first listed. Undefined: no group maps.
 */
export function mapGroups(groups: readonly string[], mappings: readonly RoleMapping[]): RoleMapping | undefined {
  let best: RoleMapping | undefined;
  for (const m of mappings) {
    if (!groups.includes(m.group)) continue;
    const unlimited = (x: RoleMapping): boolean => x.tag === undefined && !x.projects?.length;
    if (!best || RANK[m.role] > RANK[best.role] || (RANK[m.role] === RANK[best.role] && unlimited(m) && !unlimited(best))) best = m;
  }
  return best;
}

function isLoopback(u: URL): boolean {
  return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
}

/**
 * Finds the provider (its discovery document) once, at start-up. http:// is allowed for a loopback
 * issuer only (tests, a local provider). A provider slow or briefly away when the server starts (a
 * busy machine, both restarted together) is asked again: `attempts` tries in all, 10 s each, 1 s
 * then 2 s … apart.
 */
export async function discoverOidc(options: OidcOptions, publicUrl: string, attempts = 3): Promise<OidcProvider> {
  const issuer = new URL(options.issuer);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopback(issuer))) {
    throw new VouchError('USAGE', `--oidc-issuer must be an https:// URL (got ${options.issuer})`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const config = await client.discovery(issuer, options.clientId, options.clientSecret, undefined, {
        ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      });
      return { config, options, redirectUri: new URL('/api/v1/oidc/callback', publicUrl).href };
    } catch (e) {
      if (attempt >= attempts) {
        const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
        throw new VouchError('INPUT_UNSUPPORTED', `the OpenID Connect provider ${options.issuer} could not be discovered${tries}: ${(e as Error).message}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }
}

/** Only a path of this app may be returned to (never another origin, never the sign-in page itself). */
export function localPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/sign-in') || next.startsWith('/api/')) return '/';
  return /^[\x21-\x7e]*$/.test(next) && next.length <= 2000 ? next : '/';
}

/** openid-client's message, with the claim that failed a check when it says which (nonce, aud, iss...). */
function describeError(e: unknown): string {
  let claim: unknown;
  for (let c: unknown = e, i = 0; c && typeof c === 'object' && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    claim ??= (c as { claim?: unknown }).claim;
  }
  const message = e instanceof Error ? e.message : String(e);
  return typeof claim === 'string' ? `${message} (the "${claim}" claim)` : message;
}

function groupsOf(claims: Record<string, unknown> | undefined, claim: string): string[] | undefined {
  const v = claims?.[claim];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  return undefined;
}

export async function registerOidcRoutes(app: FastifyInstance, provider: OidcProvider, sessions: SessionConfig): Promise<void> {
  const db = app.vouch.opened.db;
  const { config, options, redirectUri } = provider;

  const toSignIn = (reply: FastifyReply, message: string): FastifyReply => reply.redirect(`/sign-in?error=${encodeURIComponent(message.slice(0, 300))}`, 302);

  app.get<{ Querystring: { next?: string } }>(
    '/api/v1/oidc/login',
    {
      config: { access: { public: true }, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { tags: ['session'], summary: 'Sign in through the OpenID Connect provider (redirects there)', security: [], querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 2000 } } }, response: { 302: { type: 'null' } } },
    },
    async (req, reply) => {
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      const now = new Date();
      await db.deleteFrom('oidc_logins').where('created_at', '<', nowIso(new Date(now.getTime() - LOGIN_TTL_MS))).execute();
      await db.insertInto('oidc_logins').values({ state, nonce, verifier, next: localPath(req.query.next), created_at: nowIso(now) }).execute();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/oidc/callback',
    {
      config: { access: { public: true }, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { tags: ['session'], summary: 'Where the OpenID Connect provider returns: sets the session cookie and redirects into the app', security: [], response: { 302: { type: 'null' } } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const state = req.query['state'];
      if (typeof state !== 'string' || state === '' || state.length > 200) return toSignIn(reply, 'the sign-in answer has no state: start again');
      // the state is used once: taken out before anything else happens
      const login = await db.selectFrom('oidc_logins').selectAll().where('state', '=', state).executeTakeFirst();
      const taken = login ? Number((await db.deleteFrom('oidc_logins').where('state', '=', state).executeTakeFirst()).numDeletedRows) : 0;
      if (!login || taken === 0) return toSignIn(reply, 'this sign-in is unknown or was already used: start again');
      if (Date.parse(login.created_at) < Date.now() - LOGIN_TTL_MS) return toSignIn(reply, 'the sign-in took more than 10 minutes: start again');
      const idpError = req.query['error'];
      if (typeof idpError === 'string') return toSignIn(reply, `the identity provider refused: ${idpError}${req.query['error_description'] ? ` (${req.query['error_description']})` : ''}`);

      const current = new URL(redirectUri);
      current.search = new URL(req.url, 'http://x').search;
      let claims: Record<string, unknown> | undefined;
      let accessToken: string;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.verifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true });
        claims = tokens.claims() as Record<string, unknown> | undefined;
        accessToken = tokens.access_token;
      } catch (e) {
        req.log.warn({ err: e }, 'OpenID Connect code exchange failed');
        return toSignIn(reply, `the identity provider's answer was refused: ${describeError(e)}`);
      }
      const sub = typeof claims?.['sub'] === 'string' ? claims['sub'] : undefined;
      if (sub === undefined) return toSignIn(reply, 'the identity provider sent no subject');
      let groups = groupsOf(claims, options.groupClaim);
      if (groups === undefined) {
        try {
          groups = groupsOf(await client.fetchUserInfo(config, accessToken, sub), options.groupClaim);
        } catch (e) {
          req.log.warn({ err: e }, 'OpenID Connect userinfo failed');
        }
      }
      const mapping = mapGroups(groups ?? [], options.roles);
      if (!mapping) return toSignIn(reply, `none of your groups (${(groups ?? []).slice(0, 20).join(', ') || 'none'}) gives access to vouch: ask an administrator`);
      const name = [claims?.['email'], claims?.['preferred_username'], claims?.['name']].find((v): v is string => typeof v === 'string' && v !== '') ?? sub;
      const { secret, expiresAt } = await createSession(
        db,
        { subject: `oidc:${sub}`, name, role: mapping.role, ...(mapping.projects ? { projects: mapping.projects } : {}), ...(mapping.tag !== undefined ? { tag: mapping.tag } : {}) },
        { ttlMs: sessions.ttlMs },
      );
      setSessionCookie(reply, sessions, secret, expiresAt);
      return reply.redirect(localPath(login.next), 302);
    },
  );
}
