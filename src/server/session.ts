/**
 * Dashboard sessions (issue 15; docs/server.md, "Sessions and CSRF"). Signing in — with an API
 * token (POST /api/v1/session) or through OpenID Connect (oidc.ts) — makes a session: a random
 * secret sent only as an httpOnly, SameSite=Strict cookie (Secure behind TLS), of which the database
 * keeps the SHA-256, an expiry and a revocation time. The browser's JavaScript never holds a secret.
 *
 * A session made with a token stands for that token: its role and scope are read from the token on
 * every request, so revoking the token (or the token being deleted) ends its sessions at once. An
 * OpenID Connect session carries the role and scope its groups mapped to when it was made.
 *
 * CSRF: a state-changing request (anything but GET, HEAD, OPTIONS) authenticated by the cookie must
 * come from this origin — its `Origin` header equal to ours, or, with no `Origin`, `Sec-Fetch-Site:
 * same-origin`; neither → 403. Bearer requests carry no ambient credential and are not checked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { type Db, nowIso } from '../db/index.js';
import type { Principal, Role } from '../portfolio/access.js';

/** How long a session lasts (absolute, from sign-in): a working day. */
export const SESSION_TTL_MS = 12 * 3600_000;

const SECRET_PREFIX = 'vsess_';

/** The cookie: `__Host-` prefixed when Secure (the browser then refuses it without Secure, Path=/ and no Domain). */
export function cookieName(secure: boolean): string {
  return secure ? '__Host-vouch_session' : 'vouch_session';
}

export interface SessionConfig {
  /** Cookies are Secure (and `__Host-`): the server is reached over https (`--public-url https://…`). */
  secure: boolean;
  /** The origin a cookie-authenticated change must come from; undefined: the request's own Host. */
  origin?: string;
  ttlMs: number;
}

export function sessionConfig(publicUrl: string | undefined, ttlMs = SESSION_TTL_MS): SessionConfig {
  if (publicUrl === undefined) return { secure: false, ttlMs };
  const u = new URL(publicUrl);
  return { secure: u.protocol === 'https:', origin: u.origin, ttlMs };
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface NewSession {
  /** the API token it was made with (its role and scope are the token's) */
  tokenId?: string;
  subject: string;
  name: string;
  role: Role;
  projects?: readonly string[];
  tag?: string;
}

/** Makes a session; the secret is returned once (for the cookie) and stored only as a hash. */
export async function createSession(db: Db, s: NewSession, opts: { ttlMs: number; now?: Date }): Promise<{ secret: string; expiresAt: string }> {
  const now = opts.now ?? new Date();
  const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = nowIso(new Date(now.getTime() + opts.ttlMs));
  await db
    .insertInto('sessions')
    .values({
      hash: hashSecret(secret),
      token_id: s.tokenId ?? null,
      subject: s.subject,
      name: s.name,
      role: s.role,
      projects: s.projects?.length ? JSON.stringify([...s.projects]) : null,
      tag: s.tag ?? null,
      created_at: nowIso(now),
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { secret, expiresAt };
}

export interface SessionPrincipal extends Principal {
  expiresAt: string;
  via: 'token' | 'oidc';
}

/** The principal of a session secret; undefined when unknown, expired, signed out, or its token revoked. */
export async function verifySession(db: Db, secret: string, now: Date = new Date()): Promise<SessionPrincipal | undefined> {
  if (!secret.startsWith(SECRET_PREFIX) || secret.length > 200) return undefined;
  const row = await db
    .selectFrom('sessions as s')
    .leftJoin('tokens as t', 't.id', 's.token_id')
    .select(['s.token_id', 's.subject', 's.name', 's.role', 's.projects', 's.tag', 's.expires_at', 's.revoked_at', 't.id as tid', 't.name as tname', 't.role as trole', 't.projects as tprojects', 't.tag as ttag', 't.revoked_at as trevoked'])
    .where('s.hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= nowIso(now)) return undefined;
  if (row.token_id !== null) {
    if (row.tid === null || row.trevoked !== null || row.tname === null || row.trole === null) return undefined;
    return {
      tokenId: row.tid,
      name: row.tname,
      role: row.trole as Role,
      ...(row.tprojects ? { projects: JSON.parse(row.tprojects) as string[] } : {}),
      ...(row.ttag !== null ? { tag: row.ttag } : {}),
      expiresAt: row.expires_at,
      via: 'token',
    };
  }
  return {
    tokenId: row.subject,
    name: row.name,
    role: row.role as Role,
    ...(row.projects ? { projects: JSON.parse(row.projects) as string[] } : {}),
    ...(row.tag !== null ? { tag: row.tag } : {}),
    expiresAt: row.expires_at,
    via: 'oidc',
  };
}

/** Signs a session out (idempotent). */
export async function revokeSession(db: Db, secret: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: nowIso() }).where('hash', '=', hashSecret(secret)).where('revoked_at', 'is', null).execute();
}

/** Drops sessions that ended more than a day ago (expired or signed out) and abandoned OpenID Connect sign-ins — housekeeping, idempotent. */
export async function pruneSessions(db: Db, now: Date = new Date()): Promise<void> {
  const before = nowIso(new Date(now.getTime() - 86_400_000));
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .execute();
  // sign-ins abandoned at the provider
  await db.deleteFrom('oidc_logins').where('created_at', '<', before).execute();
}

/** The session secret a request's cookie carries (the name the configuration uses), if any. */
export function sessionSecret(req: FastifyRequest, cfg: SessionConfig): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header === '') return undefined;
  try {
    return parseCookies(header)[cookieName(cfg.secure)] || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The marker cookie beside the session: `1`, readable by the app's JavaScript (not httpOnly) so it
 * knows, in any tab and after an OpenID Connect redirect, that it is signed in — it holds no secret
 * and authenticates nothing.
 */
export function markerName(secure: boolean): string {
  return secure ? '__Host-vouch_signed_in' : 'vouch_signed_in';
}

export function setSessionCookie(reply: FastifyReply, cfg: SessionConfig, secret: string, expiresAt: string): void {
  const attrs = { sameSite: 'strict', secure: cfg.secure, path: '/', expires: new Date(expiresAt) } as const;
  reply.header('set-cookie', [serializeCookie(cookieName(cfg.secure), secret, { ...attrs, httpOnly: true }), serializeCookie(markerName(cfg.secure), '1', attrs)]);
}

/** The Set-Cookie values that make the browser forget the session cookie (first) and its marker. */
export function clearedCookies(cfg: SessionConfig): [string, string] {
  const attrs = { sameSite: 'strict', secure: cfg.secure, path: '/', expires: new Date(0) } as const;
  return [serializeCookie(cookieName(cfg.secure), '', { ...attrs, httpOnly: true }), serializeCookie(markerName(cfg.secure), '', attrs)];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Our origin: the configured public URL's, else the one the request was addressed to. */
export function originOf(req: FastifyRequest, cfg: SessionConfig): string {
  return cfg.origin ?? `${req.protocol}://${req.host}`;
}

/**
 * Why a browser request may not change state with the session cookie (undefined: it may): its
 * `Origin` is another site, or it has no `Origin` and is not `Sec-Fetch-Site: same-origin`.
 */
export function crossOriginReason(req: FastifyRequest, cfg: SessionConfig): string | undefined {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    return origin === originOf(req, cfg) ? undefined : `a request from ${origin.slice(0, 100)} may not change anything with this site's session cookie`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin') return undefined;
  return 'a change made with the session cookie must come from this site (no Origin or Sec-Fetch-Site: same-origin header); scripts and the CLI send "Authorization: Bearer <token>" instead';
}
